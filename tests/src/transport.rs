//! How a request reaches the server under test: through a [`Harness`] in-process, or over a
//! real TCP connection.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use jwt_core::PeerAddr;

use crate::Harness;
use crate::failure::{Failure, Outcome};

/// One request out, one whole response back.
#[async_trait(?Send)]
pub(crate) trait Transport {
    async fn send(&self, request: http::Request<Bytes>) -> Outcome<http::Response<Bytes>>;
}

/// Where in-process requests come from, unless a scenario says otherwise: a browser on the
/// loopback interface.
pub(crate) const SUITE_PEER: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1)), 50_000);

/// An app built by a [`Harness`], called in this process.
pub(crate) struct InProcess<'h, H: Harness> {
    pub(crate) harness: &'h H,
    pub(crate) app: H::App,
}

#[async_trait(?Send)]
impl<H: Harness> Transport for InProcess<'_, H> {
    async fn send(&self, mut request: http::Request<Bytes>) -> Outcome<http::Response<Bytes>> {
        if request.extensions().get::<PeerAddr>().is_none() {
            request.extensions_mut().insert(PeerAddr(SUITE_PEER));
        }
        Ok(self.harness.send(&self.app, request).await)
    }
}

/// How long one request over TCP may take before the scenario fails instead of hanging.
const TCP_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A server reached over HTTP/1.1 at `scheme://authority`.
pub(crate) struct OverTcp {
    client: Client<HttpConnector, Full<Bytes>>,
    scheme: http::uri::Scheme,
    authority: http::uri::Authority,
}

impl OverTcp {
    /// A client for `base_url` (`http://127.0.0.1:8000`); a path in it is not supported.
    pub(crate) fn new(base_url: &str) -> Outcome<Self> {
        let uri: http::Uri = base_url
            .trim_end_matches('/')
            .parse()
            .map_err(|_| Failure::new(format!("{base_url:?} is not a URL")))?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(Failure::new(format!(
                "{base_url:?} must be like http://127.0.0.1:8000"
            )));
        };
        if scheme != &http::uri::Scheme::HTTP {
            return Err(Failure::new(format!(
                "{base_url:?}: only http:// servers can be checked (put TLS in front afterwards)"
            )));
        }
        if uri.path() != "/" && !uri.path().is_empty() {
            return Err(Failure::new(format!(
                "{base_url:?}: the server must be at the root; the suite uses the default paths"
            )));
        }
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            scheme: scheme.clone(),
            authority: authority.clone(),
        })
    }

    /// `host:port`, as the `Host` header names the server.
    pub(crate) fn authority(&self) -> &str {
        self.authority.as_str()
    }
}

#[async_trait(?Send)]
impl Transport for OverTcp {
    async fn send(&self, request: http::Request<Bytes>) -> Outcome<http::Response<Bytes>> {
        let (mut parts, body) = request.into_parts();
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str);
        parts.uri = http::Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path)
            .build()?;
        let what = format!("{} {}", parts.method, parts.uri);
        let exchange = async {
            let response = self
                .client
                .request(http::Request::from_parts(parts, Full::new(body)))
                .await
                .map_err(|error| Failure::new(format!("{what}: request failed: {error}")))?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|error| Failure::new(format!("{what}: body failed: {error}")))?
                .to_bytes();
            Ok(http::Response::from_parts(parts, body))
        };
        tokio::time::timeout(TCP_REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| {
                Failure::new(format!("{what}: no answer within {TCP_REQUEST_TIMEOUT:?}"))
            })?
    }
}
