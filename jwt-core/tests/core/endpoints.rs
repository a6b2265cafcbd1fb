//! Every status, message and body of the four endpoints, and the exact `Set-Cookie` lines.

use cookie::{Expiration, SameSite as CookieSameSite};
use jwt_core::{Endpoint, SameSite};
use time::{Duration, OffsetDateTime};

use crate::fixture::{Fixture, claims_of, cookie_value, message, set_cookies, settings};

fn json_headers() -> [(&'static str, &'static str); 1] {
    [("content-type", "application/json")]
}

#[tokio::test]
async fn login_success_sets_both_hardened_cookies() {
    let fixture = Fixture::new();
    let reply = fixture.login_as("alice", "password1").await;
    assert_eq!(reply.status(), 200);
    assert_eq!(message(&reply), "Authentication successful.");
    assert_eq!(reply.headers()["content-type"], "application/json");
    assert_eq!(reply.headers()["cache-control"], "no-store");
    let cookies = set_cookies(&reply);
    assert_eq!(cookies.len(), 2);
    let access = &cookies[0];
    assert_eq!(access.name(), "Authorization");
    assert_eq!(access.http_only(), Some(true));
    assert_eq!(access.secure(), Some(true));
    assert_eq!(access.same_site(), Some(CookieSameSite::Strict));
    assert_eq!(access.path(), Some("/"));
    assert_eq!(access.max_age(), Some(Duration::minutes(5)));
    assert_eq!(access.domain(), None);
    let refresh = &cookies[1];
    assert_eq!(refresh.name(), "RefreshAuthorization");
    assert_eq!(refresh.http_only(), Some(true));
    assert_eq!(refresh.secure(), Some(true));
    assert_eq!(refresh.same_site(), Some(CookieSameSite::Strict));
    assert_eq!(refresh.path(), Some("/jwt/refresh/"));
    assert_eq!(refresh.max_age(), Some(Duration::days(14)));
    assert_eq!(
        claims_of(access.value())["sid"],
        claims_of(refresh.value())["sid"]
    );
}

#[tokio::test]
async fn cookie_attributes_follow_the_settings() {
    let fixture = Fixture::with(
        settings()
            .cookie_http_only(false)
            .cookie_secure(false)
            .cookie_same_site(SameSite::Lax)
            .cookie_domain("example.com")
            .access_duration_minutes(10)
            .refresh_duration_days(2)
            .refresh_path("/auth/refresh/"),
    );
    let reply = fixture.login_as("alice", "password1").await;
    for cookie in set_cookies(&reply) {
        assert_eq!(cookie.http_only(), None, "{cookie}");
        assert_eq!(cookie.secure(), None, "{cookie}");
        assert_eq!(cookie.same_site(), Some(CookieSameSite::Lax));
        assert_eq!(cookie.domain(), Some("example.com"));
    }
    let cookies = set_cookies(&reply);
    assert_eq!(cookies[0].max_age(), Some(Duration::minutes(10)));
    assert_eq!(cookies[1].max_age(), Some(Duration::days(2)));
    assert_eq!(cookies[1].path(), Some("/auth/refresh/"));
}

#[tokio::test]
async fn same_site_none_is_written_with_secure() {
    let fixture = Fixture::with(settings().cookie_same_site(SameSite::None));
    let reply = fixture.login_as("alice", "password1").await;
    for cookie in set_cookies(&reply) {
        assert_eq!(cookie.same_site(), Some(CookieSameSite::None));
        assert_eq!(cookie.secure(), Some(true));
    }
}

