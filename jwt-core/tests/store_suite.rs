//! One suite of session-store behaviour, run against every store: `MemoryStore` always, and
//! `RedisStore` (feature `redis`) against servers the tests start for themselves: one
//! `redis-server` per test over plain TCP; and, each shared by the whole suite in one test
//! (every scenario under a key prefix of its own), one TLS server, one 3-master Redis Cluster
//! and one 3-master Redis Cluster over TLS.
//!
//! Every scenario takes a factory, so it can ask for a store with a small per-user limit.

#[cfg(feature = "redis")]
#[expect(
    dead_code,
    reason = "the replica fail-over fixtures serve redis_shared_sessions only"
)]
mod redis_server;

use std::sync::Arc;

use jwt_core::{FailureCount, NewSession, Refresh, RefreshAttempt, SessionId, SessionStore};
use time::{Duration, OffsetDateTime};

/// Makes a store of one kind.
trait Stores {
    fn open(&self, per_user: usize) -> Arc<dyn SessionStore>;
}

struct MemoryStores;

impl Stores for MemoryStores {
    fn open(&self, per_user: usize) -> Arc<dyn SessionStore> {
        Arc::new(jwt_core::MemoryStore::with_limits(100_000, per_user))
    }
}

/// Redis stores of one kind; each store opened gets a key prefix of its own, so scenarios
/// that share a server never see each other's keys.
#[cfg(feature = "redis")]
struct RedisStores {
    target: RedisTarget,
    opened: std::sync::atomic::AtomicUsize,
}

#[cfg(feature = "redis")]
enum RedisTarget {
    Single(String),
    Tls(String, jwt_core::RedisTls),
    Cluster(Vec<String>, Option<jwt_core::RedisTls>),
}

#[cfg(feature = "redis")]
impl RedisStores {
    fn new(target: RedisTarget) -> Self {
        Self {
            target,
            opened: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

#[cfg(feature = "redis")]
impl Stores for RedisStores {
    fn open(&self, per_user: usize) -> Arc<dyn SessionStore> {
        use jwt_core::RedisStore;
        let store = match &self.target {
            RedisTarget::Single(url) => RedisStore::open(url),
            RedisTarget::Tls(url, tls) => RedisStore::open_with_tls(url, tls),
            RedisTarget::Cluster(urls, tls) => {
                let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
                RedisStore::open_cluster(&urls, tls.as_ref(), std::time::Duration::from_secs(2))
            }
        };
        let n = self
            .opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let store = store
            .expect("the test servers' URLs are valid")
            .with_key_prefix(format!("suite{n}:"))
            .with_per_user_limit(per_user);
        Arc::new(store)
    }
}

/// The CA and client certificate that the test servers trust.
#[cfg(feature = "redis")]
fn client_tls(files: &redis_server::tls::TlsFiles) -> jwt_core::RedisTls {
    let read = |name: &str| std::fs::read(files.path(name)).expect("a generated file");
    jwt_core::RedisTls::new()
        .with_ca_pem(read("ca.pem"))
        .with_client_identity(read("client.pem"), read("client.key"))
}

const GRACE: Duration = Duration::seconds(30);
const LIFETIME: Duration = Duration::days(14);

/// A fixed instant, so every run sees the same times (and one in the past, which the Redis
/// store must handle: key lifetimes count from the application's clock, not the server's).
fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("a valid instant")
}

/// Session ids are random in production; here they only need to be distinct.
fn sid(name: &str) -> SessionId {
    SessionId::new(name.to_owned())
}

fn session(id: &str, subject: &str, token: &str, created: OffsetDateTime) -> NewSession {
    NewSession::new(
        sid(id),
        subject.to_owned(),
        token.to_owned(),
        created,
        created + LIFETIME,
        None,
    )
}

fn attempt(
    id: &str,
    subject: &str,
    token: &str,
    replacement: Option<(&str, OffsetDateTime)>,
    now: OffsetDateTime,
) -> RefreshAttempt {
    RefreshAttempt::new(
        sid(id),
        subject.to_owned(),
        token.to_owned(),
        replacement.map(|(next, expires)| (next.to_owned(), expires)),
        now,
        GRACE,
    )
}

async fn refresh(store: &dyn SessionStore, attempt: RefreshAttempt) -> Refresh {
    store.refresh(attempt).await.expect("the store answers")
}

async fn active(store: &dyn SessionStore, subject: &str, id: &str, now: OffsetDateTime) -> bool {
    store
        .is_active(&sid(id), subject, now)
        .await
        .expect("the store answers")
}

async fn new_session_is_active_until_it_expires(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    assert!(active(&*store, "alice", "s1", t).await);
    assert!(active(&*store, "alice", "s1", t + LIFETIME - Duration::seconds(1)).await);
    assert!(!active(&*store, "alice", "s1", t + LIFETIME).await);
    assert!(!active(&*store, "alice", "unknown", t).await);
}

async fn current_token_rotates_to_the_replacement(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let later = t + Duration::minutes(10);
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2", later + LIFETIME)), later),
    )
    .await;
    assert_eq!(
        outcome,
        Refresh::Rotated {
            expires_at: later + LIFETIME
        }
    );
    // The replacement is now the current token, and the session lives on past its first
    // expiry.
    let after_first_expiry = t + LIFETIME + Duration::minutes(5);
    assert!(active(&*store, "alice", "s1", after_first_expiry).await);
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r2", None, after_first_expiry),
    )
    .await;
    assert_eq!(
        outcome,
        Refresh::Current {
            expires_at: later + LIFETIME
        }
    );
}

