//! [`with_auth`]: the filter that authenticates a request and extracts the outcome.

use std::convert::Infallible;

use jwt_core::{Authentication, JwtAuth};
use serde::Serialize;
use serde::de::DeserializeOwned;
use warp::Filter;

use crate::request::{RequestParts, request_parts};

/// Authenticates every request through [`JwtAuth::authenticate`] (token from the access
/// header or cookie, cross-origin check, and with `JWT_STRICT_LOGOUT` the session store) and
/// extracts the [`Authentication`].
///
/// It never rejects: anonymous and refused requests pass with their outcome, and the handler
/// decides. Most handlers want [`authenticated`](crate::authenticated) or
/// [`optional`](crate::optional) instead, which build on this filter.
///
/// ```
/// use jwt_core::{Authentication, JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
/// use warp::Filter;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
///
/// let status = warp::path!("status")
///     .and(jwt_warp::with_auth(auth))
///     .map(|outcome: Authentication<NoClaims>| match outcome {
///         Authentication::Authenticated { principal, .. } => format!("hello {}", principal.subject),
///         Authentication::Anonymous => "hello stranger".to_owned(),
///         _ => "your token was refused".to_owned(),
///     });
///
/// let response = warp::test::request().path("/status").reply(&status).await;
/// assert_eq!(response.body(), "hello stranger");
///
/// let response = warp::test::request()
///     .path("/status")
///     .header("authorization", "Bearer not-a-jwt")
///     .reply(&status)
///     .await;
/// assert_eq!(response.body(), "your token was refused");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn with_auth<C>(
    auth: JwtAuth<C>,
) -> impl Filter<Extract = (Authentication<C>,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    request_parts().then(move |parts: RequestParts| {
        let auth = auth.clone();
        async move { auth.authenticate(&parts.head(auth.config())).await }
    })
}
