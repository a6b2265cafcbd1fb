//! Two application instances, one Redis: sessions are shared, rotation is decided once for
//! both, and a Redis outage answers `503` and heals by itself.
//!
//! Each instance is a `JwtAuth` with its own `RedisStore` (built from the settings by
//! `session_store_from_config`, as the demo app does), driven with real requests and the
//! cookies of real replies. One `ManualClock` serves both, so the grace window can pass.
//!
//! The sharing scenarios run against one server over plain TCP (`JWT_REDIS_URL=redis://`),
//! one over mutual TLS (`rediss://` with `JWT_REDIS_CA_FILE` and a client certificate), and
//! a 3-master Redis Cluster (`JWT_REDIS_CLUSTER_URLS`); the cluster also loses a master.

#![cfg(feature = "redis")]

mod redis_server;

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use jwt_core::{
    AuthRejection, Authentication, JwtAuth, JwtConfig, ManualClock, MemoryAuthenticator, NoClaims,
    PasswordHasher, Reply, RequestHead, session_store_from_config,
};
use redis_server::cluster::RedisCluster;
use redis_server::tls::TlsFiles;
use redis_server::{ClientCertificates, RedisServer};
use time::Duration;

const SECRET: &str = "a test secret of at least thirty-two bytes";

/// No request may take longer than this, whatever Redis does.
const BOUND: StdDuration = StdDuration::from_secs(5);

fn settings(url: &str, strict_logout: bool) -> JwtConfig {
    JwtConfig::builder()
        .secret(SECRET)
        .redis_url(url)
        .strict_logout(strict_logout)
        .build()
        .expect("valid settings")
}

/// The Redis the instances share, kept running while they are.
enum Redis {
    Single(RedisServer),
    Tls(RedisServer, TlsFiles),
    Cluster(RedisCluster),
    TlsCluster(RedisCluster, TlsFiles),
}

impl Redis {
    fn start_single() -> Self {
        Self::Single(RedisServer::start())
    }

    fn start_tls() -> Self {
        let files = TlsFiles::generate();
        let server = RedisServer::start_tls(&files, ClientCertificates::Required);
        Self::Tls(server, files)
    }

    fn start_cluster() -> Self {
        Self::Cluster(RedisCluster::start(None))
    }

    fn start_tls_cluster() -> Self {
        let files = TlsFiles::generate();
        let cluster = RedisCluster::start(Some(&files));
        Self::TlsCluster(cluster, files)
    }

    /// An instance's settings for this Redis.
    fn settings(&self) -> JwtConfig {
        let builder = JwtConfig::builder().secret(SECRET);
        let builder = match self {
            Self::Single(server) => builder.redis_url(&server.url()),
            Self::Tls(server, files) => builder
                .redis_url(&server.url())
                .redis_ca_file(&files.path("ca.pem"))
                .redis_client_cert_file(&files.path("client.pem"))
                .redis_client_key_file(&files.path("client.key")),
            Self::Cluster(cluster) => cluster
                .urls()
                .iter()
                .fold(builder, |builder, url| builder.redis_cluster_url(url)),
            Self::TlsCluster(cluster, files) => cluster
                .urls()
                .iter()
                .fold(builder, |builder, url| builder.redis_cluster_url(url))
                .redis_ca_file(&files.path("ca.pem")),
        };
        builder.build().expect("valid settings")
    }
}

/// One application instance: its own engine, users and Redis connection.
async fn instance(config: JwtConfig, clock: &ManualClock) -> JwtAuth<NoClaims> {
    // Cheap Argon2 parameters: the hashing cost is not what these tests are about.
    let params = argon2::Params::new(1024, 1, 1, None).expect("valid test parameters");
    let hasher = PasswordHasher::with_params(params).expect("valid test hasher");
    let users = MemoryAuthenticator::<NoClaims>::with_hasher(hasher);
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hash");
    users.add_user("bob", "password2", NoClaims).expect("hash");
    users.map_django_user("1", "alice");
    let store = session_store_from_config(&config)
        .await
        .expect("JWT_REDIS_URL gives a Redis store");
    JwtAuth::builder(config, users)
        .shared_store(store)
        .clock(clock.clone())
        .build()
}

struct Instances {
    redis: Redis,
    clock: ManualClock,
    a: JwtAuth<NoClaims>,
    b: JwtAuth<NoClaims>,
}

async fn two_instances(redis: Redis) -> Instances {
    let clock = ManualClock::starting_now();
    let a = instance(redis.settings(), &clock).await;
    let b = instance(redis.settings(), &clock).await;
    Instances { redis, clock, a, b }
}