async fn refresh_without_replacement_keeps_the_token_current(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    for minutes in [1, 2, 3] {
        let now = t + Duration::minutes(minutes);
        let outcome = refresh(&*store, attempt("s1", "alice", "r1", None, now)).await;
        assert_eq!(
            outcome,
            Refresh::Current {
                expires_at: t + LIFETIME
            }
        );
    }
}

async fn retired_token_within_grace_gets_the_current_token_and_rotates_nothing(
    stores: &dyn Stores,
) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let rotated = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2", t + LIFETIME)), t),
    )
    .await;
    assert!(matches!(rotated, Refresh::Rotated { .. }));
    let last_second = t + GRACE - Duration::seconds(1);
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r3", t + LIFETIME)), last_second),
    )
    .await;
    assert_eq!(
        outcome,
        Refresh::Grace {
            current_token_id: "r2".to_owned(),
            expires_at: t + LIFETIME
        },
        "the client that lost the answer carrying r2 gets r2 again"
    );
    let outcome = refresh(&*store, attempt("s1", "alice", "r2", None, last_second)).await;
    assert_eq!(
        outcome,
        Refresh::Current {
            expires_at: t + LIFETIME
        },
        "r2 is still current"
    );
}

/// A client whose refresh answer was lost retries with its old token within the grace window,
/// gets the current token back, and carries on with it; the old token, replayed after the
/// window, is still reuse.
async fn a_lost_refresh_answer_leaves_the_session_working(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    // Rotated to r2; the answer carrying r2 never arrives.
    let lost = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2", t + LIFETIME)), t),
    )
    .await;
    assert!(matches!(lost, Refresh::Rotated { .. }));
    let retry = t + Duration::seconds(5);
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2b", retry + LIFETIME)), retry),
    )
    .await;
    assert_eq!(
        outcome,
        Refresh::Grace {
            current_token_id: "r2".to_owned(),
            expires_at: t + LIFETIME
        }
    );
    // Long after the window, the recovered r2 rotates as usual.
    let later = t + GRACE + Duration::seconds(1);
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r2", Some(("r3", later + LIFETIME)), later),
    )
    .await;
    assert_eq!(
        outcome,
        Refresh::Rotated {
            expires_at: later + LIFETIME
        }
    );
    assert!(
        active(&*store, "alice", "s1", later).await,
        "the session survived"
    );
    // r1 coming back now is reuse: the session ends, r3 included.
    let replay = later + GRACE;
    let outcome = refresh(&*store, attempt("s1", "alice", "r1", None, replay)).await;
    assert_eq!(outcome, Refresh::Reused);
    let outcome = refresh(&*store, attempt("s1", "alice", "r3", None, replay)).await;
    assert_eq!(outcome, Refresh::Invalid);
}

async fn retired_token_after_grace_is_reuse_and_revokes_the_session(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let rotated = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2", t + LIFETIME)), t),
    )
    .await;
    assert!(matches!(rotated, Refresh::Rotated { .. }));
    let grace_over = t + GRACE;
    let outcome = refresh(&*store, attempt("s1", "alice", "r1", None, grace_over)).await;
    assert_eq!(outcome, Refresh::Reused);
    assert!(!active(&*store, "alice", "s1", grace_over).await);
    let outcome = refresh(&*store, attempt("s1", "alice", "r2", None, grace_over)).await;
    assert_eq!(
        outcome,
        Refresh::Invalid,
        "the newest token stops working too"
    );
}

async fn token_older_than_the_previous_one_is_reuse_even_within_grace(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    for (old, new) in [("r1", "r2"), ("r2", "r3")] {
        let outcome = refresh(
            &*store,
            attempt("s1", "alice", old, Some((new, t + LIFETIME)), t),
        )
        .await;
        assert!(matches!(outcome, Refresh::Rotated { .. }));
    }
    let outcome = refresh(&*store, attempt("s1", "alice", "r1", None, t)).await;
    assert_eq!(outcome, Refresh::Reused);
    assert!(!active(&*store, "alice", "s1", t).await);
}

async fn refresh_for_another_subject_is_invalid_and_changes_nothing(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let outcome = refresh(
        &*store,
        attempt("s1", "mallory", "r1", Some(("r2", t + LIFETIME)), t),
    )
    .await;
    assert_eq!(outcome, Refresh::Invalid);
    let outcome = refresh(&*store, attempt("s1", "mallory", "other", None, t)).await;
    assert_eq!(
        outcome,
        Refresh::Invalid,
        "no reuse detection for a stranger"
    );
    assert!(active(&*store, "alice", "s1", t).await);
    let outcome = refresh(&*store, attempt("s1", "alice", "r1", None, t)).await;
    assert_eq!(
        outcome,
        Refresh::Current {
            expires_at: t + LIFETIME
        }
    );
}

async fn unknown_session_is_invalid(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let outcome = refresh(
        &*store,
        attempt("nobody", "alice", "r1", Some(("r2", t + LIFETIME)), t),
    )
    .await;
    assert_eq!(outcome, Refresh::Invalid);
    assert!(
        !store
            .revoke(&sid("nobody"), "alice")
            .await
            .expect("answers")
    );
    assert_eq!(store.revoke_all("alice").await.expect("answers"), 0);
}

async fn expired_session_cannot_refresh(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let expired = t + LIFETIME;
    let outcome = refresh(
        &*store,
        attempt(
            "s1",
            "alice",
            "r1",
            Some(("r2", expired + LIFETIME)),
            expired,
        ),
    )
    .await;
    assert_eq!(outcome, Refresh::Invalid);
}

