//! The cache of verified access tokens gives the same answer as verifying every time.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_core::{AuthRejection, Authentication, JwtAuth, RequestHead};
use time::Duration;

use crate::fixture::{Fixture, START, claims_of, forge, settings};

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

/// One step of a sequence run against an engine with the cache and one without.
#[derive(Debug, Clone)]
enum Step {
    /// Present token number `n` of the pool.
    Present(usize),
    /// Move the shared clock, forwards or back.
    Step(i64),
}

fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
    use proptest::prelude::*;
    proptest::collection::vec(
        prop_oneof![
            3 => (0..12_usize).prop_map(Step::Present),
            1 => (-400_i64..400).prop_map(Step::Step),
        ],
        1..60,
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The cache answers as a full verification would at the same clock, whichever way the
    /// clock moves and however small the cache (3 entries: evictions all the time).
    #[test]
    fn the_cache_answers_as_full_verification_with_clock_steps_both_ways(
        sequence in steps(),
        times in proptest::collection::vec((-300_i64..300, proptest::option::of(-300_i64..300), 1_i64..600), 12),
    ) {
        let plain = Fixture::new();
        let config = settings().leeway_seconds(10).build().expect("valid");
        let engine = |capacity| {
            JwtAuth::builder(config.clone(), Arc::clone(&plain.users))
                .clock(plain.clock.clone())
                .verified_token_cache(capacity)
                .build()
        };
        let (cached, uncached) = (engine(3), engine(0));
        let pool: Vec<String> = times
            .iter()
            .enumerate()
            .map(|(n, (iat, nbf, life))| {
                let mut claims = serde_json::json!({
                    "jti": format!("token-{n}"),
                    "iat": START + iat,
                    "exp": START + iat + life,
                });
                if let Some(nbf) = nbf {
                    claims["nbf"] = (START + nbf).into();
                }
                forge(&plain, serde_json::json!({}), claims)
            })
            .collect();
        for step in sequence {
            match step {
                Step::Step(seconds) => plain.clock.advance(Duration::seconds(seconds)),
                Step::Present(n) => {
                    let bearer = format!("Bearer {}", pool[n]);
                    let headers = crate::fixture::header_map(&[("authorization", &bearer)]);
                    let (method, uri) = (http::Method::GET, http::Uri::from_static("/"));
                    let answer = |auth: &JwtAuth<crate::fixture::Role>| {
                        let head = RequestHead::from_http(auth.config(), &method, &uri, &headers);
                        auth.verify_request(&head).require().map(|p| p.token_id)
                    };
                    proptest::prop_assert_eq!(answer(&cached), answer(&uncached), "token {}", n);
                }
            }
        }
    }
}

#[tokio::test]
async fn a_cached_token_is_refused_when_the_clock_steps_back_before_its_iat() {
    let fixture = with_cache(10_000);
    let tokens = fixture.login().await;
    // Kept from its second verification on; the third is a hit.
    for _ in 0..3 {
        assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    }
    // The clock steps back past iat - leeway (10 s): a full check refuses a token from the
    // future, and so must the cache.
    fixture.clock.advance(Duration::seconds(-11));
    assert!(fixture.bearer(&tokens.access).await.require().is_err());
    fixture.clock.advance(Duration::seconds(11));
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
}

#[tokio::test]
async fn clearing_the_cache_makes_every_token_verify_again() {
    let fixture = with_cache(10_000);
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    fixture.auth.clear_verified_tokens();
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
}
