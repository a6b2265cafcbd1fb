//! The parts of a warp request that jwt-core reads.

use std::convert::Infallible;
use std::net::SocketAddr;

use http::uri::{Authority, Parts};
use http::{HeaderMap, Method, Uri};
use jwt_core::{JwtConfig, PeerAddr, RequestHead};
use warp::Filter;

/// Method, target authority and headers of one request, owned so that they outlive the
/// filter chain's borrow of the request.
#[derive(Debug)]
pub(crate) struct RequestParts {
    method: Method,
    target: Uri,
    headers: HeaderMap,
    peer: Option<SocketAddr>,
}

impl RequestParts {
    /// The head jwt-core reads tokens, `Origin` and `Host` from.
    pub(crate) fn head<'a>(&'a self, config: &'a JwtConfig) -> RequestHead<'a> {
        let head = RequestHead::from_http(config, &self.method, &self.target, &self.headers);
        match self.peer {
            Some(peer) => head.with_peer(peer.ip()),
            None => head,
        }
    }
}

/// Extracts [`RequestParts`]; never rejects.
pub(crate) fn request_parts() -> impl Filter<Extract = (RequestParts,), Error = Infallible> + Copy {
    warp::method()
        .and(target_authority())
        .and(warp::header::headers_cloned())
        .and(peer())
        .map(|method, authority, headers, peer| RequestParts {
            method,
            target: target(authority),
            headers,
            peer,
        })
}

/// The remote address of the connection: warp's, when warp's own server accepted it, else the
/// [`PeerAddr`] extension that a server of the application's own (serving the filters through
/// `warp::service`) sets.
fn peer() -> impl Filter<Extract = (Option<SocketAddr>,), Error = Infallible> + Copy {
    warp::addr::remote()
        .and(warp::ext::optional::<PeerAddr>())
        .map(|remote: Option<SocketAddr>, extension: Option<PeerAddr>| {
            remote.or(extension.map(|PeerAddr(peer)| peer))
        })
}

/// The authority of the request target: over HTTP/2 it travels in the URI (`:authority`)
/// and there may be no `Host` field, so the cross-origin check needs it from warp. A `Host`
/// that warp cannot parse or that contradicts the URI gives `None`, and jwt-core then reads
/// the raw `Host` field itself.
fn target_authority() -> impl Filter<Extract = (Option<Authority>,), Error = Infallible> + Copy {
    warp::host::optional().or(warp::any().map(|| None)).unify()
}

/// An authority-form URI, or `/`: jwt-core reads only the authority of the URI.
fn target(authority: Option<Authority>) -> Uri {
    let mut parts = Parts::default();
    parts.authority = authority;
    // Parts with an authority alone, or with nothing, always make a valid URI.
    Uri::from_parts(parts).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::target;

    #[test]
    fn target_keeps_the_authority_and_no_scheme() {
        let uri = target(Some("app.example:8443".parse().expect("a valid authority")));
        assert_eq!(
            uri.authority().map(|a| a.as_str()),
            Some("app.example:8443")
        );
        assert_eq!(uri.scheme_str(), None);
        assert_eq!(target(None).authority(), None);
    }
}
