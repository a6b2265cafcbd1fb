//! What the fuzz targets share: one engine with known users, a clock they move, a runtime.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use jwt_core::{
    JwtAuth, JwtConfig, JwtConfigBuilder, ManualClock, MemoryAuthenticator, MemoryStore, NoClaims,
    PasswordHasher, Reply, RequestBody, RequestHead,
};

/// The HMAC secret of every target's engine.
pub const SECRET: &str = "fuzzing secret: 0123456789abcdef0123456789abcdef";
/// The key id of every target's engine, so that seeds can name it.
pub const KID: &str = "k1";
/// A fixed start, so that seeds with timestamps stay meaningful.
pub const START: i64 = 1_800_000_000;
/// The users every engine knows, with their passwords.
pub const USERS: [(&str, &str); 2] = [("alice", "password1"), ("bob", "password2")];

/// The settings of every target's engine: defaults with a known key, strict logout (so that a
/// revoked session must stop authenticating at once) and a small leeway.
pub fn settings() -> JwtConfigBuilder {
    JwtConfig::builder()
        .secret(SECRET)
        .key_id(KID)
        .strict_logout(true)
        .leeway_seconds(5)
        .trusted_origin("https://app.example.com")
}

/// A fresh engine with the two users, an in-memory store and a clock stopped at [`START`].
pub fn engine() -> (JwtAuth<NoClaims>, ManualClock) {
    let config = settings().build().expect("the fuzzing settings are valid");
    engine_with(config)
}

/// A fresh engine with the given settings.
pub fn engine_with(config: JwtConfig) -> (JwtAuth<NoClaims>, ManualClock) {
    let clock = ManualClock::at_unix(START);
    let auth = JwtAuth::builder(config, Arc::clone(users()))
        .store(MemoryStore::new())
        .clock(clock.clone())
        .verified_token_cache(64)
        .build();
    (auth, clock)
}

/// The users, hashed once per process with the cheapest Argon2 parameters: fuzzing is about
/// parsing, not about hashing.
pub fn users() -> &'static Arc<MemoryAuthenticator<NoClaims>> {
    static USERS_ONCE: OnceLock<Arc<MemoryAuthenticator<NoClaims>>> = OnceLock::new();
    USERS_ONCE.get_or_init(|| {
        let params = argon2::Params::new(8, 1, 1, None).expect("valid parameters");
        let hasher = PasswordHasher::with_params(params).expect("valid hasher");
        let users = MemoryAuthenticator::with_hasher(hasher);
        for (name, password) in USERS {
            users.add_user(name, password, NoClaims).expect("hash");
        }
        Arc::new(users)
    })
}

/// A single-threaded runtime, made once per process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

/// An HTTP/1.1 request head as text: the first line's first word is the method, every other
/// line up to an empty one is `Name: value`; what follows the empty line is the body. Seeds
/// are written this way, straight from the conformance suite's requests.
pub struct TextRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// Header fields, names as sent.
    pub headers: Vec<(&'a str, &'a [u8])>,
    /// The body.
    pub body: &'a [u8],
}

impl<'a> TextRequest<'a> {
    /// Reads a request from bytes; `None` when the first line is not UTF-8.
    pub fn parse(data: &'a [u8]) -> Option<Self> {
        let (head, body) = match find(data, b"\n\n") {
            Some(at) => (&data[..at], &data[at + 2..]),
            None => (data, &b""[..]),
        };
        let mut lines = head.split(|&b| b == b'\n');
        let first = std::str::from_utf8(lines.next()?).ok()?;
        let method = first.split(' ').next().unwrap_or("");
        let mut headers = Vec::new();
        for line in lines {
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue;
            };
            let Ok(name) = std::str::from_utf8(&line[..colon]) else {
                continue;
            };
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            headers.push((name, value));
        }
        Some(Self {
            method,
            headers,
            body,
        })
    }

    /// The head, as an adapter would build it.
    pub fn head(&self, config: &'a JwtConfig) -> RequestHead<'a> {
        RequestHead::from_pairs(config, self.method, self.headers.iter().copied())
    }

    /// The body, as an adapter would hand it over.
    pub fn request_body(&self) -> RequestBody {
        RequestBody::Complete(Bytes::copy_from_slice(self.body))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The invariant every reply keeps: no 5xx but 503 (a store or authenticator outage, which
/// these engines never have, so not even that), and the JSON message body.
pub fn check_reply(reply: &Reply) {
    let status = reply.status().as_u16();
    assert!(status < 500, "status {status}: {reply:?}");
    let body: serde_json::Value =
        serde_json::from_slice(reply.body()).expect("every reply body is JSON");
    assert!(body["message"].is_string(), "{body}");
}

/// The access token a login or refresh reply sets (its first `Set-Cookie` line).
pub fn access_token_of(reply: &Reply) -> Option<String> {
    let line = reply.headers().get("set-cookie")?.to_str().ok()?;
    let pair = line.split(';').next()?;
    let (_, value) = pair.split_once('=')?;
    (!value.is_empty()).then(|| value.to_owned())
}

/// The refresh token a login or refresh reply sets (the `Set-Cookie` line named after
/// `JWT_REFRESH_COOKIE`).
pub fn refresh_token_of(reply: &Reply, config: &JwtConfig) -> Option<String> {
    reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|line| line.to_str().ok())
        .filter_map(|line| line.split(';').next()?.split_once('='))
        .find(|(name, value)| *name == config.refresh_cookie() && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}
