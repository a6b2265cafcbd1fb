//! Password hashing with Argon2id, off the async executor.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Hashes and checks passwords (Argon2id, PHC string format).
///
/// The default parameters are OWASP's first recommendation for Argon2id (19 MiB, 2 passes,
/// 1 lane). Checking runs on Tokio's blocking pool so that a burst of logins does not stall
/// the requests being served beside them, and checking a password against no user costs one
/// full hash too ([`PasswordHasher::verify_or_dummy`]), so response time does not tell which
/// usernames exist.
///
/// ```
/// use jwt_core::PasswordHasher;
///
/// let hasher = PasswordHasher::default();
/// let hash = hasher.hash("correct horse")?;
/// assert!(hasher.verify_blocking(&hash, "correct horse"));
/// assert!(!hasher.verify_blocking(&hash, "battery staple"));
/// # Ok::<(), jwt_core::PasswordError>(())
/// ```
#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    dummy: Arc<str>,
}

/// The password could not be hashed (parameters out of range).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct PasswordError;

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", self.argon2.params())
            .finish()
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::with_params(Params::default())
            .unwrap_or_else(|_| unreachable!("default params are valid"))
    }
}

impl PasswordHasher {
    /// A hasher with the given Argon2id cost parameters.
    pub fn with_params(params: Params) -> Result<Self, PasswordError> {
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = hash_with(&argon2, "dummy password for unknown users")?;
        Ok(Self {
            argon2,
            dummy: dummy.into(),
        })
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$...`), with a fresh salt.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        hash_with(&self.argon2, password)
    }

    /// Checks a password against a PHC string on the calling thread.
    pub fn verify_blocking(&self, hash: &str, password: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|parsed| {
            self.argon2
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    }

    /// Checks a password against a user's hash, or against a dummy hash of the same cost when
    /// there is no such user (always `false` then), on the blocking pool.
    pub async fn verify_or_dummy(&self, hash: Option<String>, password: String) -> bool {
        let hasher = self.clone();
        let task = tokio::task::spawn_blocking(move || match hash {
            Some(hash) => hasher.verify_blocking(&hash, &password),
            None => {
                let _ = hasher.verify_blocking(&hasher.dummy, &password);
                false
            }
        });
        task.await.unwrap_or(false)
    }
}

fn hash_with(argon2: &Argon2<'static>, password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError)
}
