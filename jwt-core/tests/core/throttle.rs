//! The login throttle at the engine: counting per (username, client) and per client, the
//! client from the peer or a trusted proxy, and load shedding in front of password checks.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri};
use jwt_core::{
    AuthEvent, Authenticator, AuthenticatorError, Credentials, Identity, JwtAuth, JwtConfig,
    MemoryAuthenticator, NoClaims, PasswordHasher, RequestHead,
};

use crate::fixture::{Fixture, message, settings};

fn address(text: &str) -> IpAddr {
    text.parse().expect("a test address")
}

async fn login_from<C>(
    auth: &JwtAuth<C>,
    peer: Option<&str>,
    forwarded: &[(&str, &str)],
    password: &str,
) -> jwt_core::Reply
where
    C: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    for (name, value) in forwarded {
        headers.append(
            http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            HeaderValue::from_str(value).expect("a header value"),
        );
    }
    let (method, uri) = (Method::POST, Uri::from_static("/jwt/login/"));
    let mut head = RequestHead::from_http(auth.config(), &method, &uri, &headers);
    if let Some(peer) = peer {
        head = head.with_peer(address(peer));
    }
    let body = serde_json::json!({ "username": "alice", "password": password }).to_string();
    auth.login(&head, Bytes::from(body).into()).await
}

#[test]
fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
    let config = settings()
        .trusted_proxy("10.0.0.0/8")
        .trusted_proxy("192.0.2.10")
        .build()
        .expect("valid");
    let head = |peer: &str, fields: &[(&'static str, &'static str)]| {
        let pairs = fields.iter().map(|(name, value)| (*name, value.as_bytes()));
        RequestHead::from_pairs(&config, "POST", pairs).with_peer(address(peer))
    };
    let forwarded = [("x-forwarded-for", "203.0.113.5, 198.51.100.1, 10.1.2.3")];
    // An untrusted peer is the client, whatever it claims.
    assert_eq!(
        head("198.51.100.77", &forwarded).client(),
        Some(address("198.51.100.77"))
    );
    // Behind trusted proxies: the right-most address that is not one.
    assert_eq!(
        head("10.0.0.1", &forwarded).client(),
        Some(address("198.51.100.1"))
    );
    // Forwarded wins over X-Forwarded-For; ports and brackets are read.
    let both = [
        (
            "forwarded",
            "for=203.0.113.5, for=\"[2001:db8::7]:4711\";proto=https",
        ),
        ("x-forwarded-for", "198.51.100.1"),
    ];
    assert_eq!(
        head("10.0.0.1", &both).client(),
        Some(address("2001:db8::7"))
    );
    // Nothing forwarded: the proxy itself; all proxies: the left-most.
    assert_eq!(head("10.0.0.1", &[]).client(), Some(address("10.0.0.1")));
    let chain = [("x-forwarded-for", "10.9.9.9, 192.0.2.10")];
    assert_eq!(head("10.0.0.1", &chain).client(), Some(address("10.9.9.9")));
    // An entry that is no address stops the walk at the proxy that wrote it.
    let hidden = [("forwarded", "for=unknown, for=10.4.4.4")];
    assert_eq!(
        head("10.0.0.1", &hidden).client(),
        Some(address("10.4.4.4"))
    );
    // No peer given: no client (counted as one shared "unknown" client).
    let none = RequestHead::from_pairs(&config, "POST", forwarded.map(|(n, v)| (n, v.as_bytes())));
    assert_eq!(none.client(), None);
}

#[tokio::test]
async fn requests_without_a_peer_share_one_client() {
    let fixture = Fixture::with(settings().login_max_failures(2));
    let auth = &fixture.auth;
    for _ in 0..2 {
        assert_eq!(login_from(auth, None, &[], "wrong").await.status(), 400);
    }
    let reply = login_from(auth, None, &[], "password1").await;
    assert_eq!(reply.status(), 429);
    assert_eq!(message(&reply), "Too many login attempts.");
    // A request whose server gave its peer is another client.
    let reply = login_from(auth, Some("192.0.2.1"), &[], "password1").await;
    assert_eq!(reply.status(), 200);
}

/// Users in memory, counting how often a password is checked.
struct CountingUsers {
    users: MemoryAuthenticator<NoClaims>,
    checks: AtomicUsize,
}

#[jwt_core::async_trait]
impl Authenticator for CountingUsers {
    type Claims = NoClaims;

    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        self.users.authenticate(credentials).await
    }

    async fn identity(
        &self,
        subject: &str,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        self.users.identity(subject).await
    }
}

#[tokio::test]
async fn a_throttled_login_is_an_event_and_costs_no_password_check() {
    let events = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let config: JwtConfig = settings().login_max_failures(1).build().expect("valid");
    let users = Arc::new(CountingUsers {
        users: MemoryAuthenticator::new(),
        checks: AtomicUsize::new(0),
    });
    users
        .users
        .add_user("alice", "password1", NoClaims)
        .expect("hash");
    let auth = JwtAuth::builder(config, Arc::clone(&users))
        .events(move |event: &AuthEvent<'_>| {
            let name = match event {
                AuthEvent::LoginFailed { .. } => "failed",
                AuthEvent::LoginThrottled { .. } => "throttled",
                _ => "other",
            };
            seen.lock().expect("lock").push(name);
        })
        .build();
    assert_eq!(
        login_from(&auth, Some("192.0.2.1"), &[], "x")
            .await
            .status(),
        400
    );
    assert_eq!(users.checks.load(Ordering::SeqCst), 1);
    let reply = login_from(&auth, Some("192.0.2.1"), &[], "password1").await;
    assert_eq!(reply.status(), 429);
    assert_eq!(reply.headers()["retry-after"], "900");
    assert_eq!(reply.headers()["cache-control"], "no-store");
    assert_eq!(
        users.checks.load(Ordering::SeqCst),
        1,
        "a throttled login never reaches the password check"
    );
    assert_eq!(*events.lock().expect("lock"), ["failed", "throttled"]);
}

