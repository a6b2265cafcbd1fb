//! [`AuthRejection`]: why the [`Authenticated`](crate::Authenticated) guard refused a request.

use rocket::http::Status;
use rocket::response::{self, Responder};
use rocket::{Request, Response};

use crate::response::rocket_response;

/// Why the [`Authenticated`](crate::Authenticated) guard failed: the guard's `Error`, and a
/// [`Responder`] for the response the protocol prescribes.
///
/// A handler that takes `Result<Authenticated<C>, AuthRejection>` can answer with the
/// rejection itself (`Err(rejection)?`); a handler that takes `Authenticated<C>` gets the
/// same response through [`JwtFairing`](crate::JwtFairing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthRejection {
    /// The request is not authenticated: `401` (no token, or a bad one), `403` (a
    /// cookie-authenticated cross-origin unsafe request) or `503` (session store down with
    /// `JWT_STRICT_LOGOUT`), with the body and headers of
    /// [`jwt_core::AuthRejection::reply`].
    #[error(transparent)]
    Rejected(#[from] jwt_core::AuthRejection),
    /// No [`JwtAuth`](jwt_core::JwtAuth) for this claims type is managed, because
    /// [`JwtFairing`](crate::JwtFairing) is not attached: a programming error, answered with
    /// jwt-core's `500` ([`jwt_core::Reply::internal_error`]).
    /// Routes that name the guard in their signature stop the launch instead.
    #[error("no JwtAuth is managed for this claims type: attach JwtFairing")]
    NotConfigured,
}

impl AuthRejection {
    /// The response status.
    pub fn status(&self) -> Status {
        match self {
            Self::Rejected(rejection) => Status::new(rejection.status().as_u16()),
            Self::NotConfigured => Status::InternalServerError,
        }
    }
}

impl<'r> Responder<'r, 'static> for AuthRejection {
    fn respond_to(self, _request: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Self::Rejected(rejection) => rocket_response(rejection.reply()),
            // The cause was logged where it was found.
            Self::NotConfigured => rocket_response(jwt_core::Reply::internal_error()),
        }
    }
}

/// The rejection of the request's first failed [`Authenticated`](crate::Authenticated) guard,
/// for [`JwtFairing`](crate::JwtFairing) to turn the error response into the one the protocol
/// prescribes.
pub(crate) struct GuardFailure(pub(crate) Option<jwt_core::AuthRejection>);

/// Records that an `Authenticated` guard of `request` failed with `rejection`.
pub(crate) fn record_failure(request: &Request<'_>, rejection: jwt_core::AuthRejection) {
    request.local_cache(|| GuardFailure(Some(rejection)));
}

/// Turns the error response of a failed guard into the response the protocol prescribes.
///
/// Only a response with the rejection's own status is replaced: Rocket answers a failed
/// guard through its catcher for that status, and an application catcher that answers
/// otherwise (a redirect to a login page) is left alone. Headers the rejection does not
/// set (`Server`, those of other fairings) are kept.
pub(crate) fn complete_failure(request: &Request<'_>, response: &mut Response<'_>) {
    let GuardFailure(Some(rejection)) = request.local_cache(|| GuardFailure(None)) else {
        return;
    };
    if response.status().code != rejection.status().as_u16() {
        return;
    }
    match rocket_response(rejection.reply()) {
        Ok(spec_response) => response.merge(spec_response),
        Err(status) => response.set_status(status),
    }
}