#[tokio::test]
async fn login_accepts_json_form_and_multipart() {
    let fixture = Fixture::new();
    let cases: [(&str, &[u8]); 4] = [
        ("application/json", br#"{"username":"alice","password":"password1"}"#),
        ("application/json; charset=UTF-8", br#"{"password":"password1","username":"alice","extra":1}"#),
        ("application/x-www-form-urlencoded", b"username=alice&password=password1"),
        (
            "multipart/form-data; boundary=XyZ",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n--XyZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\npassword1\r\n--XyZ--\r\n",
        ),
    ];
    for (content_type, body) in cases {
        let reply = fixture
            .call(
                Endpoint::Login,
                "POST",
                &[("content-type", content_type)],
                body,
            )
            .await;
        assert_eq!(reply.status(), 200, "{content_type}: {:?}", reply.body());
    }
}

#[tokio::test]
async fn bad_credentials_and_bodies_get_400_with_one_message() {
    let fixture = Fixture::new();
    let bodies: [&[u8]; 12] = [
        br#"{"username":"alice","password":"wrong"}"#,
        br#"{"username":"nobody","password":"password1"}"#,
        br#"{"username":"carol","password":"password3"}"#,
        br#"{"username":"alice"}"#,
        br#"{"password":"password1"}"#,
        br#"{"username":"alice","password":"password1""#,
        br#"["alice","password1"]"#,
        br#"{"username":1,"password":"password1"}"#,
        br#"{"username":"alice","password":null}"#,
        br#"{"username":"alice","username":"bob","password":"password1"}"#,
        b"",
        b"\xff\xfe",
    ];
    for body in bodies {
        let reply = fixture
            .call(Endpoint::Login, "POST", &json_headers(), body)
            .await;
        assert_eq!(reply.status(), 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(message(&reply), "Valid user credentials not provided.");
        assert!(reply.headers().get("set-cookie").is_none());
    }
    let form = fixture
        .call(
            Endpoint::Login,
            "POST",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"username=alice&username=bob&password=password1",
        )
        .await;
    assert_eq!(form.status(), 400, "a repeated form field is ambiguous");
}

#[tokio::test]
async fn unsupported_media_types_get_415() {
    let fixture = Fixture::new();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/xml"),
        Some("application/json; charset=latin1"),
        Some("nonsense"),
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|value| ("content-type", value))
            .into_iter()
            .collect();
        let reply = fixture
            .call(
                Endpoint::Login,
                "POST",
                &headers,
                br#"{"username":"alice","password":"password1"}"#,
            )
            .await;
        assert_eq!(reply.status(), 415, "{content_type:?}");
        assert_eq!(message(&reply), "Unsupported media type.");
    }
}

#[tokio::test]
async fn bodies_over_64_kib_get_413() {
    let fixture = Fixture::new();
    let padding = "x".repeat(64 * 1024);
    let body = format!(r#"{{"username":"alice","password":"password1","padding":"{padding}"}}"#);
    let reply = fixture
        .call(Endpoint::Login, "POST", &json_headers(), body.as_bytes())
        .await;
    assert_eq!(reply.status(), 413);
    assert_eq!(message(&reply), "Request body too large.");
    let head = jwt_core::RequestHead::from_pairs(
        fixture.auth.config(),
        "POST",
        [("content-type", b"application/json".as_slice())],
    );
    let reply = fixture
        .auth
        .login(&head, jwt_core::RequestBody::TooLarge)
        .await;
    assert_eq!(reply.status(), 413);
    let declared = fixture
        .call(
            Endpoint::Login,
            "POST",
            &[
                ("content-type", "application/json"),
                ("content-length", "100000"),
            ],
            b"{}",
        )
        .await;
    assert_eq!(declared.status(), 413);
}

#[tokio::test]
async fn being_logged_in_does_not_replace_credentials() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let cookie = fixture.access_cookie(&tokens.access);
    let reply = fixture
        .call(
            Endpoint::Login,
            "POST",
            &[("cookie", &cookie), ("content-type", "application/json")],
            b"{}",
        )
        .await;
    assert_eq!(reply.status(), 400);
    assert!(reply.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn every_session_endpoint_answers_405_to_other_methods() {
    let fixture = Fixture::new();
    for endpoint in [
        Endpoint::Login,
        Endpoint::Refresh,
        Endpoint::Logout,
        Endpoint::LogoutAll,
    ] {
        for method in ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
            let reply = fixture.call(endpoint, method, &[], b"").await;
            assert_eq!(reply.status(), 405, "{endpoint:?} {method}");
            assert_eq!(reply.headers()["allow"], "POST");
            assert_eq!(message(&reply), "Method not allowed.");
            assert_eq!(reply.headers()["content-type"], "application/json");
        }
    }
}

#[tokio::test]
async fn refresh_success_sets_a_new_access_cookie_and_rotates() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    fixture.clock.advance(Duration::minutes(1));
    let reply = fixture.refresh_with(&tokens.refresh).await;
    assert_eq!(reply.status(), 200);
    assert_eq!(message(&reply), "Access token refreshed.");
    let cookies = set_cookies(&reply);
    assert_eq!(cookies.len(), 2);
    assert_eq!(cookies[0].name(), "Authorization");
    assert_eq!(cookies[0].path(), Some("/"));
    assert_eq!(cookies[1].name(), "RefreshAuthorization");
    assert_eq!(cookies[1].path(), Some("/jwt/refresh/"));
    assert_ne!(cookies[1].value(), tokens.refresh);
    assert_eq!(
        claims_of(cookies[1].value())["sid"],
        claims_of(&tokens.refresh)["sid"]
    );
}

#[tokio::test]
async fn refresh_reads_the_header_for_non_browser_clients() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let reply = fixture
        .post(
            Endpoint::Refresh,
            &[("RefreshAuthorization", &tokens.refresh)],
        )
        .await;
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn refresh_failures_get_403_and_clear_the_refresh_cookie() {
    let fixture = Fixture::new();
    for headers in [
        vec![],
        vec![("cookie", "RefreshAuthorization=garbage")],
        vec![("cookie", "RefreshAuthorization=")],
        vec![("RefreshAuthorization", "a.b.c")],
    ] {
        let reply = fixture.post(Endpoint::Refresh, &headers).await;
        assert_eq!(reply.status(), 403, "{headers:?}");
        assert_eq!(message(&reply), "Invalid refresh token.");
        let cookies = set_cookies(&reply);
        assert_eq!(cookies.len(), 1);
        assert_eq!(cookies[0].name(), "RefreshAuthorization");
        assert_eq!(cookies[0].value(), "");
        assert_eq!(cookies[0].path(), Some("/jwt/refresh/"));
        assert_eq!(cookies[0].max_age(), Some(Duration::ZERO));
    }
}

#[tokio::test]
async fn expired_refresh_token_gets_403() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    fixture.clock.advance(Duration::days(14));
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
}

