//! Access tokens that already passed verification, so a token sent again is not verified again.
//!
//! A browser sends the same access token with every request for its whole lifetime (five
//! minutes by default), and the signature check is most of what authentication costs. Only
//! tokens that passed every check are kept, each under its exact bytes.
//!
//! The answer for a token is the same with or without the cache, for the same clock: what a
//! full verification decides from the token's bytes alone (key, signature, kind, claims) cannot
//! change for the same bytes, and what it decides from the clock (`exp`, `nbf`, `iat`, each
//! with `JWT_LEEWAY`) is checked again on every hit, against the time of that request. A clock
//! that steps back before a kept token's `iat` or `nbf` makes the kept token a miss, and the
//! full check then refuses it as it would have without the cache. Checks that depend on the
//! request rather than the token (the cross-origin check, and the session look-up of
//! `JWT_STRICT_LOGOUT`) run on every request. When the keys change, [`VerifiedTokens::clear`]
//! drops every entry, as a token kept under a removed key must not pass.
//!
//! Design: a sharded CLOCK (second chance) cache, written here rather than taken from a crate
//! because it is about a hundred lines and needs none of a general cache's machinery (no
//! background threads, no async, no time-to-idle): each shard is a fixed number of slots and
//! a hand. A hit sets the entry's "used" bit under the shard's read lock (an atomic store), so
//! hits on different or the same shard run in parallel. An insert into a full shard moves the
//! hand: an entry past its `exp` (plus leeway) is replaced at once, a used one loses its bit
//! and is passed, and the first unused one is replaced. A token in use keeps getting its bit
//! back, so a flood of tokens seen once (one user refreshing in a loop, or many users each
//! seen once) replaces each other and not the tokens in use; and as every bit the hand clears
//! was set by a hit, an insert costs O(1) amortised, never a scan of the whole cache, and
//! nothing ever empties it at once.
//!
//! Admission: a token is kept only when it passes verification for the second time within a
//! while. A browser sends its token again within seconds, so it is kept from its second
//! request on; a token that is never sent again (a flood of distinct tokens, each once) is
//! never kept, and costs the cache one hash and one atomic store instead of an insert and an
//! eviction, so that a cache under such pressure is never slower than no cache. The memory of
//! first sightings is a table of fingerprints, four per entry of capacity, each overwritten by
//! the next token that lands on it.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use crate::claims::Principal;

/// Below this capacity the cache is one shard: small caches are for tests and tiny apps, where
/// exact eviction order matters more than parallel inserts.
const SHARDING_THRESHOLD: usize = 1024;
/// Shards of a large cache: enough that two cores (or sixteen) rarely wait on one lock.
const SHARDS: usize = 16;

/// A token's fingerprint: a keyed hash of its signature segment, computed once per request
/// and used for the shard, the slot index and the first-sightings table alike. Two tokens
/// with one fingerprint are told apart by their whole bytes, compared on every hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint(u64);

/// Hashes a [`Fingerprint`] as itself: it is already a keyed hash.
#[derive(Default)]
struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Verified access tokens by signature, with their principals.
pub(crate) struct VerifiedTokens<C> {
    shards: Box<[RwLock<Shard<C>>]>,
    hasher: RandomState,
    /// Fingerprints of tokens verified once and not kept yet.
    seen_once: Box<[AtomicU64]>,
}

/// Slots of the first-sightings table per entry of capacity.
const SEEN_ONCE_PER_ENTRY: usize = 4;

/// The time claims of a verified token: all a kept token needs checked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lifetime {
    pub(crate) issued_at: i64,
    pub(crate) not_before: Option<i64>,
    pub(crate) expires_at: i64,
}

impl Lifetime {
    /// Whether a full verification at `now` would accept these claims, as `token::verify`
    /// checks them (with no extra expiry: the middleware never allows any).
    pub(crate) fn valid_at(&self, now: i64, leeway: i64) -> bool {
        let latest = now.saturating_add(leeway);
        now < self.expires_at.saturating_add(leeway)
            && self.not_before.is_none_or(|nbf| nbf <= latest)
            && self.issued_at <= latest
    }

    fn expired_at(&self, now: i64, leeway: i64) -> bool {
        now >= self.expires_at.saturating_add(leeway)
    }
}

struct Shard<C> {
    capacity: usize,
    /// Fingerprint to slot index; the slot keeps the whole token, compared on every hit.
    index: HashMap<u64, usize, BuildHasherDefault<AlreadyHashed>>,
    slots: Vec<Slot<C>>,
    hand: usize,
}

struct Slot<C> {
    fingerprint: u64,
    token: Box<str>,
    lifetime: Lifetime,
    principal: Principal<C>,
    used: AtomicBool,
}

