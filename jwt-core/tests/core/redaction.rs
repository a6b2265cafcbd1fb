//! `Debug` output of every public type holds no token, password or secret: one `{:?}` in an
//! application's log line must not leak a session.

use bytes::Bytes;
use jwt_core::{
    AuthEvent, Credentials, Endpoint, JwtAuth, JwtConfig, MemoryStore, NewSession, RefreshAttempt,
    RequestBody, RequestHead, SessionId,
};
use time::{Duration, OffsetDateTime};

use crate::fixture::{Fixture, Role, SECRET, header_map, settings};

const PASSWORD: &str = "correct-horse-PASSWORD-7731";
const REDIS_PASSWORD: &str = "redis-PASSWORD-9902";
/// A Django `SECRET_KEY` for the migration mode: never shown either.
const DJANGO_SECRET_KEY: &str = "django-SECRET-KEY-of-the-old-project-4711";

fn redis_url() -> String {
    format!("redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0")
}

/// Every string that must never appear.
fn secrets(tokens: &[&str]) -> Vec<String> {
    let mut all = vec![
        PASSWORD.to_owned(),
        REDIS_PASSWORD.to_owned(),
        SECRET.to_owned(),
        DJANGO_SECRET_KEY.to_owned(),
    ];
    for token in tokens {
        all.push((*token).to_owned());
        // Each segment alone gives most of a token away too.
        all.extend(token.split('.').map(str::to_owned));
    }
    // Bytes print as a list of numbers: look for that form of each too.
    let as_bytes: Vec<String> = all
        .iter()
        .map(|secret| {
            let list = format!("{:?}", &secret.as_bytes()[..secret.len().min(12)]);
            list.trim_end_matches(']').to_owned()
        })
        .collect();
    all.extend(as_bytes);
    all
}

fn assert_redacted(what: &str, debug: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !debug.contains(secret.as_str()),
            "{what} shows {secret:?}: {debug}"
        );
    }
}

#[tokio::test]
async fn debug_of_every_public_type_shows_no_token_password_or_secret() {
    let builder = settings()
        .redis_url(&redis_url())
        .django_secret_key(DJANGO_SECRET_KEY);
    let config = builder.clone().build().expect("valid settings");
    let fixture = Fixture::with_config(config.clone());
    fixture
        .users
        .add_user(
            "dave",
            PASSWORD,
            Role {
                role: "admin".into(),
            },
        )
        .expect("hash");
    let login = fixture.login_as("dave", PASSWORD).await;
    assert_eq!(login.status(), 200);
    let access = crate::fixture::cookie_value(&login, config.access_cookie()).expect("access");
    let refresh = crate::fixture::cookie_value(&login, config.refresh_cookie()).expect("refresh");
    let secrets = secrets(&[&access, &refresh]);

    let login_body = format!(r#"{{"username":"dave","password":"{PASSWORD}"}}"#);
    let bearer = format!("Bearer {access}");
    let cookie = format!(
        "{}={access}; {}={refresh}",
        config.access_cookie(),
        config.refresh_cookie()
    );
    let headers = header_map(&[
        ("authorization", &bearer),
        ("cookie", &cookie),
        ("content-type", "application/json"),
        ("origin", "https://app.example.com"),
    ]);
    let (method, uri) = (http::Method::POST, http::Uri::from_static("/jwt/login/"));
    let head = RequestHead::from_http(&config, &method, &uri, &headers);
    let pairs = RequestHead::from_pairs(
        &config,
        "POST",
        headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    );
    let body = RequestBody::Complete(Bytes::from(login_body.clone()));
    let refreshed = fixture.refresh_with(&refresh).await;
    let authentication = fixture.auth.authenticate(&head).await;
    let principal = authentication.principal().cloned().expect("authenticated");
    let credentials = Credentials::new("dave", PASSWORD);
    let session_id = SessionId::new("session".into());
    let now = OffsetDateTime::UNIX_EPOCH;
    let new_session = NewSession::new(
        session_id.clone(),
        "dave".into(),
        "jti".into(),
        now,
        now,
        None,
    );
    let attempt = RefreshAttempt::new(
        session_id.clone(),
        "dave".into(),
        "jti".into(),
        None,
        now,
        Duration::ZERO,
    );
    let event = AuthEvent::LoginSucceeded {
        subject: "dave",
        session_id: &session_id,
    };
    let store = MemoryStore::new();
    let from_env = JwtConfig::from_toml_str(&format!(
        "secret = {SECRET:?}\nredis_url = {:?}",
        redis_url()
    ))
    .expect("valid TOML settings");
    let other: JwtAuth<Role> = fixture.auth.clone();

    let outputs = [
        ("JwtConfig", format!("{config:?}")),
        ("JwtConfig from TOML", format!("{from_env:?}")),
        ("JwtConfigBuilder", format!("{builder:?}")),
        ("JwtAuth", format!("{other:?}")),
        ("KeyRing", format!("{:?}", config.keys())),
        ("RequestHead", format!("{head:?}")),
        ("RequestHead from pairs", format!("{pairs:?}")),
        ("RequestBody", format!("{body:?}")),
        ("Reply (login)", format!("{login:?}")),
        ("Reply (refresh)", format!("{refreshed:?}")),
        ("Authentication", format!("{authentication:?}")),
        ("Principal", format!("{principal:?}")),
        ("Credentials", format!("{credentials:?}")),
        ("AuthEvent", format!("{event:?}")),
        ("MemoryStore", format!("{store:?}")),
        ("NewSession", format!("{new_session:?}")),
        ("RefreshAttempt", format!("{attempt:?}")),
        ("Endpoint", format!("{:?}", Endpoint::Login)),
    ];
    for (what, debug) in &outputs {
        assert_redacted(what, debug, &secrets);
    }
    // The redacted forms still say what is there.
    let (_, head_debug) = &outputs[5];
    assert!(
        head_debug.contains("AccessHeader") && head_debug.contains("bytes"),
        "{head_debug}"
    );
    let (_, reply_debug) = &outputs[8];
    assert!(
        reply_debug.contains(config.access_cookie()),
        "{reply_debug}"
    );
    let (_, principal_debug) = &outputs[11];
    assert!(principal_debug.contains("dave"), "{principal_debug}");
}

#[cfg(feature = "redis")]
#[test]
fn redis_store_debug_hides_its_url() {
    let store = jwt_core::RedisStore::open(&redis_url()).expect("a valid URL");
    let debug = format!("{store:?}");
    assert_redacted("RedisStore", &debug, &secrets(&[]));
}