#[tokio::test]
async fn refresh_for_a_deactivated_or_removed_user_gets_403() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    fixture.users.set_active("alice", false);
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
    fixture.users.set_active("alice", true);
    assert_eq!(
        fixture.refresh_with(&tokens.refresh).await.status(),
        403,
        "the session was revoked"
    );
    let tokens = fixture.login().await;
    fixture.users.remove_user("alice");
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
}

#[tokio::test]
async fn refreshed_access_tokens_carry_the_users_current_claims() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    fixture.users.set_claims(
        "alice",
        crate::fixture::Role {
            role: "reader".into(),
        },
    );
    let reply = fixture.refresh_with(&tokens.refresh).await;
    let access = cookie_value(&reply, "Authorization").expect("access cookie");
    assert_eq!(claims_of(&access)["role"], "reader");
}

fn assert_deletes(reply: &jwt_core::Reply, names: &[&str]) {
    let cookies = set_cookies(reply);
    let deleted: Vec<&str> = cookies.iter().map(|cookie| cookie.name()).collect();
    assert_eq!(deleted, names);
    for cookie in &cookies {
        assert_eq!(cookie.value(), "");
        assert_eq!(cookie.max_age(), Some(Duration::ZERO));
        assert_eq!(
            cookie.expires(),
            Some(Expiration::DateTime(OffsetDateTime::UNIX_EPOCH))
        );
        let expected_path = if cookie.name() == "Authorization" {
            "/"
        } else {
            "/jwt/refresh/"
        };
        assert_eq!(cookie.path(), Some(expected_path));
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.secure(), Some(true));
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_deletes_both_cookies() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let reply = fixture.logout_with(&tokens.access, false).await;
    assert_eq!(reply.status(), 200);
    assert_eq!(message(&reply), "Session ended.");
    assert_deletes(&reply, &["Authorization", "RefreshAuthorization"]);
}

#[tokio::test]
async fn logout_without_a_token_gets_401_and_still_deletes_the_cookies() {
    let fixture = Fixture::new();
    for headers in [
        vec![],
        vec![("cookie", "Authorization=garbage")],
        vec![("authorization", "Bearer a.b.c")],
    ] {
        let reply = fixture.post(Endpoint::Logout, &headers).await;
        assert_eq!(reply.status(), 401);
        assert_eq!(message(&reply), "Must be authenticated to log out.");
        assert_deletes(&reply, &["Authorization", "RefreshAuthorization"]);
    }
}

#[tokio::test]
async fn logout_can_keep_the_access_cookie() {
    let fixture = Fixture::with(settings().logout_access(false));
    let tokens = fixture.login().await;
    let reply = fixture.logout_with(&tokens.access, false).await;
    assert_eq!(reply.status(), 200);
    assert_deletes(&reply, &["RefreshAuthorization"]);
}

