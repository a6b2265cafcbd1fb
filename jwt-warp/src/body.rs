//! The login body, read up to jwt-core's limit.

use bytes::Buf;
use futures_util::{Stream, TryStreamExt as _};
use http_body::Frame;
use http_body_util::StreamBody;
use jwt_core::{JwtConfig, RequestBody};
use warp::{Filter, Rejection};

/// Reads the request body with [`jwt_core::collect_body`]: at most
/// [`LOGIN_BODY_LIMIT`](jwt_core::LOGIN_BODY_LIMIT) bytes, then [`RequestBody::TooLarge`]
/// without reading on, so jwt-core decides the `413` and its message. (warp's own
/// `content_length_limit` would answer a `413` of its own, and `411` without a length.)
///
/// The whole read is bounded by `JWT_LOGIN_BODY_TIMEOUT` through
/// [`jwt_core::read_login_body`], which answers a late body with `408`.
///
/// Rejects only when an earlier filter already took the body.
pub(crate) fn login_body(
    config: JwtConfig,
) -> impl Filter<Extract = (RequestBody,), Error = Rejection> + Clone {
    warp::body::stream().then(move |chunks| {
        let config = config.clone();
        async move { jwt_core::read_login_body(&config, collect(chunks)).await }
    })
}

async fn collect<S, B>(chunks: S) -> RequestBody
where
    S: Stream<Item = Result<B, warp::Error>> + Send,
    B: Buf,
{
    let frames = chunks.map_ok(|mut chunk| Frame::data(chunk.copy_to_bytes(chunk.remaining())));
    jwt_core::collect_body(StreamBody::new(frames)).await
}
