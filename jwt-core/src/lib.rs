//! The framework-agnostic engine behind JWT cookie sessions: short-lived access tokens and
//! rotating refresh tokens in hardened cookies, with login, refresh, logout and logout-all.
//!
//! The adapters `jwt-axum`, `jwt-actix`, `jwt-rocket` and `jwt-warp` wrap this crate; a custom
//! server can drive it directly, as this example does with plain `http` types:
//!
//! ```
//! use bytes::Bytes;
//! use http::{HeaderMap, Method, Uri};
//! use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, RequestHead};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let config = JwtConfig::builder()
//!     .secret("an example secret of at least 32 bytes")
//!     .build()?;
//! let users = MemoryAuthenticator::<NoClaims>::new();
//! users.add_user("alice", "password1", NoClaims)?;
//! let auth = JwtAuth::new(config, users);
//!
//! // POST /jwt/login/ with JSON credentials.
//! let (method, uri) = (Method::POST, Uri::from_static("/jwt/login/"));
//! let mut headers = HeaderMap::new();
//! headers.insert("content-type", "application/json".parse()?);
//! let body = Bytes::from_static(br#"{"username": "alice", "password": "password1"}"#);
//! let head = RequestHead::from_http(auth.config(), &method, &uri, &headers);
//! let reply = auth.login(&head, body.into()).await;
//! assert_eq!(reply.status(), 200);
//!
//! // The browser sends the access cookie back; the middleware turns it into a principal.
//! let set_cookie = reply.headers().get("set-cookie").ok_or("no cookie")?.to_str()?;
//! let access = set_cookie.split(';').next().ok_or("empty")?;
//! let mut headers = HeaderMap::new();
//! headers.insert("cookie", access.parse()?);
//! let (method, uri) = (Method::GET, Uri::from_static("/whoami/"));
//! let head = RequestHead::from_http(auth.config(), &method, &uri, &headers);
//! let principal = auth.authenticate(&head).await.require()?;
//! assert_eq!(principal.subject, "alice");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pieces:
//! - [`JwtConfig`]: every `JWT_*` setting, validated at start-up ([`config`](JwtConfig)).
//! - [`KeyRing`]: the signing key and verification keys, picked by exact `kid`.
//! - [`RequestHead`]: the headers of a request, from `http` 1.x or from header pairs.
//! - [`JwtAuth`]: [`JwtAuth::authenticate`] for middleware, and [`JwtAuth::login`],
//!   [`JwtAuth::refresh`], [`JwtAuth::logout`], [`JwtAuth::logout_all`] returning a [`Reply`].
//! - [`Authenticator`]: the application's users; [`MemoryAuthenticator`] with Argon2id.
//! - [`SessionStore`]: sessions; [`MemoryStore`] in process, `RedisStore` (feature `redis`)
//!   shared by many processes; [`session_store_from_config`] picks one from `JWT_REDIS_URL`.
//! - [`EventHook`]: audit events.
//!
//! Performance: a browser sends the same access token with every request until it expires, so
//! the engine remembers tokens that passed verification (10,000 by default, keyed by their
//! exact bytes) and skips the signature check when one comes back; its `exp`, `nbf` and `iat`
//! are checked again on every hit against that request's clock, so the cache never changes an
//! answer, even when the clock steps back; the cross-origin check and, with
//! `JWT_STRICT_LOGOUT`, the session look-up run on every request.
//! [`JwtAuthBuilder::verified_token_cache`] sizes it, or turns it off with 0, and
//! [`JwtAuth::clear_verified_tokens`] empties it. It evicts with CLOCK (second chance) in 16
//! shards: tokens in use keep their place, tokens seen once replace each other, an expired
//! entry goes first, and nothing ever empties the whole cache; docs/PERFORMANCE.md says why
//! this and not a general-purpose cache crate.
//!
//! Hostile input: every byte parsed here comes from strangers, so
//! - parsing is linear in the input's length (token header and claims, cookie headers, login
//!   bodies), and bounded before it starts (`JWT_MAX_TOKEN_BYTES`, [`LOGIN_BODY_LIMIT`],
//!   `JWT_LOGIN_BODY_TIMEOUT` for how long a login body may take to arrive: `408` after it);
//! - `Debug` output never shows a token, a password or a secret: [`RequestHead`], [`Reply`] and
//!   [`RequestBody`] show header names and lengths, [`JwtConfig`] redacts `JWT_REDIS_URL`, and
//!   [`KeyRing`] shows key ids only. `JWT_SECRET` and `JWT_REDIS_URL` are held as
//!   `secrecy::SecretString` and [`Credentials`] are wiped on drop (`zeroize`);
//! - a failed login's username is logged cut to 64 characters, and marked as cut;
//! - start-up refuses settings that cannot work (see [`JwtConfig`]);
//! - the `fuzz/` directory of the repository holds coverage-guided fuzz targets for all of
//!   it, and docs/RELIABILITY.md what they ran and found.
//!
//! The signing backend is chosen at compile time: the `rust_crypto` feature (default) or
//! `aws_lc_rs` (which wins when both are on). With neither, the crate does not compile.

mod auth;
mod authentication;
mod authenticator;
mod claims;
mod clock;
mod config;
mod cookies;
mod crypto_backend;
mod csrf;
mod endpoints;
mod events;
mod keys;
mod login_body;
mod minting;
mod password;
mod reply;
mod request;
mod store;
mod strict_json;
mod token;
mod verified_tokens;

pub use auth::{JwtAuth, JwtAuthBuilder};
pub use authentication::{AuthRejection, Authentication};
pub use authenticator::{
    Authenticator, AuthenticatorError, Credentials, Identity, MemoryAuthenticator,
};
pub use claims::{NoClaims, Principal, SessionId};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{ConfigError, JwtConfig, JwtConfigBuilder, SameSite};
pub use endpoints::Endpoint;
pub use events::{AuthEvent, EventHook};
pub use jsonwebtoken::Algorithm;
pub use jsonwebtoken::jwk::JwkSet;
pub use keys::{KeyError, KeyRing};
pub use login_body::{LOGIN_BODY_LIMIT, RequestBody, collect_body, read_login_body};
pub use password::{PasswordError, PasswordHasher};
pub use reply::Reply;
pub use request::{RequestHead, TokenSource};
#[cfg(feature = "redis")]
pub use store::RedisStore;
pub use store::{
    MemoryStore, NewSession, Refresh, RefreshAttempt, SessionStore, StoreError,
    session_store_from_config,
};
pub use token::{TokenError, TokenKind};

/// Re-exported so applications and stores name the same `async_trait`.
pub use async_trait::async_trait;
