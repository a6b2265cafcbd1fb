//! The migration mode: sessions of the Django package `django-jwt-auth-middleware` carried
//! over without logging anyone out.
//!
//! Off unless `JWT_DJANGO_SECRET_KEY` names the Django project's `SECRET_KEY`. While on:
//! - At the refresh endpoint, a Django refresh token is exchanged, once, for a new session of
//!   this library: the answer is the refresh endpoint's `200 {"message": "Access token
//!   refreshed."}` with both of our cookies, set as a login sets them. The same Django token
//!   presented again is refused (`403`, as any bad refresh token): its `sec` is claimed in
//!   the session store ([`SessionStore::claim_once`](crate::SessionStore::claim_once)) until
//!   the token's `exp`, so the refusal holds across processes sharing a Redis store. Only a
//!   SHA-256 digest of `sec` is stored.
//! - The middleware ([`JwtAuth::authenticate`], which every adapter calls) also accepts a
//!   Django access token, from the header or the access cookie (whose `"Bearer <jwt>"` form
//!   the cookie reader understands), as a principal for the user the authenticator maps its
//!   `user` claim to ([`Authenticator::migrated_identity`](crate::Authenticator::migrated_identity)).
//!   That principal's `session_id` is [`DJANGO_SESSION`] and its `token_id` `django:` and a
//!   digest of the token's `sec`: it has no session here, so
//!   `JWT_STRICT_LOGOUT` has none to look up, and logging out with it alone answers `401`.
//!   [`JwtAuth::verify_request`] and [`JwtAuth::verify_access_token`] stay synchronous and
//!   do not ask the authenticator, so they accept our tokens only.
//! - Django tokens are never minted, and everything set is ours: cookie names and
//!   attributes, the cross-origin check on the exchange (an unsafe request), the size cap.
//!
//! A token is tried as a Django token only when it fails our verification because it names
//! no key of ours (`kid`); the Django verifier itself refuses any `kid`. So a token of ours
//! fails exactly as it did without the mode, and a Django token never reaches our keys.
//!
//! Django token verification, in order: the size cap (`JWT_MAX_TOKEN_BYTES`) before any
//! decoding; `JWT_DJANGO_UNTIL` not passed; three base64url segments; a header that is a JSON
//! object with unique names holding `alg` = `HS256` exactly and at most `typ` = `JWT`
//! besides (so no `kid`, `crit` or header-supplied key); the HS256 signature with the Django
//! key; claims that are a JSON object of exactly `iat`, `exp` (integer `NumericDate`s),
//! `user`, `tok` and `sec` (non-empty strings); `tok` of the expected kind (`access` strictly
//! for requests: the Django package's middleware took refresh tokens as access tokens, this
//! one does not); `exp` and `iat` against the engine's clock with `JWT_LEEWAY`.
//!
//! `JWT_DJANGO_UNTIL` (a date: through that day, UTC; or an RFC 3339 instant) ends the mode
//! without a restart: from then on every Django token is refused, and the first refusal logs
//! (once per configuration) that the setting can be removed.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use crate::auth::JwtAuth;
use crate::authentication::{AuthRejection, Authentication};
use crate::claims::{Principal, SessionId};
use crate::config::JwtConfig;
use crate::cookies::{self, CookieKind};
use crate::csrf;
use crate::events::AuthEvent;
use crate::reply::{Message, Reply};
use crate::request::{Presented, RequestHead, TokenSource};
use crate::strict_json;
use crate::token::{self, MAX_TIMESTAMP, TokenError};

/// The `session_id` of a principal authenticated by a Django access token, which belongs to
/// no session of this library. None of ours can be equal: ours are 22 base64url characters.
pub const DJANGO_SESSION: &str = "django";

/// The migration mode's settings, held by [`JwtConfig`].
#[derive(Clone)]
pub(crate) struct DjangoMigration {
    key: DecodingKey,
    until: Option<OffsetDateTime>,
    /// Whether the end of the mode was logged already.
    end_logged: Arc<AtomicBool>,
}

impl fmt::Debug for DjangoMigration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DjangoMigration")
            .field("secret_key", &"[redacted]")
            .field("until", &self.until)
            .finish()
    }
}

impl DjangoMigration {
    pub(crate) fn new(
        secret_key: &[u8],
        until: Option<OffsetDateTime>,
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        crate::crypto_backend::install();
        Ok(Self {
            key: DecodingKey::from_secret(secret_key)?,
            until,
            end_logged: Arc::new(AtomicBool::new(false)),
        })
    }

    pub(crate) fn until(&self) -> Option<OffsetDateTime> {
        self.until
    }

