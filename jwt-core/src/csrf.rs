//! The cross-origin check for unsafe requests that a browser authenticated with our cookies.
//!
//! Browsers attach cookies on their own, so a page on another site can make the user's browser
//! send an authenticated `POST`. Such a request is refused when `Sec-Fetch-Site` says it came
//! from elsewhere, or, for browsers that do not send `Sec-Fetch-Site`, when `Origin` is neither
//! the request's own origin nor a trusted one. Requests with neither header (curl,
//! server-to-server) pass: they are not a browser being tricked.
//!
//! The request's own origin is `scheme://Host`. The scheme is the request URI's when the server
//! knows it; otherwise `https` when cookies are `Secure` (a Secure cookie is only ever sent
//! over HTTPS) and `http` when they are not.

use http::Uri;

use crate::request::{RequestHead, Slot};

/// Is this method one that may change state?
pub(crate) fn is_unsafe(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

/// Would a browser-originated request with this head be cross-origin?
pub(crate) fn is_cross_origin(head: &RequestHead<'_>) -> bool {
    // A repeated header is as suspicious as a foreign one.
    let Ok(site) = head.single(Slot::SecFetchSite) else {
        return true;
    };
    if let Some(site) = site {
        return !(site.eq_ignore_ascii_case(b"same-origin") || site.eq_ignore_ascii_case(b"none"));
    }
    let Ok(origin) = head.single(Slot::Origin) else {
        return true;
    };
    let Some(origin) = origin else {
        return false;
    };
    let Some(origin) = std::str::from_utf8(origin).ok().and_then(normalize_origin) else {
        // `Origin: null` (sandboxed frames, some redirects) and garbage are foreign.
        return true;
    };
    let config = head.config();
    if config.trusted_origins.contains(&origin) {
        return false;
    }
    own_origin(head).is_none_or(|own| own != origin)
}

fn own_origin(head: &RequestHead<'_>) -> Option<String> {
    let host = match head.authority {
        Some(authority) => authority,
        None => std::str::from_utf8(head.single(Slot::Host).ok()??).ok()?,
    };
    let scheme = match head.scheme {
        Some(scheme) => scheme,
        None if head.config().cookie_secure => "https",
        None => "http",
    };
    normalize_origin(&format!("{scheme}://{host}"))
}

/// `scheme://host[:port]` in lower case, with the scheme's default port dropped; `None` when
/// `text` is not an http(s) origin (a path, query or user info makes it not one).
pub(crate) fn normalize_origin(text: &str) -> Option<String> {
    let text = text.trim().strip_suffix('/').unwrap_or(text.trim());
    let uri: Uri = text.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    if !matches!(scheme.as_str(), "http" | "https")
        || authority.as_str().contains('@')
        || uri
            .path_and_query()
            .is_some_and(|p| !p.as_str().is_empty() && p.as_str() != "/")
    {
        return None;
    }
    let host = authority.host().to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let default_port = if scheme == "https" { 443 } else { 80 };
    Some(match authority.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_origin;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            normalize_origin("HTTPS://App.Example.com/").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            normalize_origin("https://a.example:443").as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8000").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(normalize_origin("null"), None);
        assert_eq!(normalize_origin("https://a.example/path"), None);
        assert_eq!(normalize_origin("ftp://a.example"), None);
        assert_eq!(normalize_origin("https://user@a.example"), None);
    }
}
