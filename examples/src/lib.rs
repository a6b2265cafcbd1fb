//! The demo app, shared by every binary of this crate: settings from the environment, the
//! users, the page, and the `/whoami/` answer. Each binary (`axum`, `actix`, `rocket`, `warp`,
//! `hyper`) only wires these into its framework.
//!
//! - Address: `--addr HOST:PORT`, else `ADDR`, else `127.0.0.1:8000`.
//! - Settings: the `JWT_*` environment variables of SPEC.md. Without `JWT_SECRET` a random
//!   secret is used, with a warning that sessions will not survive a restart.
//! - Users: `JWT_DEMO_USERS="alice:password1,bob:password2"`.

use std::error::Error;
use std::net::SocketAddr;

use base64::Engine as _;
use jwt_core::{JwtAuth, JwtConfigBuilder, MemoryAuthenticator, NoClaims, Principal};

/// The page served at `GET /`.
pub const INDEX_HTML: &str = include_str!("index.html");

/// Everything a demo binary needs to serve.
#[derive(Debug)]
pub struct Demo {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The engine, configured from the environment.
    pub auth: JwtAuth<NoClaims>,
}

impl Demo {
    /// Reads the command line and the environment, and logs one start-up line naming the
    /// framework once the binary calls [`Demo::announce`].
    pub fn from_env() -> Result<Self, Box<dyn Error>> {
        init_tracing();
        let addr = address()?;
        let mut builder = JwtConfigBuilder::from_env()?;
        if std::env::var_os("JWT_SECRET").is_none()
            && std::env::var_os("JWT_PRIVATE_KEY_FILE").is_none()
        {
            tracing::warn!(
                "JWT_SECRET is not set: using a random secret; sessions will not survive a restart"
            );
            let mut secret = [0u8; 48];
            getrandom::fill(&mut secret)?;
            builder = builder.secret(base64::engine::general_purpose::STANDARD.encode(secret));
        }
        let config = builder.build()?;
        let users = MemoryAuthenticator::<NoClaims>::new();
        if let Ok(list) = std::env::var("JWT_DEMO_USERS") {
            for entry in list
                .split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
            {
                let (name, password) = entry
                    .split_once(':')
                    .ok_or("JWT_DEMO_USERS: each entry is name:password")?;
                users.add_user(name, password, NoClaims)?;
            }
        }
        let auth = JwtAuth::new(config, users);
        Ok(Self { addr, auth })
    }

    /// The one start-up log line.
    pub fn announce(&self, framework: &str) {
        tracing::info!("demo app ({framework}) listening on http://{}", self.addr);
    }
}

/// The body of `GET /whoami/` for an authenticated user: `{"user": "<sub>"}`.
pub fn whoami_body<C>(principal: &Principal<C>) -> serde_json::Value {
    serde_json::json!({ "user": principal.subject })
}

fn address() -> Result<SocketAddr, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--addr" {
            return Ok(args.next().ok_or("--addr needs HOST:PORT")?.parse()?);
        }
        if let Some(value) = arg.strip_prefix("--addr=") {
            return Ok(value.parse()?);
        }
    }
    Ok(std::env::var("ADDR")
        .unwrap_or_else(|_| "127.0.0.1:8000".to_owned())
        .parse()?)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _already_set = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
