//! What authentication costs per request, with criterion.
//!
//! - `cookie_to_principal/<alg>/jwt_core`: a browser request's headers (the access cookie among
//!   a few others) through `RequestHead::from_http` and `JwtAuth::verify_request` to a
//!   principal, which is what the middleware does with `JWT_STRICT_LOGOUT` off; beside it,
//!   `.../bare_decode`: `jsonwebtoken::decode` of the same token with the same key and
//!   validation, the floor.
//! - `tokens/issue_pair`: a login whose authenticator accepts without hashing: body parsing,
//!   a new session in `MemoryStore` (replacing the user's previous one), an access and a
//!   refresh token signed, two cookies.
//! - `tokens/refresh`: a refresh with rotation against `MemoryStore` (verify, compare-and-swap,
//!   two new tokens).
//! - `login/argon2_default`: a full login with the Argon2id parameters the demo uses
//!   (`PasswordHasher::default()`: 19 MiB, 2 passes, 1 lane), as they are.
//!
//! - `login_throttle/<store>/...`: what the login throttle adds to a login, with an
//!   authenticator that answers without hashing: `success/throttle_off` (both limits 0),
//!   `success/throttle_on` (one look-up of both counters before the password check, one clear
//!   after), `failure/throttle_on` (the look-up, then both counters incremented); in
//!   `MemoryStore`, and with the `redis` feature in a `redis-server` started on a loopback port.
//!
//! `cargo bench -p jwt-core --features redis --bench authentication`; the HS256 ratio is printed by
//! `cargo bench -p jwt-core --bench cookie_vs_decode`.

#[cfg(feature = "redis")]
#[path = "../tests/redis_server/mod.rs"]
#[expect(
    dead_code,
    reason = "the benchmark starts a server and never stops it early"
)]
mod redis_server;
mod scenario;

use std::hint::black_box;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use http::Method;
use jsonwebtoken::Algorithm;
use jwt_core::{
    Authenticator, AuthenticatorError, Credentials, Identity, JwtAuth, JwtConfig, JwtConfigBuilder,
    MemoryAuthenticator, MemoryStore, NoClaims, RequestHead, SessionStore, async_trait,
};
use tokio::runtime::Runtime;

use scenario::{
    ALGORITHMS, AcceptingAuthenticator, CookieScenario, algorithm_name, config, cookie_set_by,
    login, login_request, login_uri,
};

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts")
}

fn cookie_to_principal(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("cookie_to_principal");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for algorithm in ALGORITHMS {
        let scenario = runtime.block_on(CookieScenario::new(algorithm, false));
        let cached = runtime.block_on(CookieScenario::new(algorithm, true));
        let name = algorithm_name(algorithm);
        group.bench_function(format!("{name}/jwt_core"), |b| {
            b.iter(|| black_box(scenario.cookie_to_principal()));
        });
        group.bench_function(format!("{name}/jwt_core_cached"), |b| {
            b.iter(|| black_box(cached.cookie_to_principal()));
        });
        group.bench_function(format!("{name}/bare_decode"), |b| {
            b.iter(|| black_box(scenario.bare_decode()));
        });
    }
    group.finish();
}

fn tokens(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("tokens");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // One user logging in again and again, with a store that keeps one session per user: each
    // login ends the previous session, so the store's size and work stay the same however
    // long the benchmark runs.
    let auth = JwtAuth::builder(config(Algorithm::HS256), AcceptingAuthenticator)
        .store(MemoryStore::with_limits(1_000, 1))
        .build();
    let (headers, body) = login_request();
    let uri = login_uri();
    group.bench_function("issue_pair", |b| {
        b.to_async(&runtime).iter(|| async {
            let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
            black_box(auth.login(&head, body.clone().into()).await)
        });
    });

    // Each refresh presents the token the previous one issued, so every iteration rotates
    // (the path a browser takes every few minutes); reading the new cookie is not timed.
    group.bench_function("refresh", |b| {
        b.to_async(&runtime).iter_custom(|iterations| {
            let auth = auth.clone();
            async move {
                let refresh_cookie = auth.config().refresh_cookie().to_owned();
                let refresh_path = auth.config().refresh_path().to_owned();
                let uri: http::Uri = refresh_path.parse().expect("the refresh path is a URI");
                let mut token = cookie_set_by(&login(&auth).await, &refresh_cookie);
                let mut elapsed = Duration::ZERO;
                for _ in 0..iterations {
                    let mut headers = http::HeaderMap::new();
                    let cookie = format!("{refresh_cookie}={token}");
                    headers.insert(
                        "cookie",
                        cookie.parse().expect("a token is a valid header value"),
                    );
                    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
                    let start = Instant::now();
                    let reply = auth.refresh(&head).await;
                    elapsed += start.elapsed();
                    assert_eq!(reply.status(), 200, "the current refresh token rotates");
                    token = cookie_set_by(&reply, &refresh_cookie);
                }
                elapsed
            }
        });
    });
    group.finish();
}

