//! The login, refresh, logout and logout-all endpoints as actix routes.

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse, Route};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use jwt_core::{Endpoint, JwtAuth, LOGIN_BODY_LIMIT, RequestBody};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::request::request_head;
use crate::response::reply_into_response;

/// Mounts the endpoints at their configured paths (`JWT_LOGIN_PATH`, `JWT_REFRESH_PATH`,
/// `JWT_LOGOUT_PATH`, `JWT_LOGOUT_ALL_PATH`, and with an asymmetric algorithm the public keys
/// at `JWT_JWKS_PATH`), for [`App::configure`](actix_web::App::configure)
/// or [`Scope::configure`](actix_web::Scope::configure).
///
/// Each path takes every method; jwt-core answers anything but `POST` (`GET` and `HEAD` for
/// the keys) with `405` and an `Allow` header.
///
/// Inside `web::scope("/api")` the paths are relative to the scope (`/api/jwt/login/`), but a
/// cookie's Path is absolute: set `JWT_REFRESH_COOKIE_PATH` to the refresh endpoint's full
/// path (`/api/jwt/refresh/`), or browsers never send the refresh cookie to it.
///
/// ```
/// use actix_web::App;
/// use jwt_actix::{JwtMiddleware, configure};
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let app = App::new()
///     .wrap(JwtMiddleware::new(auth.clone()))
///     .configure(configure(auth));
/// # let _ = app;
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
pub fn configure<C>(auth: JwtAuth<C>) -> impl FnOnce(&mut ServiceConfig)
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    move |service_config| {
        for endpoint in auth.endpoints() {
            service_config.route(auth.path(endpoint), route(auth.clone(), endpoint));
        }
    }
}

/// The login endpoint, to mount at a path of the application's choosing:
/// `.route("/signin", jwt_actix::login(auth))`.
pub fn login<C>(auth: JwtAuth<C>) -> Route
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    route(auth, Endpoint::Login)
}

/// The refresh endpoint, to mount at a path of the application's choosing (which the refresh
/// cookie's Path must cover).
pub fn refresh<C>(auth: JwtAuth<C>) -> Route
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    route(auth, Endpoint::Refresh)
}

/// The logout endpoint, to mount at a path of the application's choosing.
pub fn logout<C>(auth: JwtAuth<C>) -> Route
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    route(auth, Endpoint::Logout)
}

/// The logout-everywhere endpoint, to mount at a path of the application's choosing.
pub fn logout_all<C>(auth: JwtAuth<C>) -> Route
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    route(auth, Endpoint::LogoutAll)
}

/// The public keys as a JWK Set, to mount at a path of the application's choosing; with an
/// HMAC algorithm it answers `404`, as there is nothing to publish.
pub fn jwks<C>(auth: JwtAuth<C>) -> Route
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    route(auth, Endpoint::Jwks)
}

/// A route for every method, answered by jwt-core.
fn route<C>(auth: JwtAuth<C>, endpoint: Endpoint) -> Route
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    web::route().to(move |req: HttpRequest, payload: web::Payload| {
        let auth = auth.clone();
        async move { serve(&auth, endpoint, &req, payload).await }
    })
}

async fn serve<C>(
    auth: &JwtAuth<C>,
    endpoint: Endpoint,
    req: &HttpRequest,
    payload: web::Payload,
) -> HttpResponse
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let body = if JwtAuth::<C>::reads_body(endpoint) {
        jwt_core::read_login_body(auth.config(), read_body(payload)).await
    } else {
        RequestBody::Complete(Bytes::new())
    };
    let head = request_head(auth.config(), req.head());
    reply_into_response(auth.handle(endpoint, &head, body).await)
}

/// Reads at most [`LOGIN_BODY_LIMIT`] bytes; jwt-core answers `413` for
/// [`RequestBody::TooLarge`]. A body that fails part-way counts as empty, as in
/// [`jwt_core::collect_body`].
async fn read_body(mut payload: web::Payload) -> RequestBody {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return RequestBody::Complete(Bytes::new());
        };
        if body.len() + chunk.len() > LOGIN_BODY_LIMIT {
            return RequestBody::TooLarge;
        }
        body.extend_from_slice(&chunk);
    }
    RequestBody::Complete(body.freeze())
}
