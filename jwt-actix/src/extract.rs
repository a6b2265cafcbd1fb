//! The extractors handlers choose between: authentication required, or optional.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage as _, HttpRequest};
use jwt_core::{Authentication, NoClaims, Principal};

use crate::rejection::AuthRejection;

/// The authenticated user of a request; handlers that take it answer only authenticated
/// requests.
///
/// Other requests get jwt-core's answer through [`AuthRejection`]: `401` with
/// `WWW-Authenticate: Bearer` when no token came, `401` with
/// `WWW-Authenticate: Bearer error="invalid_token"` for a bad, expired or ambiguous one, `403`
/// for a cookie-authenticated unsafe request from another origin, `503` when
/// `JWT_STRICT_LOGOUT` is on and the session store is down. It needs
/// [`JwtMiddleware`](crate::JwtMiddleware) with the same claims type `C` around the handler;
/// without it, the answer is `500` and an error is logged.
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_actix::Authenticated;
///
/// async fn whoami(user: Authenticated) -> HttpResponse {
///     HttpResponse::Ok().json(serde_json::json!({ "user": user.subject }))
/// }
/// # let _ = actix_web::web::get().to(whoami);
/// ```
#[derive(Debug, Clone)]
pub struct Authenticated<C = NoClaims>(pub Principal<C>);

impl<C> Authenticated<C> {
    /// The principal: subject, session, token times and the application's claims.
    pub fn into_inner(self) -> Principal<C> {
        self.0
    }
}

impl<C> Deref for Authenticated<C> {
    type Target = Principal<C>;

    fn deref(&self) -> &Principal<C> {
        &self.0
    }
}

impl<C: Clone + 'static> FromRequest for Authenticated<C> {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            authentication::<C>(req)
                .and_then(|outcome| outcome.require().map_err(AuthRejection::from))
                .map(Self),
        )
    }
}

/// The user of a request if it is authenticated, `None` otherwise: an absent token, a bad one,
/// and any request [`Authenticated`] would refuse all read as `None`.
///
/// Unlike `Option<Authenticated<C>>` (which actix also accepts), it does not hide a missing
/// [`JwtMiddleware`](crate::JwtMiddleware): that is a `500` and a logged error, not an
/// anonymous user.
///
/// ```
/// use actix_web::HttpResponse;
/// use jwt_actix::MaybeAuthenticated;
///
/// async fn greeting(user: MaybeAuthenticated) -> HttpResponse {
///     let name = user.as_ref().map_or("stranger", |principal| principal.subject.as_str());
///     HttpResponse::Ok().body(format!("Hello, {name}"))
/// }
/// # let _ = actix_web::web::get().to(greeting);
/// ```
#[derive(Debug, Clone)]
pub struct MaybeAuthenticated<C = NoClaims>(pub Option<Principal<C>>);

impl<C> MaybeAuthenticated<C> {
    /// The principal, if any.
    pub fn into_inner(self) -> Option<Principal<C>> {
        self.0
    }
}

impl<C> Deref for MaybeAuthenticated<C> {
    type Target = Option<Principal<C>>;

    fn deref(&self) -> &Option<Principal<C>> {
        &self.0
    }
}

impl<C: Clone + 'static> FromRequest for MaybeAuthenticated<C> {
    type Error = AuthRejection;
    type Future = Ready<Result<Self, AuthRejection>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authentication::<C>(req).map(|outcome| Self(outcome.into_principal())))
    }
}

/// What the middleware attached to the request.
fn authentication<C: Clone + 'static>(
    req: &HttpRequest,
) -> Result<Authentication<C>, AuthRejection> {
    match req.extensions().get::<Authentication<C>>() {
        Some(outcome) => Ok(outcome.clone()),
        None => {
            tracing::error!(
                target: "jwt_actix",
                claims = std::any::type_name::<C>(),
                path = req.path(),
                "an authentication extractor ran without JwtMiddleware for its claims type; \
                 wrap the app or scope with JwtMiddleware"
            );
            Err(AuthRejection::MiddlewareMissing)
        }
    }
}
