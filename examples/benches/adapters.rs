//! What each adapter's authentication costs a hello-world server.
//!
//! For axum, actix-web, Rocket and warp, two apps answer `GET /hello` with `hello`: one plain,
//! one with the adapter's middleware (layer, fairing or filter) and its required extractor on
//! the handler. Both get the same requests: a browser's headers with the access cookie (HS256)
//! among a few other cookies. Each pair is measured two ways:
//!
//! - in process, through the framework's own test driver (tower `oneshot`, actix's test
//!   service, Rocket's local client, `warp::test`), one request at a time: what a request
//!   costs the framework, without HTTP parsing or sockets;
//! - over loopback, a real server on one worker thread driven by keep-alive HTTP/1.1
//!   connections from a client on another thread: the throughput a deployment sees.
//!
//! Both sides are measured in alternating rounds (the order flips every round), and the
//! median round is reported. The project's target: authenticated / plain throughput of at
//! least 0.90 on each adapter, read on the loopback servers (in process, the framework does
//! so little that the same microsecond weighs several times as much; both are printed).
//!
//! `cargo bench -p jwt-examples --bench adapters [-- axum actix rocket warp]`

use std::future::Future;
use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdTcpListener};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::rt::TokioIo;
use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, PasswordHasher, RequestHead};
use tokio::sync::oneshot;

/// Rounds per side in process and over loopback; odd, so the median is one round.
const IN_PROCESS_ROUNDS: usize = 11;
const IN_PROCESS_BATCH: Duration = Duration::from_millis(150);
const LOOPBACK_ROUNDS: usize = 5;
const LOOPBACK_RUN: Duration = Duration::from_secs(1);
/// Keep-alive connections the loopback client keeps busy.
const CONNECTIONS: usize = 4;
/// The project's target for authenticated / plain throughput.
const TARGET: f64 = 0.90;

const SECRET: &str = "benchmark secret: 0123456789abcdef0123456789abcdef";
const BODY: &str = "hello";

fn main() {
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let wanted = |name: &str| chosen.is_empty() || chosen.iter().any(|word| word == name);

    let (auth, cookie) = engine_and_cookie();
    let headers = browser_headers(&cookie);
    println!("load average before: {}", load_average());
    let bare_us = bare_decode_seconds(&cookie) * 1e6;
    println!(
        "a bare jsonwebtoken::decode of the same token (the floor: the signature check and no \
         more) takes {bare_us:.2} us"
    );
    println!(
        "GET /hello, plain vs behind the adapter's authentication (HS256 cookie); in process: \
         median of {IN_PROCESS_ROUNDS} rounds; loopback: median of {LOOPBACK_ROUNDS} rounds of \
         {} s over {CONNECTIONS} keep-alive connections, server on one worker",
        LOOPBACK_RUN.as_secs()
    );
    println!(
        "{:<7} {:>12} {:>12} {:>9} {:>7} | {:>11} {:>11} {:>7} {:>7} | target >= {TARGET} (loopback)",
        "adapter",
        "plain us/req",
        "auth us/req",
        "added us",
        "ratio",
        "plain req/s",
        "auth req/s",
        "ratio",
        "floor"
    );
    let mut all_pass = true;
    for (name, measure) in [
        ("axum", axum_adapter::measure as Measure),
        ("actix", actix_adapter::measure),
        ("rocket", rocket_adapter::measure),
        ("warp", warp_adapter::measure),
    ] {
        if !wanted(name) {
            continue;
        }
        let (in_process, loopback) = measure(&auth, &headers);
        let pass = loopback.ratio >= TARGET;
        all_pass &= pass;
        // The best ratio any authentication could reach on this server: the plain request's
        // cost plus a bare decode and nothing else.
        let plain_us = 1e6 / loopback.plain;
        let floor = plain_us / (plain_us + bare_us);
        println!(
            "{name:<7} {:>12.2} {:>12.2} {:>9.2} {:>7.3} | {:>11.0} {:>11.0} {:>7.3} {:>7.3} | {}",
            1e6 / in_process.plain,
            1e6 / in_process.authenticated,
            1e6 / in_process.authenticated - 1e6 / in_process.plain,
            in_process.ratio,
            loopback.plain,
            loopback.authenticated,
            loopback.ratio,
            floor,
            if pass { "PASS" } else { "FAIL" }
        );
    }
    println!("load average after: {}", load_average());
    println!(
        "adapters: {}",
        if all_pass {
            "all within target"
        } else {
            "NOT all within target"
        }
    );
}