async fn session_past_its_deadline_cannot_refresh_and_is_inactive(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let deadline = t + Duration::days(1);
    let capped = NewSession::new(
        sid("s1"),
        "alice".to_owned(),
        "r1".to_owned(),
        t,
        deadline,
        Some(deadline),
    );
    store.create(capped).await.expect("created");
    assert!(active(&*store, "alice", "s1", deadline - Duration::seconds(1)).await);
    assert!(!active(&*store, "alice", "s1", deadline).await);
    let outcome = refresh(
        &*store,
        attempt(
            "s1",
            "alice",
            "r1",
            Some(("r2", deadline + LIFETIME)),
            deadline,
        ),
    )
    .await;
    assert_eq!(outcome, Refresh::Invalid);
}

async fn rotation_never_extends_past_the_deadline(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let deadline = t + Duration::days(3);
    let capped = NewSession::new(
        sid("s1"),
        "alice".to_owned(),
        "r1".to_owned(),
        t,
        deadline,
        Some(deadline),
    );
    store.create(capped).await.expect("created");
    let now = t + Duration::days(2);
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2", now + LIFETIME)), now),
    )
    .await;
    assert_eq!(
        outcome,
        Refresh::Rotated {
            expires_at: deadline
        }
    );
    let outcome = refresh(&*store, attempt("s1", "alice", "r2", None, now)).await;
    assert_eq!(
        outcome,
        Refresh::Current {
            expires_at: deadline
        }
    );
    assert!(!active(&*store, "alice", "s1", deadline).await);
}

async fn revoke_ends_only_that_session_and_only_for_its_owner(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    store
        .create(session("s2", "alice", "q1", t))
        .await
        .expect("created");
    assert!(!store.revoke(&sid("s1"), "mallory").await.expect("answers"));
    assert!(
        active(&*store, "alice", "s1", t).await,
        "a stranger cannot end it"
    );
    assert!(store.revoke(&sid("s1"), "alice").await.expect("answers"));
    assert!(!active(&*store, "alice", "s1", t).await);
    assert!(
        !store.revoke(&sid("s1"), "alice").await.expect("answers"),
        "already ended"
    );
    let outcome = refresh(
        &*store,
        attempt("s1", "alice", "r1", Some(("r2", t + LIFETIME)), t),
    )
    .await;
    assert_eq!(outcome, Refresh::Invalid);
    assert!(
        active(&*store, "alice", "s2", t).await,
        "the other session lives on"
    );
    assert_eq!(store.revoke_all("alice").await.expect("answers"), 1);
}

async fn a_session_is_active_only_for_its_own_subject(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    assert!(active(&*store, "alice", "s1", t).await);
    assert!(!active(&*store, "mallory", "s1", t).await);
}

/// Subjects are the application's strings: braces, percent signs, colons and the empty
/// string must neither break the Redis key layout nor let two users meet.
async fn subjects_with_braces_and_percent_signs_stay_apart(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let subjects = ["a}b", "a%7Db", "{x}", "", "%", "a:b"];
    for (n, subject) in subjects.iter().enumerate() {
        store
            .create(session(&format!("s{n}"), subject, "r1", t))
            .await
            .expect("created");
    }
    for (n, subject) in subjects.iter().enumerate() {
        let id = format!("s{n}");
        assert!(active(&*store, subject, &id, t).await, "{subject:?}");
        let outcome = refresh(
            &*store,
            attempt(&id, subject, "r1", Some(("r2", t + LIFETIME)), t),
        )
        .await;
        assert_eq!(
            outcome,
            Refresh::Rotated {
                expires_at: t + LIFETIME
            },
            "{subject:?}"
        );
    }
    assert_eq!(store.revoke_all("a}b").await.expect("answers"), 1);
    assert!(!active(&*store, "a}b", "s0", t).await);
    for (n, subject) in subjects.iter().enumerate().skip(1) {
        assert!(
            active(&*store, subject, &format!("s{n}"), t).await,
            "{subject:?} lives on"
        );
    }
    assert_eq!(store.revoke_all("").await.expect("answers"), 1);
    assert_eq!(store.revoke_all("%").await.expect("answers"), 1);
}

async fn revoke_all_ends_every_session_of_the_user_only(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    for (id, token) in [("a1", "r1"), ("a2", "r2"), ("a3", "r3")] {
        store
            .create(session(id, "alice", token, t))
            .await
            .expect("created");
    }
    store
        .create(session("b1", "bob", "q1", t))
        .await
        .expect("created");
    assert_eq!(store.revoke_all("alice").await.expect("answers"), 3);
    for id in ["a1", "a2", "a3"] {
        assert!(!active(&*store, "alice", id, t).await);
    }
    let outcome = refresh(
        &*store,
        attempt("a2", "alice", "r2", Some(("r9", t + LIFETIME)), t),
    )
    .await;
    assert_eq!(outcome, Refresh::Invalid);
    assert!(active(&*store, "bob", "b1", t).await);
    assert_eq!(store.revoke_all("alice").await.expect("answers"), 0);
    // A login after logout-all starts afresh.
    store
        .create(session("a4", "alice", "r4", t))
        .await
        .expect("created");
    assert!(active(&*store, "alice", "a4", t).await);
}

