//! The demo app, shared by every binary of this crate: settings from the environment, the
//! users, the page, and the `/whoami/` answer. Each binary (`axum`, `actix`, `rocket`, `warp`,
//! `hyper`) only wires these into its framework, so the same environment gives the same
//! behaviour on all five.
//!
//! - Address: `--addr HOST:PORT`, else `ADDR`, else `127.0.0.1:8000`.
//! - Settings: the `JWT_*` environment variables of SPEC.md. Without `JWT_SECRET` (and no
//!   `JWT_PRIVATE_KEY_FILE`) a random secret is used, with a warning that sessions will not
//!   survive a restart.
//! - Users: a SQLite database (`--db PATH`, default `demo.sqlite` in the working directory,
//!   created on first run) with Argon2id password hashes. Every entry of
//!   `JWT_DEMO_USERS="alice:password1,bob:password2"` is created, or updated to that password
//!   and made active, at start. With an empty database and no such variable, one user `demo`
//!   is created with a random password, printed once.
//! - Moving from Django: with `JWT_DJANGO_SECRET_KEY` set (the Django project's
//!   `SECRET_KEY`), the migration mode takes the Django package's tokens, and a Django user's
//!   primary key is the demo user's SQLite row id: 1, 2, ... in the order users were first
//!   created ([`SqliteAuthenticator`]).
//! - Sessions: in memory, or in Redis when `JWT_REDIS_URL` is set and the crate's `redis`
//!   feature is on (without it, a set `JWT_REDIS_URL` stops the start with an error).
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

        let mut builder = JwtConfigBuilder::from_env()?;
        if std::env::var_os("JWT_SECRET").is_none()
            && std::env::var_os("JWT_PRIVATE_KEY_FILE").is_none()
        {
            tracing::warn!(
                "JWT_SECRET is not set: using a random secret; sessions will not survive a restart"
            );
            builder = builder.secret(random_text(48)?);
        }
        let config = builder.build()?;

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

/// The sessions store `JWT_REDIS_URL` asks for: memory when unset, Redis when set. Opening
/// Redis only checks the URL (the connection is made on first use, inside the server's
/// runtime), so this stays synchronous.
fn session_store(config: &JwtConfig) -> Result<Arc<dyn SessionStore>, Box<dyn Error>> {
    let Some(url) = config.redis_url() else {
        return Ok(Arc::new(MemoryStore::new()));
    };
    #[cfg(feature = "redis")]
    {
        let store =
            jwt_core::RedisStore::open(url).map_err(|error| format!("JWT_REDIS_URL: {error}"))?;
        tracing::info!("sessions are kept in Redis");
        Ok(Arc::new(store))
    }
    #[cfg(not(feature = "redis"))]
    {
        let _ = url;
        Err(
            "JWT_REDIS_URL is set, but this build has no Redis support: add `--features redis` \
             to the cargo command, or unset JWT_REDIS_URL to keep sessions in memory"
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