type Measure = fn(&JwtAuth<NoClaims>, &HeaderMap) -> (Throughput, Throughput);

/// Requests per second, plain and authenticated, and their median per-round ratio.
struct Throughput {
    plain: f64,
    authenticated: f64,
    ratio: f64,
}

impl Throughput {
    fn from_rounds(rounds: &[(f64, f64)]) -> Self {
        let median = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        Self {
            plain: median(rounds.iter().map(|(plain, _)| *plain).collect()),
            authenticated: median(rounds.iter().map(|(_, auth)| *auth).collect()),
            ratio: median(rounds.iter().map(|(plain, auth)| auth / plain).collect()),
        }
    }
}

/// An engine with one user, and the access cookie of a login of that user.
fn engine_and_cookie() -> (JwtAuth<NoClaims>, String) {
    let config = JwtConfig::builder()
        .secret(SECRET)
        .build()
        .expect("benchmark settings are valid");
    // The password is checked once, to get a token; its cost is not what is measured.
    let cheap = argon2::Params::new(8, 1, 1, None).expect("valid Argon2 parameters");
    let users = MemoryAuthenticator::with_hasher(
        PasswordHasher::with_params(cheap).expect("valid Argon2 parameters"),
    );
    users
        .add_user("alice", "password1", NoClaims)
        .expect("a password hashes");
    let auth = JwtAuth::new(config, users);

    let runtime = current_thread_runtime();
    let reply = runtime.block_on(async {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let uri = Uri::from_static("/jwt/login/");
        let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
        let body = Bytes::from_static(br#"{"username": "alice", "password": "password1"}"#);
        auth.login(&head, body.into()).await
    });
    assert_eq!(reply.status(), 200, "the benchmark login succeeds");
    let access = reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|line| line.split(';').next())
        .find(|pair| pair.starts_with(&format!("{}=", auth.config().access_cookie())))
        .expect("login sets the access cookie")
        .to_owned();
    (auth, access)
}

/// Seconds per bare `jsonwebtoken::decode` of the cookie's token (HS256, `exp` checked, no
/// leeway): the median of a few batches.
fn bare_decode_seconds(access_cookie: &str) -> f64 {
    #[derive(serde::Deserialize)]
    struct Claims {
        sub: String,
    }
    let (_, token) = access_cookie
        .split_once('=')
        .expect("a cookie is name=value");
    let key =
        jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes()).expect("an HMAC secret is a key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let calls = 20_000u32;
    let mut batches: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
                    .expect("the benchmark token is valid");
                black_box(data.claims.sub);
            }
            start.elapsed().as_secs_f64() / f64::from(calls)
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[batches.len() / 2]
}

