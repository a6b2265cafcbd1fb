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
//! - [`KeyRing`]: the signing key and verification keys, picked by exact `kid`;
//!   [`JwtAuth::set_keys`] swaps them in a running engine, and with an asymmetric algorithm
//!   the public ones are served as a JWK Set ([`Endpoint::Jwks`]).
//! - [`RequestHead`]: the headers of a request, from `http` 1.x or from header pairs.
//! - [`JwtAuth`]: [`JwtAuth::authenticate`] for middleware, and [`JwtAuth::login`],
//!   [`JwtAuth::refresh`], [`JwtAuth::logout`], [`JwtAuth::logout_all`] returning a [`Reply`].
//! - [`Authenticator`]: the application's users; [`MemoryAuthenticator`] with Argon2id.
//! - [`SessionStore`]: sessions; [`MemoryStore`] in process, `RedisStore` (feature `redis`)
//!   shared by many processes; [`session_store_from_config`] picks one from `JWT_REDIS_URL`.
//! - [`EventHook`]: audit events.
//! - The migration mode for `django-jwt-auth-middleware` (`JWT_DJANGO_SECRET_KEY`): a Django
//!   refresh token is exchanged once, at the refresh endpoint, for a session of this crate,
//!   and the middleware reads Django access tokens side by side, for the users
//!   [`Authenticator::migrated_identity`] maps. Decisions:
//!   - A token is tried as a Django token only when it fails our verification by naming no
//!     key of ours, and the Django verifier refuses any `kid`: our tokens fail exactly as
//!     without the mode. The Django verifier pins HS256 with the Django key, caps the size
//!     first, and takes the package's exact header (`alg`, `typ`) and claims (`iat`, `exp`,
//!     `user`, `tok`, `sec`), `tok` strictly (`access` for requests), `exp`/`iat` with
//!     `JWT_LEEWAY`.
//!   - The exchange answers as a refresh does (`200 {"message": "Access token refreshed."}`)
//!     with both cookies as a login sets them; a replay is `403` like any bad refresh token.
//!     [`SessionStore::claim_once`] remembers a digest of each exchanged token's `sec` until
//!     its `exp`. The user is looked up before the claim, so a refusal for an unknown user
//!     does not use the token up; a store failure answers `503`.
//!   - A Django access token's principal has the session id [`DJANGO_SESSION`]: it belongs to
//!     no session here, so `JWT_STRICT_LOGOUT` does not apply to it and it cannot log out
//!     (`401`; the cookies are still deleted). Only [`JwtAuth::authenticate`] (every
//!     adapter's middleware) accepts it, as the mapping is asynchronous;
//!     [`JwtAuth::verify_request`] does not. Django principals are not cached: each request
//!     costs one HMAC and one authenticator look-up.
//!   - `JWT_DJANGO_UNTIL` refuses every Django token from then on, logging once that the
//!     mode can be removed; an authenticator failure on a Django access token leaves the
//!     request unauthenticated (logged), as the middleware never rejects on its own.
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
//! Sessions across deployments:
//! - Cross-origin requests are decided as Go 1.25's `CrossOriginProtection` decides them:
//!   `Sec-Fetch-Site` first, then `Origin` against the `Host` (host and port, whatever the
//!   scheme) and `JWT_TRUSTED_ORIGINS`. A single-page app on a sibling origin works by naming
//!   its origin there; [`JwtConfig::is_trusted_origin`] is the test to give a CORS layer.
//! - Key rotation keeps sessions: previous secrets (`JWT_SECRET_FALLBACKS`) and public keys
//!   (`JWT_PUBLIC_KEY_FILES`) keep verifying under the `kid` they signed with. Without
//!   `JWT_KEY_ID` every `kid` is the key's thumbprint, derived the same way for signing and
//!   verifying keys; with it, every rotation key must be named `kid=value`, so no key can end
//!   up under another name than its tokens carry.
//! - Brute force is throttled: failed logins are counted per (username, client) and per
//!   client ([`RequestHead::client`], from the peer address, forwarded headers only from
//!   `JWT_TRUSTED_PROXIES`), in the session store; past a limit the login answers `429` with
//!   `Retry-After` without checking the password. No counter is per username alone, so no
//!   stranger can lock a user out. The queue in front of password checks is bounded
//!   ([`PasswordHasher::with_max_waiting`]); past it a login answers `503` at once.
//! - A refresh answer that never arrived does not end the session: within
//!   `JWT_REFRESH_GRACE` of its retirement, a refresh token gets a new access token and the
//!   session's *current* refresh token again, rather than a fresh rotation. A fresh rotation
//!   would retire the token that the other holder (the parallel tab, or the answer that got
//!   through after all) just received, and that holder would look like a replayer once the
//!   window closed. Handing back the current token makes every holder converge on one token,
//!   and reuse detection keeps working: whichever holder rotates next retires the others'
//!   token, and presenting it after the window ends the session.
//!
//! The wire behaviour (every setting, token claim, cookie attribute and endpoint answer, the
//! cross-origin rule and the session semantics) is written down in the protocol document:
//! `PROTOCOL.md` in this crate's package, `docs/PROTOCOL.md` in the source repository.
//!
//! # Features
//!
//! | feature | default | what it brings |
//! |---|---|---|
//! | `rust_crypto` | yes | the pure-Rust signing backend |
//! | `aws_lc_rs` | no | the aws-lc-rs signing backend (it wins when both are on) |
//! | `password` | yes | Argon2id: [`PasswordHasher`] and [`MemoryAuthenticator`] |
//! | `multipart` | yes | `multipart/form-data` login bodies |
//! | `toml` | yes | [`JwtConfig::from_toml_str`] |
//! | `redis` | no | `RedisStore`: sessions shared by many processes |
//!
//! The signing backend is chosen at compile time; with neither backend the crate does not
//! compile. An application that brings its own [`Authenticator`] and takes JSON or form logins
//! needs only a backend: `default-features = false, features = ["rust_crypto"]` leaves out
//! Argon2, the multipart parser and the TOML parser. Without `multipart`, a
//! `multipart/form-data` login answers `415 Unsupported media type.`, as any other body type
//! the engine does not read.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod authentication;
mod authenticator;
mod claims;
mod client;
mod clock;
mod config;
mod cookies;
mod crypto_backend;
mod csrf;
mod django;
mod endpoints;
mod events;
mod keys;
mod login_body;
mod minting;
#[cfg(feature = "password")]
mod password;
mod reply;
mod request;
mod store;
mod strict_json;
mod throttle;
mod token;
mod verified_tokens;

