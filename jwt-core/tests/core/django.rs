//! The migration mode, with real cookies minted by django-jwt-auth-middleware 0.1.1
//! (`tests/django-tokens/`, copied from the shared folder of Django tokens).

use std::sync::{Arc, Mutex};

use jwt_core::{
    AuthEvent, AuthRejection, Authentication, DJANGO_SESSION, Endpoint, JwtAuth, JwtConfig,
    JwtConfigBuilder, ManualClock, MemoryStore,
};
use serde_json::Value;

use crate::fixture::{Fixture, claims_of, cookie_value, header_of, message, set_cookies, settings};

/// One file of real Django cookies.
pub(crate) struct DjangoLogin {
    pub(crate) secret_key: String,
    pub(crate) access: DjangoCookie,
    pub(crate) refresh: DjangoCookie,
}

pub(crate) struct DjangoCookie {
    pub(crate) name: String,
    /// What the browser sends back after the package's `Set-Cookie`.
    pub(crate) sent: String,
    pub(crate) jwt: String,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
}

pub(crate) fn load(variant: &str) -> DjangoLogin {
    let path = format!(
        "{}/tests/django-tokens/{variant}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    let file: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    let cookie = |index: usize| {
        let cookie = &file["cookies"][index];
        let text = |name: &str| cookie[name].as_str().expect("a string").to_owned();
        // The browser returns the value exactly as set: for the access cookie, with the
        // package's quotes around `Bearer <jwt>`.
        let set_cookie = text("set_cookie");
        let pair = set_cookie.split(';').next().expect("a name=value pair");
        DjangoCookie {
            name: text("name"),
            sent: pair.to_owned(),
            jwt: text("jwt"),
            iat: cookie["claims"]["iat"].as_i64().expect("iat"),
            exp: cookie["claims"]["exp"].as_i64().expect("exp"),
        }
    };
    let login = DjangoLogin {
        secret_key: file["secret_key"].as_str().expect("secret_key").to_owned(),
        access: cookie(0),
        refresh: cookie(1),
    };
    assert_eq!(claims_of(&login.access.jwt)["tok"], "access");
    assert_eq!(claims_of(&login.refresh.jwt)["tok"], "refresh");
    login
}

/// Events the engine emitted, as text.
pub(crate) type Events = Arc<Mutex<Vec<String>>>;

/// An engine with the fixture's users, alice mapped from Django primary key 1, and the clock
/// at the tokens' `iat`.
pub(crate) fn migrating(login: &DjangoLogin, builder: JwtConfigBuilder) -> (Fixture, Events) {
    let config = builder
        .django_secret_key(&login.secret_key)
        .build()
        .expect("valid settings");
    engine(config, login.access.iat)
}

pub(crate) fn engine(config: JwtConfig, now: i64) -> (Fixture, Events) {
    let base = Fixture::with_config(config.clone());
    base.users.map_django_user("1", "alice");
    let clock = ManualClock::at_unix(now);
    let events: Events = Arc::default();
    let seen = Arc::clone(&events);
    let auth = JwtAuth::builder(config, Arc::clone(&base.users))
        .store(MemoryStore::new())
        .clock(clock.clone())
        .events(move |event: &AuthEvent<'_>| {
            seen.lock().expect("lock").push(format!("{event:?}"));
        })
        .build();
    let fixture = Fixture {
        auth,
        clock,
        users: base.users,
    };
    (fixture, events)
}

pub(crate) async fn exchange(fixture: &Fixture, cookie: &str) -> jwt_core::Reply {
    fixture.post(Endpoint::Refresh, &[("cookie", cookie)]).await
}

pub(crate) async fn whoami(
    fixture: &Fixture,
    cookie: &str,
) -> Authentication<crate::fixture::Role> {
    fixture.authenticate("GET", &[("cookie", cookie)]).await
}

pub(crate) fn is_invalid_token<C>(outcome: &Authentication<C>) -> bool {
    matches!(
        outcome,
        Authentication::Rejected(AuthRejection::InvalidToken)
    )
}

pub(crate) fn assert_refused(reply: &jwt_core::Reply, refresh_cookie: &str) {
    assert_eq!(reply.status(), 403);
    assert_eq!(message(reply), "Invalid refresh token.");
    assert_eq!(
        cookie_value(reply, refresh_cookie).as_deref(),
        Some(""),
        "the refusal deletes the refresh cookie"
    );
}

