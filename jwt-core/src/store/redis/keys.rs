//! Where a session's records live: every key of one user shares one Redis Cluster hash slot.

use crate::claims::SessionId;

/// Names the keys of one store (one key prefix).
///
/// Layout, for a prefix `p` and a user `u` (encoded as [`hash_tag`] describes):
/// - `p{u}:session:<sid>`: the session's hash;
/// - `p{u}:user`: the user's sorted set of session ids;
/// - `p{throttle:<counter>}`: a failed-login counter (see [`KeyLayout::throttle`]).
///
/// Redis Cluster places a key by the part between its first `{` and the next `}`, so both
/// keys of every user land in one slot, and a script touching a session and its user's set
/// (rotation, reuse detection, revocation, logout-all, the per-user bound) runs on one node.
/// The price: a session is found by subject and id together, never by id alone.
#[derive(Debug, Clone)]
pub(super) struct KeyLayout {
    prefix: String,
}

impl KeyLayout {
    pub(super) fn new(prefix: &str) -> Self {
        // A brace in the prefix would open the hash tag before the user's: encode it too.
        Self {
            prefix: encode(prefix),
        }
    }

    pub(super) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `p{u}:session:`, to which a session id is appended.
    pub(super) fn session_prefix(&self, subject: &str) -> String {
        format!("{}{}:session:", self.prefix, hash_tag(subject))
    }

    pub(super) fn session(&self, subject: &str, session_id: &SessionId) -> String {
        format!("{}{}", self.session_prefix(subject), session_id.as_str())
    }

    pub(super) fn user(&self, subject: &str) -> String {
        format!("{}{}:user", self.prefix, hash_tag(subject))
    }

    /// `p{claim:<key>}`: a one-time claim, alone in its slot as a throttle counter is.
    pub(super) fn claim(&self, key: &str) -> String {
        format!("{}{}", self.prefix, hash_tag(&format!("claim:{key}")))
    }

    /// `p{throttle:<counter>}`: a failed-login counter of the login throttle. Each counter is
    /// read and written alone, so it may live in any slot; its name in braces, encoded as a
    /// subject is, spreads the counters over the slots.
    pub(super) fn throttle(&self, counter: &str) -> String {
        format!(
            "{}{}",
            self.prefix,
            hash_tag(&format!("throttle:{counter}"))
        )
    }
}

/// `{<subject>}` with `%`, `{` and `}` percent-encoded (`%25`, `%7B`, `%7D`), so that no
/// subject can close the tag early or open another, and two subjects never share a tag. The
/// empty subject is written `{%}`: a lone `%` is no encoding of any other subject, and an empty
/// tag `{}` would not be a tag at all (Redis would hash the whole key).
pub(super) fn hash_tag(subject: &str) -> String {
    if subject.is_empty() {
        return "{%}".to_owned();
    }
    format!("{{{}}}", encode(subject))
}

fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '{' => encoded.push_str("%7B"),
            '}' => encoded.push_str("%7D"),
            other => encoded.push(other),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes Redis Cluster hashes to place a key (its hash-tag rule).
    fn slot_part(key: &str) -> &str {
        if let Some(open) = key.find('{')
            && let Some(close) = key[open + 1..].find('}')
            && close > 0
        {
            return &key[open + 1..open + 1 + close];
        }
        key
    }

    #[test]
    fn session_and_user_keys_of_one_subject_share_their_hash_tag() {
        let layout = KeyLayout::new("jwt:");
        for subject in ["alice", "", "a}b", "{x}", "%7D", "}", "{", "a:b", "ü{}%"] {
            let session = layout.session(subject, &SessionId::new("s1".to_owned()));
            let user = layout.user(subject);
            assert_eq!(slot_part(&session), slot_part(&user), "{subject:?}");
            assert_ne!(slot_part(&user), user, "{subject:?} has a tag");
        }
    }

    #[test]
    fn distinct_subjects_get_distinct_tags() {
        let subjects = [
            "", "%", "%25", "{", "%7B", "}", "%7D", "a}b", "a%7Db", "{}", "%%",
        ];
        let tags: std::collections::HashSet<String> =
            subjects.iter().map(|subject| hash_tag(subject)).collect();
        assert_eq!(tags.len(), subjects.len());
    }

    #[test]
    fn braces_in_the_prefix_cannot_capture_the_tag() {
        let layout = KeyLayout::new("app{1}:");
        assert_eq!(layout.user("bob"), "app%7B1%7D:{bob}:user");
        assert_eq!(slot_part(&layout.user("bob")), "bob");
    }
}
