//! JWT cookie sessions for [Rocket](https://rocket.rs) 0.5, built on [`jwt_core`]: short-lived
//! access tokens and rotating refresh tokens in hardened cookies, with login, refresh, logout
//! and logout-all endpoints.
//!
//! ```
//! use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
//! use jwt_rocket::{Authenticated, JwtFairing};
//! use rocket::http::{ContentType, Status};
//! use rocket::local::asynchronous::Client;
//!
//! // Rocket ignores the trailing slash: this answers `/whoami/`.
//! #[rocket::get("/whoami")]
//! fn whoami(user: Authenticated) -> String {
//!     user.subject.clone()
//! }
//!
//! # rocket::async_test(async {
//! let config = JwtConfig::builder()
//!     .secret("an example secret of at least 32 bytes")
//!     .build()?;
//! let users = MemoryAuthenticator::<NoClaims>::new();
//! users.add_user("alice", "password1", NoClaims)?;
//! let auth = JwtAuth::new(config, users);
//!
//! let rocket = rocket::build()
//!     .attach(JwtFairing::new(auth.clone()))
//!     .mount("/", jwt_rocket::routes(&auth))
//!     .mount("/", rocket::routes![whoami]);
//!
//! // A client that keeps cookies, like a browser.
//! let client = Client::tracked(rocket).await?;
//! let anonymous = client.get("/whoami/").dispatch().await;
//! assert_eq!(anonymous.status(), Status::Unauthorized);
//!
//! let login = client
//!     .post("/jwt/login/")
//!     .header(ContentType::JSON)
//!     .body(r#"{"username": "alice", "password": "password1"}"#)
//!     .dispatch()
//!     .await;
//! assert_eq!(login.status(), Status::Ok);
//!
//! let me = client.get("/whoami/").dispatch().await;
//! assert_eq!(me.into_string().await.as_deref(), Some("alice"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).expect("the example runs");
//! ```
//!
//! The pieces:
//! - [`JwtFairing`]: manages the [`JwtAuth`](jwt_core::JwtAuth) (built by the app, or from
//!   Rocket's own configuration with [`JwtFairing::from_figment`]) and completes guard
//!   rejections; it never rejects on its own.
//! - [`Authenticated<C>`] (required) and `Option<Authenticated<C>>` (optional): request
//!   guards generic over the application's claims type. A failed guard answers exactly as
//!   jwt-core's protocol document says (`401` with `WWW-Authenticate` and the JSON message, `403`, `503`).
//!   Authentication runs once per request, at the first guard, and is cached.
//! - [`routes`]: the four endpoints at their configured paths, for every method (anything but
//!   `POST` gets `405` with `Allow: POST`); [`endpoint_routes`] and [`EndpointHandler`] to
//!   mount them one by one.
//! - [`AuthRejection`]: the guard's error, itself a responder.
//!
//! Every status, message and cookie comes from `jwt-core`; this crate only translates Rocket's
//! request into a [`RequestHead`](jwt_core::RequestHead) and a
//! [`Reply`](jwt_core::Reply) into a Rocket response (every `Set-Cookie` line kept).
//!
//! Rocket specifics, decided here:
//! - The client the login throttle counts is the connection's remote address
//!   (`Request::remote`), never `client_ip()`, which believes Rocket's `ip_header`
//!   (`X-Real-IP` by default) that any client can send; jwt-core reads forwarded headers
//!   itself, only from `JWT_TRUSTED_PROXIES`.
//! - Rocket turns a form `POST` whose first field is `_method` into that method; the core is
//!   shown the method the client sent, so a login form starting with `_method=get` still logs
//!   in, and a cross-site form `POST` is still checked as unsafe.
//! - Rocket drops header fields whose value is not UTF-8 before any code sees them; such an
//!   `Authorization` header counts as absent (`401` "credentials were not provided") where
//!   other servers answer "Invalid or expired token.".
//! - Rocket answers a request with a method it does not know (`FOO`) with `400` before
//!   routing; known methods other than `POST` get the core's `405`.
//! - The login body is read within `JWT_LOGIN_BODY_TIMEOUT` through
//!   [`read_login_body`](jwt_core::read_login_body), as on every server (`408` after it). But
//!   Rocket itself waits for the first 14 bytes of every request body before it routes the
//!   request (looking for a `_method` field), with no timeout of its own: a client that stops
//!   within those bytes holds its request until the connection closes, and no adapter code
//!   runs to stop it. Put a proxy with a body timeout in front of a Rocket app exposed to
//!   strangers.
//!
//! The wire behaviour (every setting, token claim, cookie attribute and endpoint answer, the
//! cross-origin rule and the session semantics) is written down in the protocol document:
//! `PROTOCOL.md` in jwt-core's package, `docs/PROTOCOL.md` in the source repository.
//!
//! Features, each passed through to jwt-core: `rust_crypto` (default) and `aws_lc_rs` choose
//! the signing backend; `password` (default) brings Argon2id and `MemoryAuthenticator`,
//! `multipart` (default) multipart login bodies, `toml` (default) settings from TOML, and
//! `redis` the Redis session store. `default-features = false, features = ["aws_lc_rs"]`
//! compiles one backend, and jwt-core none of its optional parsers (Rocket brings multipart
//! and TOML parsers of its own).

#![cfg_attr(docsrs, feature(doc_cfg))]

mod authentication;
mod fairing;
mod guard;
mod rejection;
mod request_head;
mod response;
mod routes;

pub use fairing::{FIGMENT_KEY, JwtFairing};
pub use guard::Authenticated;
pub use rejection::AuthRejection;
pub use routes::{EndpointHandler, endpoint_routes, routes};

/// The engine, re-exported so an application needs one dependency.
pub use jwt_core;
