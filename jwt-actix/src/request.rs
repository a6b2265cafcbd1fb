//! An actix request head, as jwt-core reads it.

use actix_web::dev;
use actix_web::http::header::HOST;
use jwt_core::{JwtConfig, RequestHead};

/// Hands every header field of `head` to jwt-core as `(name, bytes)` pairs, repeated fields
/// included, so nothing is converted or lost on the way from actix's `http` 0.2 types.
///
/// The scheme and authority follow `RequestHead::from_http`: they come from the request URI
/// when it carries them (HTTP/2, absolute-form requests). Otherwise the scheme is `https` when
/// actix itself terminated TLS, and is left unset over plain HTTP, because the connection may
/// sit behind a TLS-terminating proxy; jwt-core then infers it. `ConnectionInfo::scheme` is not
/// used: it believes `Forwarded` and `X-Forwarded-Proto`, which any client can send.
pub(crate) fn request_head<'a>(
    config: &'a JwtConfig,
    head: &'a dev::RequestHead,
    tls: bool,
) -> RequestHead<'a> {
    let mut request = RequestHead::new(config, head.method.as_str());
    let authority = head.uri.authority();
    if let Some(authority) = authority {
        // jwt-core has no setter for the authority; as `Host`, it plays the same part in the
        // own-origin check, and the URI's authority wins over a `Host` field as in `from_http`.
        request.push_header(HOST.as_str(), authority.as_str().as_bytes());
    }
    for (name, value) in head.headers().iter() {
        if authority.is_some() && name == HOST {
            continue;
        }
        request.push_header(name.as_str(), value.as_bytes());
    }
    match head.uri.scheme_str() {
        Some(scheme) => request.with_scheme(scheme),
        None if tls => request.with_scheme("https"),
        None => request,
    }
}
