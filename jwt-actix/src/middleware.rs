//! The middleware that authenticates every request.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::{Error, HttpMessage as _};
use futures_util::future::LocalBoxFuture;
use jwt_core::{JwtAuth, NoClaims};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::request::request_head;

/// Authenticates every request through jwt-core and attaches the outcome
/// ([`jwt_core::Authentication`]) to the request's extensions, where
/// [`Authenticated`](crate::Authenticated) and [`MaybeAuthenticated`](crate::MaybeAuthenticated)
/// find it. It never answers a request itself: each handler chooses what an unauthenticated
/// request gets.
///
/// With `JWT_STRICT_LOGOUT`, authenticating asks the session store whether the session was
/// revoked ([`JwtAuth::authenticate`]).
///
/// ```
/// use actix_web::App;
/// use jwt_actix::JwtMiddleware;
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let app = App::new().wrap(JwtMiddleware::new(auth));
/// # let _ = app;
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct JwtMiddleware<C = NoClaims> {
    auth: JwtAuth<C>,
}

impl<C> JwtMiddleware<C> {
    /// Middleware authenticating with `auth`.
    pub fn new(auth: JwtAuth<C>) -> Self {
        Self { auth }
    }
}

impl<S, B, C> Transform<S, ServiceRequest> for JwtMiddleware<C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Transform = JwtMiddlewareService<S, C>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(JwtMiddlewareService {
            service: Rc::new(service),
            auth: self.auth.clone(),
        }))
    }
}

/// The service [`JwtMiddleware`] wraps around the application.
#[derive(Debug)]
pub struct JwtMiddlewareService<S, C = NoClaims> {
    service: Rc<S>,
    auth: JwtAuth<C>,
}

impl<S, B, C> Service<ServiceRequest> for JwtMiddlewareService<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: 'static,
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = ServiceResponse<B>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<ServiceResponse<B>, Error>>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let auth = self.auth.clone();
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let outcome = {
                let head = request_head(auth.config(), req.head());
                auth.authenticate(&head).await
            };
            req.extensions_mut().insert(outcome);
            service.call(req).await
        })
    }
}
