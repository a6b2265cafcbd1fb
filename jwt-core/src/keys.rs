//! Signing and verification keys, found by exact `kid`.
//!
//! A [`KeyRing`] holds one signing key and any number of verification keys (the signing key's
//! own public half among them). Each key is pinned to one algorithm: a token whose header names
//! another algorithm than its key's is rejected, which closes algorithm-confusion attacks
//! (`none`, HS256 signed with an RSA public key) by construction. Keys named in a token header
//! (`jwk`, `jku`, `x5u`, `x5c`) are never looked at.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, Jwk, JwkSet, PublicKeyUse, ThumbprintHash,
};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};

use crate::crypto_backend;

/// Why a key could not be loaded into a [`KeyRing`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The HMAC secret is shorter than the algorithm's output (RFC 7518 section 3.2).
    #[error("secret is {actual} bytes; {algorithm:?} needs at least {minimum}")]
    SecretTooShort {
        /// The configured algorithm.
        algorithm: Algorithm,
        /// The shortest acceptable secret, in bytes.
        minimum: usize,
        /// The length given.
        actual: usize,
    },
    /// The algorithm needs a key of another family (a secret for HS*, a PEM key otherwise).
    #[error("{algorithm:?} cannot use this kind of key")]
    WrongKeyKind {
        /// The configured algorithm.
        algorithm: Algorithm,
    },
    /// The PEM text is not a key of the algorithm's family, or does not sign and verify.
    #[error("not a usable {algorithm:?} key in PEM form")]
    InvalidPem {
        /// The configured algorithm.
        algorithm: Algorithm,
    },
    /// A key id is empty, too long, or not printable ASCII.
    #[error("key id must be 1 to 128 printable ASCII characters")]
    InvalidKeyId,
    /// Two keys of the ring carry the same key id.
    #[error("key id {0:?} is used by two keys")]
    DuplicateKeyId(String),
}

/// The keys tokens are signed with and verified against.
///
/// Clones share the keys.
///
/// ```
/// use jwt_core::{Algorithm, KeyRing};
///
/// let ring = KeyRing::hmac(Algorithm::HS256, b"an example secret of at least 32 bytes")?;
/// assert_eq!(ring.algorithm(), Algorithm::HS256);
/// assert!(!ring.signing_key_id().is_empty());
/// // Symmetric keys are never published.
/// assert!(ring.jwks().keys.is_empty());
/// # Ok::<(), jwt_core::KeyError>(())
/// ```
#[derive(Clone)]
pub struct KeyRing {
    inner: Arc<KeyRingInner>,
}

struct KeyRingInner {
    signing: SigningKey,
    verification: HashMap<String, VerificationKey>,
}

struct SigningKey {
    kid: String,
    algorithm: Algorithm,
    key: EncodingKey,
}

pub(crate) struct VerificationKey {
    pub(crate) algorithm: Algorithm,
    pub(crate) key: DecodingKey,
    /// The public JWK, for asymmetric keys only.
    public_jwk: Option<Jwk>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut kids: Vec<&str> = self.inner.verification.keys().map(String::as_str).collect();
        kids.sort_unstable();
        f.debug_struct("KeyRing")
            .field("algorithm", &self.inner.signing.algorithm)
            .field("signing_key_id", &self.inner.signing.kid)
            .field("verification_key_ids", &kids)
            .finish()
    }
}

impl KeyRing {
    /// A ring for an HMAC algorithm (HS256, HS384, HS512) with one secret.
    ///
    /// The secret must be at least as long as the hash output: 32, 48 or 64 bytes.
    pub fn hmac(algorithm: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        let verification = hmac_verification_key(algorithm, secret)?;
        let key =
            EncodingKey::from_secret(secret).map_err(|_| KeyError::WrongKeyKind { algorithm })?;
        let kid = secret_thumbprint(&verification.key, algorithm)?;
        Ok(Self::single(
            SigningKey {
                kid,
                algorithm,
                key,
            },
            verification,
        ))
    }

