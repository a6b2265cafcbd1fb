//! Key rotation without logging anyone out: previous secrets and public keys keep verifying
//! under the `kid` they signed with, keys swap at run time, and the public keys are served.

use std::path::PathBuf;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use jwt_core::{Algorithm, AuthRejection, Authentication, Endpoint, JwtConfig, KeyRing};

use crate::fixture::{Fixture, SECRET, claims_of, header_of, settings};

const NEXT_SECRET: &str = "the next secret, also at least 32 bytes long";

fn key(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/keys")
        .join(name)
}

fn refresh_cookie(reply: &jwt_core::Reply) -> Option<String> {
    crate::fixture::cookie_value(reply, "RefreshAuthorization")
}

#[tokio::test]
async fn a_token_signed_with_the_previous_secret_refreshes_onto_the_new_one() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let old_kid = header_of(&tokens.access)["kid"].clone();

    // The deployment's next configuration: the new secret signs, the old one only verifies.
    let rotated = settings()
        .secret(NEXT_SECRET)
        .secret_fallback(SECRET)
        .build()
        .expect("valid rotation settings");
    fixture.auth.set_keys(rotated.keys().clone());

    assert!(
        fixture.bearer(&tokens.access).await.require().is_ok(),
        "the access token signed with the previous secret still verifies"
    );
    let reply = fixture.refresh_with(&tokens.refresh).await;
    assert_eq!(reply.status(), 200);
    let refresh = refresh_cookie(&reply).expect("a rotated refresh token");
    let access = crate::fixture::cookie_value(&reply, "Authorization").expect("an access token");
    let new_kid = rotated.keys().signing_key_id();
    for token in [&access, &refresh] {
        assert_eq!(
            header_of(token)["kid"],
            new_kid,
            "signed with the new secret"
        );
        assert_ne!(header_of(token)["kid"], old_kid);
    }
    assert_eq!(
        claims_of(&refresh)["sid"],
        claims_of(&tokens.refresh)["sid"]
    );
    assert!(fixture.bearer(&access).await.require().is_ok());

    // Once the previous secret is dropped, only tokens of the new one verify.
    fixture
        .auth
        .set_keys(KeyRing::hmac(Algorithm::HS256, NEXT_SECRET.as_bytes()).expect("valid ring"));
    assert!(fixture.bearer(&tokens.access).await.require().is_err());
    assert!(fixture.bearer(&access).await.require().is_ok());
}

#[tokio::test]
async fn a_key_removed_at_run_time_is_refused_even_when_its_token_was_cached() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    // Verified once: the engine now remembers this token.
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());

    fixture
        .auth
        .set_keys(KeyRing::hmac(Algorithm::HS256, NEXT_SECRET.as_bytes()).expect("valid ring"));
    let outcome = fixture.bearer(&tokens.access).await;
    assert!(
        matches!(
            outcome,
            Authentication::Rejected(AuthRejection::InvalidToken)
        ),
        "a token of a removed key must not pass from memory: {outcome:?}"
    );
    assert_eq!(fixture.refresh_with(&tokens.refresh).await.status(), 403);
    assert_eq!(
        fixture.auth.keys().signing_key_id(),
        KeyRing::hmac(Algorithm::HS256, NEXT_SECRET.as_bytes())
            .expect("valid ring")
            .signing_key_id()
    );
}

#[tokio::test]
async fn an_asymmetric_kid_survives_rotation_without_a_key_id() {
    let before = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519-old.pem"))
        .build()
        .expect("valid");
    let fixture = Fixture::with_config(before);
    let tokens = fixture.login().await;
    // Thumbprints are derived the same way for signing and verifying keys, so the key moved
    // to JWT_PUBLIC_KEY_FILES keeps its kid with nothing to configure.
    let after = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519.pem"))
        .public_key_file(key("ed25519-old.pub.pem"))
        .build()
        .expect("valid");
    fixture.auth.set_keys(after.keys().clone());
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    let reply = fixture.refresh_with(&tokens.refresh).await;
    assert_eq!(reply.status(), 200);
    let refresh = refresh_cookie(&reply).expect("rotated");
    assert_eq!(header_of(&refresh)["kid"], after.keys().signing_key_id());
}

#[tokio::test]
async fn an_asymmetric_kid_survives_rotation_with_a_key_id() {
    let before = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519-old.pem"))
        .key_id("2026-10")
        .build()
        .expect("valid");
    let fixture = Fixture::with_config(before);
    let tokens = fixture.login().await;
    assert_eq!(header_of(&tokens.access)["kid"], "2026-10");

    let old_public = format!("2026-10={}", key("ed25519-old.pub.pem").display());
    let after = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519.pem"))
        .key_id("2026-11")
        .public_key_file(old_public)
        .build()
        .expect("valid");
    fixture.auth.set_keys(after.keys().clone());
    assert!(fixture.bearer(&tokens.access).await.require().is_ok());
    let reply = fixture.refresh_with(&tokens.refresh).await;
    assert_eq!(reply.status(), 200);
    assert_eq!(
        header_of(&refresh_cookie(&reply).expect("rotated"))["kid"],
        "2026-11"
    );
}