/// What a browser sends on a same-origin `fetch`: the access cookie among the site's others.
fn browser_headers(access_cookie: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", "127.0.0.1"),
        (
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        ),
        ("accept", "*/*"),
        ("accept-language", "en-GB,en;q=0.5"),
        ("accept-encoding", "gzip, deflate, br"),
        ("sec-fetch-site", "same-origin"),
        ("sec-fetch-mode", "cors"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let cookie =
        format!("theme=dark; lang=en-GB; {access_cookie}; _ga=GA1.1.1234567890.1700000000");
    headers.insert(
        "cookie",
        HeaderValue::from_str(&cookie).expect("a token is a valid header value"),
    );
    headers
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts")
}

/// Alternating rounds of one-at-a-time requests, in requests per second.
async fn in_process<P, PF, A, AF>(mut plain: P, mut authenticated: A) -> Throughput
where
    P: FnMut() -> PF,
    PF: Future<Output = ()>,
    A: FnMut() -> AF,
    AF: Future<Output = ()>,
{
    // Warm up, and size the batches on the slower side.
    let calls = calls_per_batch(&mut authenticated).await;
    let _ = calls_per_batch(&mut plain).await;
    let mut rounds = Vec::with_capacity(IN_PROCESS_ROUNDS);
    for round in 0..IN_PROCESS_ROUNDS {
        let (p, a) = if round % 2 == 0 {
            let p = rate(&mut plain, calls).await;
            (p, rate(&mut authenticated, calls).await)
        } else {
            let a = rate(&mut authenticated, calls).await;
            (rate(&mut plain, calls).await, a)
        };
        rounds.push((p, a));
    }
    Throughput::from_rounds(&rounds)
}

async fn calls_per_batch<F: FnMut() -> Fut, Fut: Future<Output = ()>>(call: &mut F) -> u32 {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < IN_PROCESS_BATCH {
        call().await;
        calls += 1;
    }
    calls.max(1)
}

async fn rate<F: FnMut() -> Fut, Fut: Future<Output = ()>>(call: &mut F, calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        call().await;
    }
    f64::from(calls) / start.elapsed().as_secs_f64()
}

/// A free loopback port (for Rocket 0.5, which binds by itself).
fn free_port() -> u16 {
    StdTcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// A server running on its own thread until `stop` is sent.
struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server thread ends cleanly");
        }
    }
}

/// Throughput of the two servers, alternating, from a client on this thread.
fn loopback(plain: &Server, authenticated: &Server, headers: &HeaderMap) -> Throughput {
    let runtime = current_thread_runtime();
    runtime.block_on(async {
        for server in [plain, authenticated] {
            wait_until_serving(server.addr, headers).await;
            let _ = drive(server.addr, headers, Duration::from_millis(300)).await;
        }
        let mut rounds = Vec::with_capacity(LOOPBACK_ROUNDS);
        for round in 0..LOOPBACK_ROUNDS {
            let (p, a) = if round % 2 == 0 {
                let p = drive(plain.addr, headers, LOOPBACK_RUN).await;
                (p, drive(authenticated.addr, headers, LOOPBACK_RUN).await)
            } else {
                let a = drive(authenticated.addr, headers, LOOPBACK_RUN).await;
                (drive(plain.addr, headers, LOOPBACK_RUN).await, a)
            };
            rounds.push((p, a));
        }
        Throughput::from_rounds(&rounds)
    })
}

async fn wait_until_serving(addr: SocketAddr, headers: &HeaderMap) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            // Also proves the server answers this request with 200 and the body.
            let _ = drive(addr, headers, Duration::from_millis(10)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server on {addr} did not start");
}

/// Requests per second over `CONNECTIONS` keep-alive connections for `run`.
async fn drive(addr: SocketAddr, headers: &HeaderMap, run: Duration) -> f64 {
    let start = Instant::now();
    let deadline = start + run;
    let local = tokio::task::LocalSet::new();
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let headers = headers.clone();
        tasks.push(local.spawn_local(async move { connection(addr, &headers, deadline).await }));
    }
    let total = local
        .run_until(async {
            let mut total = 0u64;
            for task in tasks {
                total += task.await.expect("a client connection runs to its end");
            }
            total
        })
        .await;
    total as f64 / start.elapsed().as_secs_f64()
}

