//! The extractors: [`Authenticated`] (required) and [`MaybeAuthenticated`] /
//! `Option<Authenticated>` (optional).

use std::ops::{Deref, DerefMut};

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use jwt_core::{Authentication, NoClaims, Principal};

use crate::rejection::AuthRejection;

/// The authenticated user of a request; the handler does not run without one.
///
/// A request without a valid access token is refused with jwt-core's answer: `401` with
/// `WWW-Authenticate: Bearer` and `{"message": "Authentication credentials were not
/// provided."}` (no token) or `{"message": "Invalid or expired token."}` (a bad one). `C` is
/// the application's claims type, the one its [`JwtLayer`](crate::JwtLayer) was built with.
///
/// It dereferences to the [`Principal`]: `user.subject`, `user.session_id`, `user.claims`.
///
/// ```
/// use jwt_axum::Authenticated;
///
/// async fn whoami(user: Authenticated) -> String {
///     format!("hello {}", user.subject)
/// }
/// # let _ = whoami;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated<C = NoClaims>(pub Principal<C>);

impl<C> Authenticated<C> {
    /// The principal.
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

impl<C> DerefMut for Authenticated<C> {
    fn deref_mut(&mut self) -> &mut Principal<C> {
        &mut self.0
    }
}

/// The authenticated user of a request, if there is one: `None` for anonymous requests and
/// for requests whose token cannot be accepted. `Option<Authenticated<C>>` works the same way.
///
/// ```
/// use jwt_axum::MaybeAuthenticated;
///
/// async fn greeting(MaybeAuthenticated(user): MaybeAuthenticated) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.subject),
///         None => "hello stranger".to_owned(),
///     }
/// }
/// # let _ = greeting;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The outcome [`JwtLayer`](crate::JwtLayer) stored, or the rejection for a route it does not
/// cover.
fn stored<C>(parts: &Parts) -> Result<Authentication<C>, AuthRejection>
where
    C: Clone + Send + Sync + 'static,
{
    match parts.extensions.get::<Authentication<C>>() {
        Some(outcome) => Ok(outcome.clone()),
        None => {
            tracing::error!(
                target: "jwt_axum",
                claims = std::any::type_name::<C>(),
                path = parts.uri.path(),
                "an authentication extractor ran on a route without a JwtLayer of the same \
                 claims type; add `.layer(JwtLayer::new(auth))` around this route"
            );
            Err(AuthRejection::MissingLayer)
        }
    }
}

impl<S, C> FromRequestParts<S> for Authenticated<C>
where
    S: Send + Sync,
    C: Clone + Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthRejection> {
        Ok(Self(stored::<C>(parts)?.require()?))
    }
}

impl<S, C> OptionalFromRequestParts<S> for Authenticated<C>
where
    S: Send + Sync,
    C: Clone + Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, AuthRejection> {
        Ok(stored::<C>(parts)?.into_principal().map(Self))
    }
}

impl<S, C> FromRequestParts<S> for MaybeAuthenticated<C>
where
    S: Send + Sync,
    C: Clone + Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthRejection> {
        Ok(Self(stored::<C>(parts)?.into_principal()))
    }
}
