use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use async_trait::async_trait;
use time::{Duration, OffsetDateTime};

use super::{FailureCount, NewSession, Refresh, RefreshAttempt, SessionStore, StoreError};
use crate::claims::SessionId;

/// Sessions in this process's memory: the default store.
///
/// Bounded: at most `capacity` sessions in all (100,000 by default; a login beyond that gets
/// 503 until sessions expire) and at most `per_user` per user (100 by default; a new login
/// beyond that ends the user's oldest session, so one account cannot fill the store).
/// Expired and revoked sessions are dropped, expired ones at most a minute after expiry (the
/// sweep runs on login).
///
/// One-time claims ([`SessionStore::claim_once`]) are bounded too (100,000): lapsed ones are
/// dropped when the bound is reached, and a claim beyond it with none lapsed fails.
///
/// Sessions are lost on restart and not shared between processes; use the Redis store for
/// either.
pub struct MemoryStore {
    state: Mutex<State>,
    capacity: usize,
    per_user: usize,
}

#[derive(Debug, Default)]
struct State {
    sessions: HashMap<SessionId, Record>,
    by_user: HashMap<String, HashSet<SessionId>>,
    next_sweep: Option<OffsetDateTime>,
    /// Failed-login counters: the count and when its window ends.
    failures: HashMap<String, (u32, OffsetDateTime)>,
    /// Keys claimed once, and until when.
    claims: HashMap<String, OffsetDateTime>,
}

#[derive(Debug)]
struct Record {
    subject: String,
    current: String,
    previous: Option<(String, OffsetDateTime)>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    deadline: Option<OffsetDateTime>,
}

impl Record {
    fn is_live(&self, now: OffsetDateTime) -> bool {
        now < self.expires_at && self.deadline.is_none_or(|deadline| now < deadline)
    }
}

const SWEEP_INTERVAL: Duration = Duration::minutes(1);

/// How many failed-login counters are kept at most. When full, ended windows go first, then
/// the windows closest to their end: a flood of made-up usernames cannot grow memory, and the
/// counters it pushes out are the ones about to lapse anyway.
const FAILURE_COUNTERS: usize = 100_000;

/// How many one-time claims are kept at most. When full, lapsed claims are dropped; if none
/// has lapsed, a new claim fails with [`StoreError::Full`] rather than forgetting one that
/// still protects a token from a second use.
const CLAIMS: usize = 100_000;

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

/// Counts only: a store of many sessions would flood a log line with every user's ids.
impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sessions = self.state.lock().map_or(0, |state| state.sessions.len());
        f.debug_struct("MemoryStore")
            .field("sessions", &sessions)
            .field("capacity", &self.capacity)
            .field("per_user", &self.per_user)
            .finish()
    }
}

impl MemoryStore {
    /// A store with the default bounds.
    pub fn new() -> Self {
        Self::with_limits(100_000, 100)
    }

