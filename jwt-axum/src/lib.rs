//! JWT cookie sessions for [axum] 0.8: short-lived access tokens and rotating refresh tokens in
//! hardened cookies, with login, refresh, logout and logout-all endpoints. Every decision
//! (statuses, messages, cookie attributes) is [`jwt_core`]'s; this crate only translates.
//!
//! ```
//! use axum::{Json, Router, routing::get};
//! use jwt_axum::{Authenticated, JwtLayer};
//! use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
//!
//! async fn whoami(user: Authenticated) -> Json<serde_json::Value> {
//!     Json(serde_json::json!({ "user": user.subject }))
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let config = JwtConfig::builder()
//!     .secret("an example secret of at least 32 bytes")
//!     .build()?;
//! let users = MemoryAuthenticator::<NoClaims>::new();
//! users.add_user("alice", "password1", NoClaims)?;
//! let auth = JwtAuth::new(config, users);
//!
//! let app: Router = Router::new()
//!     .route("/whoami/", get(whoami))
//!     .merge(jwt_axum::routes(auth.clone())) // POST /jwt/login/, /jwt/refresh/, ...
//!     .layer(JwtLayer::new(auth));
//!
//! // Serve it with `axum::serve(listener, app)`; here it answers in-process.
//! use tower::ServiceExt as _;
//! let request = http::Request::post("/jwt/login/")
//!     .header("content-type", "application/json")
//!     .body(axum::body::Body::from(r#"{"username": "alice", "password": "password1"}"#))?;
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! let access = response.headers()["set-cookie"].to_str()?.split(';').next().unwrap_or_default();
//!
//! let request = http::Request::get("/whoami/").header("cookie", access).body(axum::body::Body::empty())?;
//! assert_eq!(app.clone().oneshot(request).await?.status(), 200);
//! let request = http::Request::get("/whoami/").body(axum::body::Body::empty())?;
//! assert_eq!(app.oneshot(request).await?.status(), 401);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The pieces:
//! - [`JwtLayer`]: a tower layer that authenticates every request and stores the outcome
//!   (a `jwt_core::Authentication<C>`) in the request's extensions. It never rejects, and
//!   never reads or buffers a body.
//! - [`Authenticated<C>`]: the required extractor; [`MaybeAuthenticated<C>`] or
//!   `Option<Authenticated<C>>`: the optional one. `C` is the application's claims type.
//!   They refuse with [`AuthRejection`].
//! - [`routes`]: a [`Router`](axum::Router) with the four endpoints at the configured paths;
//!   [`login`], [`refresh`], [`logout`] and [`logout_all`] to mount them elsewhere.
//! - [`reply_into_response`]: a `jwt_core::Reply` as an axum response.
//!
//! **Serve with the peer address.** The login throttle counts failed logins per client, and
//! axum tells the endpoints the client's address only through `ConnectInfo`. Serve the app
//! with `axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())`;
//! without it every login counts as one shared client, so strangers' failures throttle
//! everybody (jwt-core logs a warning once). Behind a proxy, also set `JWT_TRUSTED_PROXIES`.
//!
//! Decisions of this crate:
//! - An extractor on a route that no [`JwtLayer`] of the same claims type covers is a
//!   programming error: it answers jwt-core's `500` and logs an error naming the
//!   missing layer, rather than panicking.
//! - The endpoints answer every method themselves, so the `405` (with `Allow: POST`) comes from
//!   the core like every other answer.
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

mod extract;
mod layer;
mod rejection;
mod response;
mod routes;

pub use extract::{Authenticated, MaybeAuthenticated};
pub use jwt_core;
pub use layer::{JwtLayer, JwtService};
pub use rejection::AuthRejection;
pub use response::reply_into_response;
pub use routes::{jwks, login, logout, logout_all, refresh, routes};