fn login_with_argon2(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("login");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    // The demo's users are hashed with `PasswordHasher::default()`, as here.
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("the default parameters hash");
    let auth = JwtAuth::new(config(Algorithm::HS256), users);
    let (headers, body) = login_request();
    let uri = login_uri();
    group.bench_function("argon2_default", |b| {
        b.to_async(&runtime).iter(|| async {
            let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
            let reply = auth.login(&head, body.clone().into()).await;
            assert_eq!(reply.status(), 200, "the password is right");
            reply
        });
    });
    group.finish();
}

/// Refuses every password without hashing.
struct RefusingAuthenticator;

#[async_trait]
impl Authenticator for RefusingAuthenticator {
    type Claims = NoClaims;

    async fn authenticate(
        &self,
        _: &Credentials,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        Ok(None)
    }

    async fn identity(&self, _: &str) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        Ok(None)
    }
}

fn settings(throttled: bool) -> JwtConfigBuilder {
    let builder = JwtConfig::builder().secret(scenario::SECRET);
    if throttled {
        // On, but never reached: every failure is counted and none is refused.
        builder
            .login_max_failures(u32::MAX)
            .login_max_failures_per_client(u32::MAX)
    } else {
        builder
            .login_max_failures(0)
            .login_max_failures_per_client(0)
    }
}

fn engine(
    store: Arc<dyn SessionStore>,
    throttled: bool,
    authenticator: impl Authenticator<Claims = NoClaims>,
) -> JwtAuth<NoClaims> {
    let config = settings(throttled).build().expect("valid settings");
    JwtAuth::builder(config, authenticator)
        .shared_store(store)
        .build()
}

async fn attempt(auth: &JwtAuth<NoClaims>, expected: u16) {
    let (headers, body) = login_request();
    let uri = login_uri();
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers)
        .with_peer(IpAddr::from([192, 0, 2, 1]));
    let reply = auth.login(&head, body.into()).await;
    assert_eq!(reply.status(), expected);
}

fn bench_store(c: &mut Criterion, runtime: &Runtime, name: &str, store: Arc<dyn SessionStore>) {
    let mut group = c.benchmark_group(format!("login_throttle/{name}"));
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let off = engine(Arc::clone(&store), false, AcceptingAuthenticator);
    let on = engine(Arc::clone(&store), true, AcceptingAuthenticator);
    let failing = engine(Arc::clone(&store), true, RefusingAuthenticator);
    group.bench_function("success/throttle_off", |b| {
        b.iter(|| runtime.block_on(attempt(black_box(&off), 200)));
    });
    group.bench_function("success/throttle_on", |b| {
        b.iter(|| runtime.block_on(attempt(black_box(&on), 200)));
    });
    group.bench_function("failure/throttle_on", |b| {
        b.iter(|| runtime.block_on(attempt(black_box(&failing), 400)));
    });
    group.finish();
}

fn login_throttle(c: &mut Criterion) {
    let runtime = runtime();
    bench_store(c, &runtime, "memory", Arc::new(MemoryStore::new()));
    #[cfg(feature = "redis")]
    {
        let server = redis_server::RedisServer::start();
        let store = jwt_core::RedisStore::open(&server.url()).expect("a valid URL");
        bench_store(c, &runtime, "redis", Arc::new(store));
        drop(server);
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    cookie_to_principal(&mut criterion);
    tokens(&mut criterion);
    login_with_argon2(&mut criterion);
    login_throttle(&mut criterion);
    criterion.final_summary();
}
