//! The demo app, shared by every binary of this crate: settings from the environment, the
//! users, the page, and the `/whoami/` answer. Each binary (`axum`, `actix`, `rocket`, `warp`,
//! `hyper`) only wires these into its framework, so the same environment gives the same
//! behaviour on all five.
//!
//! - Address: `--addr HOST:PORT`, else `ADDR`, else `127.0.0.1:8000`.
//! - Settings: the `JWT_*` environment variables of docs/PROTOCOL.md. With an HMAC `JWT_ALGORITHM` (the
//!   default HS256) and no `JWT_SECRET`, a random secret is used, with a warning that sessions
//!   will not survive a restart. Asymmetric algorithms get no such stand-in: without
//!   `JWT_PRIVATE_KEY_FILE` the start fails with an error naming it.
//! - Users: a SQLite database (`--db PATH`, default `demo.sqlite` in the working directory,
//!   created on first run) with Argon2id password hashes. Every entry of
//!   `JWT_DEMO_USERS="alice:password1,bob:password2"` is created, or updated to that password
//!   and made active, at start. With an empty database and no such variable, one user `demo`
//!   is created with a random password, printed once.
//! - Moving from Django: with `JWT_DJANGO_SECRET_KEY` set (the Django project's
//!   `SECRET_KEY`), the migration mode takes the Django package's tokens, and a Django user's
//!   primary key is the demo user's SQLite row id: 1, 2, ... in the order users were first
//!   created ([`SqliteAuthenticator`]).
//! - Sessions: in memory, or in Redis when `JWT_REDIS_URL` (one server, `rediss://` for TLS)
//!   or `JWT_REDIS_CLUSTER_URLS` (Redis Cluster) is set and the crate's `redis` feature is on
//!   (without it, either setting stops the start with an error).
//! - Logging: `tracing`, filtered by `RUST_LOG` (default `info`): one start-up line.
//! - CORS: a page on one of `JWT_TRUSTED_ORIGINS` may call the API with the browser's cookies
//!   and read the answers; any other origin gets no CORS grant ([`cors`]). This is the set-up
//!   of an app on `https://app.example.com` calling an API on `https://api.example.com`.
//!
//! The page assumes nothing about the endpoint paths: [`Demo::index_html`] writes the
//! configured ones into it.
//!
//! Cookies keep the library's defaults, `Secure` included, although the demo speaks plain
//! http: browsers treat `http://127.0.0.1` and `http://localhost` as potentially trustworthy
//! and keep `Secure` cookies set there (the browser test checks this in Chromium). Served
//! over plain http to any other host (`--addr 0.0.0.0:8000` opened from another machine),
//! `Secure` cookies cannot work: the login answers `200`, but the browser drops the cookies it
//! sets, so the user stays anonymous. The page then shows a warning, and
//! `JWT_COOKIE_SECURE=false` is the setting that makes it work (both checked in Chromium).

mod command_line;
pub mod cors;
pub mod hyper_app;
mod page;
mod shutdown;
mod users;

use std::error::Error;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use jwt_core::{
    JwtAuth, JwtConfig, JwtConfigBuilder, MemoryStore, NoClaims, Principal, SessionStore,
};

use crate::command_line::{CommandLine, USAGE};
pub use crate::page::INDEX_HTML;
pub use crate::shutdown::shutdown_signal;
pub use crate::users::{SqliteAuthenticator, UserStoreError};

/// The user database used when `--db` is not given, in the working directory.
pub const DEFAULT_DB: &str = "demo.sqlite";

/// The user created in an empty database when `JWT_DEMO_USERS` names nobody.
pub const DEFAULT_USER: &str = "demo";

/// Everything a demo binary needs to serve.
#[derive(Debug)]
pub struct Demo {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The engine, configured from the environment, checking users against [`Demo::users`].
    pub auth: JwtAuth<NoClaims>,
    /// The user database, shared with `auth` (to add or deactivate users while serving).
    pub users: SqliteAuthenticator,
    index_html: &'static str,
}

impl Demo {
    /// Reads the command line and the environment, opens the user database and creates the
    /// users of `JWT_DEMO_USERS`. Synchronous, so that it runs before any runtime starts
    /// (Rocket starts its own). The start-up line itself is [`Demo::announce`].
    ///
    /// An error reads as a sentence when a binary's `main` returns it (its `Debug` is its
    /// message).
    pub fn from_env() -> Result<Self, Box<dyn Error>> {
        Self::start().map_err(|error| Box::new(StartError(error.to_string())) as Box<dyn Error>)
    }

