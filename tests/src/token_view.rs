//! A JWT read without verifying it, so scenarios check what a server put into its tokens
//! (kind, subject, session, lifetimes) rather than comparing token strings.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::failure::{Failure, Outcome, ensure};

/// The decoded header and claims of a compact JWS.
#[derive(Debug, Clone)]
pub(crate) struct TokenView {
    pub(crate) header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
}

impl TokenView {
    /// Decodes the first two segments of `token`; the signature is left alone.
    pub(crate) fn decode(token: &str) -> Outcome<Self> {
        let segments: Vec<&str> = token.split('.').collect();
        ensure!(
            segments.len() == 3 && segments.iter().all(|segment| !segment.is_empty()),
            "token is not three non-empty dot-separated segments: {token:?}"
        );
        Ok(Self {
            header: decode_object(segments[0], "header")?,
            claims: decode_object(segments[1], "claims")?,
        })
    }

    pub(crate) fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub(crate) fn claim_i64(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    /// `sid`, which every token must carry.
    pub(crate) fn session_id(&self) -> Outcome<&str> {
        self.claim_str("sid")
            .ok_or_else(|| Failure::new("token has no string `sid` claim"))
    }

    /// `jti`, which every token must carry.
    pub(crate) fn token_id(&self) -> Outcome<&str> {
        self.claim_str("jti")
            .ok_or_else(|| Failure::new("token has no string `jti` claim"))
    }

    /// `exp - iat`, in seconds.
    pub(crate) fn lifetime(&self) -> Outcome<i64> {
        match (self.claim_i64("iat"), self.claim_i64("exp")) {
            (Some(iat), Some(exp)) => Ok(exp - iat),
            _ => Err(Failure::new("token lacks integer `iat` and `exp` claims")),
        }
    }
}

fn decode_object(segment: &str, part: &str) -> Outcome<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Failure::new(format!("token {part} is not unpadded base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(Failure::new(format!("token {part} is not a JSON object"))),
    }
}

/// Re-encodes a header and claims with the given signature segment, for tampered tokens.
pub(crate) fn encode_unsigned(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}
