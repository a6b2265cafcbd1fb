//! JWT cookie sessions for [warp]: short-lived access tokens and rotating refresh tokens in
//! hardened cookies, with login, refresh, logout and logout-all endpoints. Every decision
//! (statuses, messages, cookie attributes, the cross-origin check) is made by [`jwt_core`];
//! this crate only translates between warp and it.
//!
//! ```
//! use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, Principal};
//! use warp::Filter;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let config = JwtConfig::builder()
//!     .secret("an example secret of at least 32 bytes")
//!     .build()?; // or JwtConfig::from_env()?, with the JWT_* variables
//! let users = MemoryAuthenticator::<NoClaims>::new();
//! users.add_user("alice", "password1", NoClaims)?;
//! let auth = JwtAuth::new(config, users);
//!
//! let whoami = warp::path!("whoami")
//!     .and(jwt_warp::authenticated(auth.clone()))
//!     .map(|principal: Principal<NoClaims>| principal.subject);
//! let app = jwt_warp::routes(auth).or(whoami).recover(jwt_warp::recover);
//! // warp::serve(app).run(([127, 0, 0, 1], 8000)).await;
//!
//! let login = warp::test::request()
//!     .method("POST")
//!     .path("/jwt/login/")
//!     .header("content-type", "application/json")
//!     .body(r#"{"username": "alice", "password": "password1"}"#)
//!     .reply(&app)
//!     .await;
//! assert_eq!(login.status(), 200);
//! let access_cookie = login.headers()["set-cookie"].to_str()?.split(';').next().unwrap_or("");
//!
//! let me = warp::test::request()
//!     .path("/whoami")
//!     .header("cookie", access_cookie)
//!     .reply(&app)
//!     .await;
//! assert_eq!(me.body(), "alice");
//!
//! let anonymous = warp::test::request().path("/whoami").reply(&app).await;
//! assert_eq!(anonymous.status(), 401);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pieces:
//! - [`with_auth`] authenticates a request and extracts jwt-core's [`Authentication`]
//!   outcome; it never rejects. warp has no middleware layer: this filter is it, and the
//!   extractors below build on it.
//! - [`authenticated`] extracts the [`Principal`] or rejects with an [`AuthRejection`];
//!   [`optional`] extracts an `Option<Principal>` and never rejects.
//! - [`recover`] answers an [`AuthRejection`] with the exact `401` of the wire contract
//!   (`WWW-Authenticate: Bearer`, JSON message) and passes every other rejection on.
//! - [`routes`] serves the four endpoints at their configured paths; [`login`], [`refresh`],
//!   [`logout`] and [`logout_all`] are the same endpoints to mount at paths of your own.
//!
//! Decisions of this adapter, where warp leaves a choice:
//! - The client the login throttle counts is the connection's remote address, which warp's
//!   own server provides (`warp::serve`). A server of the application's own that calls the
//!   filters through `warp::service` must put it beside each request as a
//!   [`jwt_core::PeerAddr`] extension; without it every login counts as one shared client.
//! - The endpoints answer every method: the `405` with `Allow: POST` comes from jwt-core, so
//!   do not put `warp::post()` in front of them.
//! - The login body is read up to 64 KiB and then given up on; jwt-core answers the `413`.
//!   warp's `content_length_limit` is not used (it would answer `411`/`413` itself).
//! - The request's own host, which the cross-origin check compares `Origin` with (host and
//!   port, whatever the scheme), is the request target's authority (the URI's, as HTTP/2
//!   carries it, else `Host`).
//! - Put path filters before [`authenticated`] in a route, so that unknown paths stay `404`.
//! - CORS composes as usual: `routes(auth).with(warp::cors()...)`. A cross-origin page that
//!   logs in also needs its origin in `JWT_TRUSTED_ORIGINS`, or jwt-core refuses with `403`.
//!
//! [`Authentication`]: jwt_core::Authentication
//! [`Principal`]: jwt_core::Principal
//!
//! The wire behaviour (every setting, token claim, cookie attribute and endpoint answer, the
//! cross-origin rule and the session semantics) is written down in the protocol document:
//! `PROTOCOL.md` in jwt-core's package, `docs/PROTOCOL.md` in the source repository.
//!
//! Features, each passed through to jwt-core: `rust_crypto` (default) and `aws_lc_rs` choose
//! the signing backend; `password` (default) brings Argon2id and `MemoryAuthenticator`,
//! `multipart` (default) multipart login bodies, `toml` (default) settings from TOML, and
//! `redis` the Redis session store. `default-features = false, features = ["aws_lc_rs"]`
//! compiles one backend and none of the optional parsers.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod endpoints;
mod extract;
mod filter;
mod rejection;
mod request;
mod response;
mod routes;

pub use endpoints::{jwks, login, logout, logout_all, refresh};
pub use extract::{authenticated, optional};
pub use filter::with_auth;
pub use jwt_core;
pub use rejection::{AuthRejection, recover};
pub use routes::routes;
