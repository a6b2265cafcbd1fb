//! The cache of verified access tokens gives the same answer as verifying every time.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_core::{AuthRejection, Authentication, JwtAuth};
use time::Duration;

use crate::fixture::{Fixture, claims_of, settings};

fn with_cache(capacity: usize) -> Fixture {
    let plain = Fixture::new();
    let config = settings().leeway_seconds(10).build().expect("valid");
    let auth = JwtAuth::builder(config, Arc::clone(&plain.users))
        .clock(plain.clock.clone())
        .verified_token_cache(capacity)
        .build();
    Fixture {
        auth,
        clock: plain.clock.clone(),
        users: Arc::clone(&plain.users),
    }
}

#[tokio::test]
async fn a_cached_token_still_expires_at_exp_plus_leeway() {
    for capacity in [0, 10_000] {
        let fixture = with_cache(capacity);
        let tokens = fixture.login().await;
        assert!(
            fixture.bearer(&tokens.access).await.require().is_ok(),
            "first use verifies"
        );
        assert!(
            fixture.bearer(&tokens.access).await.require().is_ok(),
            "second use"
        );
        fixture
            .clock
            .advance(Duration::minutes(5) + Duration::seconds(9));
        assert!(
            fixture.bearer(&tokens.access).await.require().is_ok(),
            "within the leeway"
        );
        fixture.clock.advance(Duration::seconds(1));
        let outcome = fixture.bearer(&tokens.access).await;
        assert!(
            matches!(
                outcome,
                Authentication::Rejected(AuthRejection::InvalidToken)
            ),
            "capacity {capacity}"
        );
    }
}

#[tokio::test]
async fn a_cached_signature_does_not_vouch_for_another_payload() {
    let fixture = with_cache(10_000);
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    let parts: Vec<&str> = tokens.access.split('.').collect();
    let mut claims = claims_of(&tokens.access);
    claims["sub"] = "mallory".into();
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);
    assert!(fixture.bearer(&forged).await.require().is_err());
    assert_eq!(
        fixture
            .bearer(&tokens.access)
            .await
            .require()
            .expect("still fine")
            .subject,
        "alice"
    );
}

#[tokio::test]
async fn the_cross_origin_check_runs_on_cached_tokens_too() {
    let fixture = with_cache(10_000);
    let tokens = fixture.login().await;
    let cookie = fixture.access_cookie(&tokens.access);
    assert!(
        fixture
            .authenticate("POST", &[("cookie", &cookie)])
            .await
            .require()
            .is_ok()
    );
    let outcome = fixture
        .authenticate(
            "POST",
            &[("cookie", &cookie), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert!(matches!(
        outcome,
        Authentication::Rejected(AuthRejection::CrossOrigin)
    ));
}

#[tokio::test]
async fn strict_logout_still_asks_the_store_for_cached_tokens() {
    let plain = Fixture::new();
    let config = settings().strict_logout(true).build().expect("valid");
    let auth = JwtAuth::builder(config, Arc::clone(&plain.users))
        .clock(plain.clock.clone())
        .build();
    let fixture = Fixture {
        auth,
        clock: plain.clock.clone(),
        users: Arc::clone(&plain.users),
    };
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    assert_eq!(
        fixture.logout_with(&tokens.access, false).await.status(),
        200
    );
    assert!(fixture.bearer(&tokens.access).await.require().is_err());
}
