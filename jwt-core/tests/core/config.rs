//! Every setting's default, the three ways to load settings, and every validation error.

use jwt_core::{Algorithm, ConfigError, JwtConfig, JwtConfigBuilder, SameSite};
use time::Duration;

use crate::fixture::{SECRET, settings};

fn error_setting(builder: JwtConfigBuilder) -> &'static str {
    builder
        .build()
        .expect_err("the settings must be refused")
        .setting()
        .expect("the error names a setting")
}

#[test]
fn defaults_match_the_django_package_where_sound() {
    let config = settings().build().expect("valid");
    assert_eq!(config.access_lifetime(), Duration::minutes(5));
    assert_eq!(config.refresh_lifetime(), Duration::days(14));
    assert_eq!(config.access_header().as_str(), "authorization");
    assert_eq!(config.access_cookie(), "Authorization");
    assert_eq!(config.refresh_cookie(), "RefreshAuthorization");
    assert_eq!(config.refresh_header().as_str(), "refreshauthorization");
    assert_eq!(config.algorithm(), Algorithm::HS256);
    assert_eq!(config.issuer(), None);
    assert_eq!(config.audience(), None);
    assert_eq!(config.leeway(), Duration::ZERO);
    assert!(config.cookie_http_only());
    assert_eq!(config.cookie_same_site(), SameSite::Strict);
    assert!(config.cookie_secure());
    assert_eq!(config.cookie_domain(), None);
    assert!(config.logout_access());
    assert_eq!(config.refresh_path(), "/jwt/refresh/");
    assert_eq!(config.refresh_cookie_path(), "/jwt/refresh/");
    assert_eq!(config.login_path(), "/jwt/login/");
    assert_eq!(config.logout_path(), "/jwt/logout/");
    assert_eq!(config.logout_all_path(), "/jwt/logout-all/");
    assert!(config.rotate_refresh());
    assert_eq!(config.refresh_grace(), Duration::seconds(30));
    assert_eq!(config.session_max_age(), None);
    assert!(!config.strict_logout());
    assert!(config.csrf());
    assert!(config.trusted_origins().is_empty());
    assert_eq!(config.max_token_bytes(), 8192);
    assert_eq!(config.redis_url(), None);
}

#[test]
fn cookie_names_follow_a_custom_access_header() {
    let config = settings()
        .access_header("X-Auth-Token")
        .build()
        .expect("valid");
    assert_eq!(config.access_cookie(), "X-Auth-Token");
    assert_eq!(config.refresh_cookie(), "RefreshX-Auth-Token");
    assert_eq!(config.access_header().as_str(), "x-auth-token");
}

