//! The migration mode's checks of Django tokens and its settings, with the real cookies of
//! `tests/django-tokens/`.

use jwt_core::{ConfigError, JwtConfig, JwtConfigBuilder};
use serde_json::Value;

use crate::django::{
    DjangoLogin, assert_refused, exchange, is_invalid_token, load, migrating, whoami,
};
use crate::fixture::{SECRET, claims_of, header_of, settings, sign_raw};

/// The token re-signed (HS256) with another key, its header and claims untouched.
fn resigned(jwt: &str, key: &[u8]) -> String {
    let header = serde_json::to_vec(&header_of(jwt)).expect("JSON");
    let claims = serde_json::to_vec(&claims_of(jwt)).expect("JSON");
    sign_raw(&header, &claims, jsonwebtoken::Algorithm::HS256, key)
}

#[tokio::test]
async fn django_tokens_signed_with_another_key_are_refused() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    let other = b"another Django project's SECRET_KEY, 0123456789";
    let access = resigned(&django.access.jwt, other);
    let refresh = resigned(&django.refresh.jwt, other);
    assert!(is_invalid_token(&fixture.bearer(&access).await));
    let reply = exchange(&fixture, &format!("RefreshAuthorization={refresh}")).await;
    assert_refused(&reply, "RefreshAuthorization");
    // Signed with our own secret, a Django-shaped token is no better.
    let ours = resigned(&django.access.jwt, SECRET.as_bytes());
    assert!(is_invalid_token(&fixture.bearer(&ours).await));
    // The genuine token still works: the refusals burnt nothing.
    let reply = exchange(&fixture, &django.refresh.sent).await;
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn django_tokens_past_their_exp_are_refused() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    fixture.clock.set_unix(django.access.exp);
    assert!(is_invalid_token(
        &whoami(&fixture, &django.access.sent).await
    ));
    fixture.clock.set_unix(django.access.exp - 1);
    assert!(
        whoami(&fixture, &django.access.sent)
            .await
            .require()
            .is_ok()
    );

    fixture.clock.set_unix(django.refresh.exp);
    assert_refused(
        &exchange(&fixture, &django.refresh.sent).await,
        "RefreshAuthorization",
    );
}

#[tokio::test]
async fn leeway_applies_to_django_tokens_as_to_ours() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings().leeway_seconds(30));
    fixture.clock.set_unix(django.access.exp + 29);
    assert!(
        whoami(&fixture, &django.access.sent)
            .await
            .require()
            .is_ok()
    );
    fixture.clock.set_unix(django.access.exp + 30);
    assert!(is_invalid_token(
        &whoami(&fixture, &django.access.sent).await
    ));
    // Issued in the future beyond the leeway.
    fixture.clock.set_unix(django.access.iat - 31);
    assert!(is_invalid_token(
        &whoami(&fixture, &django.access.sent).await
    ));
}

#[tokio::test]
async fn django_tokens_over_the_size_cap_are_refused_before_decoding() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings().max_token_bytes(1024));
    let header = serde_json::to_vec(&header_of(&django.access.jwt)).expect("JSON");
    let mut claims = claims_of(&django.access.jwt);
    claims["sec"] = Value::String("a".repeat(1200));
    let claims = serde_json::to_vec(&claims).expect("JSON");
    let large = sign_raw(
        &header,
        &claims,
        jsonwebtoken::Algorithm::HS256,
        django.secret_key.as_bytes(),
    );
    assert!(large.len() > 1024);
    assert!(is_invalid_token(&fixture.bearer(&large).await));
}

/// A Django-shaped token signed with the Django key, with header or claims changed.
fn forged(django: &DjangoLogin, header: Value, claims: Value) -> String {
    sign_raw(
        &serde_json::to_vec(&header).expect("JSON"),
        &serde_json::to_vec(&claims).expect("JSON"),
        jsonwebtoken::Algorithm::HS256,
        django.secret_key.as_bytes(),
    )
}

#[tokio::test]
async fn django_headers_and_claims_are_read_strictly() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    let header = header_of(&django.access.jwt);
    let claims = claims_of(&django.access.jwt);
    // The untouched re-encoding passes: the refusals below are for what changed.
    let same = forged(&django, header.clone(), claims.clone());
    assert!(fixture.bearer(&same).await.require().is_ok());

    let with = |name: &str, value: Value| {
        let mut object = claims.clone();
        object[name] = value;
        object
    };
    let without = |name: &str| {
        let mut object = claims.clone();
        object.as_object_mut().expect("object").remove(name);
        object
    };
    let bad_claims = [
        with("user", serde_json::json!(1)),
        with("user", serde_json::json!("")),
        with("exp", serde_json::json!(django.access.exp.to_string())),
        with("exp", serde_json::json!(1.5)),
        with("iat", serde_json::json!(-1)),
        with("tok", serde_json::json!("ACCESS")),
        with("sec", serde_json::json!(null)),
        with("sub", serde_json::json!("alice")),
        without("sec"),
        without("exp"),
    ];
    for bad in bad_claims {
        let token = forged(&django, header.clone(), bad.clone());
        assert!(is_invalid_token(&fixture.bearer(&token).await), "{bad}");
    }
    let bad_headers = [
        serde_json::json!({"alg": "HS512", "typ": "JWT"}),
        serde_json::json!({"alg": "none", "typ": "JWT"}),
        serde_json::json!({"alg": "HS256", "typ": "at+jwt"}),
        serde_json::json!({"alg": "HS256", "typ": "JWT", "kid": "django"}),
        serde_json::json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"]}),
        serde_json::json!({"alg": "HS256", "typ": "JWT", "jwk": {"kty": "oct", "k": "AA"}}),
        serde_json::json!({"typ": "JWT"}),
    ];
    for bad in bad_headers {
        let token = forged(&django, bad.clone(), claims.clone());
        assert!(is_invalid_token(&fixture.bearer(&token).await), "{bad}");
    }
    // Duplicate claim names, which two parsers could read differently.
    let payload = format!(
        r#"{{"iat":{iat},"exp":{exp},"user":"2","user":"1","tok":"access","sec":"x"}}"#,
        iat = django.access.iat,
        exp = django.access.exp
    );
    let duplicate = sign_raw(
        br#"{"alg":"HS256","typ":"JWT"}"#,
        payload.as_bytes(),
        jsonwebtoken::Algorithm::HS256,
        django.secret_key.as_bytes(),
    );
    assert!(is_invalid_token(&fixture.bearer(&duplicate).await));
}

