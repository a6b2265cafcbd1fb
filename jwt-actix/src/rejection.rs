//! Why an extractor refuses a request, as an actix [`ResponseError`].

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::response::reply_into_response;

/// The error of the [`Authenticated`](crate::Authenticated) and
/// [`MaybeAuthenticated`](crate::MaybeAuthenticated) extractors.
///
/// Its response is jwt-core's: for [`AuthRejection::Refused`], exactly the `401`, `403` or
/// `503` of the wire contract, built by [`jwt_core::AuthRejection::reply`].
///
/// ```
/// use actix_web::ResponseError;
/// use jwt_actix::AuthRejection;
///
/// let rejection = AuthRejection::from(jwt_core::AuthRejection::MissingCredentials);
/// let response = rejection.error_response();
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers().get("www-authenticate").expect("401 carries WWW-Authenticate"), "Bearer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthRejection {
    /// The request is not authenticated as the handler requires.
    #[error(transparent)]
    Refused(#[from] jwt_core::AuthRejection),
    /// No [`JwtMiddleware`](crate::JwtMiddleware) with this claims type ran for the request:
    /// the application is wired wrongly. Answered with jwt-core's `500`
    /// ([`jwt_core::Reply::internal_error`], and logged), never with a guess about the user.
    #[error("no JwtMiddleware with this claims type ran for the request")]
    MiddlewareMissing,
}

impl ResponseError for AuthRejection {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Refused(rejection) => StatusCode::from_u16(rejection.status().as_u16())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Self::MiddlewareMissing => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Refused(rejection) => reply_into_response(rejection.reply()),
            Self::MiddlewareMissing => reply_into_response(jwt_core::Reply::internal_error()),
        }
    }
}
