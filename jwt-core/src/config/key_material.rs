//! Key material named by the settings: a secret, a private key file, public key files.

use jsonwebtoken::AlgorithmFamily;
use secrecy::ExposeSecret;

use super::ConfigError;
use super::builder::JwtConfigBuilder;
use super::validate::{key_error, parse_algorithm, read_file};
use crate::keys::KeyRing;

impl JwtConfigBuilder {
    /// The key ring given in code, or the one the key settings describe.
    pub(super) fn keys(&self) -> Result<KeyRing, ConfigError> {
        if let Some(ring) = &self.key_ring {
            let configured = self.algorithm.as_deref();
            if configured.is_some_and(|name| parse_algorithm(name).ok() != Some(ring.algorithm())) {
                return Err(ConfigError::invalid(
                    "JWT_ALGORITHM",
                    "differs from the algorithm of the key ring given in code",
                ));
            }
            return Ok(ring.clone());
        }
        let algorithm = parse_algorithm(self.algorithm.as_deref().unwrap_or("HS256"))?;
        let mut ring = if algorithm.family() == AlgorithmFamily::Hmac {
            if self.private_key_file.is_some() {
                return Err(ConfigError::invalid(
                    "JWT_PRIVATE_KEY_FILE",
                    "HMAC algorithms sign with JWT_SECRET; remove the key file or change JWT_ALGORITHM",
                ));
            }
            let secret = self.secret.as_ref().ok_or_else(|| {
                ConfigError::missing(
                    "JWT_SECRET",
                    format!("{algorithm:?} signs with a shared secret"),
                )
            })?;
            KeyRing::hmac(algorithm, secret.0.expose_secret().as_bytes())
                .map_err(|error| key_error("JWT_SECRET", error))?
        } else {
            if self.secret.is_some() {
                return Err(ConfigError::invalid(
                    "JWT_SECRET",
                    format!(
                        "{algorithm:?} signs with JWT_PRIVATE_KEY_FILE; a secret would be ignored"
                    ),
                ));
            }
            let file = self.private_key_file.as_ref().ok_or_else(|| {
                ConfigError::missing(
                    "JWT_PRIVATE_KEY_FILE",
                    format!("{algorithm:?} signs with a private key"),
                )
            })?;
            let pem = read_file("JWT_PRIVATE_KEY_FILE", file)?;
            KeyRing::from_private_pem(algorithm, &pem)
                .map_err(|error| key_error("JWT_PRIVATE_KEY_FILE", error))?
        };
        let named = self.key_id.is_some();
        if let Some(kid) = &self.key_id {
            ring = ring
                .with_key_id(kid)
                .map_err(|error| key_error("JWT_KEY_ID", error))?;
        }
        for entry in self.public_key_files.iter().flatten() {
            const SETTING: &str = "JWT_PUBLIC_KEY_FILES";
            let entry = entry
                .to_str()
                .ok_or_else(|| ConfigError::invalid(SETTING, "a path that is not valid UTF-8"))?;
            let (kid, file) = rotation_entry(SETTING, named, entry)?;
            let pem = read_file(SETTING, std::path::Path::new(file))?;
            ring = match kid {
                Some(kid) => ring.with_named_verification_pem(kid, &pem),
                None => ring.with_verification_pem(&pem),
            }
            .map_err(|error| key_error(SETTING, error))?;
        }
        for entry in self.secret_fallbacks.iter().flatten() {
            const SETTING: &str = "JWT_SECRET_FALLBACKS";
            if algorithm.family() != AlgorithmFamily::Hmac {
                return Err(ConfigError::invalid(
                    SETTING,
                    format!(
                        "{algorithm:?} verifies with public keys: keep previous keys in JWT_PUBLIC_KEY_FILES"
                    ),
                ));
            }
            let (kid, secret) = rotation_entry(SETTING, named, entry.0.expose_secret())?;
            ring = match kid {
                Some(kid) => ring.with_named_verification_secret(kid, secret.as_bytes()),
                None => ring.with_verification_secret(secret.as_bytes()),
            }
            .map_err(|error| key_error(SETTING, error))?;
        }
        Ok(ring)
    }
}

/// One key kept for rotation: `value` alone, named by its thumbprint as when it signed; or,
/// when the signing key is named (`JWT_KEY_ID`), `kid=value` with the name it signed under.
/// Requiring the name exactly when names are in use means a rotated key can never end up
/// under another `kid` than the tokens it signed.
fn rotation_entry<'a>(
    setting: &'static str,
    named: bool,
    entry: &'a str,
) -> Result<(Option<&'a str>, &'a str), ConfigError> {
    if !named {
        return Ok((None, entry));
    }
    match entry.split_once('=') {
        Some((kid, value)) if !kid.trim().is_empty() && !value.is_empty() => {
            Ok((Some(kid.trim()), value))
        }
        _ => Err(ConfigError::invalid(
            setting,
            "with JWT_KEY_ID set, give each key as kid=value, with the key id its tokens were signed with",
        )),
    }
}