#[test]
fn every_setting_loads_from_the_environment() {
    let vars = [
        ("JWT_ACCESS_DURATION", "10"),
        ("JWT_REFRESH_DURATION", "7"),
        ("JWT_ACCESS_HEADER", "X-Api-Token"),
        ("JWT_ACCESS_COOKIE", "access"),
        ("JWT_REFRESH_COOKIE", "refresh"),
        ("JWT_ALGORITHM", "HS384"),
        (
            "JWT_SECRET",
            "a secret that is long enough for HS384, 48+ bytes!!",
        ),
        ("JWT_KEY_ID", "k1"),
        ("JWT_ISSUER", "https://issuer.example"),
        ("JWT_AUDIENCE", "api"),
        ("JWT_LEEWAY", "30"),
        ("JWT_COOKIE_HTTPONLY", "false"),
        ("JWT_COOKIE_SAMESITE", "lax"),
        ("JWT_COOKIE_SECURE", "TRUE"),
        ("JWT_COOKIE_DOMAIN", "example.com"),
        ("JWT_LOGOUT_ACCESS", "0"),
        ("JWT_REFRESH_PATH", "/auth/refresh"),
        ("JWT_LOGIN_PATH", "/auth/login"),
        ("JWT_LOGOUT_PATH", "/auth/logout"),
        ("JWT_LOGOUT_ALL_PATH", "/auth/logout-all"),
        ("JWT_ROTATE_REFRESH", "no"),
        ("JWT_REFRESH_GRACE", "10"),
        ("JWT_SESSION_MAX_AGE", "30"),
        ("JWT_STRICT_LOGOUT", "yes"),
        ("JWT_CSRF", "off"),
        (
            "JWT_TRUSTED_ORIGINS",
            "https://a.example, https://b.example:8443",
        ),
        ("JWT_MAX_TOKEN_BYTES", "4096"),
        ("JWT_REDIS_URL", "redis://127.0.0.1:6379/"),
        ("UNRELATED", "ignored"),
    ];
    let config = JwtConfigBuilder::from_vars(vars)
        .expect("parsed")
        .build()
        .expect("valid");
    assert_eq!(config.access_lifetime(), Duration::minutes(10));
    assert_eq!(config.refresh_lifetime(), Duration::days(7));
    assert_eq!(config.access_header().as_str(), "x-api-token");
    assert_eq!(config.access_cookie(), "access");
    assert_eq!(config.refresh_cookie(), "refresh");
    assert_eq!(config.algorithm(), Algorithm::HS384);
    assert_eq!(config.keys().signing_key_id(), "k1");
    assert_eq!(config.issuer(), Some("https://issuer.example"));
    assert_eq!(config.audience(), Some("api"));
    assert_eq!(config.leeway(), Duration::seconds(30));
    assert!(!config.cookie_http_only());
    assert_eq!(config.cookie_same_site(), SameSite::Lax);
    assert!(config.cookie_secure());
    assert_eq!(config.cookie_domain(), Some("example.com"));
    assert!(!config.logout_access());
    assert_eq!(config.refresh_path(), "/auth/refresh");
    assert_eq!(config.login_path(), "/auth/login");
    assert_eq!(config.logout_path(), "/auth/logout");
    assert_eq!(config.logout_all_path(), "/auth/logout-all");
    assert!(!config.rotate_refresh());
    assert_eq!(config.refresh_grace(), Duration::seconds(10));
    assert_eq!(config.session_max_age(), Some(Duration::days(30)));
    assert!(config.strict_logout());
    assert!(!config.csrf());
    assert_eq!(
        config.trusted_origins(),
        ["https://a.example", "https://b.example:8443"]
    );
    assert_eq!(config.max_token_bytes(), 4096);
    assert_eq!(config.redis_url(), Some("redis://127.0.0.1:6379/"));
}

