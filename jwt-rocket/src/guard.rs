//! The request guards: [`Authenticated<C>`] (required) and `Option<Authenticated<C>>`
//! (optional).

use std::any::type_name;
use std::ops::Deref;

use jwt_core::{Authentication, JwtAuth, NoClaims, Principal};
use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::authentication::authentication;
use crate::rejection::{AuthRejection, record_failure};

/// The authenticated user of a request; as a guard, it refuses anonymous and rejected
/// requests with the response the protocol prescribes.
///
/// `C` is the application's claims type (the one its
/// [`Authenticator`](jwt_core::Authenticator) puts into tokens). The principal's fields are
/// reachable through `Deref`: `user.subject`, `user.claims`.
///
/// Naming the guard in a route's signature also makes it a [`Sentinel`]: Rocket refuses to
/// launch when no [`JwtFairing<C>`](crate::JwtFairing) is attached.
///
/// # How a failed guard becomes the protocol's response
///
/// In Rocket 0.5 a failing guard hands its catcher a status only, not its error. So the
/// guard records its [`AuthRejection`](crate::AuthRejection) in the request-local cache and
/// fails with the rejection's status; [`JwtFairing`](crate::JwtFairing), which every app
/// attaches anyway, then replaces that error response with the one the protocol prescribes
/// (`401` with `WWW-Authenticate` and the JSON message, `403`, or `503`). This works under
/// any mount point and needs no catcher, so it cannot collide with the application's own
/// catchers, and an application catcher that answers with another status (a redirect to a
/// login page) still has the last word. The replacement keys on the request, not on the
/// route: a handler that takes `Option<Authenticated<C>>`, is handed `None` for a rejected
/// token and then answers `401` itself also gets the protocol's body.
///
/// `Option<Authenticated<C>>` never fails: anonymous and rejected requests both give `None`.
/// `Result<Authenticated<C>, AuthRejection>` hands the handler the rejection, which is itself
/// a responder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated<C = NoClaims>(pub Principal<C>);

impl<C> Authenticated<C> {
    /// The principal.
    pub fn into_principal(self) -> Principal<C> {
        self.0
    }
}

impl<C> Deref for Authenticated<C> {
    type Target = Principal<C>;

    fn deref(&self) -> &Principal<C> {
        &self.0
    }
}

#[rocket::async_trait]
impl<'r, C> FromRequest<'r> for Authenticated<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Error = AuthRejection;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, AuthRejection> {
        let Some(outcome) = authentication::<C>(request).await else {
            tracing::error!(
                target: "jwt_rocket",
                claims = type_name::<C>(),
                "the Authenticated guard needs JwtFairing attached for these claims"
            );
            let rejection = AuthRejection::NotConfigured;
            return Outcome::Error((rejection.status(), rejection));
        };
        let rejection = match outcome {
            Authentication::Authenticated { principal, .. } => {
                return Outcome::Success(Self(principal.clone()));
            }
            Authentication::Anonymous => jwt_core::AuthRejection::MissingCredentials,
            Authentication::Rejected(rejection) => *rejection,
        };
        record_failure(request, rejection);
        let rejection = AuthRejection::Rejected(rejection);
        Outcome::Error((rejection.status(), rejection))
    }
}

impl<C: Send + Sync + 'static> Sentinel for Authenticated<C> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        let unmanaged = rocket.state::<JwtAuth<C>>().is_none();
        if unmanaged {
            tracing::error!(
                target: "jwt_rocket",
                claims = type_name::<C>(),
                "a route uses the Authenticated guard, but no JwtFairing is attached for these claims"
            );
        }
        unmanaged
    }
}