    /// A ring for an asymmetric algorithm with a private key in PEM form
    /// (PKCS#1 or PKCS#8 for RSA, SEC1 or PKCS#8 for EC, PKCS#8 for Ed25519).
    ///
    /// The key id is the key's RFC 7638 thumbprint.
    pub fn from_private_pem(algorithm: Algorithm, pem: &[u8]) -> Result<Self, KeyError> {
        crypto_backend::install();
        let invalid = || KeyError::InvalidPem { algorithm };
        let key = match algorithm.family() {
            AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(pem),
            AlgorithmFamily::Ec => EncodingKey::from_ec_pem(pem),
            AlgorithmFamily::Ed => EncodingKey::from_ed_pem(pem),
            AlgorithmFamily::Hmac => return Err(KeyError::WrongKeyKind { algorithm }),
        }
        .map_err(|_| invalid())?;
        let public = Jwk::from_encoding_key(&key, algorithm).map_err(|_| invalid())?;
        let decoding = DecodingKey::from_jwk(&public).map_err(|_| invalid())?;
        // A key of the wrong curve or size can load and still fail to sign: find out now.
        let probe = b"jwt-core key self-check";
        let signature =
            jsonwebtoken::crypto::sign(probe, &key, algorithm).map_err(|_| invalid())?;
        let verified = jsonwebtoken::crypto::verify(&signature, probe, &decoding, algorithm);
        if !matches!(verified, Ok(true)) {
            return Err(invalid());
        }
        let kid = public
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| invalid())?;
        let verification = VerificationKey {
            algorithm,
            key: decoding,
            public_jwk: Some(public),
        };
        Ok(Self::single(
            SigningKey {
                kid,
                algorithm,
                key,
            },
            verification,
        ))
    }

    fn single(signing: SigningKey, verification: VerificationKey) -> Self {
        let mut keys = HashMap::new();
        keys.insert(signing.kid.clone(), verification);
        Self {
            inner: Arc::new(KeyRingInner {
                signing,
                verification: keys,
            }),
        }
    }

    /// Replaces the signing key's id (`kid`), for deployments that name their keys.
    pub fn with_key_id(self, kid: &str) -> Result<Self, KeyError> {
        check_key_id(kid)?;
        let mut inner = self.into_inner();
        let verification = inner
            .verification
            .remove(&inner.signing.kid)
            .ok_or(KeyError::InvalidKeyId)?;
        if inner.verification.contains_key(kid) {
            return Err(KeyError::DuplicateKeyId(kid.to_owned()));
        }
        inner.signing.kid = kid.to_owned();
        inner.verification.insert(kid.to_owned(), verification);
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Adds a public key in PEM form that verifies tokens but never signs (key rotation).
    ///
    /// It uses the ring's algorithm and its RFC 7638 thumbprint as key id: the id the key had
    /// when it signed, unless that was named (then use
    /// [`KeyRing::with_named_verification_pem`]).
    pub fn with_verification_pem(self, pem: &[u8]) -> Result<Self, KeyError> {
        let key = public_pem_key(self.algorithm(), pem)?;
        let kid = thumbprint(&key)?;
        self.with_verification_key(kid, key)
    }

    /// Adds a public key in PEM form under the key id its tokens were signed with, for keys
    /// that signed under a name of the operator's (`JWT_KEY_ID`).
    pub fn with_named_verification_pem(self, kid: &str, pem: &[u8]) -> Result<Self, KeyError> {
        check_key_id(kid)?;
        let key = public_pem_key(self.algorithm(), pem)?;
        self.with_verification_key(kid.to_owned(), key)
    }

    /// Adds a retired HMAC secret that verifies tokens but never signs (secret rotation),
    /// under its thumbprint: the key id it had while it signed, unless that was named.
    pub fn with_verification_secret(self, secret: &[u8]) -> Result<Self, KeyError> {
        let algorithm = self.algorithm();
        let key = hmac_verification_key(algorithm, secret)?;
        let kid = secret_thumbprint(&key.key, algorithm)?;
        self.with_verification_key(kid, key)
    }

    /// Adds a retired HMAC secret under the key id its tokens were signed with.
    pub fn with_named_verification_secret(
        self,
        kid: &str,
        secret: &[u8],
    ) -> Result<Self, KeyError> {
        check_key_id(kid)?;
        let key = hmac_verification_key(self.algorithm(), secret)?;
        self.with_verification_key(kid.to_owned(), key)
    }

    fn with_verification_key(self, kid: String, key: VerificationKey) -> Result<Self, KeyError> {
        let mut inner = self.into_inner();
        if inner.verification.contains_key(&kid) {
            return Err(KeyError::DuplicateKeyId(kid));
        }
        inner.verification.insert(kid, key);
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    fn into_inner(self) -> KeyRingInner {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => KeyRingInner {
                signing: SigningKey {
                    kid: shared.signing.kid.clone(),
                    algorithm: shared.signing.algorithm,
                    key: shared.signing.key.clone(),
                },
                verification: shared
                    .verification
                    .iter()
                    .map(|(kid, key)| {
                        let copy = VerificationKey {
                            algorithm: key.algorithm,
                            key: key.key.clone(),
                            public_jwk: key.public_jwk.clone(),
                        };
                        (kid.clone(), copy)
                    })
                    .collect(),
            },
        }
    }

    /// The algorithm every key of the ring is pinned to.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.signing.algorithm
    }

    /// Whether the ring's keys are public keys that may be published (any algorithm but
    /// HMAC, whose keys are secrets).
    pub fn is_asymmetric(&self) -> bool {
        self.algorithm().family() != AlgorithmFamily::Hmac
    }

    /// The `kid` written into every new token.
    pub fn signing_key_id(&self) -> &str {
        &self.inner.signing.kid
    }

    /// The public keys as a JWKS document (RFC 7517), for services that verify tokens
    /// themselves. HMAC secrets are never included.
    pub fn jwks(&self) -> JwkSet {
        let mut keys: Vec<Jwk> = self
            .inner
            .verification
            .iter()
            .filter_map(|(kid, key)| {
                let public = key.public_jwk.as_ref()?;
                Some(Jwk {
                    common: CommonParameters {
                        public_key_use: Some(PublicKeyUse::Signature),
                        key_id: Some(kid.clone()),
                        key_algorithm: public.common.key_algorithm,
                        ..CommonParameters::default()
                    },
                    algorithm: public.algorithm.clone(),
                })
            })
            .collect();
        keys.sort_by(|a, b| a.common.key_id.cmp(&b.common.key_id));
        JwkSet { keys }
    }

    pub(crate) fn signing_key(&self) -> (&str, Algorithm, &EncodingKey) {
        let signing = &self.inner.signing;
        (&signing.kid, signing.algorithm, &signing.key)
    }

    pub(crate) fn verification_key(&self, kid: &str) -> Option<&VerificationKey> {
        self.inner.verification.get(kid)
    }
}