async fn per_user_limit_ends_the_oldest_login(stores: &dyn Stores) {
    let store = stores.open(3);
    let t = t0();
    for (minute, id) in [(0, "s1"), (1, "s2"), (2, "s3"), (3, "s4")] {
        let created = t + Duration::minutes(minute);
        store
            .create(session(id, "alice", id, created))
            .await
            .expect("created");
    }
    store
        .create(session("b1", "bob", "q1", t))
        .await
        .expect("created");
    let now = t + Duration::minutes(5);
    assert!(
        !active(&*store, "alice", "s1", now).await,
        "the oldest login ended"
    );
    for (subject, id) in [
        ("alice", "s2"),
        ("alice", "s3"),
        ("alice", "s4"),
        ("bob", "b1"),
    ] {
        assert!(active(&*store, subject, id, now).await, "{id} lives on");
    }
    assert_eq!(store.revoke_all("alice").await.expect("answers"), 3);
}

async fn concurrent_refreshes_with_one_token_rotate_once(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let next = format!("next-{n}");
                store
                    .refresh(attempt("s1", "alice", "r1", Some((&next, t + LIFETIME)), t))
                    .await
            })
        })
        .collect();
    let mut rotated = Vec::new();
    let mut handed_back = Vec::new();
    for (n, task) in tasks.into_iter().enumerate() {
        match task
            .await
            .expect("the task ran")
            .expect("the store answers")
        {
            Refresh::Rotated { .. } => rotated.push(format!("next-{n}")),
            Refresh::Grace {
                current_token_id, ..
            } => handed_back.push(current_token_id),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(rotated.len(), 1, "exactly one rotation");
    assert_eq!(handed_back.len(), 49);
    assert!(
        handed_back.iter().all(|id| *id == rotated[0]),
        "every other request gets the one rotated token: {handed_back:?}"
    );
}

const WINDOW: Duration = Duration::minutes(15);

fn counter_keys(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

async fn failed_logins_count_per_key_within_their_window(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let keys = counter_keys(&["login:alice:192.0.2.1", "client:192.0.2.1"]);
    let fresh = store.login_failures(&keys, t).await.expect("answers");
    assert_eq!(fresh, vec![FailureCount::new(0, t); 2]);
    for n in 1..=3 {
        let counts = store
            .record_login_failure(&keys, WINDOW, t + Duration::seconds(n))
            .await
            .expect("answers");
        assert_eq!(
            counts,
            vec![FailureCount::new(n as u32, t + Duration::seconds(1) + WINDOW); 2]
        );
    }
    // Another client's counter is apart.
    let other = counter_keys(&["client:192.0.2.2"]);
    let counts = store
        .record_login_failure(&other, WINDOW, t)
        .await
        .expect("answers");
    assert_eq!(counts, vec![FailureCount::new(1, t + WINDOW)]);
    let later = t + Duration::minutes(5);
    let counts = store.login_failures(&keys, later).await.expect("answers");
    assert_eq!(counts[0].count, 3);
    assert_eq!(counts[1].window_ends, t + Duration::seconds(1) + WINDOW);
}

async fn failed_logins_start_over_after_the_window(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let keys = counter_keys(&["login:alice:192.0.2.1"]);
    for _ in 0..4 {
        store
            .record_login_failure(&keys, WINDOW, t)
            .await
            .expect("answers");
    }
    let ended = t + WINDOW;
    let counts = store.login_failures(&keys, ended).await.expect("answers");
    assert_eq!(
        counts,
        vec![FailureCount::new(0, ended)],
        "the window is over"
    );
    let counts = store
        .record_login_failure(&keys, WINDOW, ended)
        .await
        .expect("answers");
    assert_eq!(
        counts,
        vec![FailureCount::new(1, ended + WINDOW)],
        "a new window"
    );
}

async fn a_success_clears_one_counter_only(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let keys = counter_keys(&["login:alice:192.0.2.1", "client:192.0.2.1"]);
    for _ in 0..2 {
        store
            .record_login_failure(&keys, WINDOW, t)
            .await
            .expect("answers");
    }
    store.clear_login_failures(&keys[0]).await.expect("answers");
    let counts = store.login_failures(&keys, t).await.expect("answers");
    assert_eq!(counts[0].count, 0);
    assert_eq!(counts[1].count, 2, "the client's own counter stays");
}

async fn a_key_is_claimed_once_until_its_claim_lapses(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let until = t + Duration::minutes(5);
    let claim = |key: &'static str, until, now| {
        let store = Arc::clone(&store);
        async move { store.claim_once(key, until, now).await.expect("answers") }
    };
    assert!(claim("django:a", until, t).await, "the first claim");
    assert!(!claim("django:a", until, t).await, "the same key again");
    assert!(
        !claim("django:a", until + LIFETIME, t + Duration::minutes(4)).await,
        "still claimed, whatever the new claim's end"
    );
    assert!(claim("django:b", until, t).await, "another key");
    assert!(
        claim("django:a", until + Duration::minutes(5), until).await,
        "a lapsed claim is replaced"
    );
    assert!(
        !claim("django:a", until + Duration::minutes(1), until).await,
        "and the new one holds"
    );
    assert!(
        !claim("django:c", t, t).await,
        "a claim that ends at once is refused"
    );
    assert!(claim("django:c", t + Duration::seconds(1), t).await);
}

async fn concurrent_claims_of_one_key_succeed_once(stores: &dyn Stores) {
    let store = stores.open(100);
    let t = t0();
    let claims = (0..8).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            store
                .claim_once("django:race", t + Duration::minutes(5), t)
                .await
                .expect("answers")
        })
    });
    let mut granted = 0;
    for claim in claims.collect::<Vec<_>>() {
        granted += usize::from(claim.await.expect("the task ends"));
    }
    assert_eq!(granted, 1);
}

