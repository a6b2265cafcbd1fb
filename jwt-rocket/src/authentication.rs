//! The request's [`Authentication`], computed once and kept in Rocket's request-local cache.

use jwt_core::{Authentication, JwtAuth};
use rocket::Request;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::request_head::{recorded_method, request_head};

/// Cache slot, one per claims type.
struct Cached<C>(Authentication<C>);

/// What [`JwtAuth::authenticate`] says about `request`, asked at most once per request however
/// many guards look; `None` when no `JwtAuth<C>` is managed.
pub(crate) async fn authentication<'r, C>(request: &'r Request<'_>) -> Option<&'r Authentication<C>>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let auth = request.rocket().state::<JwtAuth<C>>()?;
    let cached = request
        .local_cache_async(async {
            let head = request_head(auth.config(), recorded_method(request), request);
            Cached(auth.authenticate(&head).await)
        })
        .await;
    Some(&cached.0)
}