#[tokio::test]
async fn django_refresh_cookie_is_exchanged_for_our_two_cookies() {
    let django = load("default");
    let (fixture, events) = migrating(&django, settings());
    let reply = exchange(&fixture, &django.refresh.sent).await;
    assert_eq!(reply.status(), 200, "{:?}", reply.body());
    assert_eq!(message(&reply), "Access token refreshed.");

    let cookies = set_cookies(&reply);
    let names: Vec<&str> = cookies.iter().map(|cookie| cookie.name()).collect();
    assert_eq!(names, ["Authorization", "RefreshAuthorization"]);
    let (access, refresh) = (&cookies[0], &cookies[1]);
    for cookie in [access, refresh] {
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.secure(), Some(true));
        assert_eq!(cookie.same_site(), Some(cookie::SameSite::Strict));
    }
    assert_eq!(access.path(), Some("/"));
    assert_eq!(access.max_age(), Some(time::Duration::minutes(5)));
    assert_eq!(refresh.path(), Some("/jwt/refresh/"));
    assert_eq!(refresh.max_age(), Some(time::Duration::days(14)));
    assert!(
        !access.value().starts_with('"'),
        "a bare JWT, never the Django form"
    );

    // Our own tokens, for alice, in a new session that refreshes as any other.
    assert_eq!(header_of(access.value())["typ"], "at+jwt");
    assert_eq!(header_of(refresh.value())["typ"], "rt+jwt");
    assert!(header_of(access.value())["kid"].is_string());
    let principal = fixture
        .bearer(access.value())
        .await
        .require()
        .expect("our access token authenticates");
    assert_eq!(principal.subject, "alice");
    assert_eq!(principal.claims.role, "admin", "the authenticator's claims");
    assert_ne!(principal.session_id.as_str(), DJANGO_SESSION);
    let again = fixture.refresh_with(refresh.value()).await;
    assert_eq!(again.status(), 200);

    let events = events.lock().expect("lock");
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(
        events[0].starts_with("DjangoSessionExchanged"),
        "{events:?}"
    );
    assert!(events[0].contains("\"alice\""));
    assert!(events[1].starts_with("Refreshed"));
}

#[tokio::test]
async fn a_django_refresh_token_is_exchanged_only_once() {
    let django = load("default");
    let (fixture, events) = migrating(&django, settings());
    assert_eq!(exchange(&fixture, &django.refresh.sent).await.status(), 200);
    fixture.clock.advance(time::Duration::minutes(1));
    let again = exchange(&fixture, &django.refresh.sent).await;
    assert_refused(&again, "RefreshAuthorization");
    // Also from the header a non-browser client uses.
    let header = fixture
        .post(
            Endpoint::Refresh,
            &[("RefreshAuthorization", &django.refresh.jwt)],
        )
        .await;
    assert_eq!(header.status(), 403);
    let events = events.lock().expect("lock");
    assert!(events[1].starts_with("DjangoReplayRefused"), "{events:?}");
    assert!(
        events
            .iter()
            .all(|event| !event.contains(&django.refresh.jwt)),
        "no event carries the token"
    );
}

#[tokio::test]
async fn a_django_refresh_token_is_exchanged_from_the_refresh_header() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    let reply = fixture
        .post(
            Endpoint::Refresh,
            &[("RefreshAuthorization", &django.refresh.jwt)],
        )
        .await;
    assert_eq!(reply.status(), 200);
    assert!(cookie_value(&reply, "Authorization").is_some());
}

#[tokio::test]
async fn django_access_cookie_authenticates_with_the_mode_on_only() {
    let django = load("default");
    assert!(django.access.sent.starts_with("Authorization=\"Bearer "));
    let (fixture, _) = migrating(&django, settings());
    let principal = whoami(&fixture, &django.access.sent)
        .await
        .require()
        .expect("the Django access cookie authenticates");
    assert_eq!(principal.subject, "alice");
    assert_eq!(principal.claims.role, "admin");
    assert_eq!(principal.session_id.as_str(), DJANGO_SESSION);
    assert_eq!(principal.expires_at.unix_timestamp(), django.access.exp);
    assert!(!principal.token_id.contains(&django.access.jwt));

    // The header form too.
    let header = fixture.bearer(&django.access.jwt).await;
    assert_eq!(header.require().expect("bearer").subject, "alice");

    let (off, _) = engine(settings().build().expect("valid"), django.access.iat);
    assert!(is_invalid_token(&whoami(&off, &django.access.sent).await));
    assert!(is_invalid_token(&off.bearer(&django.access.jwt).await));
    let refused = exchange(&off, &django.refresh.sent).await;
    assert_refused(&refused, "RefreshAuthorization");
}

#[tokio::test]
async fn a_django_refresh_token_is_not_an_access_token_nor_the_reverse() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    let as_access = format!("Authorization={}", django.refresh.jwt);
    assert!(is_invalid_token(&whoami(&fixture, &as_access).await));
    assert!(is_invalid_token(&fixture.bearer(&django.refresh.jwt).await));
    let as_refresh = format!("RefreshAuthorization={}", django.access.jwt);
    assert_refused(
        &exchange(&fixture, &as_refresh).await,
        "RefreshAuthorization",
    );
}

