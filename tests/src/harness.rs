use async_trait::async_trait;
use bytes::Bytes;
use jwt_core::{JwtAuth, NoClaims};

/// How the suite drives one server implementation in-process.
///
/// Futures need not be `Send`: actix-web's test service is not.
#[async_trait(?Send)]
pub trait Harness {
    /// The running app (a router, a test service, a local client, ...).
    type App;

    /// Builds the app described in the crate docs around `auth`.
    async fn build(&self, auth: JwtAuth<NoClaims>) -> Self::App;

    /// Sends one request and returns the whole response. Every header field must be carried
    /// both ways as sent, repeated fields (several `cookie` or `set-cookie` lines) included.
    ///
    /// The request carries a [`PeerAddr`](jwt_core::PeerAddr) extension: the address the
    /// request comes from, which the harness passes on the framework's way (axum's
    /// `ConnectInfo`, actix's and Rocket's test peer, warp's extension as jwt-warp reads it),
    /// so that the login throttle sees the same client as on a real connection.
    async fn send(&self, app: &Self::App, request: http::Request<Bytes>) -> http::Response<Bytes>;
}
