//! The outcome of authenticating one request, as the middleware attaches it.

use http::StatusCode;

use crate::claims::Principal;
use crate::reply::{Message, Reply};
use crate::request::TokenSource;

/// What the middleware found out about a request. It never rejects on its own: handlers
/// choose with a required or an optional extractor, which call [`Authentication::require`]
/// or [`Authentication::into_principal`].
#[derive(Debug, Clone)]
pub enum Authentication<C> {
    /// A valid access token.
    Authenticated {
        /// Who the token says the user is.
        principal: Principal<C>,
        /// Where the token came from.
        source: TokenSource,
    },
    /// No token at all.
    Anonymous,
    /// A token that cannot be accepted, or a request that must not use it.
    Rejected(AuthRejection),
}

/// Why a handler that requires authentication refuses a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthRejection {
    /// No token: `401`, `WWW-Authenticate: Bearer`.
    #[error("authentication credentials were not provided")]
    MissingCredentials,
    /// A token that is bad, expired, ambiguous or (with `JWT_STRICT_LOGOUT`) revoked: `401`,
    /// `WWW-Authenticate: Bearer error="invalid_token"`.
    #[error("invalid or expired token")]
    InvalidToken,
    /// A cookie-authenticated unsafe request from another origin: `403`.
    #[error("cross-origin request refused")]
    CrossOrigin,
    /// `JWT_STRICT_LOGOUT` is on and the session store cannot be asked: `503`.
    #[error("session store unavailable")]
    StoreUnavailable,
}

impl AuthRejection {
    fn message(self) -> Message {
        match self {
            Self::MissingCredentials => Message::CredentialsNotProvided,
            Self::InvalidToken => Message::InvalidToken,
            Self::CrossOrigin => Message::CrossOrigin,
            Self::StoreUnavailable => Message::StoreUnavailable,
        }
    }

    /// The response status.
    pub fn status(self) -> StatusCode {
        self.message().status()
    }

    /// The whole response: status, `WWW-Authenticate` where due, and the JSON body.
    pub fn reply(self) -> Reply {
        Reply::message(self.message())
    }
}

impl<C> Authentication<C> {
    /// The principal, if the request is authenticated.
    pub fn principal(&self) -> Option<&Principal<C>> {
        match self {
            Self::Authenticated { principal, .. } => Some(principal),
            _ => None,
        }
    }

    /// The principal for an optional extractor: `None` for anonymous and rejected requests.
    pub fn into_principal(self) -> Option<Principal<C>> {
        match self {
            Self::Authenticated { principal, .. } => Some(principal),
            _ => None,
        }
    }

    /// The principal for a required extractor, or the rejection to answer with.
    pub fn require(self) -> Result<Principal<C>, AuthRejection> {
        match self {
            Self::Authenticated { principal, .. } => Ok(principal),
            Self::Anonymous => Err(AuthRejection::MissingCredentials),
            Self::Rejected(rejection) => Err(rejection),
        }
    }
}
