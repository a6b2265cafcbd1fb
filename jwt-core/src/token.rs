//! Issuing and verifying the two kinds of token.
//!
//! Verification runs in this order, and stops at the first failure: the size cap (before any
//! decoding); three non-empty base64url segments, the header's at most
//! `MAX_HEADER_SEGMENT` (1024) characters; a header that is a JSON object with unique
//! names and no `crit`; an exact `kid` match in the [`KeyRing`](crate::KeyRing); the header's
//! `alg` equal to that key's own algorithm; the signature; `typ` of the expected kind; then the
//! claims: a JSON object with unique names, registered claims of the right JSON types, `exp`,
//! `nbf` and `iat` against the clock with `JWT_LEEWAY`, and `iss`/`aud` when configured. Header
//! keys (`jwk`, `jku`, `x5u`, `x5c`) are never used.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::claims::{Principal, REGISTERED_CLAIMS, SessionId};
use crate::config::JwtConfig;
use crate::keys::KeyRing;

mod parts;

/// The two kinds of token, told apart by the `typ` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A short-lived token that authenticates requests (`typ: at+jwt`, RFC 9068).
    Access,
    /// A long-lived token that only buys new access tokens (`typ: rt+jwt`).
    Refresh,
}

impl TokenKind {
    fn typ(self) -> &'static str {
        match self {
            Self::Access => "at+jwt",
            Self::Refresh => "rt+jwt",
        }
    }
}

/// Why a token was rejected. Never shown to clients, who only learn that it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Longer than `JWT_MAX_TOKEN_BYTES`; not decoded at all.
    #[error("token exceeds the size cap")]
    TooLarge,
    /// Not three base64url segments with a JSON-object header.
    #[error("token is malformed")]
    Malformed,
    /// The header carries `crit`, whose extensions this crate does not implement.
    #[error("token has a critical header extension")]
    CriticalHeader,
    /// No key of the ring has the header's `kid`.
    #[error("token names an unknown key")]
    UnknownKey,
    /// The header's `alg` is not the algorithm its key is pinned to.
    #[error("token algorithm does not match its key")]
    AlgorithmMismatch,
    /// The signature does not verify.
    #[error("token signature is invalid")]
    BadSignature,
    /// The `typ` header names the other kind of token, or none.
    #[error("token is of the wrong kind")]
    WrongKind,
    /// Claims missing, of the wrong JSON type, duplicated, or not the application's type.
    #[error("token claims are invalid")]
    InvalidClaims,
    /// `exp` has passed.
    #[error("token has expired")]
    Expired,
    /// `nbf` is still ahead.
    #[error("token is not valid yet")]
    NotYetValid,
    /// `iat` is in the future.
    #[error("token was issued in the future")]
    IssuedInFuture,
    /// `iss` absent or not the configured issuer.
    #[error("token issuer is not accepted")]
    WrongIssuer,
    /// `aud` absent or without the configured audience.
    #[error("token audience is not accepted")]
    WrongAudience,
    /// The application's claims could not be written into a token (a programming error: they
    /// must serialize to a JSON object without registered claim names).
    #[error("claims cannot be encoded")]
    Encoding,
    /// A Django token presented after `JWT_DJANGO_UNTIL`, when the migration mode has ended.
    #[error("the Django migration mode has ended")]
    MigrationEnded,
}

/// The registered claims of a verified token plus the rest, not yet typed.
pub(crate) struct VerifiedToken {
    pub(crate) subject: String,
    pub(crate) session_id: SessionId,
    pub(crate) token_id: String,
    pub(crate) issued_at: i64,
    pub(crate) not_before: Option<i64>,
    pub(crate) expires_at: i64,
    pub(crate) rest: Map<String, Value>,
}

impl VerifiedToken {
    /// The time claims, which the verified-token cache checks again on every hit.
    pub(crate) fn lifetime(&self) -> crate::verified_tokens::Lifetime {
        crate::verified_tokens::Lifetime {
            issued_at: self.issued_at,
            not_before: self.not_before,
            expires_at: self.expires_at,
        }
    }

    pub(crate) fn into_principal<C: DeserializeOwned>(self) -> Result<Principal<C>, TokenError> {
        let claims = serde_json::from_value(Value::Object(self.rest))
            .map_err(|_| TokenError::InvalidClaims)?;
        Ok(Principal {
            subject: self.subject,
            session_id: self.session_id,
            token_id: self.token_id,
            issued_at: timestamp(self.issued_at)?,
            expires_at: timestamp(self.expires_at)?,
            claims,
        })
    }
}

/// The longest header segment read, in base64url characters (768 bytes of JSON).
///
/// The header is the only part of a token parsed before its signature is checked, so its
/// length is the stranger's to choose. Every header this crate writes is `alg`, `typ` and a
/// `kid` of at most 128 characters, under 300 characters encoded; the bound leaves room for
/// the members other writers add (`cty`, `x5t#S256`) and refuses the rest before decoding,
/// so that a 64 KiB token of thousands of header members costs no more than any other.
/// (Keys are never taken from a header, so a certificate chain in `x5c` is of no use here.)
pub(crate) const MAX_HEADER_SEGMENT: usize = 1024;