/// Generates one test per scenario for the memory store and for a plain Redis server each,
/// and one test per shared Redis flavour that runs every scenario in turn.
macro_rules! store_suite {
    ($($scenario:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(&super::MemoryStores).await;
                }
            )*
        }

        #[cfg(feature = "redis")]
        mod redis {
            use super::{RedisStores, RedisTarget};

            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let server = super::redis_server::RedisServer::start();
                    let stores = RedisStores::new(RedisTarget::Single(server.url()));
                    super::$scenario(&stores).await;
                }
            )*
        }

        /// Every scenario, one after the other, against one kind of store.
        #[cfg(feature = "redis")]
        async fn whole_suite(stores: &dyn Stores) {
            $(
                eprintln!("scenario {}", stringify!($scenario));
                $scenario(stores).await;
            )*
        }
    };
}

store_suite!(
    failed_logins_count_per_key_within_their_window,
    failed_logins_start_over_after_the_window,
    a_success_clears_one_counter_only,
    new_session_is_active_until_it_expires,
    current_token_rotates_to_the_replacement,
    refresh_without_replacement_keeps_the_token_current,
    retired_token_within_grace_gets_the_current_token_and_rotates_nothing,
    a_lost_refresh_answer_leaves_the_session_working,
    retired_token_after_grace_is_reuse_and_revokes_the_session,
    token_older_than_the_previous_one_is_reuse_even_within_grace,
    refresh_for_another_subject_is_invalid_and_changes_nothing,
    unknown_session_is_invalid,
    expired_session_cannot_refresh,
    session_past_its_deadline_cannot_refresh_and_is_inactive,
    rotation_never_extends_past_the_deadline,
    revoke_ends_only_that_session_and_only_for_its_owner,
    a_session_is_active_only_for_its_own_subject,
    subjects_with_braces_and_percent_signs_stay_apart,
    revoke_all_ends_every_session_of_the_user_only,
    per_user_limit_ends_the_oldest_login,
    concurrent_refreshes_with_one_token_rotate_once,
    a_key_is_claimed_once_until_its_claim_lapses,
    concurrent_claims_of_one_key_succeed_once,
);

/// The whole suite over TLS, with mutual TLS required by the server.
#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_suite_against_redis_over_tls() {
    use redis_server::{ClientCertificates, RedisServer, tls::TlsFiles};
    let files = TlsFiles::generate();
    let server = RedisServer::start_tls(&files, ClientCertificates::Required);
    assert!(server.url().starts_with("rediss://"));
    whole_suite(&RedisStores::new(RedisTarget::Tls(
        server.url(),
        client_tls(&files),
    )))
    .await;
}

/// The whole suite against a Redis Cluster of three masters.
#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_suite_against_redis_cluster() {
    let cluster = redis_server::cluster::RedisCluster::start(None);
    whole_suite(&RedisStores::new(RedisTarget::Cluster(
        cluster.urls(),
        None,
    )))
    .await;
}

/// The whole suite against a Redis Cluster of three masters over TLS.
#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_suite_against_redis_cluster_over_tls() {
    let files = redis_server::tls::TlsFiles::generate();
    let cluster = redis_server::cluster::RedisCluster::start(Some(&files));
    assert!(
        cluster
            .urls()
            .iter()
            .all(|url| url.starts_with("rediss://"))
    );
    whole_suite(&RedisStores::new(RedisTarget::Cluster(
        cluster.urls(),
        Some(client_tls(&files)),
    )))
    .await;

    // A CA that did not sign the nodes' certificates stops the start, naming the setting.
    let wrong_ca = cluster
        .urls()
        .iter()
        .fold(jwt_core::JwtConfig::builder(), |builder, url| {
            builder.redis_cluster_url(url)
        })
        .secret("a test secret of at least thirty-two bytes")
        .redis_ca_file(&files.path("other-ca.pem"))
        .build()
        .expect("valid settings");
    let error = match jwt_core::session_store_from_config(&wrong_ca).await {
        Ok(_) => panic!("a CA that does not verify the nodes must stop the start"),
        Err(error) => std::error::Error::source(&error)
            .map(ToString::to_string)
            .unwrap_or_default(),
    };
    assert!(error.starts_with("JWT_REDIS_CA_FILE:"), "{error}");
}

/// Redis-specific behaviour: the key layout, lifetimes, outages, and selection by settings.
#[cfg(feature = "redis")]
mod redis_store {
    use std::time::{Duration as StdDuration, Instant};

    use jwt_core::{
        JwtConfig, NewSession, RedisStore, Refresh, SessionStore, StoreError,
        session_store_from_config,
    };
    use redis::AsyncCommands as _;
    use time::Duration;

    use super::redis_server::RedisServer;
    use super::{attempt, session, sid, t0};

    fn config(url: &str) -> JwtConfig {
        JwtConfig::builder()
            .secret("a test secret of at least thirty-two bytes")
            .redis_url(url)
            .build()
            .expect("valid settings")
    }