/// The tokens a reply set (an empty value is a deletion, not a token).
#[derive(Debug, Clone, Default)]
struct Cookies {
    access: Option<String>,
    refresh: Option<String>,
}

fn cookies(auth: &JwtAuth<NoClaims>, reply: &Reply) -> Cookies {
    let mut found = Cookies::default();
    for header in reply.headers().get_all(http::header::SET_COOKIE) {
        let line = header.to_str().expect("Set-Cookie is ASCII");
        let pair = line.split(';').next().unwrap_or_default();
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        if name == auth.config().access_cookie() {
            found.access = Some(value.to_owned());
        } else if name == auth.config().refresh_cookie() {
            found.refresh = Some(value.to_owned());
        }
    }
    found
}

/// The `jti` claim of a token, read without verifying it.
fn jti_of(token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a compact JWS");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    let claims: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["jti"].as_str().expect("a jti").to_owned()
}

fn message(reply: &Reply) -> String {
    let body: serde_json::Value = serde_json::from_slice(reply.body()).expect("a JSON body");
    body["message"].as_str().unwrap_or_default().to_owned()
}

/// Runs one request, failing the test if it takes longer than [`BOUND`].
async fn bounded<T>(request: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let outcome = tokio::time::timeout(BOUND, request)
        .await
        .expect("the request is answered within the bound, never hangs");
    assert!(started.elapsed() < BOUND);
    outcome
}

async fn login(auth: &JwtAuth<NoClaims>, user: &str, password: &str) -> Reply {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    let uri = Uri::from_static("/jwt/login/");
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    bounded(auth.login(&head, Bytes::from(body).into())).await
}

async fn logged_in(auth: &JwtAuth<NoClaims>, user: &str, password: &str) -> (String, String) {
    let reply = login(auth, user, password).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    let set = cookies(auth, &reply);
    (
        set.access.expect("login sets the access cookie"),
        set.refresh.expect("login sets the refresh cookie"),
    )
}

fn cookie_header(name: &str, token: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(&format!("{name}={token}")).expect("a token is a cookie value"),
    );
    headers
}

async fn refresh(auth: &JwtAuth<NoClaims>, refresh_token: &str) -> Reply {
    let headers = cookie_header(auth.config().refresh_cookie(), refresh_token);
    let uri = Uri::from_static("/jwt/refresh/");
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    bounded(auth.refresh(&head)).await
}

async fn logout(auth: &JwtAuth<NoClaims>, access_token: &str) -> Reply {
    let headers = cookie_header(auth.config().access_cookie(), access_token);
    let uri = Uri::from_static("/jwt/logout/");
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    bounded(auth.logout(&head)).await
}

async fn logout_all(auth: &JwtAuth<NoClaims>, access_token: &str) -> Reply {
    let headers = cookie_header(auth.config().access_cookie(), access_token);
    let uri = Uri::from_static("/jwt/logout-all/");
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    bounded(auth.logout_all(&head)).await
}

async fn whoami(auth: &JwtAuth<NoClaims>, access_token: &str) -> Authentication<NoClaims> {
    let headers = cookie_header(auth.config().access_cookie(), access_token);
    let uri = Uri::from_static("/whoami/");
    let head = RequestHead::from_http(auth.config(), &Method::GET, &uri, &headers);
    bounded(auth.authenticate(&head)).await
}

fn assert_refused(reply: &Reply) {
    assert_eq!(reply.status(), StatusCode::FORBIDDEN);
    assert_eq!(message(reply), "Invalid refresh token.");
}

fn assert_store_unavailable(reply: &Reply) {
    assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(message(reply), "Session store unavailable.");
    assert!(
        reply.headers().contains_key(http::header::RETRY_AFTER),
        "a 503 says when to retry"
    );
}

async fn replay_at_the_other_instance_after_grace_revokes_the_session_at_both(redis: Redis) {
    let Instances {
        redis: _redis,
        clock,
        a,
        b,
    } = two_instances(redis).await;
    let (_, first) = logged_in(&a, "alice", "password1").await;

    let reply = refresh(&a, &first).await;
    assert_eq!(reply.status(), StatusCode::OK);
    let second = cookies(&a, &reply)
        .refresh
        .expect("rotation sets a new refresh cookie");

    // Within the grace window, the retired token still buys an access token at B, and the
    // session's current refresh token again (its answer may have been lost): no rotation.
    let reply = refresh(&b, &first).await;
    assert_eq!(reply.status(), StatusCode::OK);
    let handed_back = cookies(&b, &reply)
        .refresh
        .expect("the current refresh token again");
    assert_eq!(
        jti_of(&handed_back),
        jti_of(&second),
        "grace rotates nothing"
    );

    clock.advance(a.config().refresh_grace() + Duration::seconds(1));
    assert_refused(&refresh(&b, &first).await);
    assert_refused(&refresh(&a, &second).await);
    assert_refused(&refresh(&b, &second).await);
}

