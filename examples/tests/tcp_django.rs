//! The README's side-by-side recipe, tried with every demo binary over TCP: with
//! `JWT_DJANGO_SECRET_KEY` set, tokens in the Django package's format for Django user 1 stand
//! for the demo's first user, a Django access cookie authenticates `/whoami/`, and a Django
//! refresh cookie is exchanged once for the demo's own two cookies.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use jwt_conformance::{DEMO_USERNAME, spawn_demo_binary_with};
use serde_json::{Value, json};

/// The Django project's `SECRET_KEY` in this test (test-only).
const DJANGO_SECRET_KEY: &str = "a Django SECRET_KEY for a loopback test, never deployed";

/// A token as django-jwt-auth-middleware 0.1.1 mints it now, for Django user 1 (the demo's
/// first user, [`DEMO_USERNAME`]).
fn django_token(tok: &str, lifetime: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let claims = json!({
        "iat": now,
        "exp": now + lifetime,
        "user": "1",
        "tok": tok,
        "sec": format!("{tok}-{now}-0123456789abcdef"),
    });
    // jwt-core installs the process's signing backend for jsonwebtoken with its first key;
    // this test signs before it has built any other.
    jwt_core::KeyRing::hmac(Algorithm::HS256, DJANGO_SECRET_KEY.as_bytes()).expect("a key ring");
    let key = EncodingKey::from_secret(DJANGO_SECRET_KEY.as_bytes()).expect("an HMAC key");
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).expect("signed")
}

/// One answer: the status, the `name=value` of every `Set-Cookie`, the body.
struct Answer {
    status: u16,
    cookies: Vec<String>,
    body: String,
}

impl Answer {
    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }

    fn user(&self) -> Value {
        let body: Value = serde_json::from_str(&self.body).expect("a JSON body");
        body["user"].clone()
    }
}

/// One HTTP/1.1 request on its own connection, read until the server closes it.
fn send(addr: SocketAddr, method: &str, path: &str, cookie: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("the demo accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).expect("sent");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("an answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let cookies = lines
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, value)| value.trim().split(';').next())
        .map(str::to_owned)
        .collect();
    Answer {
        status,
        cookies,
        body: body.to_owned(),
    }
}

fn recipe_works_with(binary: &str) {
    let server = spawn_demo_binary_with(binary, &[("JWT_DJANGO_SECRET_KEY", DJANGO_SECRET_KEY)]);
    let addr = server.addr();
    let log = || server.log();

    // Side by side: the Django access cookie, as the package sets it.
    let access = django_token("access", 300);
    let whoami = send(
        addr,
        "GET",
        "/whoami/",
        &format!("Authorization=\"Bearer {access}\""),
    );
    assert_eq!(whoami.status, 200, "{binary}: {}\n{}", whoami.body, log());
    assert_eq!(whoami.user(), DEMO_USERNAME, "{binary}");

    // The exchange: the demo's own cookies, once.
    let refresh = format!(
        "RefreshAuthorization={}",
        django_token("refresh", 1_209_600)
    );
    let exchanged = send(addr, "POST", "/jwt/refresh/", &refresh);
    assert_eq!(
        exchanged.status,
        200,
        "{binary}: {}\n{}",
        exchanged.body,
        log()
    );
    let ours = exchanged.cookie("Authorization").expect("an access cookie");
    assert!(
        exchanged.cookie("RefreshAuthorization").is_some(),
        "{binary}"
    );
    let whoami = send(addr, "GET", "/whoami/", &format!("Authorization={ours}"));
    assert_eq!(whoami.status, 200, "{binary}: {}", whoami.body);
    assert_eq!(whoami.user(), DEMO_USERNAME, "{binary}");
    let again = send(addr, "POST", "/jwt/refresh/", &refresh);
    assert_eq!(again.status, 403, "{binary}: {}", again.body);
}

#[test]
fn every_demo_binary_takes_django_tokens_with_the_migration_mode_on() {
    for binary in [
        env!("CARGO_BIN_EXE_axum"),
        env!("CARGO_BIN_EXE_actix"),
        env!("CARGO_BIN_EXE_rocket"),
        env!("CARGO_BIN_EXE_warp"),
        env!("CARGO_BIN_EXE_hyper"),
    ] {
        recipe_works_with(binary);
    }
}
