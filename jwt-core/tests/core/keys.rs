//! Every algorithm signs and verifies; key ids, rotation and the JWKS document.

use std::path::PathBuf;

use jwt_core::{Algorithm, JwtConfig, KeyError, KeyRing};

use crate::fixture::{Fixture, SECRET, claims_of, header_of};

fn key(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/keys")
        .join(name)
}

async fn round_trip(config: JwtConfig) -> String {
    let fixture = Fixture::with_config(config);
    let tokens = fixture.login().await;
    let principal = fixture
        .bearer(&tokens.access)
        .await
        .require()
        .expect("accepted");
    assert_eq!(principal.subject, "alice");
    assert_eq!(principal.claims.role, "admin");
    tokens.access
}

#[tokio::test]
async fn every_supported_algorithm_signs_and_verifies() {
    for (algorithm, secret) in [("HS256", 32), ("HS384", 48), ("HS512", 64)] {
        let config = JwtConfig::builder()
            .algorithm(algorithm)
            .secret("s".repeat(secret))
            .build()
            .expect("valid");
        let token = round_trip(config).await;
        assert_eq!(header_of(&token)["alg"], algorithm);
    }
    for (algorithm, file) in [
        ("RS256", "rsa.pem"),
        ("RS384", "rsa.pem"),
        ("RS512", "rsa.pem"),
        ("PS256", "rsa.pem"),
        ("PS384", "rsa.pem"),
        ("PS512", "rsa.pem"),
        ("ES256", "p256.pem"),
        ("ES384", "p384.pem"),
        ("EdDSA", "ed25519.pem"),
    ] {
        let config = JwtConfig::builder()
            .algorithm(algorithm)
            .private_key_file(&key(file))
            .build()
            .unwrap_or_else(|error| panic!("{algorithm}: {error}"));
        let token = round_trip(config).await;
        assert_eq!(header_of(&token)["alg"], algorithm);
    }
}

#[tokio::test]
async fn tokens_carry_kind_key_id_and_registered_claims() {
    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let header = header_of(&tokens.access);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["kid"], fixture.auth.config().keys().signing_key_id());
    assert_eq!(header_of(&tokens.refresh)["typ"], "rt+jwt");
    let access = claims_of(&tokens.access);
    let refresh = claims_of(&tokens.refresh);
    assert_eq!(access["sub"], "alice");
    assert_eq!(access["role"], "admin");
    assert_eq!(access["sid"], refresh["sid"]);
    assert_ne!(access["jti"], refresh["jti"]);
    assert_eq!(
        access["jti"].as_str().map(str::len),
        Some(22),
        "128 random bits, base64url"
    );
    assert_eq!(
        access["exp"]
            .as_i64()
            .zip(access["iat"].as_i64())
            .map(|(e, i)| e - i),
        Some(300)
    );
    assert_eq!(
        refresh["exp"]
            .as_i64()
            .zip(refresh["iat"].as_i64())
            .map(|(e, i)| e - i),
        Some(14 * 86_400)
    );
    assert!(
        refresh.get("role").is_none(),
        "refresh tokens carry no application claims"
    );
}

#[test]
fn asymmetric_key_id_is_the_rfc7638_thumbprint() {
    let pem = std::fs::read(key("ed25519.pem")).expect("key file");
    let ring = KeyRing::from_private_pem(Algorithm::EdDSA, &pem).expect("valid key");
    let jwks = ring.jwks();
    assert_eq!(jwks.keys.len(), 1);
    let jwk = &jwks.keys[0];
    let thumbprint = jwk
        .thumbprint(jsonwebtoken::jwk::ThumbprintHash::SHA256)
        .expect("thumbprint");
    assert_eq!(ring.signing_key_id(), thumbprint);
    assert_eq!(jwk.common.key_id.as_deref(), Some(thumbprint.as_str()));
    let document = serde_json::to_value(&jwks).expect("serializable");
    assert_eq!(document["keys"][0]["kty"], "OKP");
    assert_eq!(document["keys"][0]["use"], "sig");
    assert!(
        document["keys"][0].get("d").is_none(),
        "no private material"
    );
}

#[test]
fn hmac_secrets_are_never_published() {
    let ring = KeyRing::hmac(Algorithm::HS256, SECRET.as_bytes()).expect("valid");
    assert!(ring.jwks().keys.is_empty());
    assert!(!ring.signing_key_id().contains(SECRET));
}

#[tokio::test]
async fn retired_public_keys_still_verify_during_rotation() {
    let old = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519-old.pem"))
        .build()
        .expect("valid");
    let old_fixture = Fixture::with_config(old);
    let old_tokens = old_fixture.login().await;

    let rotated = JwtConfig::builder()
        .algorithm("EdDSA")
        .private_key_file(&key("ed25519.pem"))
        .public_key_file(key("ed25519-old.pub.pem"))
        .build()
        .expect("valid");
    assert_eq!(rotated.keys().jwks().keys.len(), 2);
    let fixture = Fixture::with_config(rotated);
    fixture.clock.set_unix(crate::fixture::START + 60);
    let principal = fixture
        .bearer(&old_tokens.access)
        .await
        .require()
        .expect("old key still verifies");
    assert_eq!(principal.subject, "alice");
    let new_tokens = fixture.login().await;
    assert_ne!(
        header_of(&new_tokens.access)["kid"],
        header_of(&old_tokens.access)["kid"]
    );
}

#[tokio::test]
async fn retired_hmac_secret_still_verifies_during_rotation() {
    let old_fixture = Fixture::new();
    let old_tokens = old_fixture.login().await;
    let new_secret = "a new secret, also at least 32 bytes long";
    let ring = KeyRing::hmac(Algorithm::HS256, new_secret.as_bytes())
        .and_then(|ring| ring.with_verification_secret(SECRET.as_bytes()))
        .expect("valid ring");
    let fixture = Fixture::with_config(JwtConfig::builder().key_ring(ring).build().expect("valid"));
    assert!(fixture.bearer(&old_tokens.access).await.require().is_ok());
}

#[test]
fn a_key_id_cannot_name_two_keys() {
    let ring = KeyRing::hmac(Algorithm::HS256, SECRET.as_bytes()).expect("valid");
    let twice = ring.with_verification_secret(SECRET.as_bytes());
    assert!(matches!(twice, Err(KeyError::DuplicateKeyId(_))));
}

#[test]
fn a_named_key_id_replaces_the_thumbprint() {
    let config = JwtConfig::builder()
        .secret(SECRET)
        .key_id("2026-11")
        .build()
        .expect("valid");
    assert_eq!(config.keys().signing_key_id(), "2026-11");
}
