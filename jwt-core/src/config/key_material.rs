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
        if let Some(kid) = &self.key_id {
            ring = ring
                .with_key_id(kid)
                .map_err(|error| key_error("JWT_KEY_ID", error))?;
        }
        for file in self.public_key_files.iter().flatten() {
            let pem = read_file("JWT_PUBLIC_KEY_FILES", file)?;
            ring = ring
                .with_verification_pem(&pem)
                .map_err(|error| key_error("JWT_PUBLIC_KEY_FILES", error))?;
        }
        Ok(ring)
    }
}
