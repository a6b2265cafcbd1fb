//! [`AuthRejection`]: why an extractor refused a request, as a response.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::response::reply_into_response;

/// Why [`Authenticated`](crate::Authenticated) (or an optional extractor) refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthRejection {
    /// The request is not authenticated; the response is jwt-core's: `401` with
    /// `WWW-Authenticate` (no token, or a bad one), `403` (a cookie-authenticated cross-origin
    /// request) or `503` (`JWT_STRICT_LOGOUT` with the session store down).
    #[error(transparent)]
    Unauthenticated(#[from] jwt_core::AuthRejection),
    /// No [`JwtLayer`](crate::JwtLayer) with the extractor's claims type runs in front of the
    /// route: a programming error, answered with jwt-core's `500`
    /// ([`jwt_core::Reply::internal_error`]).
    #[error("no JwtLayer with the extractor's claims type runs in front of this route")]
    MissingLayer,
}

impl AuthRejection {
    /// The response status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(rejection) => rejection.status(),
            Self::MissingLayer => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Unauthenticated(rejection) => reply_into_response(rejection.reply()),
            Self::MissingLayer => reply_into_response(jwt_core::Reply::internal_error()),
        }
    }
}