#[test]
fn settings_load_from_toml_and_json_with_the_same_names() {
    let toml = format!(
        "secret = \"{SECRET}\"\naccess_duration = 15\ncookie_samesite = \"None\"\ntrusted_origins = [\"https://app.example\"]\n"
    );
    let config = JwtConfig::from_toml_str(&toml).expect("valid TOML");
    assert_eq!(config.access_lifetime(), Duration::minutes(15));
    assert_eq!(config.cookie_same_site(), SameSite::None);
    assert_eq!(config.trusted_origins(), ["https://app.example"]);

    let json = format!(r#"{{"secret": "{SECRET}", "refresh_duration": 3, "csrf": false}}"#);
    let config = JwtConfig::from_json_str(&json).expect("valid JSON");
    assert_eq!(config.refresh_lifetime(), Duration::days(3));
    assert!(!config.csrf());
}

#[test]
fn a_misspelt_file_key_is_an_error_naming_it() {
    let error = JwtConfig::from_toml_str(&format!("secret = \"{SECRET}\"\naccess_durration = 5\n"))
        .expect_err("unknown key");
    assert!(matches!(error, ConfigError::Syntax { .. }));
    assert!(error.to_string().contains("access_durration"), "{error}");
}

#[test]
fn environment_values_that_do_not_parse_name_their_setting() {
    for (name, value) in [
        ("JWT_ACCESS_DURATION", "five"),
        ("JWT_LEEWAY", "-1"),
        ("JWT_COOKIE_SECURE", "maybe"),
        ("JWT_MAX_TOKEN_BYTES", "8k"),
    ] {
        let error = JwtConfigBuilder::from_vars([(name, value)]).expect_err("refused");
        assert_eq!(error.setting(), Some(name));
    }
}

#[test]
fn a_secret_is_required_for_hmac() {
    let error = JwtConfig::builder().build().expect_err("no key");
    assert!(matches!(
        error,
        ConfigError::Missing {
            setting: "JWT_SECRET",
            ..
        }
    ));
}

#[test]
fn hmac_secret_too_short_is_refused_at_config_time() {
    assert_eq!(
        error_setting(JwtConfig::builder().secret("x".repeat(31))),
        "JWT_SECRET"
    );
    assert!(JwtConfig::builder().secret("x".repeat(32)).build().is_ok());
    assert_eq!(
        error_setting(
            JwtConfig::builder()
                .algorithm("HS384")
                .secret("x".repeat(47))
        ),
        "JWT_SECRET"
    );
    assert_eq!(
        error_setting(
            JwtConfig::builder()
                .algorithm("HS512")
                .secret("x".repeat(63))
        ),
        "JWT_SECRET"
    );
    assert!(
        JwtConfig::builder()
            .algorithm("HS512")
            .secret("x".repeat(64))
            .build()
            .is_ok()
    );
}

#[test]
fn the_secret_never_appears_in_errors_or_debug_output() {
    let builder = JwtConfig::builder().secret("short secret value");
    assert!(!format!("{builder:?}").contains("short secret value"));
    let error = builder.build().expect_err("too short");
    assert!(!error.to_string().contains("short secret value"));
    let config = settings().build().expect("valid");
    assert!(!format!("{config:?}").contains(SECRET));
}

#[test]
fn unknown_and_none_algorithms_are_refused() {
    for name in ["none", "None", "HS1", "ES512", ""] {
        assert_eq!(
            error_setting(settings().algorithm(name)),
            "JWT_ALGORITHM",
            "{name}"
        );
    }
}

#[test]
fn asymmetric_algorithms_need_a_private_key_and_no_secret() {
    assert_eq!(
        error_setting(JwtConfig::builder().algorithm("RS256")),
        "JWT_PRIVATE_KEY_FILE"
    );
    assert_eq!(error_setting(settings().algorithm("EdDSA")), "JWT_SECRET");
    let key = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys/ed25519.pem");
    assert_eq!(
        error_setting(settings().private_key_file(&key)),
        "JWT_PRIVATE_KEY_FILE"
    );
    let missing = std::path::Path::new("/nonexistent/key.pem");
    let error = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(missing)
        .build()
        .expect_err("unreadable");
    assert!(matches!(
        error,
        ConfigError::Unreadable {
            setting: "JWT_PRIVATE_KEY_FILE",
            ..
        }
    ));
}

#[test]
fn a_key_of_the_wrong_family_is_refused() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys");
    let rsa_as_ec = JwtConfig::builder()
        .algorithm("ES256")
        .private_key_file(&dir.join("rsa.pem"));
    assert_eq!(error_setting(rsa_as_ec), "JWT_PRIVATE_KEY_FILE");
    let p384_as_es256 = JwtConfig::builder()
        .algorithm("ES256")
        .private_key_file(&dir.join("p384.pem"));
    assert_eq!(error_setting(p384_as_es256), "JWT_PRIVATE_KEY_FILE");
}

#[test]
fn same_site_none_requires_secure() {
    let builder = settings()
        .cookie_same_site(SameSite::None)
        .cookie_secure(false);
    assert_eq!(error_setting(builder), "JWT_COOKIE_SAMESITE");
    assert!(settings().cookie_same_site(SameSite::None).build().is_ok());
    let vars = [("JWT_SECRET", SECRET), ("JWT_COOKIE_SAMESITE", "sometimes")];
    assert_eq!(
        error_setting(JwtConfigBuilder::from_vars(vars).expect("parsed")),
        "JWT_COOKIE_SAMESITE"
    );
}

