//! The endpoints: [`routes`] mounts them at the configured paths; [`login`], [`refresh`],
//! [`logout`], [`logout_all`] and [`jwks`] are the handlers, for apps that mount them
//! elsewhere.

use axum::Router;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use axum::routing::any;
use bytes::Bytes;
use jwt_core::{Endpoint, JwtAuth, RequestBody, RequestHead, collect_body, read_login_body};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::response::reply_into_response;

/// A router serving the endpoints at their configured paths (`JWT_LOGIN_PATH`,
/// `JWT_REFRESH_PATH`, `JWT_LOGOUT_PATH`, `JWT_LOGOUT_ALL_PATH`, and with an asymmetric
/// algorithm the public keys at `JWT_JWKS_PATH`). Merge or nest it into the application's
/// router; it works with any application state.
///
/// Every method reaches the endpoint, which answers anything but `POST` (`GET` and `HEAD` for
/// the keys) with `405` and an `Allow` header. The endpoints read their tokens themselves, so they work with or without a
/// [`JwtLayer`](crate::JwtLayer) in front.
///
/// Configured paths are matched literally, braces included. A path segment starting with `:`
/// or `*` is accepted here, but merging this router into one that keeps axum's 0.7 path
/// checks panics; call `without_v07_checks` on that router too.
///
/// Nesting (`Router::new().nest("/api", routes(auth))`) moves the endpoints under the prefix,
/// but the refresh cookie keeps `Path=JWT_REFRESH_PATH`, without the prefix, so browsers would
/// not send it to the nested refresh endpoint (clients sending the refresh header are not
/// affected). For browsers, merge instead, with the prefix in the settings
/// (`JWT_LOGIN_PATH=/api/jwt/login/`, `JWT_REFRESH_PATH=/api/jwt/refresh/`, ...).
///
/// ```
/// use axum::Router;
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let app: Router = Router::new().merge(jwt_axum::routes(auth));
/// # let _ = app;
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
pub fn routes<C, S>(auth: JwtAuth<C>) -> Router<S>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    S: Clone + Send + Sync + 'static,
{
    let mut router = Router::new().without_v07_checks();
    for endpoint in auth.endpoints() {
        let handler = move |State(auth): State<JwtAuth<C>>, request: Request| async move {
            serve(&auth, endpoint, request).await
        };
        router = router.route(&literal_path(auth.path(endpoint)), any(handler));
    }
    router.with_state(auth)
}

/// The login endpoint, for mounting at a path of the application's choice. Route every
/// method to it (`any`), so that other methods get the core's `405`.
///
/// ```
/// use axum::{Router, routing::any};
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let app: Router = Router::new()
///     .route("/account/sign-in", any(jwt_axum::login::<NoClaims>))
///     .route("/account/sign-out", any(jwt_axum::logout::<NoClaims>))
///     .with_state(auth);
/// # let _ = app;
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
///
/// With an application state of its own, implement `FromRef<AppState>` for `JwtAuth<C>`, or
/// give these routes their own `with_state(auth)` before merging them.
pub async fn login<C>(State(auth): State<JwtAuth<C>>, request: Request) -> Response
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    serve(&auth, Endpoint::Login, request).await
}

/// The refresh endpoint, for mounting at a path of the application's choice (see [`login`]).
/// The refresh cookie's `Path` (`JWT_REFRESH_COOKIE_PATH`) must cover that path.
pub async fn refresh<C>(State(auth): State<JwtAuth<C>>, request: Request) -> Response
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    serve(&auth, Endpoint::Refresh, request).await
}

/// The logout endpoint, for mounting at a path of the application's choice (see [`login`]).
pub async fn logout<C>(State(auth): State<JwtAuth<C>>, request: Request) -> Response
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    serve(&auth, Endpoint::Logout, request).await
}

/// The logout-all endpoint, for mounting at a path of the application's choice (see
/// [`login`]).
pub async fn logout_all<C>(State(auth): State<JwtAuth<C>>, request: Request) -> Response
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    serve(&auth, Endpoint::LogoutAll, request).await
}

/// The public keys as a JWK Set, for mounting at a path of the application's choice (see
/// [`login`]); with an HMAC algorithm it answers `404`, as there is nothing to publish.
pub async fn jwks<C>(State(auth): State<JwtAuth<C>>, request: Request) -> Response
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    serve(&auth, Endpoint::Jwks, request).await
}

async fn serve<C>(auth: &JwtAuth<C>, endpoint: Endpoint, request: Request) -> Response
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let (parts, body) = request.into_parts();
    // Only login reads its body; the others answer without waiting for one.
    let body = if JwtAuth::<C>::reads_body(endpoint) {
        read_login_body(auth.config(), collect_body(body)).await
    } else {
        RequestBody::Complete(Bytes::new())
    };
    let mut head = RequestHead::from_http(auth.config(), &parts.method, &parts.uri, &parts.headers);
    // The client the login throttle counts: the peer, when the app is served with
    // `into_make_service_with_connect_info::<SocketAddr>()`.
    if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        head = head.with_peer(peer.ip());
    }
    reply_into_response(auth.handle(endpoint, &head, body).await)
}

/// A configured path as an axum route that matches it literally: braces are escaped.
fn literal_path(path: &str) -> String {
    path.replace('{', "{{").replace('}', "}}")
}
