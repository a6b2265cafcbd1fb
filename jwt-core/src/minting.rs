//! Minting tokens into `Set-Cookie` lines, and the random ids they carry.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::auth::JwtAuth;
use crate::claims::SessionId;
use crate::cookies::{self, CookieKind};
use crate::token::{self, TokenContent, TokenKind};

impl<C> JwtAuth<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// A fresh access token for the session, as its `Set-Cookie` line.
    pub(crate) fn access_cookie(
        &self,
        subject: &str,
        session_id: &SessionId,
        custom: &Map<String, Value>,
        now: OffsetDateTime,
    ) -> Option<String> {
        let config = &self.inner.config;
        let token_id = random_id()?;
        let expires = now + config.access_lifetime;
        let content = TokenContent {
            kind: TokenKind::Access,
            subject,
            session_id,
            token_id: &token_id,
            issued_at: now.unix_timestamp(),
            expires_at: expires.unix_timestamp(),
            custom,
        };
        let token = token::issue(config, &self.current_keys().ring, &content).ok()?;
        Some(cookies::set(
            config,
            CookieKind::Access,
            &token,
            config.access_lifetime,
        ))
    }

    /// The refresh token with the given id, as its `Set-Cookie` line.
    pub(crate) fn refresh_cookie(
        &self,
        subject: &str,
        session_id: &SessionId,
        token_id: &str,
        now: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Option<String> {
        let config = &self.inner.config;
        let empty = Map::new();
        let content = TokenContent {
            kind: TokenKind::Refresh,
            subject,
            session_id,
            token_id,
            issued_at: now.unix_timestamp(),
            expires_at: expires_at.unix_timestamp(),
            custom: &empty,
        };
        let token = token::issue(config, &self.current_keys().ring, &content).ok()?;
        // In whole seconds, as the token's `exp - iat`: the cookie lives exactly as the token.
        let max_age = Duration::seconds(expires_at.unix_timestamp() - now.unix_timestamp());
        Some(cookies::set(config, CookieKind::Refresh, &token, max_age))
    }
}

/// 128 random bits, base64url: session ids and token ids.
pub(crate) fn random_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => Some(URL_SAFE_NO_PAD.encode(bytes)),
        Err(_) => {
            tracing::error!(target: "jwt_core", "the operating system's random source failed");
            None
        }
    }
}