#[test]
fn host_prefixed_cookie_needs_root_path_secure_and_no_domain() {
    // The refresh cookie's Path is the refresh endpoint, so it cannot be a __Host- cookie.
    assert_eq!(
        error_setting(settings().refresh_cookie("__Host-refresh")),
        "JWT_REFRESH_COOKIE"
    );
    assert_eq!(
        error_setting(
            settings()
                .access_cookie("__Host-access")
                .cookie_domain("example.com")
        ),
        "JWT_ACCESS_COOKIE"
    );
    assert_eq!(
        error_setting(
            settings()
                .access_cookie("__Host-access")
                .cookie_secure(false)
        ),
        "JWT_ACCESS_COOKIE"
    );
    assert_eq!(
        error_setting(
            settings()
                .access_cookie("__Secure-access")
                .cookie_secure(false)
        ),
        "JWT_ACCESS_COOKIE"
    );
    assert!(settings().access_cookie("__Host-access").build().is_ok());
    assert!(
        settings()
            .refresh_cookie("__Host-refresh")
            .refresh_cookie_path("/")
            .build()
            .is_ok()
    );
}

#[test]
fn leeway_over_300_seconds_is_refused() {
    assert_eq!(error_setting(settings().leeway_seconds(301)), "JWT_LEEWAY");
    assert!(settings().leeway_seconds(300).build().is_ok());
}

#[test]
fn grace_over_300_seconds_is_refused() {
    assert_eq!(
        error_setting(settings().refresh_grace_seconds(301)),
        "JWT_REFRESH_GRACE"
    );
}

#[test]
fn paths_must_start_with_a_slash_and_hold_no_separators() {
    assert_eq!(
        error_setting(settings().login_path("jwt/login/")),
        "JWT_LOGIN_PATH"
    );
    assert_eq!(
        error_setting(settings().logout_path("/jwt/log out/")),
        "JWT_LOGOUT_PATH"
    );
    assert_eq!(
        error_setting(settings().logout_all_path("/a;b")),
        "JWT_LOGOUT_ALL_PATH"
    );
    assert_eq!(
        error_setting(settings().refresh_path("/jwt/refresh/?x")),
        "JWT_REFRESH_PATH"
    );
}

#[test]
fn the_refresh_endpoint_must_live_under_the_refresh_cookie_path() {
    let builder = settings()
        .refresh_path("/api/jwt/refresh/")
        .refresh_cookie_path("/jwt/refresh/");
    assert_eq!(error_setting(builder), "JWT_REFRESH_PATH");
    // A cookie Path of /jwt/ref must not match /jwt/refresh (RFC 6265 path-match).
    let builder = settings()
        .refresh_path("/jwt/refresh")
        .refresh_cookie_path("/jwt/ref");
    assert_eq!(error_setting(builder), "JWT_REFRESH_PATH");
    assert!(
        settings()
            .refresh_path("/api/jwt/refresh/")
            .refresh_cookie_path("/api/")
            .build()
            .is_ok()
    );
}

#[test]
fn two_endpoints_cannot_share_a_path() {
    assert_eq!(
        error_setting(settings().logout_path("/jwt/login/")),
        "JWT_LOGOUT_PATH"
    );
}

