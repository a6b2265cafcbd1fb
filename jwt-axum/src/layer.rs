//! [`JwtLayer`] and [`JwtService`]: authenticate every request, reject none.

use std::fmt;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use http::Request;
use jwt_core::{JwtAuth, NoClaims, RequestHead};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

/// A tower layer that authenticates every request through jwt-core and stores the outcome,
/// a [`jwt_core::Authentication<C>`], in the request's extensions for the extractors.
///
/// It never answers on its own: an anonymous or badly authenticated request goes on to the
/// handler, which decides with [`Authenticated`](crate::Authenticated) (required) or
/// [`MaybeAuthenticated`](crate::MaybeAuthenticated) (optional). It reads only the request's
/// method, URI and headers; the body passes through untouched, so it wraps any service and any
/// body type.
///
/// With `JWT_STRICT_LOGOUT` on, each request that carries a valid token costs one session
/// store look-up.
///
/// ```
/// use axum::{Router, routing::get};
/// use jwt_axum::{Authenticated, JwtLayer};
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
/// let app: Router = Router::new()
///     .route("/private/", get(|user: Authenticated| async move { user.subject.clone() }))
///     .layer(JwtLayer::new(auth));
/// # let _ = app;
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
pub struct JwtLayer<C = NoClaims> {
    auth: JwtAuth<C>,
}

impl<C> JwtLayer<C> {
    /// A layer authenticating with `auth`.
    pub fn new(auth: JwtAuth<C>) -> Self {
        Self { auth }
    }
}

impl<C> Clone for JwtLayer<C> {
    fn clone(&self) -> Self {
        Self {
            auth: self.auth.clone(),
        }
    }
}

impl<C> fmt::Debug for JwtLayer<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtLayer")
            .field("auth", &self.auth)
            .finish()
    }
}

impl<S, C> Layer<S> for JwtLayer<C> {
    type Service = JwtService<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        JwtService {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// The service [`JwtLayer`] wraps around an inner service.
pub struct JwtService<S, C = NoClaims> {
    inner: S,
    auth: JwtAuth<C>,
}

impl<S: Clone, C> Clone for JwtService<S, C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            auth: self.auth.clone(),
        }
    }
}

impl<S: fmt::Debug, C> fmt::Debug for JwtService<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtService")
            .field("inner", &self.inner)
            .field("auth", &self.auth)
            .finish()
    }
}

impl<S, C, B> Service<Request<B>> for JwtService<S, C>
where
    S: Service<Request<B>> + Clone + Send + 'static,
    S::Future: Send,
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone may not be ready; the instance that `poll_ready` prepared serves this call.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let auth = self.auth.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let outcome = {
                let head = RequestHead::from_http(
                    auth.config(),
                    &parts.method,
                    &parts.uri,
                    &parts.headers,
                );
                auth.authenticate(&head).await
            };
            parts.extensions.insert(outcome);
            inner.call(Request::from_parts(parts, body)).await
        })
    }
}