#[tokio::test]
async fn our_tokens_fail_as_before_with_the_mode_on() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings());
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    // Our refresh token is not an access token, with the mode on as without.
    assert!(is_invalid_token(&fixture.bearer(&tokens.refresh).await));
    let with_unknown_kid = crate::fixture::forge(
        &fixture,
        serde_json::json!({ "kid": "unknown" }),
        serde_json::json!({}),
    );
    assert!(is_invalid_token(&fixture.bearer(&with_unknown_kid).await));
    // Expired tokens of ours stay expired.
    fixture.clock.advance(time::Duration::minutes(6));
    assert!(is_invalid_token(&fixture.bearer(&tokens.access).await));
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 200);
}

#[tokio::test]
async fn after_jwt_django_until_every_django_token_is_refused() {
    let django = load("default");
    let (fixture, _) = migrating(&django, settings().django_until("2026-11-29"));
    // The tokens were minted on 2026-11-30 (UTC), after the last day of the mode.
    assert!(is_invalid_token(
        &whoami(&fixture, &django.access.sent).await
    ));
    assert_refused(
        &exchange(&fixture, &django.refresh.sent).await,
        "RefreshAuthorization",
    );
    // Our own sessions are untouched.
    let tokens = fixture.login().await;
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());

    let (open, _) = migrating(&django, settings().django_until("2026-11-30"));
    assert!(whoami(&open, &django.access.sent).await.require().is_ok());
    let until = open.auth.config().django_until().expect("set");
    assert_eq!(
        until.unix_timestamp(),
        1_796_083_200,
        "2026-12-01T00:00:00Z"
    );
}

#[test]
fn django_settings_are_read_from_env_and_files_and_checked() {
    let key = "a Django SECRET_KEY of fifty characters, more or less";
    let config = JwtConfigBuilder::from_vars([
        ("JWT_SECRET", SECRET),
        ("JWT_DJANGO_SECRET_KEY", key),
        ("JWT_DJANGO_UNTIL", "2027-06-30T18:00:00+02:00"),
    ])
    .and_then(JwtConfigBuilder::build)
    .expect("valid settings");
    assert!(config.django_migration());
    assert_eq!(
        config.django_until().map(|until| until.unix_timestamp()),
        Some(1_814_371_200)
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains(key), "{debug}");

    let from_toml = JwtConfig::from_toml_str(&format!(
        "secret = {SECRET:?}\ndjango_secret_key = {key:?}\ndjango_until = \"2027-06-30\""
    ))
    .expect("valid TOML settings");
    assert!(from_toml.django_migration());
    let from_json = JwtConfig::from_json_str(&format!(
        r#"{{"secret": {SECRET:?}, "django_secret_key": {key:?}}}"#
    ))
    .expect("valid JSON settings");
    assert_eq!(from_json.django_until(), None);

    let off = settings().build().expect("valid");
    assert!(!off.django_migration());

    let setting = |builder: JwtConfigBuilder| builder.build().err().and_then(|e| e.setting());
    assert_eq!(
        setting(settings().django_until("2027-06-30")),
        Some("JWT_DJANGO_SECRET_KEY"),
        "an end for a mode that is not on"
    );
    assert_eq!(
        setting(settings().django_secret_key("")),
        Some("JWT_DJANGO_SECRET_KEY")
    );
    assert_eq!(
        setting(settings().django_secret_key(SECRET)),
        Some("JWT_DJANGO_SECRET_KEY"),
        "our own secret"
    );
    for bad in ["30/06/2027", "2027-02-30", "tomorrow", "2027-06-30 18:00"] {
        assert_eq!(
            setting(settings().django_secret_key(key).django_until(bad)),
            Some("JWT_DJANGO_UNTIL"),
            "{bad}"
        );
    }
    let error = settings()
        .django_secret_key(key)
        .django_until("soon")
        .build()
        .expect_err("refused");
    assert!(matches!(error, ConfigError::Invalid { .. }));
    assert!(!error.to_string().contains(key));
}
