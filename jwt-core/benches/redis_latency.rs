//! Refresh and login latency with sessions in Redis: one server over plain TCP, one over TLS,
//! and a 3-master Redis Cluster, each started here on loopback (as the tests start theirs).
//!
//! For each flavour: `LOGINS` logins (Argon2 at test-cheap parameters, so that Redis's share
//! shows) and `REFRESHES` refreshes with rotation, one at a time through `JwtAuth`, then the
//! median and 99th percentile of each; and, counted by the servers, the script calls per
//! refresh (`EVALSHA` and `EVAL` in `INFO commandstats`: one each is one round trip) and all
//! commands per refresh (`total_commands_processed`, which also counts the commands a script
//! runs inside Redis).
//!
//! `cargo bench -p jwt-core --features redis --bench redis_latency` (about half a minute; not
//! part of the test command). It prints figures and asserts none.

#[expect(
    dead_code,
    reason = "the tests' fixtures, of which this benchmark uses the starting half"
)]
#[path = "../tests/redis_server/mod.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use jwt_core::{
    JwtAuth, JwtConfig, JwtConfigBuilder, MemoryAuthenticator, NoClaims, PasswordHasher,
    RequestHead, session_store_from_config,
};
use redis_server::cluster::RedisCluster;
use redis_server::tls::TlsFiles;
use redis_server::{ClientCertificates, RedisServer};

const LOGINS: usize = 300;
const REFRESHES: usize = 2000;
const SECRET: &str = "a benchmark secret of at least thirty-two bytes";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    println!(
        "{:<10} {:>11} {:>11} {:>11} {:>11} {:>15} {:>16}",
        "redis",
        "refresh p50",
        "refresh p99",
        "login p50",
        "login p99",
        "scripts/refresh",
        "commands/refresh"
    );

    let single = RedisServer::start();
    let settings = JwtConfig::builder().redis_url(&single.url());
    let counter = Counter(vec![(single.port(), None)]);
    runtime.block_on(measure("single", settings, &counter));
    drop(single);

    let files = TlsFiles::generate();
    let tls = RedisServer::start_tls(&files, ClientCertificates::Optional);
    let settings = JwtConfig::builder()
        .redis_url(&tls.url())
        .redis_ca_file(&files.path("ca.pem"));
    let counter = Counter(vec![(tls.port(), Some(&files))]);
    runtime.block_on(measure("TLS", settings, &counter));
    drop(tls);

    let cluster = RedisCluster::start(None);
    let settings = cluster
        .urls()
        .iter()
        .fold(JwtConfig::builder(), |builder, url| {
            builder.redis_cluster_url(url)
        });
    let ports = cluster
        .urls()
        .iter()
        .map(|url| (port_of(url), None))
        .collect();
    runtime.block_on(measure("cluster", settings, &Counter(ports)));
}

fn port_of(url: &str) -> u16 {
    url.trim_end_matches('/')
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .expect("a URL with a port")
}

/// Reads the command counters of the servers on these ports through `redis-cli`.
struct Counter<'a>(Vec<(u16, Option<&'a TlsFiles>)>);

/// What the servers counted so far, summed over every server.
#[derive(Debug, Clone, Copy)]
struct Counts {
    scripts: u64,
    commands: u64,
}

