//! The login, refresh, logout and logout-all endpoints as filters, to mount at any path.

use std::convert::Infallible;

use bytes::Bytes;
use jwt_core::{Endpoint, JwtAuth, RequestBody};
use serde::Serialize;
use serde::de::DeserializeOwned;
use warp::reply::Response;
use warp::{Filter, Rejection};

use crate::body::login_body;
use crate::request::{RequestParts, request_parts};
use crate::response::into_response;

/// The login endpoint, answering whatever request reaches it: mount it behind your own path
/// filter. Do not put a method filter in front: jwt-core answers every method but `POST`
/// with its own `405` and `Allow: POST`.
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
/// use warp::Filter;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let users = MemoryAuthenticator::<NoClaims>::new();
/// users.add_user("alice", "password1", NoClaims)?;
/// let auth = JwtAuth::new(config, users);
///
/// let sign_in = warp::path!("api" / "sign-in").and(jwt_warp::login(auth));
///
/// let response = warp::test::request()
///     .method("POST")
///     .path("/api/sign-in")
///     .header("content-type", "application/x-www-form-urlencoded")
///     .body("username=alice&password=password1")
///     .reply(&sign_in)
///     .await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The body is read up to jwt-core's 64 KiB limit. The filter rejects only when an earlier
/// filter already consumed the body.
pub fn login<C>(auth: JwtAuth<C>) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    request_parts().and(login_body(auth.config().clone())).then(
        move |parts: RequestParts, body: RequestBody| {
            let auth = auth.clone();
            async move {
                let head = parts.head(auth.config());
                into_response(auth.handle(Endpoint::Login, &head, body).await)
            }
        },
    )
}

/// The refresh endpoint, to mount behind your own path filter (see [`login`]). Keep
/// `JWT_REFRESH_PATH` equal to that path: the refresh cookie's `Path` attribute comes from it.
pub fn refresh<C>(
    auth: JwtAuth<C>,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    without_body(auth, Endpoint::Refresh)
}

/// The logout endpoint, to mount behind your own path filter (see [`login`]).
pub fn logout<C>(auth: JwtAuth<C>) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    without_body(auth, Endpoint::Logout)
}

/// The logout-everywhere endpoint, to mount behind your own path filter (see [`login`]).
pub fn logout_all<C>(
    auth: JwtAuth<C>,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    without_body(auth, Endpoint::LogoutAll)
}

/// The public keys as a JWK Set, to mount behind your own path filter (see [`login`]); with an
/// HMAC algorithm it answers `404`, as there is nothing to publish.
pub fn jwks<C>(auth: JwtAuth<C>) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    without_body(auth, Endpoint::Jwks)
}

/// An endpoint that answers from the head alone; its body is left unread.
fn without_body<C>(
    auth: JwtAuth<C>,
    endpoint: Endpoint,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    debug_assert!(!JwtAuth::<C>::reads_body(endpoint));
    request_parts().then(move |parts: RequestParts| {
        let auth = auth.clone();
        async move {
            let head = parts.head(auth.config());
            let reply = auth
                .handle(endpoint, &head, RequestBody::Complete(Bytes::new()))
                .await;
            into_response(reply)
        }
    })
}
