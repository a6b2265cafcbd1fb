//! [`RedisStore`]: sessions in Redis, shared by every server process.

mod connection;
mod keys;

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use self::connection::RedisTls;
use self::connection::{Backend, LuaScript, RedisFailure};
use self::keys::KeyLayout;
use super::{FailureCount, NewSession, Refresh, RefreshAttempt, SessionStore, StoreError};
use crate::claims::SessionId;

const INSTANTS: &str = include_str!("redis/instants.lua");

static CREATE: LazyLock<LuaScript> =
    LazyLock::new(|| LuaScript::new([INSTANTS, include_str!("redis/create.lua")].concat()));
static REFRESH: LazyLock<LuaScript> =
    LazyLock::new(|| LuaScript::new([INSTANTS, include_str!("redis/refresh.lua")].concat()));
static FAILURE: LazyLock<LuaScript> =
    LazyLock::new(|| LuaScript::new([INSTANTS, include_str!("redis/failure.lua")].concat()));
static CLAIM: LazyLock<LuaScript> =
    LazyLock::new(|| LuaScript::new([INSTANTS, include_str!("redis/claim.lua")].concat()));
static REVOKE: LazyLock<LuaScript> =
    LazyLock::new(|| LuaScript::new(include_str!("redis/revoke.lua").to_owned()));
static REVOKE_ALL: LazyLock<LuaScript> =
    LazyLock::new(|| LuaScript::new(include_str!("redis/revoke_all.lua").to_owned()));

/// Sessions in Redis: many server processes, one set of sessions. Behind the `redis` feature;
/// `JWT_REDIS_URL` (one server, `redis://` or `rediss://`) or `JWT_REDIS_CLUSTER_URLS` (Redis
/// Cluster) selects it in [`session_store_from_config`](crate::session_store_from_config).
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
/// A refresh is one round trip to Redis (two the first time a node meets the script). There
/// is no overall capacity: Redis's own `maxmemory` is the bound. Run Redis with
/// `maxmemory-policy noeviction`, so that a full Redis refuses logins (`503`) rather than
/// silently evicting live sessions.
///
/// Keys, under a prefix (`jwt:` by default), with the user's subject as a Redis Cluster hash
/// tag (`%`, `{` and `}` in it percent-encoded, the empty subject written `%`):
/// - `<prefix>{<sub>}:session:<sid>`: a hash with the subject, the current refresh token id,
///   the previous one and when it was retired, created-at, expires-at and the deadline. It
///   expires with the session (and its expiry moves on rotation), so no clean-up job is
///   needed. Revocation deletes it.
/// - `<prefix>{<sub>}:user`: a sorted set of the user's session ids, scored by when each
///   ends, for logout-all and the per-user bound. Ended members are trimmed on every login
///   and rotation, and the set expires with its last member.
///
/// - `<prefix>{claim:<key>}`: a one-time claim ([`SessionStore::claim_once`]): the instant it
///   lapses, by the application's clock, in a key that expires then.
/// - `<prefix>{throttle:<counter>}`: a failed-login counter of the login throttle, a hash of
///   the count and the end of its window, expiring with the window.
///
/// Every key of one user hashes to one slot, so every script touches one slot and runs
/// whole on one node of a cluster, atomically, as on a single server. Sessions are looked
/// up by subject and session id together (both are in every token).
///
/// Every time decision uses the `now` the engine passes (its [`Clock`](crate::Clock)), never
/// the Redis server's time; key lifetimes are the remaining time by that clock, in real
/// milliseconds.
///
/// Connection and failure:
/// - The store connects lazily, on first use, and reconnects by itself (a
///   [`ConnectionManager`](redis::aio::ConnectionManager) for one server; the cluster client,
///   which follows `MOVED`/`ASK` redirections and re-reads the slot map when a replica is
///   promoted, for a cluster). So an application starts while Redis is down (session
///   endpoints answer `503` until it is back) and recovers without a restart.
/// - Every operation is bounded (two seconds by default, [`RedisStore::with_timeout`]): an
///   unreachable Redis, or a cluster slot without a master, gives
///   [`StoreError::Unavailable`] (`503` with `Retry-After`), never a hang. In a cluster, the
///   users whose slots are served go on while the others wait for a master. One caveat from
///   the cluster client: while it reconnects to a node it holds back every request, so a
///   node that neither answers nor refuses (a partition rather than a crash) can delay other
///   users too, for up to a quarter of the timeout per reconnection attempt.
/// - A call the cluster client retries after a dropped connection may run its script twice.
///   Login, logout and logout-all are safe to repeat; a repeated rotation finds the token
///   just retired and answers [`Refresh::Grace`] with the same replacement, as long as
///   `JWT_REFRESH_GRACE` is above zero (with no grace at all it counts as reuse and ends the
///   session, the safe side).
/// - `rediss://` verifies the server against the system's roots, or the CA of
///   [`RedisTls::with_ca_pem`]; a certificate that does not verify never falls back to
///   plain TCP. [`RedisStore::check`] tells a certificate failure apart from an outage, for
///   start-up checks.
pub struct RedisStore {
    backend: Backend,
    keys: KeyLayout,
    per_user: usize,
    timeout: StdDuration,
}