impl Counter<'_> {
    fn counts(&self) -> Counts {
        let mut counts = Counts {
            scripts: 0,
            commands: 0,
        };
        for (port, tls) in &self.0 {
            let stats = self.info(*port, *tls, "stats");
            counts.commands += field(&stats, "total_commands_processed:");
            let commandstats = self.info(*port, *tls, "commandstats");
            for script in ["cmdstat_evalsha:calls=", "cmdstat_eval:calls="] {
                counts.scripts += field(&commandstats, script);
            }
        }
        counts
    }

    fn info(&self, port: u16, tls: Option<&TlsFiles>, section: &str) -> String {
        let mut command = std::process::Command::new("redis-cli");
        command.args(["-h", "127.0.0.1", "-p", &port.to_string()]);
        if let Some(files) = tls {
            command
                .arg("--tls")
                .arg("--cacert")
                .arg(files.path("ca.pem"));
        }
        let output = command
            .args(["INFO", section])
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// The number after `prefix` on its line (0 when absent), up to a comma.
fn field(info: &str, prefix: &str) -> u64 {
    info.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.split(',').next())
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

async fn measure(name: &str, settings: JwtConfigBuilder, counter: &Counter<'_>) {
    let config = settings.secret(SECRET).build().expect("valid settings");
    let params = argon2::Params::new(1024, 1, 1, None).expect("valid parameters");
    let users = MemoryAuthenticator::<NoClaims>::with_hasher(
        PasswordHasher::with_params(params).expect("a hasher"),
    );
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hash");
    let store = session_store_from_config(&config)
        .await
        .expect("the benchmark's Redis");
    let auth = JwtAuth::builder(config, users).shared_store(store).build();

    // Warm up: connections made, scripts cached on every node.
    let mut token = login(&auth).await.1;
    for _ in 0..50 {
        token = refresh(&auth, &token).await.1;
    }

    let mut logins = Vec::with_capacity(LOGINS);
    for _ in 0..LOGINS {
        let started = Instant::now();
        let (_, fresh) = login(&auth).await;
        logins.push(started.elapsed());
        token = fresh;
    }
    let before = counter.counts();
    let mut refreshes = Vec::with_capacity(REFRESHES);
    for _ in 0..REFRESHES {
        let started = Instant::now();
        let (_, next) = refresh(&auth, &token).await;
        refreshes.push(started.elapsed());
        token = next;
    }
    let after = counter.counts();
    // The counters' own two INFO commands per server count too.
    let commands = after.commands - before.commands - 2 * counter.0.len() as u64;
    let per_refresh = |count: u64| count as f64 / REFRESHES as f64;
    println!(
        "{:<10} {:>11} {:>11} {:>11} {:>11} {:>15.2} {:>16.2}",
        name,
        micros(percentile(&mut refreshes, 50)),
        micros(percentile(&mut refreshes, 99)),
        micros(percentile(&mut logins, 50)),
        micros(percentile(&mut logins, 99)),
        per_refresh(after.scripts - before.scripts),
        per_refresh(commands),
    );
}

fn percentile(samples: &mut [Duration], percent: usize) -> Duration {
    samples.sort_unstable();
    let index = (samples.len() * percent).div_ceil(100).saturating_sub(1);
    samples[index.min(samples.len() - 1)]
}

fn micros(duration: Duration) -> String {
    format!("{} µs", duration.as_micros())
}

async fn login(auth: &JwtAuth<NoClaims>) -> (StatusCode, String) {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = r#"{"username": "alice", "password": "password1"}"#;
    let uri = Uri::from_static("/jwt/login/");
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    let reply = auth
        .login(&head, Bytes::from_static(body.as_bytes()).into())
        .await;
    assert_eq!(reply.status(), StatusCode::OK, "login");
    (reply.status(), refresh_cookie(auth, &reply))
}

async fn refresh(auth: &JwtAuth<NoClaims>, token: &str) -> (StatusCode, String) {
    let mut headers = HeaderMap::new();
    let cookie = format!("{}={token}", auth.config().refresh_cookie());
    headers.insert(
        http::header::COOKIE,
        HeaderValue::from_str(&cookie).expect("a token is a cookie value"),
    );
    let uri = Uri::from_static("/jwt/refresh/");
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    let reply = auth.refresh(&head).await;
    assert_eq!(reply.status(), StatusCode::OK, "refresh");
    (reply.status(), refresh_cookie(auth, &reply))
}

fn refresh_cookie(auth: &JwtAuth<NoClaims>, reply: &jwt_core::Reply) -> String {
    reply
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|line| line.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, value)| *name == auth.config().refresh_cookie() && !value.is_empty())
        .map(|(_, value)| value.to_owned())
        .expect("the reply sets the refresh cookie")
}