#[tokio::test]
async fn logout_accepts_an_access_token_expired_less_than_a_refresh_lifetime_ago() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    fixture.clock.advance(Duration::hours(2));
    assert!(
        fixture.bearer(&tokens.access).await.require().is_err(),
        "expired for everything else"
    );
    let reply = fixture.logout_with(&tokens.access, false).await;
    assert_eq!(reply.status(), 200);
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
    let tokens = fixture.login().await;
    fixture.clock.advance(Duration::days(15));
    assert_eq!(
        fixture.logout_with(&tokens.access, false).await.status(),
        401
    );
}

#[tokio::test]
async fn logout_all_gets_its_own_message() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let reply = fixture.logout_with(&tokens.access, true).await;
    assert_eq!(reply.status(), 200);
    assert_eq!(message(&reply), "All sessions ended.");
    assert_deletes(&reply, &["Authorization", "RefreshAuthorization"]);
}

#[tokio::test]
async fn protected_requests_without_credentials_get_the_spec_401() {
    let fixture = Fixture::new();
    let rejection = fixture
        .authenticate("GET", &[])
        .await
        .require()
        .expect_err("anonymous");
    let reply = rejection.reply();
    assert_eq!(reply.status(), 401);
    assert_eq!(reply.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        message(&reply),
        "Authentication credentials were not provided."
    );
    let rejection = fixture
        .bearer("a.b.c")
        .await
        .require()
        .expect_err("invalid");
    let reply = rejection.reply();
    assert_eq!(reply.status(), 401);
    assert_eq!(
        reply.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(message(&reply), "Invalid or expired token.");
}

#[tokio::test]
async fn the_access_token_is_read_from_header_then_cookie() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let cookie = fixture.access_cookie(&tokens.access);
    for headers in [
        vec![("authorization", format!("Bearer {}", tokens.access))],
        vec![("authorization", format!("bEaReR {}", tokens.access))],
        vec![("cookie", cookie.clone())],
        vec![("cookie", format!("theme=dark; {cookie}; lang=en"))],
        vec![
            ("cookie", "theme=dark".to_owned()),
            ("cookie", cookie.clone()),
        ],
        vec![(
            "cookie",
            format!("Authorization=\"Bearer {}\"", tokens.access),
        )],
        vec![("cookie", format!("Authorization=Bearer {}", tokens.access))],
        vec![("authorization", String::new()), ("cookie", cookie.clone())],
    ] {
        let borrowed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let principal = fixture.authenticate("GET", &borrowed).await.require();
        assert!(principal.is_ok(), "{headers:?}");
    }
    // A present header is used alone: a bad one is not rescued by a good cookie.
    let bad_header = [
        ("authorization", "Bearer a.b.c"),
        ("cookie", cookie.as_str()),
    ];
    assert!(
        fixture
            .authenticate("GET", &bad_header)
            .await
            .require()
            .is_err()
    );
    // Exactly one space; another scheme carries no bearer token at all.
    let two_spaces = format!("Bearer  {}", tokens.access);
    assert!(
        fixture
            .authenticate("GET", &[("authorization", &two_spaces)])
            .await
            .require()
            .is_err()
    );
    let basic = [
        ("authorization", "Basic YWxpY2U6cGFzc3dvcmQx"),
        ("cookie", cookie.as_str()),
    ];
    assert!(matches!(
        fixture.authenticate("GET", &basic).await,
        jwt_core::Authentication::Anonymous
    ));
}

#[tokio::test]
async fn header_names_with_dashes_work() {
    let fixture = Fixture::with(settings().access_header("X-Access-Token"));
    let tokens = fixture.login().await;
    assert_eq!(fixture.auth.config().access_cookie(), "X-Access-Token");
    let header = format!("Bearer {}", tokens.access);
    assert!(
        fixture
            .authenticate("GET", &[("x-access-token", &header)])
            .await
            .require()
            .is_ok()
    );
    assert!(
        fixture
            .authenticate("GET", &[("X-Access-Token", &header)])
            .await
            .require()
            .is_ok()
    );
    let reply = fixture
        .post(
            Endpoint::Refresh,
            &[("RefreshX-Access-Token", &tokens.refresh)],
        )
        .await;
    assert_eq!(reply.status(), 200);
}
