//! Start-up refuses settings that cannot work, naming the setting; what only shows at run time
//! (a subject too long for the token size cap) fails loudly instead of handing out a cookie
//! that never authenticates.

use std::path::PathBuf;

use jwt_core::JwtConfigBuilder;

use crate::fixture::{Fixture, Role, settings};

fn error_setting(builder: JwtConfigBuilder) -> &'static str {
    builder
        .build()
        .expect_err("the settings must be refused")
        .setting()
        .expect("the error names a setting")
}

#[test]
fn token_headers_may_not_be_headers_the_engine_reads() {
    for name in [
        "Content-Type",
        "content-length",
        "Cookie",
        "Origin",
        "Host",
        "Sec-Fetch-Site",
    ] {
        assert_eq!(
            error_setting(settings().access_header(name).access_cookie("access")),
            "JWT_ACCESS_HEADER",
            "{name}"
        );
        assert_eq!(
            error_setting(settings().refresh_cookie(name)),
            "JWT_REFRESH_COOKIE",
            "{name}"
        );
    }
    assert!(settings().access_header("X-Session-Token").build().is_ok());
}

#[test]
fn an_issuer_or_audience_that_leaves_no_room_in_the_token_is_refused() {
    assert_eq!(
        error_setting(settings().issuer(&"i".repeat(6_000))),
        "JWT_ISSUER"
    );
    assert_eq!(
        error_setting(
            settings()
                .max_token_bytes(4096)
                .audience(&"a".repeat(3_000))
        ),
        "JWT_AUDIENCE"
    );
    // Control characters are escaped to six bytes each in the token's JSON.
    assert_eq!(
        error_setting(settings().issuer(&"\u{1}".repeat(1_200))),
        "JWT_ISSUER"
    );
    assert!(settings().issuer(&"\u{1}".repeat(600)).build().is_ok());
}

#[tokio::test]
async fn a_long_issuer_that_still_fits_mints_tokens_that_authenticate() {
    let fixture = Fixture::with(settings().issuer(&"i".repeat(5_000)));
    let tokens = fixture.login().await;
    assert!(tokens.access.len() <= fixture.auth.config().max_token_bytes());
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 200);
}

#[tokio::test]
async fn login_fails_loudly_rather_than_mint_a_token_over_the_size_cap() {
    let fixture = Fixture::with(settings().max_token_bytes(2048));
    let long_name = "n".repeat(3_000);
    fixture
        .users
        .add_user(&long_name, "password9", Role { role: "x".into() })
        .expect("hash");
    let reply = fixture.login_as(&long_name, "password9").await;
    assert_eq!(reply.status(), 500);
    assert_eq!(crate::fixture::message(&reply), "Internal server error.");
    assert!(
        reply.headers().get("set-cookie").is_none(),
        "no cookie that never works"
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jwt-core-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir.join(name)
}

#[test]
fn key_files_must_be_regular_files_no_longer_than_a_pem_key() {
    let rs256 = || settings_without_secret().algorithm("RS256");
    // A device that never ends.
    assert_eq!(
        error_setting(rs256().private_key_file(std::path::Path::new("/dev/zero"))),
        "JWT_PRIVATE_KEY_FILE"
    );
    // A directory.
    let dir = scratch("a-directory");
    std::fs::create_dir_all(&dir).expect("directory");
    assert_eq!(
        error_setting(rs256().private_key_file(&dir)),
        "JWT_PRIVATE_KEY_FILE"
    );
    // A file far longer than any key.
    let big = scratch("big.pem");
    std::fs::write(&big, vec![b'A'; 70 * 1024]).expect("write");
    assert_eq!(
        error_setting(rs256().private_key_file(&big)),
        "JWT_PRIVATE_KEY_FILE"
    );
    assert_eq!(
        error_setting(settings().public_key_file(&big)),
        "JWT_PUBLIC_KEY_FILES"
    );
    // A FIFO would block start-up forever on open; it is refused without opening it.
    let fifo = scratch("key.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let error = rs256()
        .private_key_file(&fifo)
        .build()
        .expect_err("a FIFO is no key file");
    assert_eq!(error.setting(), Some("JWT_PRIVATE_KEY_FILE"));
    assert!(error.to_string().contains("not a regular file"), "{error}");
}

fn settings_without_secret() -> JwtConfigBuilder {
    jwt_core::JwtConfig::builder()
}

#[test]
fn login_body_timeout_defaults_to_five_seconds_within_bounds() {
    let config = settings().build().expect("valid");
    assert_eq!(
        config.login_body_timeout(),
        std::time::Duration::from_secs(5)
    );
    let config = JwtConfigBuilder::from_vars([
        ("JWT_SECRET", crate::fixture::SECRET),
        ("JWT_LOGIN_BODY_TIMEOUT", "12"),
    ])
    .expect("parsed")
    .build()
    .expect("valid");
    assert_eq!(
        config.login_body_timeout(),
        std::time::Duration::from_secs(12)
    );
    let config = jwt_core::JwtConfig::from_toml_str(&format!(
        "secret = {:?}\nlogin_body_timeout = 2",
        crate::fixture::SECRET
    ))
    .expect("valid");
    assert_eq!(
        config.login_body_timeout(),
        std::time::Duration::from_secs(2)
    );
    assert_eq!(
        error_setting(settings().login_body_timeout_seconds(0)),
        "JWT_LOGIN_BODY_TIMEOUT"
    );
    assert_eq!(
        error_setting(settings().login_body_timeout_seconds(61)),
        "JWT_LOGIN_BODY_TIMEOUT"
    );
}

#[tokio::test(start_paused = true)]
async fn a_login_body_that_does_not_arrive_in_time_answers_408() {
    let fixture = Fixture::new();
    let config = fixture.auth.config();
    let body = jwt_core::read_login_body(config, std::future::pending()).await;
    let headers = crate::fixture::header_map(&[("content-type", "application/json")]);
    let (method, uri) = (http::Method::POST, http::Uri::from_static("/jwt/login/"));
    let head = jwt_core::RequestHead::from_http(config, &method, &uri, &headers);
    let reply = fixture.auth.login(&head, body).await;
    assert_eq!(reply.status(), 408);
    assert_eq!(crate::fixture::message(&reply), "Request timeout.");
    assert_eq!(reply.headers()["cache-control"], "no-store");
    assert!(reply.headers().get("set-cookie").is_none());
}
