//! [`RedisStore`]: sessions in Redis, shared by every server process.

use std::fmt;
use std::future::Future;
use std::sync::LazyLock;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError, RedisResult, Script};
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use super::{FailureCount, NewSession, Refresh, RefreshAttempt, SessionStore, StoreError};
use crate::claims::SessionId;

const INSTANTS: &str = include_str!("redis/instants.lua");

static CREATE: LazyLock<Script> =
    LazyLock::new(|| Script::new(&[INSTANTS, include_str!("redis/create.lua")].concat()));
static REFRESH: LazyLock<Script> =
    LazyLock::new(|| Script::new(&[INSTANTS, include_str!("redis/refresh.lua")].concat()));
static FAILURE: LazyLock<Script> =
    LazyLock::new(|| Script::new(&[INSTANTS, include_str!("redis/failure.lua")].concat()));
static CLAIM: LazyLock<Script> =
    LazyLock::new(|| Script::new(&[INSTANTS, include_str!("redis/claim.lua")].concat()));
static REVOKE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("redis/revoke.lua")));
static REVOKE_ALL: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("redis/revoke_all.lua")));

/// Sessions in Redis: many server processes, one set of sessions. Behind the `redis` feature;
/// `JWT_REDIS_URL` selects it in [`session_store_from_config`](crate::session_store_from_config).
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, RedisStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder()
///     .secret("an example secret of at least 32 bytes")
///     .build()?;
/// // Nothing connects yet: the first session operation does.
/// let store = RedisStore::open("redis://127.0.0.1:6379/")?.with_key_prefix("shop:");
/// let auth = JwtAuth::builder(config, MemoryAuthenticator::<NoClaims>::new())
///     .store(store)
///     .build();
/// # let _ = auth;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Semantics are those of [`MemoryStore`](crate::MemoryStore): the same outcomes for the same
/// calls, the same per-user bound (100 sessions by default, the oldest login ending first).
/// Each operation is one Lua script, so rotation is a compare-and-swap that two processes
/// racing on one refresh token cannot both win, and reuse detection and revocation are atomic.
/// There is no overall capacity: Redis's own `maxmemory` is the bound. Run Redis with
/// `maxmemory-policy noeviction`, so that a full Redis refuses logins (`503`) rather than
/// silently evicting live sessions.
///
/// Keys, under a prefix (`jwt:` by default):
/// - `<prefix>session:<sid>`: a hash with the subject, the current refresh token id, the
///   previous one and when it was retired, created-at, expires-at and the deadline. It expires
///   with the session (and its expiry moves on rotation), so no clean-up job is needed.
///   Revocation deletes it.
/// - `<prefix>user:<sub>`: a sorted set of the user's session ids, scored by when each ends,
///   for logout-all. Ended members are trimmed on every login and rotation, and the set
///   expires with its last member.
/// - `<prefix>claim:<key>`: a one-time claim ([`SessionStore::claim_once`]): the instant it
///   lapses, by the application's clock, in a key that expires then. One key per claim, so
///   claims work on Redis Cluster too.
///
/// Every time decision uses the `now` the engine passes (its [`Clock`](crate::Clock)), never
/// the Redis server's time; key lifetimes are the remaining time by that clock, in real
/// milliseconds.
///
/// Connection and failure:
/// - The store connects lazily, on first use, through a [`ConnectionManager`] that reconnects
///   by itself. So an application starts while Redis is down (session endpoints answer `503`
///   until it is back) and recovers without a restart.
/// - Every operation is bounded (two seconds by default, [`RedisStore::with_timeout`]): an
///   unreachable Redis gives [`StoreError::Unavailable`], never a hang. The request that
///   first meets a dropped connection fails; the ones after it use a new connection.
/// - A single Redis server (or a primary with replicas) is supported, not Redis Cluster: the
///   scripts touch keys of several hash slots. `rediss://` (TLS) needs a build of the `redis`
///   crate with a TLS feature; without it [`RedisStore::open`] fails with a clear error.
pub struct RedisStore {
    client: Client,
    connection: OnceCell<ConnectionManager>,
    key_prefix: String,
    per_user: usize,
    timeout: StdDuration,
}

/// Why a Redis operation failed; boxed into [`StoreError::Unavailable`].
#[derive(Debug, thiserror::Error)]
enum RedisFailure {
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
    #[error("no answer from redis within {0:?}")]
    Timeout(StdDuration),
    #[error("unexpected reply from redis: {0}")]
    Reply(&'static str),
}

impl From<RedisFailure> for StoreError {
    fn from(failure: RedisFailure) -> Self {
        StoreError::Unavailable(Box::new(failure))
    }
}

impl fmt::Debug for RedisStore {
    // The URL may carry a password: leave it out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("key_prefix", &self.key_prefix)
            .field("per_user", &self.per_user)
            .field("timeout", &self.timeout)
            .field("connected", &self.connection.initialized())
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store for the server at `url` (`redis://host:port/db`, `redis+unix:///path`), with the
    /// key prefix `jwt:`, at most 100 sessions per user and a two-second bound per operation.
    ///
    /// Only the URL is checked here; the connection is made on first use.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(RedisFailure::Redis)?;
        Ok(Self {
            client,
            connection: OnceCell::new(),
            key_prefix: "jwt:".to_owned(),
            per_user: 100,
            timeout: StdDuration::from_secs(2),
        })
    }