#[test]
fn throttle_settings_are_read_and_checked() {
    let config = jwt_core::JwtConfigBuilder::from_vars([
        ("JWT_SECRET", crate::fixture::SECRET),
        ("JWT_LOGIN_MAX_FAILURES", "0"),
        ("JWT_LOGIN_MAX_FAILURES_PER_CLIENT", "7"),
        ("JWT_LOGIN_THROTTLE_WINDOW", "60"),
        ("JWT_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32,192.0.2.1"),
    ])
    .and_then(|builder| builder.build())
    .expect("valid");
    assert_eq!(config.login_max_failures(), None, "0 turns the limit off");
    assert_eq!(config.login_max_failures_per_client(), Some(7));
    assert_eq!(config.login_throttle_window(), time::Duration::minutes(1));
    assert_eq!(config.trusted_proxies().len(), 3);
    let defaults = settings().build().expect("valid");
    assert_eq!(defaults.login_max_failures(), Some(5));
    assert_eq!(defaults.login_max_failures_per_client(), Some(50));
    assert_eq!(
        defaults.login_throttle_window(),
        time::Duration::seconds(900)
    );
    assert!(defaults.trusted_proxies().is_empty());
    for (setting, value) in [
        ("JWT_TRUSTED_PROXIES", "10.0.0.0/33"),
        ("JWT_TRUSTED_PROXIES", "proxy.example"),
        ("JWT_LOGIN_THROTTLE_WINDOW", "0"),
        ("JWT_LOGIN_MAX_FAILURES", "-1"),
    ] {
        let refused = jwt_core::JwtConfigBuilder::from_vars([
            ("JWT_SECRET", crate::fixture::SECRET),
            (setting, value),
        ])
        .and_then(|builder| builder.build());
        assert!(
            matches!(&refused, Err(error) if error.setting() == Some(setting)),
            "{setting}={value}: {refused:?}"
        );
    }
}

/// A flood of logins beyond the queue in front of the password checks is refused at once with
/// 503, while requests that need no password check go on being served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_beyond_the_password_queue_are_shed_with_503() {
    // Costly enough that no check finishes while the flood is being let in.
    let params = argon2::Params::new(32 * 1024, 3, 1, None).expect("valid parameters");
    let hasher = PasswordHasher::with_params(params)
        .expect("a hasher")
        .with_max_concurrent(1)
        .with_max_waiting(2);
    let users = MemoryAuthenticator::<NoClaims>::with_hasher(hasher);
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hash");
    let config = settings().build().expect("valid");
    let auth = JwtAuth::new(config, users);

    // An access token to ask "who am I" with while the flood runs.
    let body = |password: &str| {
        Bytes::from(serde_json::json!({ "username": "alice", "password": password }).to_string())
    };
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let (method, uri) = (Method::POST, Uri::from_static("/jwt/login/"));
    let head = |peer: u8| {
        RequestHead::from_http(auth.config(), &method, &uri, &headers)
            .with_peer(IpAddr::from([192, 0, 2, peer]))
    };
    let first = auth.login(&head(1), body("password1").into()).await;
    assert_eq!(first.status(), 200);
    let access = crate::fixture::cookie_value(&first, "Authorization").expect("an access cookie");

    const FLOOD: u8 = 10;
    let logins = (0..FLOOD).map(|n| {
        let auth = auth.clone();
        let head = head(n + 2);
        let body = body("password1");
        async move { auth.login(&head, body.into()).await }
    });
    let flood = futures_util::future::join_all(logins);
    let whoami = async {
        // Let the flood reach the queue first.
        tokio::task::yield_now().await;
        let bearer = format!("Bearer {access}");
        let pairs = [("authorization", bearer.as_bytes())];
        let head = RequestHead::from_pairs(auth.config(), "GET", pairs);
        auth.authenticate(&head).await.require().is_ok()
    };
    let (answers, served) = tokio::join!(flood, whoami);
    assert!(
        served,
        "an authenticated request is served during the flood"
    );
    let shed: Vec<_> = answers
        .iter()
        .filter(|reply| reply.status() == 503)
        .collect();
    let passed = answers.iter().filter(|reply| reply.status() == 200).count();
    // One check runs, two wait; every other login is refused without waiting.
    assert_eq!(
        passed,
        3,
        "{:?}",
        answers.iter().map(|r| r.status()).collect::<Vec<_>>()
    );
    assert_eq!(shed.len(), usize::from(FLOOD) - 3);
    for reply in shed {
        assert_eq!(message(reply), "Authentication service unavailable.");
        assert!(reply.headers().contains_key("retry-after"));
    }
}