impl From<RedisFailure> for StoreError {
    fn from(failure: RedisFailure) -> Self {
        StoreError::Unavailable(Box::new(failure))
    }
}

impl fmt::Debug for RedisStore {
    // The URLs may carry a password: leave them out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("cluster", &self.backend.is_cluster())
            .field("key_prefix", &self.keys.prefix())
            .field("per_user", &self.per_user)
            .field("timeout", &self.timeout)
            .field("connected", &self.backend.is_connected())
            .finish_non_exhaustive()
    }
}

/// What a start-up check of a [`RedisStore`] found.
#[derive(Debug)]
#[non_exhaustive]
pub enum RedisCheck {
    /// Redis answered.
    Reachable,
    /// Redis could not be reached (or a cluster node did not answer); the store connects
    /// once it can.
    Unreachable(StoreError),
    /// A TLS certificate did not verify: the server's against the trusted roots, or ours at
    /// the server. Waiting does not fix this.
    CertificateRejected(StoreError),
}

impl RedisStore {
    /// A store for the server at `url` (`redis://host:port/db`, `rediss://host:port/db` over
    /// TLS verified against the system's roots, `redis+unix:///path`), with the key prefix
    /// `jwt:`, at most 100 sessions per user and a two-second bound per operation.
    ///
    /// Only the URL is checked here; the connection is made on first use.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Ok(Self::with_backend(
            Backend::single(url, None).map_err(RedisFailure::Redis)?,
        ))
    }

    /// A store for the server at `url` (`rediss://`) with TLS settings of its own: a private
    /// CA, a client certificate.
    pub fn open_with_tls(url: &str, tls: &RedisTls) -> Result<Self, StoreError> {
        Ok(Self::with_backend(
            Backend::single(url, Some(tls)).map_err(RedisFailure::Redis)?,
        ))
    }

    /// A store for the Redis Cluster that the seed nodes `urls` belong to (all `redis://` or
    /// all `rediss://`; `tls` applies to every node).
    ///
    /// The bound per operation is given here too, because the cluster client's own
    /// connection and response timeouts are derived from it.
    pub fn open_cluster(
        urls: &[&str],
        tls: Option<&RedisTls>,
        timeout: StdDuration,
    ) -> Result<Self, StoreError> {
        let backend = Backend::cluster(urls, tls, timeout).map_err(RedisFailure::Redis)?;
        Ok(Self::with_backend(backend).with_timeout(timeout))
    }

    fn with_backend(backend: Backend) -> Self {
        Self {
            backend,
            keys: KeyLayout::new("jwt:"),
            per_user: 100,
            timeout: StdDuration::from_secs(2),
        }
    }

    /// Puts every key under `prefix` instead of `jwt:` (several applications, one Redis).
    /// A `{` or `}` in it is percent-encoded, so that it cannot take the place of the hash
    /// tag.
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.keys = KeyLayout::new(&prefix.into());
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

    /// Asks Redis for a `PONG` (every node of a cluster): connects if not yet connected.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _pong: redis::Value = self
            .backend
            .query(&redis::cmd("PING"), self.timeout)
            .await?;
        Ok(())
    }

    /// A start-up check: [`RedisStore::ping`], telling a certificate that does not verify
    /// (a configuration error) apart from a Redis that is not up yet (which heals).
    pub async fn check(&self) -> RedisCheck {
        match self
            .backend
            .query::<redis::Value>(&redis::cmd("PING"), self.timeout)
            .await
        {
            Ok(_) => RedisCheck::Reachable,
            Err(failure) if failure.is_certificate_rejection() => {
                RedisCheck::CertificateRejected(failure.into())
            }
            Err(failure) => RedisCheck::Unreachable(failure.into()),
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
        let subject = &session.subject;
        let keys = [
            self.keys.session(subject, &session.session_id),
            self.keys.user(subject),
        ];
        let args = [
            session.session_id.as_str().to_owned(),
            subject.clone(),
            session.refresh_token_id.clone(),
            instant(session.created_at),
            instant(session.expires_at),
            session.deadline.map(instant).unwrap_or_default(),
            self.per_user.to_string(),
            self.keys.session_prefix(subject),
        ];
        let _created: i64 = self
            .backend
            .run_script(&CREATE, &keys, &args, self.timeout)
            .await?;
        Ok(())
    }

    async fn refresh(&self, attempt: RefreshAttempt) -> Result<Refresh, StoreError> {
        let grace_start = attempt.now - attempt.grace;
        let (next_id, next_expires) = match &attempt.replacement {
            Some((id, expires)) => (id.clone(), instant(*expires)),
            None => (String::new(), String::new()),
        };
        let subject = &attempt.subject;
        let keys = [
            self.keys.session(subject, &attempt.session_id),
            self.keys.user(subject),
        ];
        let args = [
            subject.clone(),
            attempt.token_id.clone(),
            instant(attempt.now),
            instant(grace_start),
            next_id,
            next_expires,
            attempt.session_id.as_str().to_owned(),
        ];
        let reply: Vec<String> = self
            .backend
            .run_script(&REFRESH, &keys, &args, self.timeout)
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
        let keys = [
            self.keys.session(subject, session_id),
            self.keys.user(subject),
        ];
        let args = [subject.to_owned(), session_id.as_str().to_owned()];
        let ended: i64 = self
            .backend
            .run_script(&REVOKE, &keys, &args, self.timeout)
            .await?;
        Ok(ended == 1)
    }

    async fn revoke_all(&self, subject: &str) -> Result<usize, StoreError> {
        let keys = [self.keys.user(subject)];
        let args = [subject.to_owned(), self.keys.session_prefix(subject)];
        let ended: usize = self
            .backend
            .run_script(&REVOKE_ALL, &keys, &args, self.timeout)
            .await?;
        Ok(ended)
    }

    async fn is_active(
        &self,
        session_id: &SessionId,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut command = redis::cmd("HMGET");
        command
            .arg(self.keys.session(subject, session_id))
            .arg("sub")
            .arg("expires")
            .arg("deadline");
        let (owner, expires, deadline): (Option<String>, Option<String>, Option<String>) =
            self.backend.query(&command, self.timeout).await?;
        let (Some(owner), Some(expires)) = (owner, expires) else {
            return Ok(false);
        };
        if owner != subject {
            return Ok(false);
        }
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
            command
                .arg(self.keys.throttle(key))
                .arg("count")
                .arg("ends");
            async move {
                let (count, ends): (Option<u32>, Option<String>) =
                    self.backend.query(&command, self.timeout).await?;
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
        let counts = keys.iter().map(|key| async move {
            let keys = [self.keys.throttle(key)];
            let args = [instant(now), instant(now + window)];
            let (count, ends): (u32, String) = self
                .backend
                .run_script(&FAILURE, &keys, &args, self.timeout)
                .await?;
            Ok::<_, StoreError>(FailureCount::new(count, parse_instant(&ends)?))
        });
        futures_util::future::try_join_all(counts).await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        let mut command = redis::cmd("DEL");
        command.arg(self.keys.throttle(key));
        let _deleted: i64 = self.backend.query(&command, self.timeout).await?;
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
        let keys = [self.keys.claim(key)];
        let args = [instant(now), instant(until)];
        let claimed: i64 = self
            .backend
            .run_script(&CLAIM, &keys, &args, self.timeout)
            .await?;
        Ok(claimed == 1)
    }
}