    /// Puts every key under `prefix` instead of `jwt:` (several applications, one Redis).
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// Keeps at most `per_user` sessions per user (at least 1); a login beyond that ends the
    /// user's oldest session.
    #[must_use]
    pub fn with_per_user_limit(mut self, per_user: usize) -> Self {
        self.per_user = per_user.max(1);
        self
    }

    /// Bounds every operation, connecting included (default two seconds).
    #[must_use]
    pub fn with_timeout(mut self, timeout: StdDuration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Asks Redis for a `PONG`: connects if not yet connected. For start-up checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let command = redis::cmd("PING");
        let _pong: String = self
            .bounded(|mut connection| {
                let command = &command;
                async move { command.query_async(&mut connection).await }
            })
            .await?;
        Ok(())
    }

    fn session_key(&self, session_id: &SessionId) -> String {
        format!("{}session:{}", self.key_prefix, session_id.as_str())
    }

    fn user_key(&self, subject: &str) -> String {
        format!("{}user:{subject}", self.key_prefix)
    }

    fn failure_key(&self, key: &str) -> String {
        format!("{}throttle:{key}", self.key_prefix)
    }

    fn claim_key(&self, key: &str) -> String {
        format!("{}claim:{key}", self.key_prefix)
    }

    fn session_prefix(&self) -> String {
        format!("{}session:", self.key_prefix)
    }

    async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        // Each reconnection is a single attempt (no backoff inside the manager): the next
        // request starts the next attempt, and each request is bounded by `timeout` anyway.
        let half = self.timeout / 2;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(half)
            .set_response_timeout(half);
        self.connection
            .get_or_try_init(|| ConnectionManager::new_with_config(self.client.clone(), config))
            .await
            .cloned()
    }

    /// Runs `operation` on the shared connection within `timeout`.
    async fn bounded<T, F, Fut>(&self, operation: F) -> Result<T, StoreError>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempt = async {
            let mut retried = false;
            loop {
                let outcome = match self.connection().await {
                    Ok(connection) => operation(connection).await,
                    Err(error) => Err(error),
                };
                match outcome {
                    // A refused connection means nothing was sent, so trying again cannot run
                    // a script twice; and the manager has just started a fresh connection
                    // attempt, which succeeds if Redis is back.
                    Err(error) if error.is_connection_refusal() && !retried => retried = true,
                    other => return other,
                }
            }
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(outcome) => outcome.map_err(|error| RedisFailure::Redis(error).into()),
            Err(_) => Err(RedisFailure::Timeout(self.timeout).into()),
        }
    }
}

/// An instant as the scripts read it: Unix nanoseconds in exactly 20 digits (instants before
/// 1970 count as 1970).
fn instant(at: OffsetDateTime) -> String {
    let nanos = at
        .unix_timestamp_nanos()
        .clamp(0, 99_999_999_999_999_999_999);
    format!("{nanos:020}")
}

