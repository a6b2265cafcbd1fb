//! Sessions: rotation, the grace window, reuse detection, logout, logout-all, max age,
//! strict logout, the cross-origin check, store outages and events.

use std::sync::{Arc, Mutex};

use jwt_core::{
    AuthEvent, AuthRejection, Authentication, Endpoint, FailureCount, JwtAuth, JwtConfig,
    NewSession, Refresh, RefreshAttempt, SessionId, SessionStore, StoreError,
};
use time::{Duration, OffsetDateTime};

use crate::fixture::{Fixture, Role, claims_of, cookie_value, message, set_cookies, settings};

fn refresh_cookie(reply: &jwt_core::Reply) -> Option<String> {
    cookie_value(reply, "RefreshAuthorization").filter(|value| !value.is_empty())
}

#[tokio::test]
async fn rotation_retires_the_old_refresh_token() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let first = fixture.refresh_with(&tokens.refresh).await;
    let rotated = refresh_cookie(&first).expect("a new refresh token");
    assert_eq!(
        claims_of(&rotated)["sid"],
        claims_of(&tokens.refresh)["sid"]
    );
    fixture.clock.advance(Duration::minutes(1));
    let second = fixture.refresh_with(&rotated).await;
    assert_eq!(second.status(), 200);
    assert!(refresh_cookie(&second).is_some());
}

#[tokio::test]
async fn a_retired_token_within_the_grace_window_gets_the_current_refresh_token() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let first = fixture.refresh_with(&tokens.refresh).await;
    let rotated = refresh_cookie(&first).expect("rotated");
    fixture.clock.advance(Duration::seconds(29));
    let parallel_tab = fixture.refresh_with(&tokens.refresh).await;
    assert_eq!(parallel_tab.status(), 200);
    let cookies = set_cookies(&parallel_tab);
    assert_eq!(
        cookies.len(),
        2,
        "an access cookie and the current refresh token"
    );
    assert_eq!(cookies[0].name(), "Authorization");
    let handed_back = refresh_cookie(&parallel_tab).expect("a refresh cookie");
    assert_eq!(
        claims_of(&handed_back)["jti"],
        claims_of(&rotated)["jti"],
        "the session's current rotation, not a new one"
    );
    assert_eq!(
        claims_of(&handed_back)["exp"],
        claims_of(&rotated)["exp"],
        "it expires with the current rotation"
    );
    assert_eq!(
        fixture.refresh_with(&rotated).await.status(),
        200,
        "the session is intact"
    );
}

#[tokio::test]
async fn replayed_refresh_revokes_session() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let first = fixture.refresh_with(&tokens.refresh).await;
    let newest = refresh_cookie(&first).expect("rotated");
    fixture.clock.advance(Duration::seconds(30));
    let replay = fixture.refresh_with(&tokens.refresh).await;
    assert_eq!(replay.status(), 403);
    assert_eq!(message(&replay), "Invalid refresh token.");
    assert_eq!(
        fixture.refresh_with(&newest).await.status(),
        403,
        "the newest token stops working too"
    );
}

#[tokio::test]
async fn a_token_two_rotations_old_is_reuse_even_within_the_grace_window() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let second = refresh_cookie(&fixture.refresh_with(&tokens.refresh).await).expect("rotated");
    let third = refresh_cookie(&fixture.refresh_with(&second).await).expect("rotated");
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
    assert_eq!(fixture.refresh_with(&third).await.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_refreshes_rotate_exactly_once() {
    let fixture = Arc::new(Fixture::new());
    let tokens = fixture.login().await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let fixture = Arc::clone(&fixture);
            let refresh = tokens.refresh.clone();
            tokio::spawn(async move { fixture.refresh_with(&refresh).await })
        })
        .collect();
    let mut handed_out = std::collections::HashSet::new();
    for task in tasks {
        let reply = task.await.expect("task");
        assert_eq!(reply.status(), 200);
        let refresh = refresh_cookie(&reply).expect("every answer carries the current token");
        handed_out.insert(claims_of(&refresh)["jti"].to_string());
    }
    assert_eq!(handed_out.len(), 1, "one rotation: {handed_out:?}");
    assert!(!handed_out.contains(&claims_of(&tokens.refresh)["jti"].to_string()));
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays_and_no_new_one_is_sent() {
    let fixture = Fixture::with(settings().rotate_refresh(false));
    let tokens = fixture.login().await;
    for _ in 0..3 {
        fixture.clock.advance(Duration::minutes(10));
        let reply = fixture.refresh_with(&tokens.refresh).await;
        assert_eq!(reply.status(), 200);
        let cookies = set_cookies(&reply);
        assert_eq!(cookies.len(), 1);
        assert_eq!(cookies[0].name(), "Authorization");
    }
}