    async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
        redis::Client::open(server.url())
            .expect("valid URL")
            .get_multiplexed_async_connection()
            .await
            .expect("the test server answers")
    }

    fn assert_ttl(ttl_ms: i64, expected: StdDuration) {
        let expected = i64::try_from(expected.as_millis()).expect("a small duration");
        assert!(
            (expected - 2_000..=expected).contains(&ttl_ms),
            "TTL {ttl_ms} ms, expected about {expected} ms"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_claim_is_one_key_under_the_prefix_expiring_when_it_lapses() {
        let server = RedisServer::start();
        let store = RedisStore::open(&server.url())
            .expect("valid URL")
            .with_key_prefix("app1:");
        let mut redis = raw(&server).await;
        let t = t0();
        let claimed = store
            .claim_once("django-refresh:abc", t + Duration::seconds(60), t)
            .await
            .expect("answers");
        assert!(claimed);
        let ttl: i64 = redis
            .pttl("app1:{claim:django-refresh:abc}")
            .await
            .expect("PTTL");
        assert_ttl(ttl, StdDuration::from_secs(60));
        let keys: Vec<String> = redis.keys("*").await.expect("KEYS");
        assert_eq!(keys, ["app1:{claim:django-refresh:abc}"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_expire_with_their_session_and_user_sets_drop_ended_sessions() {
        let server = RedisServer::start();
        let store = RedisStore::open(&server.url())
            .expect("valid URL")
            .with_key_prefix("app1:");
        let mut redis = raw(&server).await;
        let t = t0();
        let short = NewSession::new(
            sid("s1"),
            "alice".to_owned(),
            "r1".to_owned(),
            t,
            t + Duration::seconds(10),
            None,
        );
        let long = NewSession::new(
            sid("s2"),
            "alice".to_owned(),
            "q1".to_owned(),
            t,
            t + Duration::seconds(100),
            None,
        );
        store.create(short).await.expect("created");
        store.create(long).await.expect("created");
        let ttl: i64 = redis.pttl("app1:{alice}:session:s1").await.expect("PTTL");
        assert_ttl(ttl, StdDuration::from_secs(10));
        let ttl: i64 = redis.pttl("app1:{alice}:user").await.expect("PTTL");
        assert_ttl(ttl, StdDuration::from_secs(100));
        let owner: String = redis
            .hget("app1:{alice}:session:s1", "sub")
            .await
            .expect("HGET");
        assert_eq!(owner, "alice");

        // A login 20 s later (by the application's clock) drops s1, which ended, from the set.
        let later = t + Duration::seconds(20);
        let third = NewSession::new(
            sid("s3"),
            "alice".to_owned(),
            "p1".to_owned(),
            later,
            later + Duration::seconds(50),
            None,
        );
        store.create(third).await.expect("created");
        let members: Vec<String> = redis
            .zrange("app1:{alice}:user", 0, -1)
            .await
            .expect("ZRANGE");
        assert_eq!(members, ["s3", "s2"]);
        let ttl: i64 = redis.pttl("app1:{alice}:user").await.expect("PTTL");
        assert_ttl(ttl, StdDuration::from_secs(80));

        // Rotation moves the session's expiry, its score, and the set's lifetime.
        let now = t + Duration::seconds(30);
        let outcome = store
            .refresh(attempt(
                "s2",
                "alice",
                "q1",
                Some(("q2", now + Duration::seconds(200))),
                now,
            ))
            .await
            .expect("the store answers");
        assert_eq!(
            outcome,
            Refresh::Rotated {
                expires_at: now + Duration::seconds(200)
            }
        );
        let ttl: i64 = redis.pttl("app1:{alice}:session:s2").await.expect("PTTL");
        assert_ttl(ttl, StdDuration::from_secs(200));
        let ttl: i64 = redis.pttl("app1:{alice}:user").await.expect("PTTL");
        assert_ttl(ttl, StdDuration::from_secs(200));
        let score: f64 = redis
            .zscore("app1:{alice}:user", "s2")
            .await
            .expect("ZSCORE");
        let expected = (now + Duration::seconds(200)).unix_timestamp() * 1000;
        assert_eq!(score, expected as f64);

        // Revocation deletes the session's key and its membership.
        assert!(store.revoke(&sid("s3"), "alice").await.expect("answers"));
        let exists: bool = redis
            .exists("app1:{alice}:session:s3")
            .await
            .expect("EXISTS");
        assert!(!exists);
        let score: Option<f64> = redis
            .zscore("app1:{alice}:user", "s3")
            .await
            .expect("ZSCORE");
        assert_eq!(score, None);

        // Every key is under the prefix, and another prefix sees none of them.
        let keys: Vec<String> = redis.keys("*").await.expect("KEYS");
        assert!(!keys.is_empty());
        assert!(keys.iter().all(|key| key.starts_with("app1:")), "{keys:?}");
        let other = RedisStore::open(&server.url())
            .expect("valid URL")
            .with_key_prefix("app2:");
        assert!(
            !other
                .is_active(&sid("s2"), "alice", now)
                .await
                .expect("answers")
        );
        assert!(
            store
                .is_active(&sid("s2"), "alice", now)
                .await
                .expect("answers")
        );

        assert_eq!(store.revoke_all("alice").await.expect("answers"), 1);
        // Left: only s1, which ended by the application's clock (moved on 30 s here) but
        // whose key counts its lifetime in real time, and goes by itself.
        let keys: Vec<String> = redis.keys("*").await.expect("KEYS");
        assert_eq!(keys, ["app1:{alice}:session:s1"]);
        let ttl: i64 = redis.pttl("app1:{alice}:session:s1").await.expect("PTTL");
        assert!(ttl > 0);
    }

    async fn unavailable_within<T: std::fmt::Debug>(
        bound: StdDuration,
        operation: impl std::future::Future<Output = Result<T, StoreError>>,
    ) {
        let started = Instant::now();
        let outcome = tokio::time::timeout(bound * 3, operation)
            .await
            .expect("the store answers within its bound, never hangs");
        assert!(
            matches!(outcome, Err(StoreError::Unavailable(_))),
            "expected Unavailable, got {outcome:?}"
        );
        assert!(started.elapsed() <= bound + StdDuration::from_millis(500));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn store_is_unavailable_within_its_timeout_while_redis_is_down_and_recovers() {
        let mut server = RedisServer::start();
        let bound = StdDuration::from_secs(1);
        let store = RedisStore::open(&server.url())
            .expect("valid URL")
            .with_timeout(bound);
        let t = t0();
        store
            .create(session("s1", "alice", "r1", t))
            .await
            .expect("created");

        server.stop();
        let next = Some(("r2", t + super::LIFETIME));
        for _ in 0..3 {
            unavailable_within(bound, store.refresh(attempt("s1", "alice", "r1", next, t))).await;
        }
        unavailable_within(bound, store.create(session("s2", "alice", "q1", t))).await;
        unavailable_within(bound, store.is_active(&sid("s1"), "alice", t)).await;
        unavailable_within(bound, store.revoke(&sid("s1"), "alice")).await;
        unavailable_within(bound, store.revoke_all("alice")).await;

        // Back with its data: the very next call works, on a new connection.
        server.start_again();
        let outcome = store
            .refresh(attempt("s1", "alice", "r1", next, t))
            .await
            .expect("the store answers again");
        assert_eq!(
            outcome,
            Refresh::Rotated {
                expires_at: t + super::LIFETIME
            }
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn store_from_settings_starts_while_redis_is_down_and_connects_once_it_is_up() {
        let mut server = RedisServer::start();
        server.stop();
        let store = session_store_from_config(&config(&server.url()))
            .await
            .expect("an unreachable Redis does not stop the application from starting");
        let t = t0();
        unavailable_within(
            StdDuration::from_secs(2),
            store.create(session("s1", "alice", "r1", t)),
        )
        .await;
        server.start_again();
        store
            .create(session("s1", "alice", "r1", t))
            .await
            .expect("created once Redis is up");
        // The session is in Redis: a store of another process sees it.
        let other = RedisStore::open(&server.url()).expect("valid URL");
        assert!(
            other
                .is_active(&sid("s1"), "alice", t)
                .await
                .expect("answers")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn server_that_accepts_but_never_answers_gives_unavailable_within_the_timeout() {
        // A listener that takes connections and says nothing, like a Redis behind a network
        // partition: neither connecting nor any command may hang.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("loopback can bind");
        let url = format!("redis://{}/", listener.local_addr().expect("bound"));
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((connection, _)) = listener.accept().await {
                held.push(connection);
            }
        });
        let bound = StdDuration::from_secs(1);
        let store = RedisStore::open(&url)
            .expect("valid URL")
            .with_timeout(bound);
        let t = t0();
        unavailable_within(bound, store.create(session("s1", "alice", "r1", t))).await;
        unavailable_within(bound, store.is_active(&sid("s1"), "alice", t)).await;
        silent.abort();
    }

    /// The start-up error for settings whose certificates do not verify, as text.
    async fn start_up_error(config: &JwtConfig) -> String {
        match tokio::time::timeout(StdDuration::from_secs(5), session_store_from_config(config))
            .await
            .expect("the start-up check is bounded")
        {
            Ok(_) => panic!("a certificate that does not verify must stop the start"),
            Err(error) => {
                let source = std::error::Error::source(&error).map(ToString::to_string);
                source.unwrap_or_else(|| error.to_string())
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tls_certificates_that_do_not_verify_stop_the_start_naming_the_setting() {
        use super::redis_server::{ClientCertificates, tls::TlsFiles};
        let files = TlsFiles::generate();
        let server = RedisServer::start_tls(&files, ClientCertificates::Required);
        let tls = |ca: &str| {
            JwtConfig::builder()
                .secret("a test secret of at least thirty-two bytes")
                .redis_url(&server.url())
                .redis_ca_file(&files.path(ca))
                .redis_client_cert_file(&files.path("client.pem"))
                .redis_client_key_file(&files.path("client.key"))
        };

        // The right CA and a client certificate: the store starts and works.
        let store = session_store_from_config(&tls("ca.pem").build().expect("valid"))
            .await
            .expect("the server's certificate verifies");
        let t = t0();
        store
            .create(session("s1", "alice", "r1", t))
            .await
            .expect("created over TLS");
        assert!(
            store
                .is_active(&sid("s1"), "alice", t)
                .await
                .expect("answers")
        );

        // A CA that did not sign the server's certificate.
        let message = start_up_error(&tls("other-ca.pem").build().expect("valid")).await;
        assert!(message.starts_with("JWT_REDIS_CA_FILE:"), "{message}");

        // The system's roots do not know the test CA either.
        let system_roots = JwtConfig::builder()
            .secret("a test secret of at least thirty-two bytes")
            .redis_url(&server.url())
            .build()
            .expect("valid");
        let message = start_up_error(&system_roots).await;
        assert!(message.starts_with("JWT_REDIS_URL:"), "{message}");

        // The server demands a client certificate, and none is given.
        let no_client_certificate = JwtConfig::builder()
            .secret("a test secret of at least thirty-two bytes")
            .redis_url(&server.url())
            .redis_ca_file(&files.path("ca.pem"))
            .build()
            .expect("valid");
        let message = start_up_error(&no_client_certificate).await;
        assert!(
            message.starts_with("JWT_REDIS_CLIENT_CERT_FILE:"),
            "{message}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn plain_tcp_to_a_tls_port_is_never_a_session_store() {
        use super::redis_server::{ClientCertificates, tls::TlsFiles};
        let files = TlsFiles::generate();
        let server = RedisServer::start_tls(&files, ClientCertificates::Optional);
        let plain_url = server.url().replacen("rediss://", "redis://", 1);
        let bound = StdDuration::from_secs(1);
        let store = RedisStore::open(&plain_url)
            .expect("valid URL")
            .with_timeout(bound);
        unavailable_within(bound, store.is_active(&sid("s1"), "alice", t0())).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cluster_master_down_fails_only_its_users_within_the_bound_and_heals() {
        use super::redis_server::cluster::RedisCluster;
        let mut cluster = RedisCluster::start(None);
        let urls = cluster.urls();
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        let bound = StdDuration::from_secs(1);
        let store = RedisStore::open_cluster(&urls, None, bound).expect("valid URLs");
        // Every key of a user hashes as its tag `{subject}` does.
        let subjects: Vec<String> = (0..30).map(|n| format!("user{n}")).collect();
        let node_of = |subject: &str| cluster.node_of(&format!("{{{subject}}}"));
        let victim = subjects[0].clone();
        let down = node_of(&victim);
        let survivor = subjects
            .iter()
            .find(|subject| node_of(subject) != down)
            .expect("thirty users do not all hash to one of three masters")
            .clone();
        let t = t0();
        for subject in [&victim, &survivor] {
            store
                .create(session("s1", subject, "r1", t))
                .await
                .expect("created");
        }

        cluster.stop_node(down);
        let check = |subject: &str| attempt("s1", subject, "r1", None, t);
        for _ in 0..3 {
            unavailable_within(bound, store.refresh(check(&victim))).await;
            let started = Instant::now();
            let outcome = store
                .refresh(check(&survivor))
                .await
                .expect("a user whose master is up is served");
            assert!(matches!(outcome, Refresh::Current { .. }), "{outcome:?}");
            assert!(started.elapsed() < bound);
        }
        store
            .create(session("s2", &survivor, "q1", t))
            .await
            .expect("logins of users on live masters go on");

        // The master is back: the same store serves its users again, with their sessions.
        cluster.start_node_again(down);
        let deadline = Instant::now() + StdDuration::from_secs(10);
        let outcome = loop {
            match store.refresh(check(&victim)).await {
                Ok(outcome) => break outcome,
                Err(error) => assert!(
                    Instant::now() < deadline,
                    "still unavailable after the master came back: {error}"
                ),
            }
            tokio::time::sleep(StdDuration::from_millis(100)).await;
        };
        assert!(matches!(outcome, Refresh::Current { .. }), "{outcome:?}");
        for subject in [&victim, &survivor] {
            let outcome = store
                .refresh(attempt(
                    "s1",
                    subject,
                    "r1",
                    Some(("r2", t + super::LIFETIME)),
                    t,
                ))
                .await
                .expect("served");
            assert!(matches!(outcome, Refresh::Rotated { .. }), "{outcome:?}");
        }
    }

    #[tokio::test]
    async fn malformed_redis_url_is_an_error_at_start() {
        let outcome = session_store_from_config(&config("redis://[not-a-host/")).await;
        assert!(matches!(outcome, Err(StoreError::Unavailable(_))));
    }
}

/// Without the `redis` feature a Redis URL cannot be honoured, and must not be ignored.
#[cfg(not(feature = "redis"))]
#[tokio::test]
async fn redis_url_without_the_redis_feature_is_a_clear_error() {
    let config = jwt_core::JwtConfig::builder()
        .secret("a test secret of at least thirty-two bytes")
        .redis_url("redis://127.0.0.1:6379/")
        .build()
        .expect("valid settings");
    let error = match jwt_core::session_store_from_config(&config).await {
        Ok(_) => panic!("a Redis URL without the redis feature must not fall back to memory"),
        Err(error) => error,
    };
    let message = std::error::Error::source(&error)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(message.contains("`redis` feature"), "{message}");
    let cluster = jwt_core::JwtConfig::builder()
        .secret("a test secret of at least thirty-two bytes")
        .redis_cluster_url("redis://127.0.0.1:7000")
        .build()
        .expect("valid settings");
    assert!(
        jwt_core::open_session_store(&cluster).is_err(),
        "cluster URLs without the redis feature must not fall back to memory"
    );
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_opened_from_settings_without_a_runtime_connects_on_first_use() {
    let server = redis_server::RedisServer::start();
    let config = jwt_core::JwtConfig::builder()
        .secret("a test secret of at least thirty-two bytes")
        .redis_url(&server.url())
        .build()
        .expect("valid settings");
    // Built synchronously, as an application does before its runtime starts.
    let store = std::thread::spawn(move || jwt_core::open_session_store(&config))
        .join()
        .expect("no panic")
        .expect("a Redis store");
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    let other = jwt_core::RedisStore::open(&server.url()).expect("valid URL");
    assert!(
        other
            .is_active(&sid("s1"), "alice", t)
            .await
            .expect("answers"),
        "the session is in Redis, not in memory"
    );
}

#[tokio::test]
async fn store_from_settings_without_redis_url_keeps_sessions_in_memory() {
    let config = jwt_core::JwtConfig::builder()
        .secret("a test secret of at least thirty-two bytes")
        .build()
        .expect("valid settings");
    let store = jwt_core::session_store_from_config(&config)
        .await
        .expect("memory needs nothing");
    let t = t0();
    store
        .create(session("s1", "alice", "r1", t))
        .await
        .expect("created");
    assert!(active(&*store, "alice", "s1", t).await);
    // Another store from the same settings is another process's memory: it shares nothing.
    let other = jwt_core::session_store_from_config(&config)
        .await
        .expect("memory needs nothing");
    assert!(!active(&*other, "alice", "s1", t).await);
}
