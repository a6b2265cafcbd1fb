//! Login throttling: failed logins are counted, and past a limit the password is not even
//! checked.
//!
//! Two counters, in fixed windows of `JWT_LOGIN_THROTTLE_WINDOW` that start with the first
//! failure:
//! - per (username, client), limited by `JWT_LOGIN_MAX_FAILURES`: guessing one account's
//!   password from one place. A successful login clears it.
//! - per client, limited by `JWT_LOGIN_MAX_FAILURES_PER_CLIENT`: one place trying many
//!   accounts (credential stuffing, password spraying).
//!
//! There is deliberately no per-username counter on its own: with one, anybody anywhere
//! could lock a user out of their own account by failing logins in their name. The price is
//! that an attacker with many addresses (a botnet) gets `JWT_LOGIN_MAX_FAILURES` guesses per
//! address and account; that is for the infrastructure in front (rate limits per network,
//! bot detection) and for password policy to answer.
//!
//! The client is [`RequestHead::client`](crate::RequestHead::client): the peer address, or
//! the client a trusted proxy forwarded for. IPv6 clients are counted by their /64 network,
//! which one subscriber usually holds whole; requests whose server gave no peer address are
//! all counted as one client, `unknown`. Usernames are counted case-insensitively and by a
//! hash, so the store never holds what someone typed (sometimes a password).
//!
//! Counters live in the session store, so processes that share sessions share counts.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use time::{Duration, OffsetDateTime};

use crate::store::{SessionStore, StoreError};

/// The configured limits; `None` turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) per_pair: Option<u32>,
    pub(crate) per_client: Option<u32>,
    pub(crate) window: Duration,
}

/// The counters one login attempt touches.
pub(crate) struct Attempt {
    /// The (username, client) counter, if that limit is on.
    pair: Option<(String, u32)>,
    /// The client counter, if that limit is on.
    client: Option<(String, u32)>,
}

/// Whether this process already said that logins arrive without a client address.
static SAID_NO_PEER: AtomicBool = AtomicBool::new(false);

impl Attempt {
    pub(crate) fn new(limits: &Limits, username: &str, client: Option<IpAddr>) -> Self {
        if client.is_none()
            && limits.per_client.is_some()
            && !SAID_NO_PEER.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                target: "jwt_core",
                "a login arrived without the client's address: every such login shares one \
                 failure counter, so strangers' failures throttle everyone; give the adapter \
                 the peer address (see its docs)"
            );
        }
        let client = client_key(client);
        Self {
            pair: limits
                .per_pair
                .map(|limit| (format!("login:{}:{client}", username_key(username)), limit)),
            client: limits
                .per_client
                .map(|limit| (format!("client:{client}"), limit)),
        }
    }

    fn keys(&self) -> Vec<String> {
        [&self.pair, &self.client]
            .into_iter()
            .flatten()
            .map(|(key, _)| key.clone())
            .collect()
    }

    fn limits(&self) -> impl Iterator<Item = u32> + '_ {
        [&self.pair, &self.client]
            .into_iter()
            .flatten()
            .map(|(_, limit)| *limit)
    }

    /// How long until the attempt may be made, when a limit is already reached.
    pub(crate) async fn refusal(
        &self,
        store: &dyn SessionStore,
        now: OffsetDateTime,
    ) -> Result<Option<Duration>, StoreError> {
        let keys = self.keys();
        if keys.is_empty() {
            return Ok(None);
        }
        let counts = store.login_failures(&keys, now).await?;
        Ok(counts
            .iter()
            .zip(self.limits())
            .filter(|(count, limit)| count.count >= *limit)
            .map(|(count, _)| count.window_ends - now)
            .max())
    }

    /// Counts a failed attempt.
    pub(crate) async fn failed(
        &self,
        store: &dyn SessionStore,
        window: Duration,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let keys = self.keys();
        if keys.is_empty() {
            return Ok(());
        }
        store.record_login_failure(&keys, window, now).await?;
        Ok(())
    }

    /// Forgets the failures of this username from this client.
    pub(crate) async fn succeeded(&self, store: &dyn SessionStore) -> Result<(), StoreError> {
        match &self.pair {
            Some((key, _)) => store.clear_login_failures(key).await,
            None => Ok(()),
        }
    }
}

/// Whole seconds to wait, at least one: what `Retry-After` says.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.whole_seconds() + i64::from(wait.subsec_nanoseconds() > 0);
    seconds.max(1).unsigned_abs()
}

/// The username, case-folded and digested ([`crate::crypto_backend::digest`]): bounded in
/// length, the same in every process, and not readable in the store. 128 bits of it.
fn username_key(username: &str) -> String {
    let folded = username.to_lowercase();
    let mac =
        crate::crypto_backend::digest("jwt-core login throttle: usernames", folded.as_bytes());
    // HMAC with a fixed, valid key does not fail; were it to, every username would share one
    // counter (throttling more, never less), and nothing typed would reach the store.
    mac.map_or_else(
        || "unhashed".to_owned(),
        |mac| mac.chars().take(22).collect(),
    )
}

/// The client as a counter name: an IPv4 address, an IPv6 /64 network, or `unknown`.
fn client_key(client: Option<IpAddr>) -> String {
    match client {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(address)) => address.to_string(),
        Some(IpAddr::V6(address)) => match address.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let segments = address.segments();
                format!(
                    "{:x}:{:x}:{:x}:{:x}::/64",
                    segments[0], segments[1], segments[2], segments[3]
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_count_case_insensitively_and_unreadably() {
        assert_eq!(username_key("Alice"), username_key("alice"));
        assert_ne!(username_key("alice"), username_key("bob"));
        assert!(!username_key("hunter2-typed-as-username").contains("hunter2"));
        assert_eq!(username_key(&"x".repeat(65536)).len(), 22);
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        let a = client_key(Some("2001:db8:1:2::1".parse().expect("address")));
        let b = client_key(Some("2001:db8:1:2:ffff::9".parse().expect("address")));
        let c = client_key(Some("2001:db8:1:3::1".parse().expect("address")));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            client_key(Some("::ffff:192.0.2.1".parse().expect("address"))),
            "192.0.2.1"
        );
        assert_eq!(client_key(None), "unknown");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::milliseconds(1)), 1);
        assert_eq!(retry_after_seconds(Duration::seconds(0)), 1);
        assert_eq!(retry_after_seconds(Duration::milliseconds(2500)), 3);
        assert_eq!(retry_after_seconds(Duration::seconds(900)), 900);
    }
}