    /// A store holding at most `capacity` sessions, and at most `per_user` per user.
    pub fn with_limits(capacity: usize, per_user: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            capacity: capacity.max(1),
            per_user: per_user.max(1),
        }
    }

    /// The number of sessions held, live or not yet swept.
    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    /// Whether the store holds no session.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a record half-written (every update is
        // a single assignment or removal), so a poisoned lock is still consistent.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl State {
    fn remove(&mut self, session_id: &SessionId) -> Option<Record> {
        let record = self.sessions.remove(session_id)?;
        if let Some(set) = self.by_user.get_mut(&record.subject) {
            set.remove(session_id);
            if set.is_empty() {
                self.by_user.remove(&record.subject);
            }
        }
        Some(record)
    }

    fn sweep(&mut self, now: OffsetDateTime) {
        let dead: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|(_, record)| !record.is_live(now))
            .map(|(id, _)| id.clone())
            .collect();
        for id in dead {
            self.remove(&id);
        }
        self.next_sweep = Some(now + SWEEP_INTERVAL);
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn create(&self, session: NewSession) -> Result<(), StoreError> {
        let mut state = self.lock();
        let now = session.created_at;
        if state.next_sweep.is_none_or(|at| now >= at) || state.sessions.len() >= self.capacity {
            state.sweep(now);
        }
        let user_sessions = state.by_user.get(&session.subject).map_or(0, HashSet::len);
        if user_sessions >= self.per_user {
            let oldest = state.by_user.get(&session.subject).and_then(|ids| {
                ids.iter()
                    .filter_map(|id| state.sessions.get(id).map(|r| (r.created_at, id)))
                    .min()
                    .map(|(_, id)| id.clone())
            });
            if let Some(oldest) = oldest {
                state.remove(&oldest);
            }
        } else if state.sessions.len() >= self.capacity {
            return Err(StoreError::Full);
        }
        state
            .by_user
            .entry(session.subject.clone())
            .or_default()
            .insert(session.session_id.clone());
        state.sessions.insert(
            session.session_id,
            Record {
                subject: session.subject,
                current: session.refresh_token_id,
                previous: None,
                created_at: session.created_at,
                expires_at: session.expires_at,
                deadline: session.deadline,
            },
        );
        Ok(())
    }

    async fn refresh(&self, attempt: RefreshAttempt) -> Result<Refresh, StoreError> {
        let mut state = self.lock();
        let Some(record) = state.sessions.get_mut(&attempt.session_id) else {
            return Ok(Refresh::Invalid);
        };
        if record.subject != attempt.subject || !record.is_live(attempt.now) {
            return Ok(Refresh::Invalid);
        }
        if record.current == attempt.token_id {
            let Some((next_id, next_expiry)) = attempt.replacement else {
                return Ok(Refresh::Current {
                    expires_at: record.expires_at,
                });
            };
            let expires_at = record.deadline.map_or(next_expiry, |d| next_expiry.min(d));
            let retired = std::mem::replace(&mut record.current, next_id);
            record.previous = Some((retired, attempt.now));
            record.expires_at = expires_at;
            return Ok(Refresh::Rotated { expires_at });
        }
        let in_grace = record
            .previous
            .as_ref()
            .is_some_and(|(previous, retired_at)| {
                *previous == attempt.token_id && attempt.now < *retired_at + attempt.grace
            });
        if in_grace {
            return Ok(Refresh::Grace {
                current_token_id: record.current.clone(),
                expires_at: record.expires_at,
            });
        }
        // A token we signed for this session that is neither current nor just retired can
        // only be an older one coming back: the session is compromised.
        state.remove(&attempt.session_id);
        Ok(Refresh::Reused)
    }

    async fn revoke(&self, session_id: &SessionId, subject: &str) -> Result<bool, StoreError> {
        let mut state = self.lock();
        let owned = state
            .sessions
            .get(session_id)
            .is_some_and(|record| record.subject == subject);
        Ok(owned && state.remove(session_id).is_some())
    }

    async fn revoke_all(&self, subject: &str) -> Result<usize, StoreError> {
        let mut state = self.lock();
        let ids = state.by_user.remove(subject).unwrap_or_default();
        for id in &ids {
            state.sessions.remove(id);
        }
        Ok(ids.len())
    }

    async fn is_active(
        &self,
        session_id: &SessionId,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let state = self.lock();
        Ok(state
            .sessions
            .get(session_id)
            .is_some_and(|record| record.subject == subject && record.is_live(now)))
    }

    async fn login_failures(
        &self,
        keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        let state = self.lock();
        Ok(keys
            .iter()
            .map(|key| match state.failures.get(key) {
                Some(&(count, ends)) if now < ends => FailureCount::new(count, ends),
                _ => FailureCount::new(0, now),
            })
            .collect())
    }

    async fn record_login_failure(
        &self,
        keys: &[String],
        window: Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        let mut state = self.lock();
        let mut counts = Vec::with_capacity(keys.len());
        for key in keys {
            if !state.failures.contains_key(key) && state.failures.len() >= FAILURE_COUNTERS {
                state.make_room_for_a_counter(now);
            }
            let entry = state.failures.entry(key.clone()).or_insert((0, now));
            if now >= entry.1 {
                *entry = (0, now + window);
            }
            entry.0 = entry.0.saturating_add(1);
            counts.push(FailureCount::new(entry.0, entry.1));
        }
        Ok(counts)
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        self.lock().failures.remove(key);
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
        let mut state = self.lock();
        if let Some(&lasts) = state.claims.get(key)
            && now < lasts
        {
            return Ok(false);
        }
        if !state.claims.contains_key(key) && state.claims.len() >= CLAIMS {
            state.claims.retain(|_, lasts| now < *lasts);
            if state.claims.len() >= CLAIMS {
                return Err(StoreError::Full);
            }
        }
        state.claims.insert(key.to_owned(), until);
        Ok(true)
    }
}

impl State {
    fn make_room_for_a_counter(&mut self, now: OffsetDateTime) {
        self.failures.retain(|_, (_, ends)| now < *ends);
        if self.failures.len() >= FAILURE_COUNTERS {
            let soonest = self
                .failures
                .iter()
                .min_by_key(|(_, (_, ends))| *ends)
                .map(|(key, _)| key.clone());
            if let Some(key) = soonest {
                self.failures.remove(&key);
            }
        }
    }
}
