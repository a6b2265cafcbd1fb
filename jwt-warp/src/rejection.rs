//! [`AuthRejection`] and the [`recover`] handler that answers it.

use std::fmt;

use http::StatusCode;
use warp::Rejection;
use warp::reject::Reject;
use warp::reply::Response;

use crate::response::into_response;

/// Why [`authenticated`](crate::authenticated) refused a request: a warp rejection carrying
/// jwt-core's [`jwt_core::AuthRejection`].
///
/// [`recover`] answers it; an application with its own recover handler can find it with
/// `rejection.find::<jwt_warp::AuthRejection>()` and answer with it, since it is a
/// [`warp::Reply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthRejection {
    reason: jwt_core::AuthRejection,
}

impl AuthRejection {
    /// The reason, as jwt-core names it.
    pub fn reason(&self) -> jwt_core::AuthRejection {
        self.reason
    }

    /// The status of the answer: `401`, `403` (cross-origin) or `503` (session store down,
    /// with `JWT_STRICT_LOGOUT`).
    pub fn status(&self) -> StatusCode {
        self.reason.status()
    }
}

impl From<jwt_core::AuthRejection> for AuthRejection {
    fn from(reason: jwt_core::AuthRejection) -> Self {
        Self { reason }
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.reason, f)
    }
}

impl std::error::Error for AuthRejection {}

impl Reject for AuthRejection {}

impl warp::Reply for AuthRejection {
    /// jwt-core's answer: status, `WWW-Authenticate` where due, JSON `{"message": ...}`.
    fn into_response(self) -> Response {
        into_response(self.reason.reply())
    }
}

/// A [`warp::Filter::recover`] handler: answers an [`AuthRejection`] and passes every other
/// rejection on, so warp's own answers (`404`, `405`, ...) and the application's other
/// handlers are unchanged.
///
/// An [`AuthRejection`] is found even when warp combined it with the rejections of other
/// routes tried with `or`.
pub async fn recover(rejection: Rejection) -> Result<Response, Rejection> {
    match rejection.find::<AuthRejection>() {
        Some(refused) => Ok(warp::Reply::into_response(*refused)),
        None => Err(rejection),
    }
}