impl<C: Clone> VerifiedTokens<C> {
    /// A cache of at most `capacity` tokens; 0 turns it off.
    pub(crate) fn new(capacity: usize) -> Self {
        let shard_count = match capacity {
            0 => 0,
            small if small < SHARDING_THRESHOLD => 1,
            _ => SHARDS,
        };
        let shards = (0..shard_count)
            .map(|n| {
                // The first shards take the remainder, so the capacities add up exactly.
                let capacity = capacity / shard_count + usize::from(n < capacity % shard_count);
                RwLock::new(Shard {
                    capacity,
                    index: HashMap::with_capacity_and_hasher(
                        capacity.min(4096),
                        BuildHasherDefault::default(),
                    ),
                    slots: Vec::new(),
                    hand: 0,
                })
            })
            .collect();
        Self {
            shards,
            hasher: RandomState::new(),
            seen_once: (0..capacity.saturating_mul(SEEN_ONCE_PER_ENTRY))
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    /// The token's fingerprint, for the calls below.
    pub(crate) fn fingerprint(&self, token: &str) -> Fingerprint {
        if self.shards.is_empty() {
            // No cache: nothing will look the fingerprint up.
            return Fingerprint(0);
        }
        Fingerprint(self.hasher.hash_one(signature(token)))
    }

    /// Whether a token that has just passed verification passed it before, recently enough to
    /// be worth keeping; records it otherwise.
    pub(crate) fn seen_before(&self, fingerprint: Fingerprint) -> bool {
        if self.seen_once.is_empty() {
            return false;
        }
        // Never zero, so that an empty slot matches nothing.
        let mark = fingerprint.0 | 1;
        let slot = &self.seen_once[(fingerprint.0 >> 16) as usize % self.seen_once.len()];
        slot.swap(mark, Ordering::Relaxed) == mark
    }

    fn shard(&self, fingerprint: Fingerprint) -> Option<&RwLock<Shard<C>>> {
        if self.shards.is_empty() {
            return None;
        }
        // Bits the slot index (low bits) and the table's control bytes (top bits) use least.
        let bits = (fingerprint.0 >> 32) as usize;
        self.shards.get(bits % self.shards.len())
    }

    /// The principal of a token verified before, if a full verification at `now` (Unix
    /// seconds), with `leeway` seconds, would accept it too.
    pub(crate) fn get(
        &self,
        fingerprint: Fingerprint,
        token: &str,
        now: i64,
        leeway: i64,
    ) -> Option<Principal<C>> {
        let shard = self
            .shard(fingerprint)?
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = &shard.slots[*shard.index.get(&fingerprint.0)?];
        if *slot.token != *token || !slot.lifetime.valid_at(now, leeway) {
            return None;
        }
        slot.used.store(true, Ordering::Relaxed);
        Some(slot.principal.clone())
    }

    /// Keeps a token that has just passed verification at `now`.
    pub(crate) fn insert(
        &self,
        fingerprint: Fingerprint,
        token: &str,
        lifetime: Lifetime,
        principal: &Principal<C>,
        now: i64,
        leeway: i64,
    ) {
        let Some(shard) = self.shard(fingerprint) else {
            return;
        };
        let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
        let slot = Slot {
            fingerprint: fingerprint.0,
            token: token.into(),
            lifetime,
            principal: principal.clone(),
            used: AtomicBool::new(false),
        };
        shard.put(slot, now, leeway);
    }

    /// Forgets every token, for when the keys they were verified with may be gone.
    pub(crate) fn clear(&self) {
        for shard in &*self.shards {
            let mut shard = shard.write().unwrap_or_else(PoisonError::into_inner);
            shard.index.clear();
            shard.slots.clear();
            shard.hand = 0;
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                shard
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .slots
                    .len()
            })
            .sum()
    }
}

impl<C> Shard<C> {
    fn put(&mut self, slot: Slot<C>, now: i64, leeway: i64) {
        if let Some(&at) = self.index.get(&slot.fingerprint) {
            self.slots[at] = slot;
            return;
        }
        if self.slots.len() < self.capacity {
            self.index.insert(slot.fingerprint, self.slots.len());
            self.slots.push(slot);
            return;
        }
        let at = self.victim(now, leeway);
        self.index.remove(&self.slots[at].fingerprint);
        self.index.insert(slot.fingerprint, at);
        self.slots[at] = slot;
    }

