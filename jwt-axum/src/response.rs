//! A finished jwt-core [`Reply`] as an axum response.

use axum::body::Body;
use axum::response::Response;
use jwt_core::Reply;

/// The status, every header (each `Set-Cookie` line included) and the JSON body of `reply`,
/// as an axum [`Response`]. Both sides are `http` 1.x, so nothing is converted or dropped.
pub fn reply_into_response(reply: Reply) -> Response {
    reply.into_response::<Body>()
}