pub use auth::{JwtAuth, JwtAuthBuilder};
pub use authentication::{AuthRejection, Authentication};
#[cfg(feature = "password")]
pub use authenticator::MemoryAuthenticator;
pub use authenticator::{Authenticator, AuthenticatorError, Credentials, Identity};
pub use claims::{NoClaims, Principal, SessionId};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{ConfigError, JwtConfig, JwtConfigBuilder, SameSite};
pub use django::DJANGO_SESSION;
pub use endpoints::Endpoint;
pub use events::{AuthEvent, EventHook};
pub use jsonwebtoken::Algorithm;
pub use jsonwebtoken::jwk::JwkSet;
pub use keys::{KeyError, KeyRing};
pub use login_body::{LOGIN_BODY_LIMIT, RequestBody, collect_body, read_login_body};
#[cfg(feature = "password")]
pub use password::{PasswordError, PasswordHasher, PasswordQueueFull};
pub use reply::Reply;
pub use request::{PeerAddr, RequestHead, TokenSource};
pub use store::{
    FailureCount, MemoryStore, NewSession, Refresh, RefreshAttempt, SessionStore, StoreError,
    open_session_store, session_store_from_config,
};
#[cfg(feature = "redis")]
pub use store::{RedisCheck, RedisStore, RedisTls};
pub use token::{TokenError, TokenKind};

/// Re-exported so applications and stores name the same `async_trait`.
pub use async_trait::async_trait;