    /// Whether `JWT_DJANGO_UNTIL` has passed at `now`; the first time it has, says so.
    fn has_ended(&self, now: i64) -> bool {
        let ended = self
            .until
            .is_some_and(|until| now >= until.unix_timestamp());
        if ended && !self.end_logged.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "jwt_core",
                "JWT_DJANGO_UNTIL has passed: Django tokens are refused; remove \
                 JWT_DJANGO_SECRET_KEY and JWT_DJANGO_UNTIL from the settings"
            );
        }
        ended
    }
}

/// The two kinds of Django token, told apart by the `tok` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DjangoKind {
    Access,
    Refresh,
}

impl DjangoKind {
    fn tok(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// The claims of a verified Django token.
struct DjangoToken {
    /// The Django primary key, as the token carries it.
    user: String,
    /// The per-token random value, never logged.
    sec: String,
    issued_at: i64,
    expires_at: i64,
}

/// Verifies a Django token of the given kind at Unix time `now`.
fn verify(
    config: &JwtConfig,
    migration: &DjangoMigration,
    token: &str,
    kind: DjangoKind,
    now: i64,
) -> Result<DjangoToken, TokenError> {
    if token.len() > config.max_token_bytes {
        return Err(TokenError::TooLarge);
    }
    if migration.has_ended(now) {
        return Err(TokenError::MigrationEnded);
    }
    let [header_b64, payload_b64, signature_b64] = token::segments(token)?;
    let header = decode_object(header_b64).ok_or(TokenError::Malformed)?;
    check_header(&header)?;
    let signed = &token[..header_b64.len() + 1 + payload_b64.len()];
    let verified = jsonwebtoken::crypto::verify(
        signature_b64,
        signed.as_bytes(),
        &migration.key,
        Algorithm::HS256,
    );
    if !matches!(verified, Ok(true)) {
        return Err(TokenError::BadSignature);
    }
    let claims = decode_object(payload_b64).ok_or(TokenError::InvalidClaims)?;
    let token = read_claims(&claims, kind)?;
    let leeway = config.leeway.whole_seconds();
    if now >= token.expires_at.saturating_add(leeway) {
        return Err(TokenError::Expired);
    }
    if token.issued_at > now.saturating_add(leeway) {
        return Err(TokenError::IssuedInFuture);
    }
    Ok(token)
}

fn decode_object(segment: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).ok()?;
    strict_json::parse_object(&bytes)
}

/// The Django package writes `{"alg": "HS256", "typ": "JWT"}` and nothing else.
fn check_header(header: &Map<String, Value>) -> Result<(), TokenError> {
    for (name, value) in header {
        match (name.as_str(), value) {
            ("alg", Value::String(alg)) if alg == "HS256" => {}
            ("alg", _) => return Err(TokenError::AlgorithmMismatch),
            ("typ", Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
            ("typ", _) => return Err(TokenError::WrongKind),
            ("kid", _) => return Err(TokenError::UnknownKey),
            ("crit", _) => return Err(TokenError::CriticalHeader),
            _ => return Err(TokenError::Malformed),
        }
    }
    if !header.contains_key("alg") {
        return Err(TokenError::Malformed);
    }
    Ok(())
}

/// Exactly the five claims the Django package writes, each of its JSON type.
fn read_claims(claims: &Map<String, Value>, kind: DjangoKind) -> Result<DjangoToken, TokenError> {
    const NAMES: [&str; 5] = ["iat", "exp", "user", "tok", "sec"];
    if claims.len() != NAMES.len() || !NAMES.iter().all(|name| claims.contains_key(*name)) {
        return Err(TokenError::InvalidClaims);
    }
    let text = |name: &str| match claims.get(name) {
        Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
        _ => Err(TokenError::InvalidClaims),
    };
    let date = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_i64)
            .filter(|seconds| (0..=MAX_TIMESTAMP).contains(seconds))
            .ok_or(TokenError::InvalidClaims)
    };
    let (issued_at, expires_at) = (date("iat")?, date("exp")?);
    let (user, tok, sec) = (text("user")?, text("tok")?, text("sec")?);
    if tok != kind.tok() {
        return Err(TokenError::WrongKind);
    }
    Ok(DjangoToken {
        user,
        sec,
        issued_at,
        expires_at,
    })
}

/// A digest of a token's `sec` ([`crate::crypto_backend::digest`]): what identifies a Django
/// token here, so that neither the store nor a principal holds token material.
fn sec_digest(sec: &str) -> String {
    // A backend that refused to digest would give every token one name: the second exchange of
    // any token would then be refused, the safe side.
    crate::crypto_backend::digest("jwt-core django migration: sec", sec.as_bytes())
        .unwrap_or_else(|| "undigested".to_owned())
}