    fn start() -> Result<Self, Box<dyn Error>> {
        init_tracing();
        let command_line = CommandLine::parse(std::env::args().skip(1))?;
        if command_line.help {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let addr = match command_line.addr {
            Some(addr) => addr,
            None => address_from_env()?,
        };
        let db = command_line.db.unwrap_or_else(|| PathBuf::from(DEFAULT_DB));

        let builder = JwtConfigBuilder::from_env()?;
        let config = with_demo_secret(builder, |name| std::env::var(name).ok())?.build()?;

        let store = session_store(&config)?;
        let users = SqliteAuthenticator::open(&db)
            .map_err(|error| format!("cannot open the user database {}: {error}", db.display()))?;
        create_users(&users, &db)?;

        let index_html: &'static str = page::render(&config).leak();
        let auth = JwtAuth::builder(config, users.clone())
            .shared_store(store)
            .build();
        Ok(Self {
            addr,
            auth,
            users,
            index_html,
        })
    }

    /// The page for `GET /`: [`INDEX_HTML`] with the configured endpoint paths. Rendered once
    /// at start-up and kept for the life of the process.
    pub fn index_html(&self) -> &'static str {
        self.index_html
    }

    /// The one start-up log line.
    pub fn announce(&self, framework: &str) {
        tracing::info!("demo app ({framework}) listening on http://{}", self.addr);
    }
}

/// Why the demo could not start. `main` prints a returned error with `Debug`, so `Debug`
/// shows the message itself rather than a struct dump with escaped newlines.
struct StartError(String);

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for StartError {}

/// The body of `GET /whoami/` for an authenticated user:
/// `{"user": "<sub>", "expires_at": <the access token's exp, Unix seconds>}`.
pub fn whoami_body<C>(principal: &Principal<C>) -> serde_json::Value {
    serde_json::json!({
        "user": principal.subject,
        "expires_at": principal.expires_at.unix_timestamp(),
    })
}

/// The sessions store the settings ask for: memory, or Redis when `JWT_REDIS_URL` (one server,
/// `redis://` or `rediss://`) or `JWT_REDIS_CLUSTER_URLS` (a cluster) is set.
///
/// With Redis, the settings are first checked against the server in a short-lived runtime on
/// a thread of its own (`session_store_from_config`): a TLS certificate that does not verify (`JWT_REDIS_CA_FILE`,
/// the client certificate) stops the start with an error naming the setting, and an
/// unreachable Redis is only a warning. The store the server then uses connects on first use,
/// inside the server's own runtime.
fn session_store(config: &JwtConfig) -> Result<Arc<dyn SessionStore>, Box<dyn Error>> {
    if config.redis_url().is_none() && config.redis_cluster_urls().is_empty() {
        return Ok(Arc::new(MemoryStore::new()));
    }
    #[cfg(feature = "redis")]
    {
        // On a thread of its own, because some binaries call this from inside their runtime,
        // where a second one cannot block.
        let checked = std::thread::scope(|scope| {
            scope
                .spawn(|| -> Result<(), String> {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|error| error.to_string())?;
                    runtime
                        .block_on(jwt_core::session_store_from_config(config))
                        .map(drop)
                        .map_err(|error| match std::error::Error::source(&error) {
                            Some(source) => source.to_string(),
                            None => error.to_string(),
                        })
                })
                .join()
        });
        checked.map_err(|_| "the Redis start-up check panicked")??;
        Ok(jwt_core::open_session_store(config)?)
    }
    #[cfg(not(feature = "redis"))]
    {
        Err(
            "JWT_REDIS_URL or JWT_REDIS_CLUSTER_URLS is set, but this build has no Redis support: \
             add `--features redis` to the cargo command, or unset them to keep sessions in memory"
                .into(),
        )
    }
}

/// Creates or updates the users of `JWT_DEMO_USERS`; with none, and an empty database, creates
/// [`DEFAULT_USER`] with a random password.
fn create_users(users: &SqliteAuthenticator, db: &Path) -> Result<(), Box<dyn Error>> {
    let listed = std::env::var("JWT_DEMO_USERS").unwrap_or_default();
    let entries = parse_demo_users(&listed)?;
    for (name, password) in &entries {
        users
            .upsert_user(name, password)
            .map_err(|error| format!("JWT_DEMO_USERS: user {name:?}: {error}"))?;
    }
    if entries.is_empty() && users.user_count()? == 0 {
        let password = random_text(12)?;
        users.upsert_user(DEFAULT_USER, &password)?;
        // Printed, not logged: the only copy of the password goes to the terminal, never
        // into a log pipeline.
        println!(
            "Created user {DEFAULT_USER:?} with password {password:?} in {}. \
             It is shown only this once; set JWT_DEMO_USERS=\"name:password\" to choose your own.",
            db.display()
        );
    }
    Ok(())
}

/// `name:password` entries separated by commas; a password may contain `:`, not `,`.
fn parse_demo_users(list: &str) -> Result<Vec<(&str, &str)>, Box<dyn Error>> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry
                .split_once(':')
                .filter(|(name, _)| !name.is_empty())
                .ok_or_else(|| "JWT_DEMO_USERS: each entry is name:password".into())
        })
        .collect()
}