/// One keep-alive connection sending requests back to back until `deadline`.
async fn connection(addr: SocketAddr, headers: &HeaderMap, deadline: Instant) -> u64 {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the server accepts");
    stream.set_nodelay(true).expect("TCP_NODELAY can be set");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("an HTTP/1.1 handshake");
    tokio::task::spawn_local(async move {
        let _closed = connection.await;
    });
    let mut done = 0u64;
    while Instant::now() < deadline {
        let mut request = Request::get("/hello")
            .body(Empty::<Bytes>::new())
            .expect("a valid request");
        *request.headers_mut() = headers.clone();
        let response = sender
            .send_request(request)
            .await
            .expect("the server answers");
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("the body arrives")
            .to_bytes();
        assert!(
            status == 200 && body == BODY,
            "GET /hello answered {status} {body:?}"
        );
        done += 1;
    }
    done
}

/// Checks that an authenticated app really authenticates: no cookie, no hello.
fn assert_refuses_anonymous(status: u16, adapter: &str) {
    assert_eq!(
        status, 401,
        "{adapter}: the authenticated app refuses anonymous requests"
    );
}

mod axum_adapter {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use jwt_axum::{Authenticated, JwtLayer};
    use tower::ServiceExt as _;

    async fn plain_hello() -> &'static str {
        BODY
    }

    async fn authenticated_hello(user: Authenticated) -> &'static str {
        black_box(&user);
        BODY
    }

    fn apps(auth: &JwtAuth<NoClaims>) -> (Router, Router) {
        let plain = Router::new().route("/hello", get(plain_hello));
        let authenticated = Router::new()
            .route("/hello", get(authenticated_hello))
            .layer(JwtLayer::new(auth.clone()));
        (plain, authenticated)
    }

    async fn call(app: &Router, headers: &HeaderMap) -> u16 {
        let mut request = Request::get("/hello")
            .body(Body::empty())
            .expect("a valid request");
        *request.headers_mut() = headers.clone();
        let response = app
            .clone()
            .oneshot(request)
            .await
            .expect("axum routers never fail");
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("the body arrives");
        black_box(body);
        status
    }

    pub(super) fn measure(
        auth: &JwtAuth<NoClaims>,
        headers: &HeaderMap,
    ) -> (Throughput, Throughput) {
        let (plain, authenticated) = apps(auth);
        let in_process = current_thread_runtime().block_on(async {
            assert_refuses_anonymous(call(&authenticated, &HeaderMap::new()).await, "axum");
            let (plain, authenticated) = (&plain, &authenticated);
            in_process(
                move || async move { assert_eq!(call(plain, headers).await, 200) },
                move || async move { assert_eq!(call(authenticated, headers).await, 200) },
            )
            .await
        });
        let plain = serve(plain);
        let authenticated = serve(authenticated);
        let loopback = loopback(&plain, &authenticated, headers);
        plain.stop();
        authenticated.stop();
        (in_process, loopback)
    }

    fn serve(app: Router) -> Server {
        let listener =
            StdTcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port to bind");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking socket");
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            current_thread_runtime().block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a Tokio listener");
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
                    .expect("the axum server runs");
            });
        });
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

mod actix_adapter {
    use super::*;
    use actix_web::body::MessageBody;
    use actix_web::dev::ServiceResponse;
    use actix_web::{App, HttpResponse, HttpServer, test, web};
    use jwt_actix::{Authenticated, JwtMiddleware};

    async fn plain_hello() -> HttpResponse {
        HttpResponse::Ok().body(BODY)
    }

    async fn authenticated_hello(user: Authenticated) -> HttpResponse {
        black_box(&user);
        HttpResponse::Ok().body(BODY)
    }

    fn test_request(headers: &HeaderMap) -> test::TestRequest {
        let mut request = test::TestRequest::get().uri("/hello");
        for (name, value) in headers {
            request = request.insert_header((name.as_str(), value.as_bytes()));
        }
        request
    }

    async fn finish<B: MessageBody>(response: ServiceResponse<B>) -> u16 {
        let status = response.status().as_u16();
        black_box(test::read_body(response).await);
        status
    }

