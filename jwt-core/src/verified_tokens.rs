//! Access tokens that already passed verification, so a token sent again is not verified again.
//!
//! A browser sends the same access token with every request for its whole lifetime (five
//! minutes by default), and the signature check is most of what authentication costs. Only
//! tokens that passed every check are kept, each under its exact bytes, and a kept token is
//! still refused from its `exp` (plus `JWT_LEEWAY`) on: the answer for a token is the same
//! with or without the cache. Checks that depend on the request rather than the token (the
//! cross-origin check, and the session look-up of `JWT_STRICT_LOGOUT`) run on every request.
//!
//! The cache is bounded: when full, expired entries go first, and if none had expired it
//! starts over empty, which costs one signature check per live token.

use std::collections::HashMap;
use std::sync::RwLock;

use crate::claims::Principal;

/// Verified access tokens by signature, with their principals.
pub(crate) struct VerifiedTokens<C> {
    capacity: usize,
    /// Keyed by the signature segment, which is short to hash and unique to its token; the
    /// entry keeps the whole token, compared on every hit.
    entries: RwLock<HashMap<Box<str>, Entry<C>>>,
}

struct Entry<C> {
    token: Box<str>,
    principal: Principal<C>,
}

impl<C: Clone> VerifiedTokens<C> {
    /// A cache of at most `capacity` tokens; 0 turns it off.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: RwLock::new(HashMap::new()),
        }
    }

    /// The principal of a token verified before, while the token is unexpired at `now`
    /// (Unix seconds) give or take `leeway` seconds.
    pub(crate) fn get(&self, token: &str, now: i64, leeway: i64) -> Option<Principal<C>> {
        if self.capacity == 0 {
            return None;
        }
        let entries = self
            .entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = entries.get(signature(token))?;
        let unexpired = now
            < entry
                .principal
                .expires_at
                .unix_timestamp()
                .saturating_add(leeway);
        (unexpired && *entry.token == *token).then(|| entry.principal.clone())
    }

    /// Keeps a token that has just passed verification.
    pub(crate) fn insert(&self, token: &str, principal: &Principal<C>, now: i64, leeway: i64) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.retain(|_, entry| {
                now < entry
                    .principal
                    .expires_at
                    .unix_timestamp()
                    .saturating_add(leeway)
            });
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            signature(token).into(),
            Entry {
                token: token.into(),
                principal: principal.clone(),
            },
        );
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

    use super::VerifiedTokens;
    use crate::claims::{NoClaims, Principal, SessionId};

    fn principal(expires_at: i64) -> Principal<NoClaims> {
        Principal {
            subject: "alice".into(),
            session_id: SessionId::new("s".into()),
            token_id: "j".into(),
            issued_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: OffsetDateTime::from_unix_timestamp(expires_at).expect("valid time"),
            claims: NoClaims,
        }
    }

    fn len(cache: &VerifiedTokens<NoClaims>) -> usize {
        cache.entries.read().expect("lock").len()
    }

    #[test]
    fn the_cache_never_outgrows_its_capacity() {
        let cache = VerifiedTokens::new(3);
        for n in 0..10 {
            cache.insert(&format!("h.p.sig{n}"), &principal(1_000), 0, 0);
            assert!(len(&cache) <= 3);
        }
        assert!(cache.get("h.p.sig9", 0, 0).is_some(), "the newest is kept");
    }

    #[test]
    fn expired_entries_make_room_first() {
        let cache = VerifiedTokens::new(2);
        cache.insert("h.p.old", &principal(10), 0, 0);
        cache.insert("h.p.live", &principal(1_000), 0, 0);
        cache.insert("h.p.new", &principal(1_000), 20, 0);
        assert!(cache.get("h.p.live", 20, 0).is_some());
        assert!(cache.get("h.p.new", 20, 0).is_some());
    }

    #[test]
    fn a_hit_needs_the_whole_token_and_an_unexpired_principal() {
        let cache = VerifiedTokens::new(10);
        cache.insert("h.p.sig", &principal(100), 0, 0);
        assert!(cache.get("h.p.sig", 99, 0).is_some());
        assert!(
            cache.get("h.other.sig", 99, 0).is_none(),
            "same signature, other payload"
        );
        assert!(cache.get("h.p.sig", 100, 0).is_none(), "expired");
        assert!(cache.get("h.p.sig", 104, 5).is_some(), "within the leeway");
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let cache = VerifiedTokens::new(0);
        cache.insert("h.p.sig", &principal(100), 0, 0);
        assert!(cache.get("h.p.sig", 0, 0).is_none());
    }
}
