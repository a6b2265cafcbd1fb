//! The endpoints as Rocket routes at their configured paths.
//!
//! Rocket routes are static in its macros and registered per method, while the paths here
//! are settings read at start-up; so each endpoint is one [`EndpointHandler`] registered
//! under every HTTP method Rocket knows. The core answers anything but `POST` with `405` and
//! `Allow: POST` (Rocket itself would answer `404`).

use bytes::Bytes;
use jwt_core::{Endpoint, JwtAuth, LOGIN_BODY_LIMIT, RequestBody};
use rocket::data::ToByteUnit;
use rocket::http::{Method, Status};
use rocket::route::{Handler, Outcome};
use rocket::{Data, Request, Route};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::request_head::{client_method, request_head};
use crate::response::rocket_response;

/// Every method Rocket can route.
const METHODS: [Method; 9] = [
    Method::Get,
    Method::Put,
    Method::Post,
    Method::Delete,
    Method::Options,
    Method::Head,
    Method::Trace,
    Method::Connect,
    Method::Patch,
];

/// The routes of the endpoints at their configured paths (`JWT_LOGIN_PATH`,
/// `JWT_REFRESH_PATH`, `JWT_LOGOUT_PATH`, `JWT_LOGOUT_ALL_PATH`, and with an asymmetric
/// algorithm the public keys at `JWT_JWKS_PATH`), for every method.
///
/// ```
/// # use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
/// # let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// # let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let rocket = rocket::build()
///     .attach(jwt_rocket::JwtFairing::new(auth.clone()))
///     .mount("/", jwt_rocket::routes(&auth));
/// // Four endpoints, each under every method Rocket knows.
/// assert_eq!(rocket.routes().count(), 4 * 9);
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
///
/// Mounted under a base (`.mount("/api", routes(&auth))`), the endpoints answer at
/// `/api/jwt/login/` and so on; the refresh cookie's Path must then reach
/// `/api/jwt/refresh/` (set `JWT_REFRESH_COOKIE_PATH=/api/jwt/refresh/`), which
/// [`JwtFairing`](crate::JwtFairing) checks at launch.
pub fn routes<C>(auth: &JwtAuth<C>) -> Vec<Route>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    auth.endpoints()
        .flat_map(|endpoint| endpoint_routes(auth, endpoint))
        .collect()
}

/// The routes of one endpoint at its configured path, for every method; to mount the
/// endpoints one by one.
pub fn endpoint_routes<C>(auth: &JwtAuth<C>, endpoint: Endpoint) -> Vec<Route>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let handler = EndpointHandler {
        auth: auth.clone(),
        endpoint,
        exact_path: Some(auth.path(endpoint).to_owned()),
    };
    METHODS
        .into_iter()
        .map(|method| {
            let mut route = Route::new(method, auth.path(endpoint), handler.clone());
            route.name = Some(route_name(endpoint).into());
            route
        })
        .collect()
}

/// The name of an endpoint's routes, shown in Rocket's route table.
pub(crate) fn route_name(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Login => "jwt_rocket::login",
        Endpoint::Refresh => "jwt_rocket::refresh",
        Endpoint::Logout => "jwt_rocket::logout",
        Endpoint::LogoutAll => "jwt_rocket::logout_all",
        Endpoint::Jwks => "jwt_rocket::jwks",
        _ => "jwt_rocket::endpoint",
    }
}

/// A Rocket [`Handler`] running one endpoint, to build a [`Route`] at a path of the
/// application's choosing:
///
/// ```
/// # use jwt_core::{Endpoint, JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
/// use jwt_rocket::EndpointHandler;
/// use rocket::Route;
/// use rocket::http::Method;
///
/// # let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// # let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let login = Route::new(Method::Post, "/sign-in", EndpointHandler::new(auth, Endpoint::Login));
/// # let _ = login;
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct EndpointHandler<C> {
    auth: JwtAuth<C>,
    endpoint: Endpoint,
    /// The configured path, for the routes of [`endpoint_routes`]: Rocket ignores a trailing
    /// slash and empty segments when routing, but the endpoints answer at exactly their
    /// configured path (below the mount point), as on every other server; other spellings
    /// are forwarded (and so get `404`).
    exact_path: Option<String>,
}

impl<C> Clone for EndpointHandler<C> {
    fn clone(&self) -> Self {
        Self {
            auth: self.auth.clone(),
            endpoint: self.endpoint,
            exact_path: self.exact_path.clone(),
        }
    }
}

impl<C> EndpointHandler<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// A handler running `endpoint` of `auth` wherever its route is mounted.
    pub fn new(auth: JwtAuth<C>, endpoint: Endpoint) -> Self {
        Self {
            auth,
            endpoint,
            exact_path: None,
        }
    }

    /// Whether `request` names this endpoint's path exactly.
    fn serves(&self, request: &Request<'_>) -> bool {
        let Some(path) = &self.exact_path else {
            return true;
        };
        let requested = request.uri().path().as_str();
        let base = request.route().map_or("/", |route| route.uri.base());
        match base.strip_suffix('/').unwrap_or(base) {
            "" => requested == path,
            base => requested.strip_prefix(base) == Some(path.as_str()),
        }
    }
}

#[rocket::async_trait]
impl<C> Handler for EndpointHandler<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    async fn handle<'r>(&self, request: &'r Request<'_>, mut data: Data<'r>) -> Outcome<'r> {
        if !self.serves(request) {
            return Outcome::Forward((data, Status::NotFound));
        }
        let method = client_method(request, &mut data).await;
        let head = request_head(self.auth.config(), method, request);
        let body = if JwtAuth::<C>::reads_body(self.endpoint) {
            jwt_core::read_login_body(self.auth.config(), read_body(data)).await
        } else {
            RequestBody::Complete(Bytes::new())
        };
        let reply = self.auth.handle(self.endpoint, &head, body).await;
        match rocket_response(reply) {
            Ok(response) => Outcome::Success(response),
            Err(status) => Outcome::Error(status),
        }
    }
}

/// At most [`LOGIN_BODY_LIMIT`] bytes of the body; `TooLarge` when there was more. A body
/// that fails mid-way counts as empty, as [`jwt_core::collect_body`] has it.
async fn read_body(data: Data<'_>) -> RequestBody {
    match data.open(LOGIN_BODY_LIMIT.bytes()).into_bytes().await {
        Ok(bytes) if bytes.is_complete() => RequestBody::Complete(Bytes::from(bytes.into_inner())),
        Ok(_) => RequestBody::TooLarge,
        Err(error) => {
            tracing::debug!(target: "jwt_rocket", %error, "the login body could not be read");
            RequestBody::Complete(Bytes::new())
        }
    }
}
