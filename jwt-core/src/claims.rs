//! What a verified token says: the principal and the application's own claims.

use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use time::OffsetDateTime;

/// Claim names this crate writes and checks itself; the application's claims may not use them.
pub(crate) const REGISTERED_CLAIMS: &[&str] =
    &["sub", "iat", "exp", "nbf", "jti", "sid", "iss", "aud"];

/// One login: the `sid` claim, kept through every refresh-token rotation of that login.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);

impl SessionId {
    /// Wraps an identifier. Login makes random ones; session stores and their tests (which
    /// build [`NewSession`](crate::NewSession) values) need to name ids too.
    pub fn new(id: String) -> Self {
        Self(id)
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.0)
    }
}

/// The authenticated user of a request, read from a verified access token.
///
/// `C` is the application's own claims type, set at login by its
/// [`Authenticator`](crate::Authenticator).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Principal<C> {
    /// The user id (`sub`).
    pub subject: String,
    /// The login this token belongs to (`sid`).
    pub session_id: SessionId,
    /// The token's own id (`jti`).
    pub token_id: String,
    /// When the token was issued (`iat`).
    pub issued_at: OffsetDateTime,
    /// When the token expires (`exp`).
    pub expires_at: OffsetDateTime,
    /// The application's claims.
    pub claims: C,
}

/// The claims type for applications that put nothing of their own into tokens.
///
/// It writes no claims and accepts any others it finds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoClaims;

impl Serialize for NoClaims {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_map(Some(0))?.end()
    }
}

impl<'de> Deserialize<'de> for NoClaims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ignore;
        impl<'de> Visitor<'de> for Ignore {
            type Value = NoClaims;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NoClaims, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(NoClaims)
            }
            fn visit_unit<E>(self) -> Result<NoClaims, E> {
                Ok(NoClaims)
            }
        }
        deserializer.deserialize_any(Ignore)
    }
}