fn parse_instant(text: &str) -> Result<OffsetDateTime, RedisFailure> {
    text.parse::<i128>()
        .ok()
        .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
        .ok_or(RedisFailure::Reply("an instant that is not one"))
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn create(&self, session: NewSession) -> Result<(), StoreError> {
        let mut invocation = CREATE.prepare_invoke();
        invocation
            .key(self.session_key(&session.session_id))
            .key(self.user_key(&session.subject))
            .arg(session.session_id.as_str())
            .arg(&session.subject)
            .arg(&session.refresh_token_id)
            .arg(instant(session.created_at))
            .arg(instant(session.expires_at))
            .arg(session.deadline.map(instant).unwrap_or_default())
            .arg(self.per_user)
            .arg(self.session_prefix());
        let _created: i64 = self
            .bounded(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok(())
    }

    async fn refresh(&self, attempt: RefreshAttempt) -> Result<Refresh, StoreError> {
        let grace_start = attempt.now - attempt.grace;
        let (next_id, next_expires) = match &attempt.replacement {
            Some((id, expires)) => (id.as_str(), instant(*expires)),
            None => ("", String::new()),
        };
        let mut invocation = REFRESH.prepare_invoke();
        invocation
            .key(self.session_key(&attempt.session_id))
            .key(self.user_key(&attempt.subject))
            .arg(&attempt.subject)
            .arg(&attempt.token_id)
            .arg(instant(attempt.now))
            .arg(instant(grace_start))
            .arg(next_id)
            .arg(next_expires)
            .arg(attempt.session_id.as_str());
        let reply: Vec<String> = self
            .bounded(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        let outcome = match reply.as_slice() {
            [status] if status == "invalid" => Refresh::Invalid,
            [status, current, at] if status == "grace" => Refresh::Grace {
                current_token_id: current.clone(),
                expires_at: parse_instant(at)?,
            },
            [status] if status == "reused" => Refresh::Reused,
            [status, at] if status == "current" => Refresh::Current {
                expires_at: parse_instant(at)?,
            },
            [status, at] if status == "rotated" => Refresh::Rotated {
                expires_at: parse_instant(at)?,
            },
            _ => return Err(RedisFailure::Reply("unknown refresh outcome").into()),
        };
        Ok(outcome)
    }

    async fn revoke(&self, session_id: &SessionId, subject: &str) -> Result<bool, StoreError> {
        let mut invocation = REVOKE.prepare_invoke();
        invocation
            .key(self.session_key(session_id))
            .key(self.user_key(subject))
            .arg(subject)
            .arg(session_id.as_str());
        let ended: i64 = self
            .bounded(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok(ended == 1)
    }

    async fn revoke_all(&self, subject: &str) -> Result<usize, StoreError> {
        let mut invocation = REVOKE_ALL.prepare_invoke();
        invocation
            .key(self.user_key(subject))
            .arg(subject)
            .arg(self.session_prefix());
        let ended: usize = self
            .bounded(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok(ended)
    }

    async fn is_active(
        &self,
        session_id: &SessionId,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut command = redis::cmd("HMGET");
        command
            .arg(self.session_key(session_id))
            .arg("expires")
            .arg("deadline");
        let (expires, deadline): (Option<String>, Option<String>) = self
            .bounded(|mut connection| {
                let command = &command;
                async move { command.query_async(&mut connection).await }
            })
            .await?;
        let Some(expires) = expires else {
            return Ok(false);
        };
        let deadline = match deadline.as_deref() {
            None | Some("") => None,
            Some(text) => Some(parse_instant(text)?),
        };
        Ok(now < parse_instant(&expires)? && deadline.is_none_or(|deadline| now < deadline))
    }

    async fn login_failures(
        &self,
        keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        // One read per counter, all sent at once: one round trip, and no command spans two
        // keys (their hash slots may differ on a cluster).
        let reads = keys.iter().map(|key| {
            let mut command = redis::cmd("HMGET");
            command.arg(self.failure_key(key)).arg("count").arg("ends");
            async move {
                let (count, ends): (Option<u32>, Option<String>) = self
                    .bounded(|mut connection| {
                        let command = &command;
                        async move { command.query_async(&mut connection).await }
                    })
                    .await?;
                let count = match (count, ends) {
                    (Some(count), Some(ends)) => {
                        let ends = parse_instant(&ends)?;
                        if now < ends {
                            FailureCount::new(count, ends)
                        } else {
                            FailureCount::new(0, now)
                        }
                    }
                    _ => FailureCount::new(0, now),
                };
                Ok::<_, StoreError>(count)
            }
        });
        futures_util::future::try_join_all(reads).await
    }

    async fn record_login_failure(
        &self,
        keys: &[String],
        window: time::Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        let counts = keys.iter().map(|key| {
            let mut invocation = FAILURE.prepare_invoke();
            invocation
                .key(self.failure_key(key))
                .arg(instant(now))
                .arg(instant(now + window));
            async move {
                let (count, ends): (u32, String) = self
                    .bounded(|mut connection| {
                        let invocation = &invocation;
                        async move { invocation.invoke_async(&mut connection).await }
                    })
                    .await?;
                Ok::<_, StoreError>(FailureCount::new(count, parse_instant(&ends)?))
            }
        });
        futures_util::future::try_join_all(counts).await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        let mut command = redis::cmd("DEL");
        command.arg(self.failure_key(key));
        let _deleted: i64 = self
            .bounded(|mut connection| {
                let command = &command;
                async move { command.query_async(&mut connection).await }
            })
            .await?;
        Ok(())
    }

    async fn claim_once(
        &self,
        key: &str,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        if until <= now {
            return Ok(false);
        }
        let mut invocation = CLAIM.prepare_invoke();
        invocation
            .key(self.claim_key(key))
            .arg(instant(now))
            .arg(instant(until));
        let claimed: i64 = self
            .bounded(|mut connection| {
                let invocation = &invocation;
                async move { invocation.invoke_async(&mut connection).await }
            })
            .await?;
        Ok(claimed == 1)
    }
}