    pub(super) fn measure(
        auth: &JwtAuth<NoClaims>,
        headers: &HeaderMap,
    ) -> (Throughput, Throughput) {
        let in_process = actix_web::rt::System::new().block_on(async {
            let plain =
                test::init_service(App::new().route("/hello", web::get().to(plain_hello))).await;
            let authenticated = test::init_service(
                App::new()
                    .wrap(JwtMiddleware::new(auth.clone()))
                    .route("/hello", web::get().to(authenticated_hello)),
            )
            .await;
            let anonymous = test::TestRequest::get().uri("/hello").to_request();
            let anonymous = finish(test::call_service(&authenticated, anonymous).await).await;
            assert_refuses_anonymous(anonymous, "actix");
            let (plain, authenticated) = (&plain, &authenticated);
            in_process(
                move || async move {
                    let request = test_request(headers).to_request();
                    assert_eq!(finish(test::call_service(plain, request).await).await, 200);
                },
                move || async move {
                    let request = test_request(headers).to_request();
                    let response = test::call_service(authenticated, request).await;
                    assert_eq!(finish(response).await, 200);
                },
            )
            .await
        });
        let plain = serve(|listener| {
            HttpServer::new(|| App::new().route("/hello", web::get().to(plain_hello)))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .expect("actix takes the listener")
                .run()
        });
        let auth = auth.clone();
        let authenticated = serve(move |listener| {
            HttpServer::new(move || {
                App::new()
                    .wrap(JwtMiddleware::new(auth.clone()))
                    .route("/hello", web::get().to(authenticated_hello))
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("actix takes the listener")
            .run()
        });
        let loopback = loopback(&plain, &authenticated, headers);
        plain.stop();
        authenticated.stop();
        (in_process, loopback)
    }

    /// Runs the server `start` builds on the listener, in an actix system of its own.
    fn serve<F>(start: F) -> Server
    where
        F: FnOnce(StdTcpListener) -> actix_web::dev::Server + Send + 'static,
    {
        let listener =
            StdTcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port to bind");
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = start(listener);
                let handle = server.handle();
                actix_web::rt::spawn(async move {
                    let _ = stopped.await;
                    handle.stop(false).await;
                });
                server.await.expect("the actix server runs");
            });
        });
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

mod rocket_adapter {
    use super::*;
    use jwt_rocket::{Authenticated, JwtFairing};
    use rocket::http::Header;
    use rocket::local::asynchronous::Client;

    #[rocket::get("/hello")]
    fn plain_hello() -> &'static str {
        BODY
    }

    #[rocket::get("/hello")]
    fn authenticated_hello(user: Authenticated) -> &'static str {
        black_box(&user);
        BODY
    }

    fn config(port: u16) -> rocket::Config {
        let mut config = rocket::Config::default();
        config.address = Ipv4Addr::LOCALHOST.into();
        config.port = port;
        config.workers = 1;
        config.log_level = rocket::config::LogLevel::Off;
        config.cli_colors = false;
        config.shutdown.ctrlc = false;
        config.shutdown.grace = 0;
        config.shutdown.mercy = 0;
        #[cfg(unix)]
        config.shutdown.signals.clear();
        config
    }

    fn apps(
        auth: &JwtAuth<NoClaims>,
        port: u16,
    ) -> (rocket::Rocket<rocket::Build>, rocket::Rocket<rocket::Build>) {
        let plain = rocket::custom(config(port)).mount("/", rocket::routes![plain_hello]);
        let authenticated = rocket::custom(config(port))
            .attach(JwtFairing::new(auth.clone()))
            .mount("/", rocket::routes![authenticated_hello]);
        (plain, authenticated)
    }

    async fn call(client: &Client, headers: &HeaderMap) -> u16 {
        let mut request = client.get("/hello");
        for (name, value) in headers {
            let value = value.to_str().expect("the benchmark's headers are text");
            request = request.header(Header::new(name.as_str().to_owned(), value.to_owned()));
        }
        let response = request.dispatch().await;
        let status = response.status().code;
        black_box(response.into_bytes().await);
        status
    }

    pub(super) fn measure(
        auth: &JwtAuth<NoClaims>,
        headers: &HeaderMap,
    ) -> (Throughput, Throughput) {
        let in_process = current_thread_runtime().block_on(async {
            let (plain, authenticated) = apps(auth, 0);
            let plain = Client::untracked(plain).await.expect("Rocket ignites");
            let authenticated = Client::untracked(authenticated)
                .await
                .expect("Rocket ignites");
            assert_refuses_anonymous(call(&authenticated, &HeaderMap::new()).await, "rocket");
            let (plain, authenticated) = (&plain, &authenticated);
            in_process(
                move || async move { assert_eq!(call(plain, headers).await, 200) },
                move || async move { assert_eq!(call(authenticated, headers).await, 200) },
            )
            .await
        });
        let port = free_port();
        let plain = serve(apps(auth, port).0, port);
        let port = free_port();
        let authenticated = serve(apps(auth, port).1, port);
        let loopback = loopback(&plain, &authenticated, headers);
        plain.stop();
        authenticated.stop();
        (in_process, loopback)
    }

    fn serve(app: rocket::Rocket<rocket::Build>, port: u16) -> Server {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            // One worker, as the other servers get (`rocket::execute` would size the runtime
            // from Rocket's global configuration instead).
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a Tokio runtime starts");
            runtime.block_on(async move {
                let ignited = app.ignite().await.expect("Rocket ignites");
                let shutdown = ignited.shutdown();
                rocket::tokio::spawn(async move {
                    let _ = stopped.await;
                    shutdown.notify();
                });
                let _stopped = ignited.launch().await.expect("the Rocket server runs");
            });
        });
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

