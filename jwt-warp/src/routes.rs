//! [`routes`]: the endpoints at their configured paths.

use jwt_core::{Endpoint, JwtAuth};
use serde::Serialize;
use serde::de::DeserializeOwned;
use warp::filters::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Rejection};

use crate::endpoints::{jwks, login, logout, logout_all, refresh};

/// Login, refresh, logout and logout-all at `JWT_LOGIN_PATH`, `JWT_REFRESH_PATH`,
/// `JWT_LOGOUT_PATH` and `JWT_LOGOUT_ALL_PATH`, and with an asymmetric algorithm the public
/// keys at `JWT_JWKS_PATH`, for every method: jwt-core answers anything but `POST` (`GET` and
/// `HEAD` for the keys) with `405` and an `Allow` header, so warp's method filters are not
/// involved.
///
/// The configured paths are whole request paths (`/jwt/login/`, trailing slash included)
/// and must match exactly; any other path is rejected as not found, so the application's
/// other routes can follow with `or`.
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
/// use warp::Filter;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let app = jwt_warp::routes(auth).or(warp::path!("health").map(|| "ok"));
///
/// let response = warp::test::request().path("/jwt/refresh/").reply(&app).await;
/// assert_eq!(response.status(), 405);
/// assert_eq!(response.headers()["allow"], "POST");
///
/// let response = warp::test::request().path("/health").reply(&app).await;
/// assert_eq!(response.status(), 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn routes<C>(auth: JwtAuth<C>) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let at = |endpoint| {
        let served = auth.endpoints().any(|served| served == endpoint);
        mounted_at(served.then(|| auth.path(endpoint).to_owned()))
    };
    at(Endpoint::Login)
        .and(login(auth.clone()))
        .or(at(Endpoint::Refresh).and(refresh(auth.clone())))
        .unify()
        .or(at(Endpoint::Logout).and(logout(auth.clone())))
        .unify()
        .or(at(Endpoint::LogoutAll).and(logout_all(auth.clone())))
        .unify()
        .or(at(Endpoint::Jwks).and(jwks(auth.clone())))
        .unify()
}

/// Matches requests whose whole path is `path`, or nothing when the endpoint is not served.
/// `warp::path!` takes its segments at compile time; the configured paths are known only at
/// start-up.
fn mounted_at(path: Option<String>) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::path::full()
        .and_then(move |full: FullPath| {
            let outcome = if path.as_deref() == Some(full.as_str()) {
                Ok(())
            } else {
                Err(warp::reject::not_found())
            };
            futures_util::future::ready(outcome)
        })
        .untuple_one()
}