#[tokio::test]
async fn logout_then_refresh_is_refused() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    assert_eq!(
        fixture.logout_with(&tokens.access, false).await.status(),
        200
    );
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
}

#[tokio::test]
async fn logout_ends_only_its_own_session() {
    let fixture = Fixture::new();
    let laptop = fixture.login().await;
    let phone = fixture.login().await;
    assert_eq!(
        fixture.logout_with(&laptop.access, false).await.status(),
        200
    );
    assert_eq!(fixture.refresh_with(&laptop.refresh).await.status(), 403);
    assert_eq!(fixture.refresh_with(&phone.refresh).await.status(), 200);
}

#[tokio::test]
async fn logout_all_from_a_second_session_ends_the_first() {
    let fixture = Fixture::new();
    let laptop = fixture.login().await;
    let phone = fixture.login().await;
    let bob = fixture.login_as("bob", "password2").await;
    let bob_refresh = cookie_value(&bob, "RefreshAuthorization").expect("bob's refresh");
    assert_eq!(fixture.logout_with(&phone.access, true).await.status(), 200);
    assert_eq!(fixture.refresh_with(&laptop.refresh).await.status(), 403);
    assert_eq!(fixture.refresh_with(&phone.refresh).await.status(), 403);
    assert_eq!(
        fixture.refresh_with(&bob_refresh).await.status(),
        200,
        "other users keep theirs"
    );
}

#[tokio::test]
async fn session_max_age_ends_refreshing_however_often_it_rotated() {
    let fixture = Fixture::with(settings().session_max_age_days(3).refresh_duration_days(2));
    let tokens = fixture.login().await;
    let mut refresh = tokens.refresh;
    for _ in 0..2 {
        fixture.clock.advance(Duration::days(1));
        let reply = fixture.refresh_with(&refresh).await;
        assert_eq!(reply.status(), 200);
        refresh = refresh_cookie(&reply).expect("rotated");
    }
    let claims = claims_of(&refresh);
    assert_eq!(
        claims["exp"].as_i64(),
        Some(crate::fixture::START + 3 * 86_400),
        "the last refresh token is capped at the session's deadline"
    );
    fixture.clock.advance(Duration::days(1));
    assert_eq!(fixture.refresh_with(&refresh).await.status(), 403);
}

#[tokio::test]
async fn strict_logout_refuses_access_tokens_of_ended_sessions() {
    let fixture = Fixture::with(settings().strict_logout(true));
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    assert_eq!(
        fixture.logout_with(&tokens.access, false).await.status(),
        200
    );
    let outcome = fixture.bearer(&tokens.access).await;
    assert!(matches!(
        outcome,
        Authentication::Rejected(AuthRejection::InvalidToken)
    ));

    let relaxed = Fixture::new();
    let tokens = relaxed.login().await;
    assert_eq!(
        relaxed.logout_with(&tokens.access, false).await.status(),
        200
    );
    assert!(
        relaxed.bearer(&tokens.access).await.require().is_ok(),
        "valid until exp without strict logout"
    );
}