#[test]
fn durations_must_be_positive_and_ordered() {
    assert_eq!(
        error_setting(settings().access_duration_minutes(0)),
        "JWT_ACCESS_DURATION"
    );
    assert_eq!(
        error_setting(settings().refresh_duration_days(0)),
        "JWT_REFRESH_DURATION"
    );
    assert_eq!(
        error_setting(settings().refresh_duration_days(100_000)),
        "JWT_REFRESH_DURATION"
    );
    assert_eq!(
        error_setting(
            settings()
                .access_duration_minutes(2 * 24 * 60)
                .refresh_duration_days(1)
        ),
        "JWT_ACCESS_DURATION"
    );
    assert_eq!(
        error_setting(settings().session_max_age_days(100_000)),
        "JWT_SESSION_MAX_AGE"
    );
}

#[test]
fn cookie_and_header_names_must_be_valid_and_distinct() {
    assert_eq!(
        error_setting(settings().access_cookie("bad name")),
        "JWT_ACCESS_COOKIE"
    );
    assert_eq!(
        error_setting(settings().refresh_cookie("bad;name")),
        "JWT_REFRESH_COOKIE"
    );
    assert_eq!(
        error_setting(settings().access_header("Bad Header")),
        "JWT_ACCESS_HEADER"
    );
    assert_eq!(
        error_setting(settings().access_cookie("same").refresh_cookie("same")),
        "JWT_REFRESH_COOKIE"
    );
}

#[test]
fn cookie_domain_must_be_a_domain() {
    assert_eq!(
        error_setting(settings().cookie_domain("evil.com; Path=/")),
        "JWT_COOKIE_DOMAIN"
    );
    assert_eq!(
        error_setting(settings().cookie_domain(" ")),
        "JWT_COOKIE_DOMAIN"
    );
    assert!(settings().cookie_domain(".example.com").build().is_ok());
}

#[test]
fn trusted_origins_must_be_origins() {
    for origin in [
        "app.example.com",
        "https://app.example.com/path",
        "null",
        "ftp://x.example",
    ] {
        assert_eq!(
            error_setting(settings().trusted_origin(origin)),
            "JWT_TRUSTED_ORIGINS",
            "{origin}"
        );
    }
}

#[test]
fn token_size_cap_has_sane_bounds() {
    assert_eq!(
        error_setting(settings().max_token_bytes(100)),
        "JWT_MAX_TOKEN_BYTES"
    );
    assert_eq!(
        error_setting(settings().max_token_bytes(1 << 20)),
        "JWT_MAX_TOKEN_BYTES"
    );
}

#[test]
fn redis_url_must_name_a_redis_scheme() {
    assert_eq!(
        error_setting(settings().redis_url("http://127.0.0.1:6379")),
        "JWT_REDIS_URL"
    );
    assert!(
        settings()
            .redis_url("rediss://cache.example:6380/0")
            .build()
            .is_ok()
    );
}

/// A self-signed CA certificate and its key, in PEM.
fn ca_pem() -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("a key pair");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("parameters");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let certificate = params.self_signed(&key).expect("a certificate");
    (certificate.pem(), key.serialize_pem())
}

#[test]
fn redis_tls_files_are_read_and_checked_at_start_up() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (certificate, key) = ca_pem();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("writable");
        path
    };
    let ca = write("ca.pem", &certificate);
    let cert = write("client.pem", &certificate);
    let key = write("client.key", &key);
    let garbage = write("garbage.pem", "not a certificate");
    let tls = || settings().redis_url("rediss://cache.example:6380/0");

    let config = tls()
        .redis_ca_file(&ca)
        .redis_client_cert_file(&cert)
        .redis_client_key_file(&key)
        .build()
        .expect("valid TLS settings");
    assert_eq!(config.redis_ca_file(), Some(ca.as_path()));
    assert_eq!(config.redis_client_cert_file(), Some(cert.as_path()));
    assert_eq!(config.redis_client_key_file(), Some(key.as_path()));
    let debug = format!("{config:?}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");

    let missing = dir.path().join("missing.pem");
    assert_eq!(
        error_setting(tls().redis_ca_file(&missing)),
        "JWT_REDIS_CA_FILE"
    );
    assert_eq!(
        error_setting(tls().redis_ca_file(&garbage)),
        "JWT_REDIS_CA_FILE"
    );
    assert_eq!(
        error_setting(
            settings()
                .redis_url("redis://cache.example/")
                .redis_ca_file(&ca)
        ),
        "JWT_REDIS_CA_FILE",
        "a CA for a plain-TCP Redis would promise TLS that is not there"
    );
    assert_eq!(
        error_setting(tls().redis_client_cert_file(&cert)),
        "JWT_REDIS_CLIENT_KEY_FILE"
    );
    assert_eq!(
        error_setting(tls().redis_client_key_file(&key)),
        "JWT_REDIS_CLIENT_CERT_FILE"
    );
    assert_eq!(
        error_setting(
            tls()
                .redis_client_cert_file(&cert)
                .redis_client_key_file(&garbage)
        ),
        "JWT_REDIS_CLIENT_KEY_FILE"
    );
}

