//! What the migration mode logs, in a test binary of its own: the subscriber is the process's
//! global one, so no other test's subscriber can change which events reach it.
//!
//! The tokens are real ones (`tests/django-tokens/default.json`); the clock is set to their
//! `iat`.

use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri};
use jwt_core::{JwtAuth, JwtConfig, ManualClock, MemoryAuthenticator, NoClaims, RequestHead};
use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn engine(secret_key: &str, until: Option<&str>, now: i64) -> JwtAuth<NoClaims> {
    let mut builder = JwtConfig::builder()
        .secret("a test secret of at least thirty-two bytes")
        .django_secret_key(secret_key);
    if let Some(until) = until {
        builder = builder.django_until(until);
    }
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hash");
    users.map_django_user("1", "alice");
    JwtAuth::builder(builder.build().expect("valid settings"), users)
        .clock(ManualClock::at_unix(now))
        .build()
}

async fn send(auth: &JwtAuth<NoClaims>, path: &'static str, cookie: &str) -> u16 {
    let mut headers = HeaderMap::new();
    headers.insert("cookie", HeaderValue::from_str(cookie).expect("a cookie"));
    let uri = Uri::from_static(path);
    let method = if path == "/whoami/" {
        Method::GET
    } else {
        Method::POST
    };
    let head = RequestHead::from_http(auth.config(), &method, &uri, &headers);
    if path == "/whoami/" {
        match auth.authenticate(&head).await.require() {
            Ok(_) => 200,
            Err(_) => 401,
        }
    } else {
        let body = jwt_core::RequestBody::Complete(Bytes::new());
        let endpoint = auth.endpoint_at(path).expect("an endpoint");
        auth.handle(endpoint, &head, body).await.status().as_u16()
    }
}

#[tokio::test]
async fn logs_never_carry_django_tokens_and_the_end_of_the_mode_is_logged_once() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/django-tokens/default.json"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the Django tokens"))
            .expect("JSON");
    let text = |value: &serde_json::Value| value.as_str().expect("a string").to_owned();
    let secret_key = text(&file["secret_key"]);
    let (access, refresh) = (&file["cookies"][0], &file["cookies"][1]);
    let access_cookie = text(&access["set_cookie"]);
    let access_cookie = access_cookie.split(';').next().expect("name=value");
    let refresh_cookie = format!("RefreshAuthorization={}", text(&refresh["jwt"]));
    let iat = access["claims"]["iat"].as_i64().expect("iat");

    let auth = engine(&secret_key, None, iat);
    assert_eq!(send(&auth, "/whoami/", access_cookie).await, 200);
    assert_eq!(send(&auth, "/jwt/refresh/", &refresh_cookie).await, 200);
    assert_eq!(send(&auth, "/jwt/refresh/", &refresh_cookie).await, 403);
    let ended = engine(&secret_key, Some("2026-11-29"), iat);
    for _ in 0..3 {
        assert_eq!(send(&ended, "/whoami/", access_cookie).await, 401);
    }

    let log = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    assert!(log.contains("Django refresh token exchanged"), "{log}");
    assert!(log.contains("presented again"), "{log}");
    assert_eq!(
        log.matches("JWT_DJANGO_UNTIL has passed").count(),
        1,
        "{log}"
    );
    for secret in [
        text(&access["jwt"]),
        text(&refresh["jwt"]),
        secret_key,
        text(&access["claims"]["sec"]),
        text(&refresh["claims"]["sec"]),
    ] {
        assert!(!log.contains(&secret), "{secret} logged");
    }
}
