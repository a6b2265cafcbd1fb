//! The required and the optional principal filters.

use std::convert::Infallible;

use jwt_core::{Authentication, JwtAuth, Principal};
use serde::Serialize;
use serde::de::DeserializeOwned;
use warp::{Filter, Rejection};

use crate::filter::with_auth;
use crate::rejection::AuthRejection;

/// Extracts the [`Principal`] of an authenticated request, and rejects every other request
/// with an [`AuthRejection`] that [`recover`](crate::recover) turns into the `401` (or the
/// `403` / `503`) of the wire contract.
///
/// Put it after the path filters of its route: the path decides whether the route applies,
/// this filter whether the caller may use it. In the other order a request for an unknown
/// path without a token would get `401` instead of `404`.
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, Principal};
/// use warp::Filter;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
///
/// let whoami = warp::path!("whoami")
///     .and(jwt_warp::authenticated(auth))
///     .map(|principal: Principal<NoClaims>| principal.subject)
///     .recover(jwt_warp::recover);
///
/// let response = warp::test::request().path("/whoami").reply(&whoami).await;
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers()["www-authenticate"], "Bearer");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn authenticated<C>(
    auth: JwtAuth<C>,
) -> impl Filter<Extract = (Principal<C>,), Error = Rejection> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    with_auth(auth).and_then(|outcome: Authentication<C>| async move {
        outcome
            .require()
            .map_err(|reason| warp::reject::custom(AuthRejection::from(reason)))
    })
}

/// Extracts `Some(principal)` for an authenticated request and `None` for any other (no
/// token, a bad token, a refused cross-origin request); never rejects.
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, Principal};
/// use warp::Filter;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
///
/// let greeting = warp::path!("hello")
///     .and(jwt_warp::optional(auth))
///     .map(|principal: Option<Principal<NoClaims>>| match principal {
///         Some(principal) => format!("hello {}", principal.subject),
///         None => "hello stranger".to_owned(),
///     });
///
/// let response = warp::test::request().path("/hello").reply(&greeting).await;
/// assert_eq!(response.body(), "hello stranger");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn optional<C>(
    auth: JwtAuth<C>,
) -> impl Filter<Extract = (Option<Principal<C>>,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    with_auth(auth).map(Authentication::into_principal)
}
