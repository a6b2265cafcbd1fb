//! Where sessions live: one record per login, so refresh tokens can rotate and be revoked.
//!
//! Access tokens are checked without the store; refresh, logout and logout-all always use it,
//! and with `JWT_STRICT_LOGOUT` every authenticated request asks it whether the session is
//! still active. [`MemoryStore`] serves one process; the `redis` feature adds a store that many
//! processes share. Each operation below is atomic in both.

mod from_config;
mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::error::Error;

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

#[cfg(feature = "redis")]
pub use self::redis::{RedisCheck, RedisStore, RedisTls};
pub use from_config::{open_session_store, session_store_from_config};
pub use memory::MemoryStore;

use crate::claims::SessionId;

/// A session at login.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NewSession {
    /// The new session's id.
    pub session_id: SessionId,
    /// The user.
    pub subject: String,
    /// The `jti` of the refresh token issued with it.
    pub refresh_token_id: String,
    /// When the user logged in.
    pub created_at: OffsetDateTime,
    /// When the refresh token expires; the store may forget the session after that.
    pub expires_at: OffsetDateTime,
    /// `JWT_SESSION_MAX_AGE` after login, if set: no refresh succeeds from then on.
    pub deadline: Option<OffsetDateTime>,
}

impl NewSession {
    /// Describes a session; used by stores' tests and by custom login flows.
    pub fn new(
        session_id: SessionId,
        subject: String,
        refresh_token_id: String,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
        deadline: Option<OffsetDateTime>,
    ) -> Self {
        Self {
            session_id,
            subject,
            refresh_token_id,
            created_at,
            expires_at,
            deadline,
        }
    }
}

/// A refresh token presented to the refresh endpoint, after its signature and claims checked
/// out.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RefreshAttempt {
    /// The token's `sid`.
    pub session_id: SessionId,
    /// The token's `sub`.
    pub subject: String,
    /// The token's `jti`.
    pub token_id: String,
    /// The `jti` and expiry of the refresh token that replaces it, when rotating.
    pub replacement: Option<(String, OffsetDateTime)>,
    /// The current time.
    pub now: OffsetDateTime,
    /// How long a just-retired token may still buy an access token (`JWT_REFRESH_GRACE`).
    pub grace: Duration,
}

impl RefreshAttempt {
    /// Describes an attempt; used by stores' tests.
    pub fn new(
        session_id: SessionId,
        subject: String,
        token_id: String,
        replacement: Option<(String, OffsetDateTime)>,
        now: OffsetDateTime,
        grace: Duration,
    ) -> Self {
        Self {
            session_id,
            subject,
            token_id,
            replacement,
            now,
            grace,
        }
    }
}

/// What the store made of a [`RefreshAttempt`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refresh {
    /// The token was current and is now retired in favour of the replacement, which expires
    /// at the given time (no later than the session's deadline).
    Rotated {
        /// When the replacement refresh token expires.
        expires_at: OffsetDateTime,
    },
    /// The token is current and stays so (no replacement was asked for).
    Current {
        /// When the session's refresh token expires.
        expires_at: OffsetDateTime,
    },
    /// The token was retired less than the grace period ago. Nothing rotates: the client
    /// gets an access token and the session's current refresh token again, because the answer
    /// that carried it may never have arrived (a lost response, or a parallel tab).
    Grace {
        /// The `jti` of the session's current refresh token.
        current_token_id: String,
        /// When the session's refresh token expires.
        expires_at: OffsetDateTime,
    },
    /// The token was retired longer ago: someone replayed it. The session is now revoked.
    Reused,
    /// No such session, revoked, expired, past its deadline, or of another user.
    Invalid,
}

/// Failed logins counted under one key (see the login throttle, `JWT_LOGIN_MAX_FAILURES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureCount {
    /// Failures in the current window (0 when there is none).
    pub count: u32,
    /// When the current window ends and the count starts again from zero.
    pub window_ends: OffsetDateTime,
}

impl FailureCount {
    /// A count; used by stores.
    pub fn new(count: u32, window_ends: OffsetDateTime) -> Self {
        Self { count, window_ends }
    }
}

/// Why the store could not answer. Every variant becomes `503 Session store unavailable.`
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend could not be reached or failed.
    #[error("session store unavailable: {0}")]
    Unavailable(#[source] Box<dyn Error + Send + Sync>),
    /// The store holds as many sessions as it may.
    #[error("session store is full")]
    Full,
}

/// Session storage. Implementations must make each method atomic: of two concurrent
/// [`SessionStore::refresh`] calls with one token, at most one may return `Rotated`.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Records a new session.
    async fn create(&self, session: NewSession) -> Result<(), StoreError>;

    /// Checks a refresh token against its session and rotates it (compare-and-swap).
    async fn refresh(&self, attempt: RefreshAttempt) -> Result<Refresh, StoreError>;

    /// Revokes one session of `subject`; `false` if there was no such live session.
    async fn revoke(&self, session_id: &SessionId, subject: &str) -> Result<bool, StoreError>;

    /// Revokes every session of `subject`, returning how many there were.
    async fn revoke_all(&self, subject: &str) -> Result<usize, StoreError>;

    /// Is the session of `subject` live (not revoked, not expired, not past its deadline)?
    ///
    /// The subject is asked for as well as the id because a store may keep each user's
    /// sessions together (the Redis store does, so that a cluster keeps them in one slot);
    /// a session of another subject is not live.
    async fn is_active(
        &self,
        session_id: &SessionId,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// The failed logins counted under each of `keys` at `now`, in order: a key without a
    /// window running counts 0 (its `window_ends` is then `now`).
    async fn login_failures(
        &self,
        keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError>;

    /// Counts one failed login under each of `keys`. A key's window starts with its first
    /// failure and lasts `window`; after it, counting starts again from zero. Counters must
    /// be forgotten once their window ends, and stay bounded in number.
    async fn record_login_failure(
        &self,
        keys: &[String],
        window: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError>;

    /// Forgets the failures counted under `key` (a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError>;

    /// Claims `key` once: `true` the first time, `false` while an earlier claim of it lasts
    /// (until `until`), and `false` when `until` is not after `now`. The migration mode
    /// claims each Django refresh token it exchanges, until that token's expiry, so that no
    /// token buys two sessions, across processes too. Claims must be forgotten once they
    /// lapse, and stay bounded in number.
    async fn claim_once(
        &self,
        key: &str,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;
}