#[test]
fn with_a_key_id_every_rotation_key_must_be_named() {
    // An unnamed key would get its thumbprint, never the name its tokens carry.
    let unnamed = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519.pem"))
        .key_id("2026-11")
        .public_key_file(key("ed25519-old.pub.pem"))
        .build();
    assert!(
        matches!(&unnamed, Err(error) if error.setting() == Some("JWT_PUBLIC_KEY_FILES")),
        "{unnamed:?}"
    );
    let unnamed = JwtConfig::builder()
        .secret(NEXT_SECRET)
        .key_id("2026-11")
        .secret_fallback(SECRET)
        .build();
    assert!(
        matches!(&unnamed, Err(error) if error.setting() == Some("JWT_SECRET_FALLBACKS")),
        "{unnamed:?}"
    );
    let named = JwtConfig::builder()
        .secret(NEXT_SECRET)
        .key_id("2026-11")
        .secret_fallback(format!("2026-10={SECRET}"))
        .build()
        .expect("a named fallback is valid");
    assert_eq!(named.keys().signing_key_id(), "2026-11");
}

#[test]
fn secret_fallbacks_are_read_from_the_environment_and_checked() {
    let config = jwt_core::JwtConfigBuilder::from_vars([
        ("JWT_SECRET", NEXT_SECRET),
        (
            "JWT_SECRET_FALLBACKS",
            &format!("{SECRET}, {}", "x".repeat(40)),
        ),
    ])
    .and_then(|builder| builder.build())
    .expect("valid");
    assert_eq!(
        config.keys().jwks().keys.len(),
        0,
        "secrets are never published"
    );
    let short = jwt_core::JwtConfigBuilder::from_vars([
        ("JWT_SECRET", NEXT_SECRET),
        ("JWT_SECRET_FALLBACKS", "too short"),
    ])
    .and_then(|builder| builder.build());
    assert!(matches!(&short, Err(e) if e.setting() == Some("JWT_SECRET_FALLBACKS")));
    let asymmetric = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519.pem"))
        .secret_fallback(SECRET)
        .build();
    assert!(matches!(&asymmetric, Err(e) if e.setting() == Some("JWT_SECRET_FALLBACKS")));
}

/// What another service does with the key set: fetch it, pick the token's `kid`, verify.
fn verify_with_published_set(body: &[u8], token: &str, algorithm: Algorithm) -> serde_json::Value {
    let set: JwkSet = serde_json::from_slice(body).expect("a JWK Set");
    let kid = jsonwebtoken::decode_header(token)
        .expect("a token header")
        .kid
        .expect("a kid");
    let jwk = set.find(&kid).expect("the token's key is published");
    let key = DecodingKey::from_jwk(jwk).expect("a usable public key");
    let mut validation = Validation::new(algorithm);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
        .expect("the published key verifies the token")
        .claims
}

#[tokio::test]
async fn the_jwks_endpoint_serves_keys_that_verify_real_tokens() {
    let before = JwtConfig::builder()
        .algorithm("ES256")
        .private_key_file(&key("p256.pem"))
        .build()
        .expect("valid");
    let fixture = Fixture::with_config(before);
    assert!(fixture.auth.endpoints().any(|e| e == Endpoint::Jwks));
    assert_eq!(fixture.auth.path(Endpoint::Jwks), "/jwt/jwks.json");
    let tokens = fixture.login().await;
    let reply = fixture.call(Endpoint::Jwks, "GET", &[], b"").await;
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["cache-control"], "public, max-age=300");
    assert_eq!(reply.headers()["content-type"], "application/json");
    let claims = verify_with_published_set(reply.body(), &tokens.access, Algorithm::ES256);
    assert_eq!(claims["sub"], "alice");
    for private in ["\"d\"", "\"k\""] {
        assert!(!String::from_utf8_lossy(reply.body()).contains(private));
    }
    let refused = fixture.call(Endpoint::Jwks, "POST", &[], b"").await;
    assert_eq!(refused.status(), 405);
    assert_eq!(refused.headers()["allow"], "GET, HEAD");
}

#[test]
fn hmac_publishes_no_jwks_endpoint() {
    let fixture = Fixture::new();
    assert!(!fixture.auth.endpoints().any(|e| e == Endpoint::Jwks));
    assert_eq!(fixture.auth.endpoint_at("/jwt/jwks.json"), None);
}

#[test]
fn the_jwks_path_cannot_collide_with_an_endpoint() {
    let collision = settings().jwks_path("/jwt/login/").build();
    assert!(
        matches!(&collision, Err(error) if error.setting() == Some("JWT_JWKS_PATH")),
        "{collision:?}"
    );
}