mod warp_adapter {
    use super::*;
    use jwt_core::Principal;
    use warp::Filter;
    use warp::filters::BoxedFilter;
    use warp::reply::Response;

    pub(super) fn measure(
        auth: &JwtAuth<NoClaims>,
        headers: &HeaderMap,
    ) -> (Throughput, Throughput) {
        let plain = warp::path!("hello").and(warp::get()).map(|| BODY);
        let authenticated = warp::path!("hello")
            .and(warp::get())
            .and(jwt_warp::authenticated(auth.clone()))
            .map(|user: Principal<NoClaims>| {
                black_box(&user);
                BODY
            })
            .recover(jwt_warp::recover);

        let in_process = current_thread_runtime().block_on(async {
            let anonymous = warp::test::request()
                .path("/hello")
                .reply(&authenticated)
                .await;
            assert_refuses_anonymous(anonymous.status().as_u16(), "warp");
            let (plain, authenticated) = (&plain, &authenticated);
            in_process(
                move || async move {
                    let response = with_headers(headers).reply(plain).await;
                    assert_eq!(black_box(response).status(), 200);
                },
                move || async move {
                    let response = with_headers(headers).reply(authenticated).await;
                    assert_eq!(black_box(response).status(), 200);
                },
            )
            .await
        });
        // `warp::serve` takes any filter, but its bounds cannot be named outside warp: serve
        // both as boxed filters of one type.
        let plain = serve(plain.map(warp::Reply::into_response).boxed());
        let authenticated = serve(authenticated.map(warp::Reply::into_response).boxed());
        let loopback = loopback(&plain, &authenticated, headers);
        plain.stop();
        authenticated.stop();
        (in_process, loopback)
    }

    fn with_headers(headers: &HeaderMap) -> warp::test::RequestBuilder {
        let mut request = warp::test::request().path("/hello");
        for (name, value) in headers {
            request = request.header(name.clone(), value.clone());
        }
        request
    }

    fn serve(filter: BoxedFilter<(Response,)>) -> Server {
        let listener =
            StdTcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a loopback port to bind");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking socket");
        let addr = listener.local_addr().expect("a bound address");
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            current_thread_runtime().block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a Tokio listener");
                warp::serve(filter)
                    .incoming(listener)
                    .graceful(async move {
                        let _ = stopped.await;
                    })
                    .run()
                    .await;
            });
        });
        Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// The 1-, 5- and 15-minute load averages, to judge how quiet the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}