/// A public key in PEM form, pinned to `algorithm`.
fn public_pem_key(algorithm: Algorithm, pem: &[u8]) -> Result<VerificationKey, KeyError> {
    crypto_backend::install();
    let invalid = || KeyError::InvalidPem { algorithm };
    let key = match algorithm.family() {
        AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem),
        AlgorithmFamily::Ed => DecodingKey::from_ed_pem(pem),
        AlgorithmFamily::Hmac => return Err(KeyError::WrongKeyKind { algorithm }),
    }
    .map_err(|_| invalid())?;
    let public = Jwk::from_decoding_key(&key, Some(algorithm)).map_err(|_| invalid())?;
    Ok(VerificationKey {
        algorithm,
        key,
        public_jwk: Some(public),
    })
}

/// The RFC 7638 thumbprint of a public key.
fn thumbprint(key: &VerificationKey) -> Result<String, KeyError> {
    let algorithm = key.algorithm;
    key.public_jwk
        .as_ref()
        .ok_or(KeyError::WrongKeyKind { algorithm })?
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| KeyError::InvalidPem { algorithm })
}

fn hmac_verification_key(algorithm: Algorithm, secret: &[u8]) -> Result<VerificationKey, KeyError> {
    crypto_backend::install();
    let minimum = match algorithm {
        Algorithm::HS256 => 32,
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => return Err(KeyError::WrongKeyKind { algorithm }),
    };
    if secret.len() < minimum {
        return Err(KeyError::SecretTooShort {
            algorithm,
            minimum,
            actual: secret.len(),
        });
    }
    let key = DecodingKey::from_secret(secret).map_err(|_| KeyError::WrongKeyKind { algorithm })?;
    Ok(VerificationKey {
        algorithm,
        key,
        public_jwk: None,
    })
}

/// The RFC 7638 thumbprint of a key. For a secret it is a SHA-256 hash of the secret, which
/// reveals nothing a signed token does not already let an attacker test against.
fn secret_thumbprint(key: &DecodingKey, algorithm: Algorithm) -> Result<String, KeyError> {
    let jwk = Jwk::from_decoding_key(key, Some(algorithm))
        .map_err(|_| KeyError::WrongKeyKind { algorithm })?;
    debug_assert!(matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)));
    jwk.thumbprint(ThumbprintHash::SHA256)
        .map_err(|_| KeyError::WrongKeyKind { algorithm })
}

fn check_key_id(kid: &str) -> Result<(), KeyError> {
    let printable = kid.bytes().all(|b| b.is_ascii_graphic());
    if kid.is_empty() || kid.len() > 128 || !printable {
        return Err(KeyError::InvalidKeyId);
    }
    Ok(())
}