#[test]
fn redis_urls_cannot_turn_off_certificate_checks() {
    assert_eq!(
        error_setting(settings().redis_url("rediss://cache.example:6380/#insecure")),
        "JWT_REDIS_URL"
    );
    assert_eq!(
        error_setting(settings().redis_cluster_url("rediss://node1:6380/#insecure")),
        "JWT_REDIS_CLUSTER_URLS"
    );
}

#[test]
fn redis_cluster_urls_are_seed_nodes_of_one_kind_instead_of_a_server_url() {
    let config = JwtConfig::builder()
        .secret(SECRET)
        .redis_cluster_url("redis://10.0.0.1:6379")
        .redis_cluster_url("redis://10.0.0.2:6379")
        .build()
        .expect("valid settings");
    assert_eq!(
        config.redis_cluster_urls(),
        ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"]
    );
    assert_eq!(config.redis_url(), None);
    let from_env = jwt_core::JwtConfigBuilder::from_vars([
        ("JWT_SECRET", SECRET),
        ("JWT_REDIS_CLUSTER_URLS", "rediss://a:6380, rediss://b:6380"),
    ])
    .expect("readable")
    .build()
    .expect("valid settings");
    assert_eq!(
        from_env.redis_cluster_urls(),
        ["rediss://a:6380", "rediss://b:6380"]
    );
    let from_toml = JwtConfig::from_toml_str(&format!(
        "secret = \"{SECRET}\"\nredis_cluster_urls = [\"redis://a:6379\"]\n"
    ))
    .expect("valid TOML");
    assert_eq!(from_toml.redis_cluster_urls(), ["redis://a:6379"]);

    assert_eq!(
        error_setting(
            settings()
                .redis_url("redis://a:6379")
                .redis_cluster_url("redis://b:6379")
        ),
        "JWT_REDIS_CLUSTER_URLS"
    );
    assert_eq!(
        error_setting(
            settings()
                .redis_cluster_url("redis://a:6379")
                .redis_cluster_url("rediss://b:6380")
        ),
        "JWT_REDIS_CLUSTER_URLS"
    );
    assert_eq!(
        error_setting(settings().redis_cluster_url("redis+unix:///tmp/redis.sock")),
        "JWT_REDIS_CLUSTER_URLS"
    );
    let debug = format!(
        "{:?}",
        JwtConfig::builder()
            .secret(SECRET)
            .redis_cluster_url("rediss://user:hunter2@a:6380")
            .build()
            .expect("valid settings")
    );
    assert!(!debug.contains("hunter2"), "{debug}");
}

#[test]
fn empty_issuer_or_audience_is_refused() {
    assert_eq!(error_setting(settings().issuer("")), "JWT_ISSUER");
    assert_eq!(error_setting(settings().audience(" ")), "JWT_AUDIENCE");
}

#[test]
fn key_id_must_be_printable() {
    assert_eq!(error_setting(settings().key_id("")), "JWT_KEY_ID");
    assert_eq!(error_setting(settings().key_id("a b")), "JWT_KEY_ID");
}