async fn hundred_concurrent_refreshes_over_two_instances_rotate_exactly_once(redis: Redis) {
    let Instances {
        redis: _redis,
        a,
        b,
        ..
    } = two_instances(redis).await;
    let (_, token) = logged_in(&a, "alice", "password1").await;
    let token = Arc::new(token);
    let tasks: Vec<_> = (0..100)
        .map(|n| {
            let auth = if n % 2 == 0 { a.clone() } else { b.clone() };
            let token = Arc::clone(&token);
            tokio::spawn(async move {
                let reply = refresh(&auth, &token).await;
                (reply.status(), cookies(&auth, &reply))
            })
        })
        .collect();
    let mut handed_out = std::collections::HashSet::new();
    for task in tasks {
        let (status, set) = task.await.expect("the request ran");
        assert_eq!(
            status,
            StatusCode::OK,
            "within grace every refresh succeeds"
        );
        assert!(set.access.is_some(), "every refresh sets an access cookie");
        let refresh = set
            .refresh
            .expect("every refresh sets the session's current refresh token");
        handed_out.insert(jti_of(&refresh));
    }
    assert_eq!(
        handed_out.len(),
        1,
        "exactly one refresh rotated the token; the others got that one: {handed_out:?}"
    );
    assert!(!handed_out.contains(&jti_of(&token)));
}

async fn failed_logins_at_one_instance_count_at_the_other(redis: Redis) {
    let Instances {
        redis: _redis,
        clock,
        a,
        b,
    } = two_instances(redis).await;
    let limit = a
        .config()
        .login_max_failures()
        .expect("the default limit is on");
    // Alternate between the instances: each sees the other's failures.
    for attempt in 0..limit {
        let instance = if attempt % 2 == 0 { &a } else { &b };
        let reply = login(instance, "alice", "wrong password").await;
        assert_eq!(reply.status(), StatusCode::BAD_REQUEST, "failure {attempt}");
    }
    for instance in [&a, &b] {
        let reply = login(instance, "alice", "password1").await;
        assert_eq!(reply.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(message(&reply), "Too many login attempts.");
        let retry_after = reply.headers()["retry-after"].to_str().expect("ASCII");
        assert_eq!(
            retry_after,
            a.config()
                .login_throttle_window()
                .whole_seconds()
                .to_string()
        );
    }
    // Another user is not affected, and the window's end frees alice at both.
    assert_eq!(login(&b, "bob", "password2").await.status(), StatusCode::OK);
    clock.advance(a.config().login_throttle_window());
    assert_eq!(
        login(&b, "alice", "password1").await.status(),
        StatusCode::OK
    );
}

async fn logout_all_at_one_instance_ends_the_sessions_seen_by_the_other(redis: Redis) {
    let Instances {
        redis: _redis,
        a,
        b,
        ..
    } = two_instances(redis).await;
    let (access_at_a, refresh_at_a) = logged_in(&a, "alice", "password1").await;
    let (_, refresh_at_b) = logged_in(&b, "alice", "password1").await;
    let (_, bobs) = logged_in(&b, "bob", "password2").await;

    let reply = logout_all(&a, &access_at_a).await;
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(message(&reply), "All sessions ended.");

    assert_refused(&refresh(&b, &refresh_at_b).await);
    assert_refused(&refresh(&b, &refresh_at_a).await);
    let reply = refresh(&b, &bobs).await;
    assert_eq!(
        reply.status(),
        StatusCode::OK,
        "another user's session lives on"
    );
}

/// One test per sharing scenario and Redis flavour.
macro_rules! sharing_scenarios {
    ($($scenario:ident),* $(,)?) => {
        mod single {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    super::$scenario(super::Redis::start_single()).await;
                }
            )*
        }

        mod tls {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    super::$scenario(super::Redis::start_tls()).await;
                }
            )*
        }

        mod cluster {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    super::$scenario(super::Redis::start_cluster()).await;
                }
            )*
        }

        mod tls_cluster {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    super::$scenario(super::Redis::start_tls_cluster()).await;
                }
            )*
        }
    };
}

