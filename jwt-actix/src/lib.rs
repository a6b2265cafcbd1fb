//! JWT cookie sessions for actix-web 4: short-lived access tokens and rotating refresh tokens
//! in hardened cookies, with login, refresh, logout and logout-all endpoints. Every decision
//! (status codes, messages, cookie attributes, CSRF) is jwt-core's; this crate translates.
//!
//! ```
//! use actix_web::{App, HttpResponse, test, web};
//! use jwt_actix::{Authenticated, JwtMiddleware, configure};
//! use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
//!
//! async fn whoami(user: Authenticated) -> HttpResponse {
//!     HttpResponse::Ok().json(serde_json::json!({ "user": user.subject }))
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let config = JwtConfig::builder()
//!     .secret("an example secret of at least 32 bytes")
//!     .build()?;
//! let users = MemoryAuthenticator::<NoClaims>::new();
//! users.add_user("alice", "password1", NoClaims)?;
//! let auth = JwtAuth::new(config, users);
//!
//! let app = App::new()
//!     .wrap(JwtMiddleware::new(auth.clone()))
//!     .configure(configure(auth))
//!     .route("/whoami/", web::get().to(whoami));
//!
//! // Serve it with `HttpServer::new(move || app...)`; here, in process.
//! let app = test::init_service(app).await;
//! let login = test::TestRequest::post()
//!     .uri("/jwt/login/")
//!     .insert_header(("content-type", "application/json"))
//!     .set_payload(r#"{"username": "alice", "password": "password1"}"#)
//!     .to_request();
//! let response = test::call_service(&app, login).await;
//! assert_eq!(response.status(), 200);
//! let access_cookie = response.headers().get("set-cookie").ok_or("no cookie")?.to_str()?;
//! let access_cookie = access_cookie.split(';').next().ok_or("empty")?.to_owned();
//!
//! let whoami = test::TestRequest::get()
//!     .uri("/whoami/")
//!     .insert_header(("cookie", access_cookie))
//!     .to_request();
//! let body = test::call_and_read_body(&app, whoami).await;
//! assert_eq!(body, r#"{"user":"alice"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Served over TCP, with the settings from the `JWT_*` environment variables:
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, web};
//! use jwt_actix::{Authenticated, JwtMiddleware, configure};
//! use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
//!
//! async fn whoami(user: Authenticated) -> HttpResponse {
//!     HttpResponse::Ok().json(serde_json::json!({ "user": user.subject }))
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let users = MemoryAuthenticator::<NoClaims>::new();
//!     users.add_user("alice", "password1", NoClaims)?;
//!     let auth = JwtAuth::new(JwtConfig::from_env()?, users);
//!     HttpServer::new(move || {
//!         App::new()
//!             .wrap(JwtMiddleware::new(auth.clone()))
//!             .configure(configure(auth.clone()))
//!             .route("/whoami/", web::get().to(whoami))
//!     })
//!     .bind("127.0.0.1:8000")?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! The pieces:
//! - [`JwtMiddleware`]: authenticates every request and attaches the outcome to it; it never
//!   answers on its own.
//! - [`Authenticated`] (required: jwt-core's `401`/`403`/`503` otherwise) and
//!   [`MaybeAuthenticated`] (optional), generic over the application's claims type; their
//!   error is [`AuthRejection`].
//! - [`configure`]: the four endpoints at their configured paths; [`login`], [`refresh`],
//!   [`logout`], [`logout_all`] for paths of the application's choosing.
//! - [`reply_into_response`]: any jwt-core [`Reply`](jwt_core::Reply) as an [`HttpResponse`](actix_web::HttpResponse).
//!
//! How actix's types reach jwt-core:
//! - Headers go over as `(name, bytes)` pairs, every field of a repeated header included, and
//!   responses come back with every field (both `Set-Cookie` lines of a login). A response
//!   header that actix refuses turns the answer into a `500` and a logged error; it is never
//!   left out.
//! - The login body is read up to jwt-core's 64 KiB limit from the raw payload, so actix's
//!   own payload limits play no part; the other endpoints do not read the body.
//! - The request's own host (for the cross-origin check) is the authority of the request URI
//!   when it has one (HTTP/2), as jwt-core's `RequestHead::from_http` takes it; otherwise
//!   `Host`. `ConnectionInfo` is not used: it believes `Forwarded` and `X-Forwarded-*`.
//! - The client the login throttle counts is the connection's peer address as actix saw it;
//!   jwt-core reads forwarded headers itself, only from `JWT_TRUSTED_PROXIES`.
//! - An extractor with no [`JwtMiddleware`] of its claims type around it answers `500` and
//!   logs an error rather than treating the user as anonymous. (actix also accepts
//!   `Option<Authenticated<C>>`, which turns that error into `None` too; prefer
//!   [`MaybeAuthenticated`].)
//! - Inside a `web::scope("/api")`, the configured endpoint paths are relative to the scope,
//!   but the refresh cookie's Path is absolute: set `JWT_REFRESH_COOKIE_PATH` to
//!   `/api/jwt/refresh/` (see [`configure`]).
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
mod middleware;
mod rejection;
mod request;
mod response;
mod routes;

pub use extract::{Authenticated, MaybeAuthenticated};
pub use middleware::{JwtMiddleware, JwtMiddlewareService};
pub use rejection::AuthRejection;
pub use response::reply_into_response;
pub use routes::{configure, jwks, login, logout, logout_all, refresh};