/// The latest `NumericDate` accepted: the end of year 9999.
pub(crate) const MAX_TIMESTAMP: i64 = 253_402_300_799;

fn timestamp(seconds: i64) -> Result<OffsetDateTime, TokenError> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| TokenError::InvalidClaims)
}

/// What goes into a new token.
pub(crate) struct TokenContent<'a> {
    pub(crate) kind: TokenKind,
    pub(crate) subject: &'a str,
    pub(crate) session_id: &'a SessionId,
    pub(crate) token_id: &'a str,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    /// The application's claims as a JSON object (empty for refresh tokens).
    pub(crate) custom: &'a Map<String, Value>,
}

/// Checks that the application's claims can share a token with the registered ones.
pub(crate) fn custom_claims<C: serde::Serialize>(
    claims: &C,
) -> Result<Map<String, Value>, TokenError> {
    match serde_json::to_value(claims).map_err(|_| TokenError::Encoding)? {
        Value::Null => Ok(Map::new()),
        Value::Object(map) if !map.keys().any(|k| REGISTERED_CLAIMS.contains(&k.as_str())) => {
            Ok(map)
        }
        _ => Err(TokenError::Encoding),
    }
}

/// Signs a new token.
///
/// A token longer than `JWT_MAX_TOKEN_BYTES` would be refused on its first use, so it is not
/// handed out: the error is logged with what to change, and the endpoint answers 500. Start-up
/// already refused settings whose fixed part leaves no room ([`fixed_part_len`]); what is
/// left to overflow here is the application's own subject and claims.
pub(crate) fn issue(
    config: &JwtConfig,
    keys: &KeyRing,
    content: &TokenContent<'_>,
) -> Result<String, TokenError> {
    let token = encode(
        keys,
        config.issuer.as_deref(),
        config.audience.as_deref(),
        content,
    )?;
    if token.len() > config.max_token_bytes {
        tracing::error!(
            target: "jwt_core",
            bytes = token.len(),
            max = config.max_token_bytes,
            subject_bytes = content.subject.len(),
            "a new token would exceed JWT_MAX_TOKEN_BYTES and never authenticate: shorten the \
             subject or the application's claims, or raise JWT_MAX_TOKEN_BYTES"
        );
        return Err(TokenError::TooLarge);
    }
    Ok(token)
}

/// The length of the smallest access token the settings can mint: a one-byte subject, no
/// application claims, and timestamps of the most digits a `NumericDate` can have. What the
/// settings fix (key id, algorithm and signature size, `iss`, `aud`, with their JSON escapes)
/// is all in it; what the application adds at run time is not.
pub(crate) fn fixed_part_len(
    keys: &KeyRing,
    issuer: Option<&str>,
    audience: Option<&str>,
) -> Result<usize, TokenError> {
    // The random ids are 16 bytes in base64url: 22 characters.
    let id = "A".repeat(22);
    let session_id = SessionId::new(id.clone());
    let content = TokenContent {
        kind: TokenKind::Access,
        subject: "x",
        session_id: &session_id,
        token_id: &id,
        issued_at: MAX_TIMESTAMP,
        expires_at: MAX_TIMESTAMP,
        custom: &Map::new(),
    };
    encode(keys, issuer, audience, &content).map(|token| token.len())
}

fn encode(
    keys: &KeyRing,
    issuer: Option<&str>,
    audience: Option<&str>,
    content: &TokenContent<'_>,
) -> Result<String, TokenError> {
    let (kid, algorithm, key) = keys.signing_key();
    let mut header = Header::new(algorithm);
    header.typ = Some(content.kind.typ().to_owned());
    header.kid = Some(kid.to_owned());

    let mut claims = content.custom.clone();
    claims.insert("sub".into(), content.subject.into());
    claims.insert("sid".into(), content.session_id.as_str().into());
    claims.insert("jti".into(), content.token_id.into());
    claims.insert("iat".into(), content.issued_at.into());
    claims.insert("exp".into(), content.expires_at.into());
    if let Some(issuer) = issuer {
        claims.insert("iss".into(), issuer.into());
    }
    if let Some(audience) = audience {
        claims.insert("aud".into(), audience.into());
    }
    jsonwebtoken::encode(&header, &claims, key).map_err(|_| TokenError::Encoding)
}