#[tokio::test]
async fn django_tokens_of_unknown_or_inactive_users_are_refused() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    fixture.users.map_django_user("1", "nobody");
    assert!(is_invalid_token(
        &whoami(&fixture, &django.access.sent).await
    ));
    assert_refused(
        &exchange(&fixture, &django.refresh.sent).await,
        "RefreshAuthorization",
    );
    fixture.users.map_django_user("1", "carol");
    assert!(is_invalid_token(
        &whoami(&fixture, &django.access.sent).await
    ));
    assert_refused(
        &exchange(&fixture, &django.refresh.sent).await,
        "RefreshAuthorization",
    );
    // The refusals did not use the token up: mapped to an active user, it exchanges.
    fixture.users.map_django_user("1", "bob");
    let reply = exchange(&fixture, &django.refresh.sent).await;
    assert_eq!(reply.status(), 200);
    let access = cookie_value(&reply, "Authorization").expect("access cookie");
    assert_eq!(claims_of(&access)["sub"], "bob");
}

#[tokio::test]
async fn an_authenticator_that_maps_nobody_accepts_no_django_token() {
    struct Unmapped;
    #[jwt_core::async_trait]
    impl jwt_core::Authenticator for Unmapped {
        type Claims = jwt_core::NoClaims;
        async fn authenticate(
            &self,
            _: &jwt_core::Credentials,
        ) -> Result<Option<jwt_core::Identity<Self::Claims>>, jwt_core::AuthenticatorError>
        {
            Ok(None)
        }
        async fn identity(
            &self,
            subject: &str,
        ) -> Result<Option<jwt_core::Identity<Self::Claims>>, jwt_core::AuthenticatorError>
        {
            Ok(Some(jwt_core::Identity {
                subject: subject.to_owned(),
                claims: jwt_core::NoClaims,
            }))
        }
    }
    let django = load("default");
    let config = settings()
        .django_secret_key(&django.secret_key)
        .build()
        .expect("valid");
    let auth = JwtAuth::builder(config, Unmapped)
        .clock(ManualClock::at_unix(django.access.iat))
        .build();
    let headers = crate::fixture::header_map(&[("cookie", &django.refresh.sent)]);
    let uri = http::Uri::from_static("/jwt/refresh/");
    let head = jwt_core::RequestHead::from_http(auth.config(), &http::Method::POST, &uri, &headers);
    assert_eq!(auth.refresh(&head).await.status(), 403);
}

#[tokio::test]
async fn the_custom_variant_works_when_our_settings_name_its_cookies_and_path() {
    let django = load("custom");
    assert_eq!(django.access.name, "X-Auth-Token");
    assert_eq!(django.refresh.name, "RefreshX-Auth-Token");
    let builder = settings()
        .access_header("X-Auth-Token")
        .refresh_path("/api/jwt/refresh/")
        .cookie_same_site(jwt_core::SameSite::Lax);
    let (fixture, _) = migrating(&django, builder);

    let principal = whoami(&fixture, &django.access.sent)
        .await
        .require()
        .expect("the Django access cookie authenticates");
    assert_eq!(principal.subject, "alice");

    let reply = exchange(&fixture, &django.refresh.sent).await;
    assert_eq!(reply.status(), 200, "{:?}", reply.body());
    let cookies = set_cookies(&reply);
    let names: Vec<&str> = cookies.iter().map(|cookie| cookie.name()).collect();
    assert_eq!(names, ["X-Auth-Token", "RefreshX-Auth-Token"]);
    assert_eq!(cookies[1].path(), Some("/api/jwt/refresh/"));
    // Our attributes, not the Django deployment's (which had Secure and HttpOnly off).
    assert_eq!(cookies[0].secure(), Some(true));
    assert_eq!(cookies[0].http_only(), Some(true));
    assert_eq!(cookies[0].same_site(), Some(cookie::SameSite::Lax));
    assert_refused(
        &exchange(&fixture, &django.refresh.sent).await,
        "RefreshX-Auth-Token",
    );
}

#[tokio::test]
async fn a_cross_origin_exchange_is_refused() {
    let django = load("default");
    let (fixture, events) = migrating(&django, settings());
    let reply = fixture
        .post(
            Endpoint::Refresh,
            &[
                ("cookie", &django.refresh.sent),
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
        )
        .await;
    assert_eq!(reply.status(), 403);
    assert_eq!(message(&reply), "Cross-origin request refused.");
    assert!(events.lock().expect("lock").is_empty());
    // The refusal did not use the token up.
    assert_eq!(exchange(&fixture, &django.refresh.sent).await.status(), 200);
}

#[tokio::test]
async fn a_cross_origin_unsafe_request_with_a_django_access_cookie_is_refused() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    let outcome = fixture
        .authenticate(
            "POST",
            &[
                ("cookie", &django.access.sent),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert!(matches!(
        outcome,
        Authentication::Rejected(AuthRejection::CrossOrigin)
    ));
}