    /// The slot to replace in a full shard. Ends within two turns of the hand: after one turn
    /// every bit is clear.
    fn victim(&mut self, now: i64, leeway: i64) -> usize {
        loop {
            let at = self.hand;
            self.hand = (self.hand + 1) % self.slots.len();
            let slot = &self.slots[at];
            if slot.lifetime.expired_at(now, leeway) || !slot.used.swap(false, Ordering::Relaxed) {
                return at;
            }
        }
    }
}

/// The third segment of a compact JWS (the whole token if it has no dot, which never verified).
fn signature(token: &str) -> &str {
    token
        .rsplit_once('.')
        .map_or(token, |(_, signature)| signature)
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::{Lifetime, VerifiedTokens};
    use crate::claims::{NoClaims, Principal, SessionId};

    fn principal() -> Principal<NoClaims> {
        Principal {
            subject: "alice".into(),
            session_id: SessionId::new("s".into()),
            token_id: "j".into(),
            issued_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: OffsetDateTime::UNIX_EPOCH,
            claims: NoClaims,
        }
    }

    fn until(expires_at: i64) -> Lifetime {
        Lifetime {
            issued_at: 0,
            not_before: None,
            expires_at,
        }
    }

    fn put(cache: &VerifiedTokens<NoClaims>, token: &str, lifetime: Lifetime, now: i64) {
        cache.insert(
            cache.fingerprint(token),
            token,
            lifetime,
            &principal(),
            now,
            0,
        );
    }

    impl VerifiedTokens<NoClaims> {
        fn get_token(&self, token: &str, now: i64, leeway: i64) -> Option<Principal<NoClaims>> {
            self.get(self.fingerprint(token), token, now, leeway)
        }

        fn seen(&self, token: &str) -> bool {
            self.seen_before(self.fingerprint(token))
        }
    }

    #[test]
    fn the_cache_never_outgrows_its_capacity() {
        for capacity in [1, 3, 1023, 1024, 1030] {
            let cache = VerifiedTokens::new(capacity);
            for n in 0..capacity * 3 {
                put(&cache, &format!("h.p.sig{n}"), until(1_000), 0);
                assert!(cache.len() <= capacity);
            }
            let last = format!("h.p.sig{}", capacity * 3 - 1);
            assert!(cache.get_token(&last, 0, 0).is_some(), "the newest is kept");
        }
    }

    #[test]
    fn expired_entries_make_room_first() {
        let cache = VerifiedTokens::new(2);
        put(&cache, "h.p.live", until(1_000), 0);
        put(&cache, "h.p.old", until(10), 0);
        assert!(cache.get_token("h.p.live", 0, 0).is_some());
        assert!(cache.get_token("h.p.old", 0, 0).is_some());
        put(&cache, "h.p.new", until(1_000), 20);
        assert!(cache.get_token("h.p.live", 20, 0).is_some());
        assert!(cache.get_token("h.p.new", 20, 0).is_some());
    }

    #[test]
    fn a_token_in_use_survives_a_flood_of_tokens_seen_once() {
        let cache = VerifiedTokens::new(100);
        put(&cache, "h.p.hot", until(1_000), 0);
        for n in 0..10_000 {
            assert!(
                cache.get_token("h.p.hot", 0, 0).is_some(),
                "after {n} cold tokens"
            );
            put(&cache, &format!("h.p.cold{n}"), until(1_000), 0);
        }
        assert_eq!(cache.len(), 100, "never emptied");
    }

    #[test]
    fn a_hit_needs_the_whole_token_and_valid_times() {
        let cache = VerifiedTokens::new(10);
        let lifetime = Lifetime {
            issued_at: 50,
            not_before: Some(60),
            expires_at: 100,
        };
        put(&cache, "h.p.sig", lifetime, 70);
        assert!(cache.get_token("h.p.sig", 99, 0).is_some());
        assert!(
            cache.get_token("h.other.sig", 99, 0).is_none(),
            "same signature, other payload"
        );
        assert!(cache.get_token("h.p.sig", 100, 0).is_none(), "expired");
        assert!(
            cache.get_token("h.p.sig", 104, 5).is_some(),
            "within the leeway"
        );
        assert!(cache.get_token("h.p.sig", 59, 0).is_none(), "before nbf");
        assert!(
            cache.get_token("h.p.sig", 55, 5).is_some(),
            "nbf within the leeway"
        );
        assert!(cache.get_token("h.p.sig", 40, 0).is_none(), "before iat");
        assert!(
            cache.get_token("h.p.sig", 45, 5).is_none(),
            "before nbf, though after iat - leeway"
        );
    }

    #[test]
    fn clear_forgets_every_token() {
        let cache = VerifiedTokens::new(2_000);
        for n in 0..100 {
            put(&cache, &format!("h.p.sig{n}"), until(1_000), 0);
        }
        cache.clear();
        assert_eq!(cache.len(), 0);
        assert!(cache.get_token("h.p.sig1", 0, 0).is_none());
        put(&cache, "h.p.again", until(1_000), 0);
        assert!(cache.get_token("h.p.again", 0, 0).is_some(), "still usable");
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let cache = VerifiedTokens::new(0);
        put(&cache, "h.p.sig", until(100), 0);
        assert!(cache.get_token("h.p.sig", 0, 0).is_none());
        assert!(!cache.seen("h.p.sig") && !cache.seen("h.p.sig"));
    }

    #[test]
    fn a_token_is_worth_keeping_from_its_second_sighting() {
        let cache = VerifiedTokens::<NoClaims>::new(100);
        assert!(!cache.seen("h.p.a"));
        assert!(cache.seen("h.p.a"));
        // A flood of other tokens, each seen once, pushes the first sighting out.
        assert!(!cache.seen("h.p.b"));
        for n in 0..10_000 {
            assert!(!cache.seen(&format!("h.p.flood{n}")));
        }
        assert!(!cache.seen("h.p.b"), "forgotten after the flood");
    }
}