/// Verifies a token of the given kind at Unix time `now`.
///
/// `extra_expiry` widens the `exp` check beyond the leeway; it is zero everywhere but logout,
/// which accepts a recently expired access token.
pub(crate) fn verify(
    config: &JwtConfig,
    keys: &KeyRing,
    token: &str,
    kind: TokenKind,
    now: i64,
    extra_expiry: i64,
) -> Result<VerifiedToken, TokenError> {
    if token.len() > config.max_token_bytes {
        return Err(TokenError::TooLarge);
    }
    let [header_b64, payload_b64, signature_b64] = segments(token)?;
    if header_b64.len() > MAX_HEADER_SEGMENT {
        return Err(TokenError::Malformed);
    }

    let header_bytes = decode_segment(header_b64)?;
    let header = parts::header(&header_bytes).ok_or(TokenError::Malformed)?;
    if header.crit {
        return Err(TokenError::CriticalHeader);
    }
    let kid = header.kid.as_str().ok_or(TokenError::UnknownKey)?;
    let key = keys.verification_key(kid).ok_or(TokenError::UnknownKey)?;
    let alg = header.alg.as_str().ok_or(TokenError::Malformed)?;
    if alg.parse::<Algorithm>().ok() != Some(key.algorithm) {
        return Err(TokenError::AlgorithmMismatch);
    }
    let signed = &token[..header_b64.len() + 1 + payload_b64.len()];
    let verified =
        jsonwebtoken::crypto::verify(signature_b64, signed.as_bytes(), &key.key, key.algorithm);
    if !matches!(verified, Ok(true)) {
        return Err(TokenError::BadSignature);
    }
    let typ = header.typ.as_str().ok_or(TokenError::WrongKind)?;
    if !typ_matches(typ, kind) {
        return Err(TokenError::WrongKind);
    }

    let claims = decode_segment(payload_b64)
        .ok()
        .and_then(|bytes| parts::claims(&bytes))
        .ok_or(TokenError::InvalidClaims)?;
    let subject = claims.sub.ok_or(TokenError::InvalidClaims)?;
    let session_id = claims.sid.ok_or(TokenError::InvalidClaims)?;
    let token_id = claims.jti.ok_or(TokenError::InvalidClaims)?;
    let issued_at = claims.iat.ok_or(TokenError::InvalidClaims)?;
    let expires_at = claims.exp.ok_or(TokenError::InvalidClaims)?;
    let not_before = claims.nbf;
    let issuer = claims.iss;
    let audience = claims.aud;

    let leeway = config.leeway.whole_seconds();
    if now
        >= expires_at
            .saturating_add(leeway)
            .saturating_add(extra_expiry)
    {
        return Err(TokenError::Expired);
    }
    if not_before.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(TokenError::NotYetValid);
    }
    if issued_at > now.saturating_add(leeway) {
        return Err(TokenError::IssuedInFuture);
    }
    if let Some(expected) = &config.issuer
        && issuer.as_deref() != Some(expected.as_str())
    {
        return Err(TokenError::WrongIssuer);
    }
    let audiences = match &audience {
        None => Vec::new(),
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many
            .iter()
            .map(|item| item.as_str().ok_or(TokenError::InvalidClaims))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(TokenError::InvalidClaims),
    };
    if let Some(expected) = &config.audience
        && !audiences.contains(&expected.as_str())
    {
        return Err(TokenError::WrongAudience);
    }

    Ok(VerifiedToken {
        subject,
        session_id: SessionId::new(session_id),
        token_id,
        issued_at,
        not_before,
        expires_at,
        rest: claims.rest,
    })
}

/// Whether every byte is of the base64url alphabet.
///
/// Every byte of every token presented passes through here, so it is written without an
/// early exit and with comparisons only, which the compiler turns into a check of many bytes
/// per instruction.
/// The three segments of a compact JWS, each non-empty base64url (no padding), or
/// `Malformed`.
pub(crate) fn segments(token: &str) -> Result<[&str; 3], TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let segments = [header, payload, signature];
    if segments
        .iter()
        .any(|segment| segment.is_empty() || !is_base64url(segment))
    {
        return Err(TokenError::Malformed);
    }
    Ok(segments)
}

pub(crate) fn is_base64url(segment: &str) -> bool {
    segment.bytes().fold(true, |all, b| {
        // Setting bit 5 maps exactly the ASCII letters, upper and lower, onto `a..=z`.
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        let digit = b.wrapping_sub(b'0') < 10;
        all & (letter | digit | (b == b'-') | (b == b'_'))
    })
}

fn decode_segment(segment: &str) -> Result<Vec<u8>, TokenError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenError::Malformed)
}

/// `typ` compares as a media type: case-insensitive, `application/` optional (RFC 7515 4.1.9).
fn typ_matches(typ: &str, kind: TokenKind) -> bool {
    let expected = kind.typ();
    let bare = match typ.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &typ[12..],
        _ => typ,
    };
    bare.eq_ignore_ascii_case(expected)
}

#[cfg(test)]
mod tests {
    use super::is_base64url;

    #[test]
    fn base64url_alphabet_is_exactly_letters_digits_dash_underscore() {
        for byte in 0..=u8::MAX {
            let expected = byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
            let text = [byte];
            let accepted = std::str::from_utf8(&text).is_ok_and(is_base64url);
            assert_eq!(accepted, expected, "byte {byte:#04x}");
        }
        assert!(is_base64url("eyJhbGciOiJIUzI1NiJ9-_"));
        assert!(!is_base64url("eyJhbGciOiJIUzI1NiJ9="));
        assert!(!is_base64url("abc def"));
        assert!(!is_base64url("abcé"));
    }
}