/// Fills in a random `JWT_SECRET` when the algorithm is HMAC (`JWT_ALGORITHM` unset or HS*)
/// and neither `JWT_SECRET` nor `JWT_PRIVATE_KEY_FILE` is set. For any other algorithm the
/// builder is left alone, so that its own error names what is missing
/// (`JWT_PRIVATE_KEY_FILE`) instead of complaining about a secret the user never set.
fn with_demo_secret(
    builder: JwtConfigBuilder,
    var: impl Fn(&str) -> Option<String>,
) -> Result<JwtConfigBuilder, Box<dyn Error>> {
    if var("JWT_SECRET").is_some() || var("JWT_PRIVATE_KEY_FILE").is_some() {
        return Ok(builder);
    }
    if !is_hmac(var("JWT_ALGORITHM").as_deref()) {
        return Ok(builder);
    }
    tracing::warn!(
        "JWT_SECRET is not set: using a random secret; sessions will not survive a restart"
    );
    // 48 random bytes are 64 characters: long enough for HS512 too.
    Ok(builder.secret(random_text(48)?))
}

/// Whether `JWT_ALGORITHM` (`None`: unset, so HS256) names an HMAC algorithm.
fn is_hmac(algorithm: Option<&str>) -> bool {
    matches!(
        algorithm.map(|name| name.trim().parse::<jwt_core::Algorithm>()),
        None | Some(Ok(jwt_core::Algorithm::HS256
            | jwt_core::Algorithm::HS384
            | jwt_core::Algorithm::HS512))
    )
}

/// URL-safe random text from `bytes` random bytes.
fn random_text(bytes: usize) -> Result<String, getrandom::Error> {
    let mut random = vec![0u8; bytes];
    getrandom::fill(&mut random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random))
}

fn address_from_env() -> Result<SocketAddr, Box<dyn Error>> {
    let text = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    Ok(text
        .parse()
        .map_err(|_| format!("ADDR {text:?} is not HOST:PORT (127.0.0.1:8000)"))?)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _already_set = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_users_are_name_password_pairs() {
        let parsed = parse_demo_users(" alice:password1, bob:pass:word ,").expect("valid list");
        assert_eq!(parsed, [("alice", "password1"), ("bob", "pass:word")]);
        assert!(parse_demo_users("").expect("empty list").is_empty());
        assert!(parse_demo_users("alice").is_err());
        assert!(parse_demo_users(":password").is_err());
    }

    fn demo_config(vars: &[(&str, &str)]) -> Result<jwt_core::JwtConfig, Box<dyn Error>> {
        let builder = JwtConfigBuilder::from_vars(vars.iter().copied())?;
        let lookup = |name: &str| {
            vars.iter()
                .find(|(known, _)| *known == name)
                .map(|(_, value)| (*value).to_owned())
        };
        Ok(with_demo_secret(builder, lookup)?.build()?)
    }

    #[test]
    fn hmac_without_a_secret_gets_a_random_one() {
        for vars in [
            &[][..],
            &[("JWT_ALGORITHM", "HS256")],
            &[("JWT_ALGORITHM", "HS512")],
        ] {
            let config = demo_config(vars).expect("a random secret fills in");
            assert!(format!("{:?}", config.algorithm()).starts_with("HS"));
        }
    }

    #[test]
    fn asymmetric_without_a_key_file_names_the_key_file_not_the_secret() {
        for algorithm in ["RS256", "ES256", "EdDSA"] {
            let error = demo_config(&[("JWT_ALGORITHM", algorithm)])
                .expect_err("no key, no start")
                .to_string();
            assert!(
                error.contains("JWT_PRIVATE_KEY_FILE"),
                "{algorithm}: {error}"
            );
            assert!(!error.contains("JWT_SECRET"), "{algorithm}: {error}");
        }
    }

    #[test]
    fn random_text_is_fresh_and_url_safe() {
        let first = random_text(12).expect("random bytes");
        let second = random_text(12).expect("random bytes");
        assert_eq!(first.len(), 16);
        assert_ne!(first, second);
        assert!(
            first
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}

/// The README's code, compiled by `cargo test` so that it cannot drift from the crates.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// jwt-core's README, compiled and run by `cargo test` like the workspace README.
#[cfg(doctest)]
#[doc = include_str!("../../jwt-core/README.md")]
pub struct CoreReadmeDoctests;

/// jwt-axum's README.
#[cfg(doctest)]
#[doc = include_str!("../../jwt-axum/README.md")]
pub struct AxumReadmeDoctests;

/// jwt-actix's README.
#[cfg(doctest)]
#[doc = include_str!("../../jwt-actix/README.md")]
pub struct ActixReadmeDoctests;

/// jwt-rocket's README.
#[cfg(doctest)]
#[doc = include_str!("../../jwt-rocket/README.md")]
pub struct RocketReadmeDoctests;

/// jwt-warp's README.
#[cfg(doctest)]
#[doc = include_str!("../../jwt-warp/README.md")]
pub struct WarpReadmeDoctests;