/// The store key that marks a Django refresh token as exchanged.
fn claim_key(sec: &str) -> String {
    format!("django-refresh:{}", sec_digest(sec))
}

impl<C> JwtAuth<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// The refresh endpoint's answer to a token that names no key of ours, with the mode on:
    /// a new session for a Django refresh token presented for the first time, `403`
    /// otherwise. The method and cross-origin checks have passed already.
    pub(crate) async fn exchange_django(&self, token: &str) -> Reply {
        let config = &self.inner.config;
        let refused = || {
            Reply::message(Message::InvalidRefreshToken)
                .with_cookies([cookies::delete(config, CookieKind::Refresh)])
        };
        let Some(migration) = &config.django else {
            return refused();
        };
        let now = self.inner.clock.now();
        let django = match verify(
            config,
            migration,
            token,
            DjangoKind::Refresh,
            now.unix_timestamp(),
        ) {
            Ok(django) => django,
            Err(reason) => {
                tracing::debug!(target: "jwt_core", %reason, "refresh token rejected: not ours, nor a valid Django token");
                return refused();
            }
        };
        let identity = match self
            .inner
            .authenticator
            .migrated_identity(&django.user)
            .await
        {
            Ok(Some(identity)) => identity,
            Ok(None) => {
                tracing::debug!(target: "jwt_core", "Django refresh token of an unknown or inactive user");
                return refused();
            }
            Err(error) => {
                tracing::error!(target: "jwt_core", %error, "authenticator failed during a Django exchange");
                return Reply::message(Message::AuthenticatorUnavailable);
            }
        };
        let leeway = config.leeway.whole_seconds();
        let Ok(until) =
            OffsetDateTime::from_unix_timestamp(django.expires_at.saturating_add(leeway))
        else {
            return refused();
        };
        match self
            .inner
            .store
            .claim_once(&claim_key(&django.sec), until, now)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                self.emit(AuthEvent::DjangoReplayRefused {
                    subject: &identity.subject,
                });
                return refused();
            }
            Err(error) => {
                tracing::warn!(target: "jwt_core", %error, "session store unavailable during a Django exchange");
                return Reply::message(Message::StoreUnavailable);
            }
        }
        let (session_id, cookies) = match self.start_session(&identity).await {
            Ok(started) => started,
            Err(reply) => return reply,
        };
        self.emit(AuthEvent::DjangoSessionExchanged {
            subject: &identity.subject,
            session_id: &session_id,
        });
        Reply::message(Message::Refreshed).with_cookies(cookies)
    }

    /// With the mode on, what the middleware makes of a request whose access token failed
    /// our verification: a principal when it is a valid Django access token of a mapped
    /// user, `None` (keep the rejection) otherwise.
    pub(crate) async fn authenticate_django(
        &self,
        head: &RequestHead<'_>,
    ) -> Option<Authentication<C>> {
        let config = &self.inner.config;
        let migration = config.django.as_ref()?;
        let Presented::Token(token, source) = head.access_token() else {
            return None;
        };
        let now = self.inner.clock.now().unix_timestamp();
        let django = match verify(config, migration, token, DjangoKind::Access, now) {
            Ok(django) => django,
            Err(reason) => {
                tracing::debug!(target: "jwt_core", %reason, "access token rejected: not ours, nor a valid Django token");
                return None;
            }
        };
        let identity = match self
            .inner
            .authenticator
            .migrated_identity(&django.user)
            .await
        {
            Ok(Some(identity)) => identity,
            Ok(None) => return None,
            Err(error) => {
                tracing::error!(target: "jwt_core", %error, "authenticator failed on a Django access token");
                return None;
            }
        };
        if source == TokenSource::Cookie
            && config.csrf
            && csrf::is_unsafe(head.method)
            && csrf::is_cross_origin(head)
        {
            return Some(Authentication::Rejected(AuthRejection::CrossOrigin));
        }
        let (Ok(issued_at), Ok(expires_at)) = (
            OffsetDateTime::from_unix_timestamp(django.issued_at),
            OffsetDateTime::from_unix_timestamp(django.expires_at),
        ) else {
            return None;
        };
        let principal = Principal {
            subject: identity.subject,
            session_id: SessionId::new(DJANGO_SESSION.to_owned()),
            token_id: format!("django:{}", sec_digest(&django.sec)),
            issued_at,
            expires_at,
            claims: identity.claims,
        };
        Some(Authentication::Authenticated { principal, source })
    }
}