#[tokio::test]
async fn cross_site_requests_with_cookies_are_refused() {
    let fixture = Fixture::with(settings().trusted_origin("https://app.example.com"));
    let tokens = fixture.login().await;
    let access = fixture.access_cookie(&tokens.access);
    let refresh = format!("RefreshAuthorization={}", tokens.refresh);
    let body = br#"{"username":"alice","password":"password1"}"#;
    let cross_site = [("sec-fetch-site", "cross-site")];

    let login = fixture
        .call(
            Endpoint::Login,
            "POST",
            &[("content-type", "application/json"), cross_site[0]],
            body,
        )
        .await;
    assert_eq!(login.status(), 403);
    assert_eq!(message(&login), "Cross-origin request refused.");
    assert!(login.headers().get("set-cookie").is_none());
    for (endpoint, cookie) in [
        (Endpoint::Refresh, &refresh),
        (Endpoint::Logout, &access),
        (Endpoint::LogoutAll, &access),
    ] {
        let reply = fixture
            .post(
                endpoint,
                &[("cookie", cookie), ("sec-fetch-site", "same-site")],
            )
            .await;
        assert_eq!(reply.status(), 403, "{endpoint:?}");
        assert_eq!(message(&reply), "Cross-origin request refused.");
    }
    let outcome = fixture
        .authenticate(
            "POST",
            &[("cookie", &access), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert!(matches!(
        outcome,
        Authentication::Rejected(AuthRejection::CrossOrigin)
    ));
    assert_eq!(AuthRejection::CrossOrigin.reply().status(), 403);

    // What passes: same-origin and user-initiated navigation, GET, headers without cookies,
    // a matching or trusted Origin, and no browser headers at all.
    for headers in [
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
        vec![("cookie", access.as_str()), ("sec-fetch-site", "none")],
        vec![
            ("cookie", access.as_str()),
            ("origin", "https://api.example.com"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("origin", "https://app.example.com"),
            ("host", "api.example.com"),
        ],
        vec![("cookie", access.as_str())],
    ] {
        let outcome = fixture.authenticate("POST", &headers).await;
        assert!(outcome.require().is_ok(), "{headers:?}");
    }
    let get = fixture
        .authenticate(
            "GET",
            &[("cookie", &access), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert!(get.require().is_ok());
    let bearer = format!("Bearer {}", tokens.access);
    let by_header = fixture
        .authenticate(
            "POST",
            &[("authorization", &bearer), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert!(by_header.require().is_ok());
    for headers in [
        vec![
            ("cookie", access.as_str()),
            ("origin", "https://evil.example"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("origin", "null"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("origin", "https://api.example.com:8443"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://untrusted.example.com"),
            ("host", "api.example.com"),
        ],
    ] {
        let outcome = fixture.authenticate("DELETE", &headers).await;
        assert!(
            matches!(
                outcome,
                Authentication::Rejected(AuthRejection::CrossOrigin)
            ),
            "{headers:?}"
        );
    }
    let header_refresh = fixture
        .post(
            Endpoint::Refresh,
            &[
                ("RefreshAuthorization", &tokens.refresh),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(
        header_refresh.status(),
        200,
        "a header-borne refresh token is not sent by a browser on its own"
    );
}

/// Go's `CrossOriginProtection` rule: without `Sec-Fetch-Site`, an `Origin` naming the `Host`
/// passes whatever its scheme (a TLS-terminating proxy, or http in development); a sibling
/// origin passes when trusted, even under `Sec-Fetch-Site: same-site` or `cross-site`.
#[tokio::test]
async fn own_host_and_trusted_siblings_pass_the_cross_origin_check() {
    let fixture = Fixture::with(settings().trusted_origin("https://app.example.com"));
    let tokens = fixture.login().await;
    let access = fixture.access_cookie(&tokens.access);
    for headers in [
        vec![
            ("cookie", access.as_str()),
            ("origin", "http://api.example.com"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("origin", "https://API.example.com"),
            ("host", "api.example.com:443"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://app.example.com"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://app.example.com"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("origin", "https://app.example.com"),
            ("host", "api.example.com"),
        ],
    ] {
        let outcome = fixture.authenticate("POST", &headers).await;
        assert!(outcome.require().is_ok(), "{headers:?}");
    }
    for headers in [
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://other.example.com"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "same-site"),
            ("host", "api.example.com"),
        ],
        vec![
            ("cookie", access.as_str()),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://app.example.com"),
            ("origin", "https://app.example.com"),
            ("host", "api.example.com"),
        ],
    ] {
        let outcome = fixture.authenticate("POST", &headers).await;
        assert!(
            matches!(
                outcome,
                Authentication::Rejected(AuthRejection::CrossOrigin)
            ),
            "{headers:?}"
        );
    }
}

#[tokio::test]
async fn the_cross_origin_check_can_be_turned_off() {
    let fixture = Fixture::with(settings().csrf(false));
    let tokens = fixture.login().await;
    let access = fixture.access_cookie(&tokens.access);
    let outcome = fixture
        .authenticate(
            "POST",
            &[("cookie", &access), ("sec-fetch-site", "cross-site")],
        )
        .await;
    assert!(outcome.require().is_ok());
}

/// A store whose backend is down.
struct UnreachableStore;

#[jwt_core::async_trait]
impl SessionStore for UnreachableStore {
    async fn create(&self, _: NewSession) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn refresh(&self, _: RefreshAttempt) -> Result<Refresh, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn revoke(&self, _: &SessionId, _: &str) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn revoke_all(&self, _: &str) -> Result<usize, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn is_active(
        &self,
        _: &SessionId,
        _: &str,
        _: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn login_failures(
        &self,
        _: &[String],
        _: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn record_login_failure(
        &self,
        _: &[String],
        _: Duration,
        _: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn clear_login_failures(&self, _: &str) -> Result<(), StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
    async fn claim_once(
        &self,
        _: &str,
        _: OffsetDateTime,
        _: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Err(StoreError::Unavailable("connection refused".into()))
    }
}

#[tokio::test]
async fn an_unreachable_store_gives_503_with_retry_after_and_access_tokens_keep_working() {
    let working = Fixture::new();
    let tokens = working.login().await;
    for strict in [false, true] {
        let config: JwtConfig = settings().strict_logout(strict).build().expect("valid");
        let auth: JwtAuth<Role> = JwtAuth::builder(config, Arc::clone(&working.users))
            .clock(working.clock.clone())
            .store(UnreachableStore)
            .build();
        let broken = Fixture {
            auth,
            clock: working.clock.clone(),
            users: Arc::clone(&working.users),
        };
        let login = broken.login_as("alice", "password1").await;
        let refresh = broken.refresh_with(&tokens.refresh).await;
        let logout = broken.logout_with(&tokens.access, false).await;
        let logout_all = broken.logout_with(&tokens.access, true).await;
        for reply in [&login, &refresh, &logout, &logout_all] {
            assert_eq!(reply.status(), 503);
            assert_eq!(message(reply), "Session store unavailable.");
            assert!(reply.headers().contains_key("retry-after"));
            assert!(
                reply.headers().get("set-cookie").is_none(),
                "nothing changes, so no cookie either"
            );
        }
        let outcome = broken.bearer(&tokens.access).await;
        if strict {
            assert!(matches!(
                outcome,
                Authentication::Rejected(AuthRejection::StoreUnavailable)
            ));
            assert_eq!(AuthRejection::StoreUnavailable.reply().status(), 503);
        } else {
            assert!(outcome.require().is_ok());
        }
    }
}

#[tokio::test]
async fn every_transition_emits_an_event_without_secrets() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let working = Fixture::new();
    let config = settings().build().expect("valid");
    let auth = JwtAuth::builder(config, Arc::clone(&working.users))
        .clock(working.clock.clone())
        .events(move |event: &AuthEvent<'_>| {
            let line = match event {
                AuthEvent::LoginSucceeded { subject, .. } => format!("login {subject}"),
                AuthEvent::LoginFailed { username } => format!("failed {username}"),
                AuthEvent::Refreshed {
                    subject, rotated, ..
                } => format!("refreshed {subject} {rotated}"),
                AuthEvent::ReuseDetected { subject, .. } => format!("reuse {subject}"),
                AuthEvent::LoggedOut { subject, .. } => format!("logout {subject}"),
                AuthEvent::LoggedOutEverywhere { subject, sessions } => {
                    format!("logout-all {subject} {sessions}")
                }
                _ => "other".to_owned(),
            };
            log.lock().expect("lock").push(line);
        })
        .build();
    let fixture = Fixture {
        auth,
        clock: working.clock.clone(),
        users: Arc::clone(&working.users),
    };
    assert_eq!(fixture.login_as("alice", "wrong").await.status(), 400);
    let tokens = fixture.login().await;
    assert!(refresh_cookie(&fixture.refresh_with(&tokens.refresh).await).is_some());
    assert_eq!(
        fixture.refresh_with(&tokens.refresh).await.status(),
        200,
        "within grace"
    );
    fixture.clock.advance(Duration::minutes(1));
    assert_eq!(
        fixture.refresh_with(&tokens.refresh).await.status(),
        403,
        "reuse"
    );
    let second = fixture.login().await;
    assert_eq!(
        fixture.logout_with(&second.access, false).await.status(),
        200
    );
    let third = fixture.login().await;
    assert_eq!(fixture.logout_with(&third.access, true).await.status(), 200);
    let events = seen.lock().expect("lock").clone();
    assert_eq!(
        events,
        [
            "failed alice",
            "login alice",
            "refreshed alice true",
            "refreshed alice false",
            "reuse alice",
            "login alice",
            "logout alice",
            "login alice",
            "logout-all alice 1",
        ]
    );
}