sharing_scenarios!(
    failed_logins_at_one_instance_count_at_the_other,
    replay_at_the_other_instance_after_grace_revokes_the_session_at_both,
    hundred_concurrent_refreshes_over_two_instances_rotate_exactly_once,
    logout_all_at_one_instance_ends_the_sessions_seen_by_the_other,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_answers_503_keeps_access_tokens_and_heals_without_restart() {
    let Instances { redis, clock, a, b } = two_instances(Redis::start_single()).await;
    let Redis::Single(mut server) = redis else {
        unreachable!("started as a single server")
    };
    let strict = instance(settings(&server.url(), true), &clock).await;
    let (access, refresh_token) = logged_in(&a, "alice", "password1").await;
    assert!(whoami(&strict, &access).await.require().is_ok());

    server.stop();
    assert_store_unavailable(&refresh(&a, &refresh_token).await);
    assert_store_unavailable(&refresh(&b, &refresh_token).await);
    assert_store_unavailable(&login(&b, "bob", "password2").await);
    assert_store_unavailable(&logout(&a, &access).await);
    assert_store_unavailable(&logout_all(&b, &access).await);
    // Access tokens go on without the store...
    let principal = whoami(&a, &access)
        .await
        .require()
        .expect("an access token needs no store");
    assert_eq!(principal.subject, "alice");
    // ...unless every request must check its session.
    let rejection = whoami(&strict, &access)
        .await
        .require()
        .expect_err("strict logout cannot check the session");
    assert_eq!(rejection, AuthRejection::StoreUnavailable);
    assert_store_unavailable(&rejection.reply());

    // Redis is back (with its data): the same processes work again, nothing restarted.
    server.start_again();
    let reply = refresh(&b, &refresh_token).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    let rotated = cookies(&b, &reply)
        .refresh
        .expect("the refresh rotated the token");
    let reply = refresh(&a, &rotated).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    assert!(whoami(&strict, &access).await.require().is_ok());
    let (bobs_access, _) = logged_in(&b, "bob", "password2").await;
    let reply = logout(&a, &bobs_access).await;
    assert_eq!(reply.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_master_down_answers_503_for_its_users_only_and_heals_without_restart() {
    let Instances { redis, a, b, .. } = two_instances(Redis::start_cluster()).await;
    let Redis::Cluster(mut cluster) = redis else {
        unreachable!("started as a cluster")
    };
    // alice and bob are the instances' users; find the master of each one's slot.
    let node_of = |subject: &str| cluster.node_of(&format!("{{{subject}}}"));
    let (alice_node, bob_node) = (node_of("alice"), node_of("bob"));
    let (_, mut alices) = logged_in(&a, "alice", "password1").await;
    let (_, mut bobs) = logged_in(&b, "bob", "password2").await;
    // The test needs the two users on different masters; with three masters, "alice" and
    // "bob" are (checked here, so that a change of key layout cannot quietly void the test).
    assert_ne!(alice_node, bob_node, "alice and bob hash to one master");

    cluster.stop_node(alice_node);
    for round in 0..3 {
        let instance = if round % 2 == 0 { &a } else { &b };
        assert_store_unavailable(&refresh(instance, &alices).await);
        let reply = refresh(instance, &bobs).await;
        assert_eq!(
            reply.status(),
            StatusCode::OK,
            "a user whose master is up refreshes normally: {}",
            message(&reply)
        );
        bobs = cookies(instance, &reply).refresh.expect("rotated");
    }
    assert_store_unavailable(&login(&a, "alice", "password1").await);
    let (_, _) = logged_in(&a, "bob", "password2").await;

    // The master is back with its data: the same instances serve alice again.
    cluster.start_node_again(alice_node);
    let deadline = Instant::now() + StdDuration::from_secs(10);
    let reply = loop {
        let reply = refresh(&b, &alices).await;
        if reply.status() != StatusCode::SERVICE_UNAVAILABLE || Instant::now() >= deadline {
            break reply;
        }
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    };
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    alices = cookies(&b, &reply).refresh.expect("rotated");
    let reply = refresh(&a, &alices).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    let reply = refresh(&a, &bobs).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replica_promoted_after_its_master_dies_serves_the_sessions_without_restart() {
    let Instances { redis, a, b, .. } =
        two_instances(Redis::Cluster(RedisCluster::start_with_replicas())).await;
    let Redis::Cluster(mut cluster) = redis else {
        unreachable!("started as a cluster")
    };
    let (_, alices) = logged_in(&a, "alice", "password1").await;
    let (_, mut bobs) = logged_in(&b, "bob", "password2").await;
    let master = cluster.node_of("{alice}");
    cluster.wait_for_replication(master);

    cluster.kill_node(master);
    // Until a replica takes over, alice's refresh is a bounded 503.
    assert_store_unavailable(&refresh(&a, &alices).await);
    let promoted = cluster.wait_for_failover("{alice}");
    assert_ne!(promoted, master);

    // The instances find the promoted replica by themselves, with alice's session on it.
    let deadline = Instant::now() + StdDuration::from_secs(10);
    let mut unavailable = 0;
    let reply = loop {
        let reply = refresh(&b, &alices).await;
        if reply.status() != StatusCode::SERVICE_UNAVAILABLE || Instant::now() >= deadline {
            break reply;
        }
        unavailable += 1;
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    };
    assert_eq!(
        reply.status(),
        StatusCode::OK,
        "after {unavailable} answers of 503: {}",
        message(&reply)
    );
    eprintln!("503 answers between the promotion and the first success: {unavailable}");
    let rotated = cookies(&b, &reply).refresh.expect("rotated");
    let reply = refresh(&a, &rotated).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    let reply = refresh(&a, &bobs).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
    bobs = cookies(&a, &reply).refresh.expect("rotated");
    let reply = refresh(&b, &bobs).await;
    assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slot_moving_to_another_master_is_followed_through_ask_and_moved() {
    let Instances { redis, a, b, .. } = two_instances(Redis::start_cluster()).await;
    let Redis::Cluster(cluster) = redis else {
        unreachable!("started as a cluster")
    };
    let (_, mut alices) = logged_in(&a, "alice", "password1").await;
    let from = cluster.node_of("{alice}");
    let to = (from + 1) % 3;

    // Mid-move: alice's keys are on the new master, her old one answers ASK.
    let slot = cluster.begin_slot_move("{alice}", to);
    for instance in [&a, &b] {
        let reply = refresh(instance, &alices).await;
        assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
        alices = cookies(instance, &reply).refresh.expect("rotated");
    }

    // Moved: the old master answers MOVED, and the instances follow it.
    cluster.finish_slot_move(slot, to);
    assert_eq!(cluster.node_of("{alice}"), to);
    for instance in [&b, &a] {
        let reply = refresh(instance, &alices).await;
        assert_eq!(reply.status(), StatusCode::OK, "{}", message(&reply));
        alices = cookies(instance, &reply).refresh.expect("rotated");
    }
    let (access, _) = logged_in(&b, "alice", "password1").await;
    let reply = logout_all(&a, &access).await;
    assert_eq!(message(&reply), "All sessions ended.");
    assert_refused(&refresh(&b, &alices).await);
}

/// A Django refresh token exchanged by one instance is refused by the other: the claim lives
/// in Redis. The token is a real one (`tests/django-tokens/default.json`), so the clock is set
/// to its `iat`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_django_refresh_token_exchanged_on_one_instance_is_refused_on_the_other() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/django-tokens/default.json"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the Django tokens"))
            .expect("JSON");
    let refresh_cookie = &file["cookies"][1];
    assert_eq!(refresh_cookie["claims"]["tok"], "refresh");
    let django_refresh = refresh_cookie["jwt"].as_str().expect("a token");
    let iat = refresh_cookie["claims"]["iat"].as_i64().expect("iat");
    let secret_key = file["secret_key"].as_str().expect("the Django key");

    let server = RedisServer::start();
    let clock = ManualClock::at_unix(iat);
    let migrating = || {
        JwtConfig::builder()
            .secret(SECRET)
            .redis_url(&server.url())
            .django_secret_key(secret_key)
            .build()
            .expect("valid settings")
    };
    let a = instance(migrating(), &clock).await;
    let b = instance(migrating(), &clock).await;

    let exchanged = refresh(&a, django_refresh).await;
    assert_eq!(
        exchanged.status(),
        StatusCode::OK,
        "{}",
        message(&exchanged)
    );
    let ours = cookies(&a, &exchanged);
    assert_refused(&refresh(&b, django_refresh).await);
    assert_refused(&refresh(&a, django_refresh).await);

    // The session it started is an ordinary shared one.
    clock.advance(Duration::minutes(1));
    let rotated = refresh(&b, &ours.refresh.expect("a refresh cookie")).await;
    assert_eq!(rotated.status(), StatusCode::OK, "{}", message(&rotated));
    let access = cookies(&b, &rotated).access.expect("an access cookie");
    let principal = whoami(&a, &access).await.require().expect("authenticated");
    assert_eq!(principal.subject, "alice");
}
