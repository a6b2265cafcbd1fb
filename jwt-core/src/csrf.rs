//! The cross-origin check for unsafe requests that a browser authenticated with our cookies.
//!
//! Browsers attach cookies on their own, so a page on another site can make the user's browser
//! send an authenticated `POST`. The check decides as Go 1.25's `CrossOriginProtection` does,
//! in this order:
//!
//! 1. `Sec-Fetch-Site: same-origin` or `none` (typed in the address bar, a bookmark): pass.
//! 2. Any other `Sec-Fetch-Site` (`same-site`, `cross-site`): pass only when `Origin` is one of
//!    `JWT_TRUSTED_ORIGINS` exactly. This is how an app on `https://app.example.com` calls an
//!    API on `https://api.example.com`: the browser calls that `same-site`, and the operator
//!    names the app's origin.
//! 3. No `Sec-Fetch-Site` (browsers before 2023, and every non-browser client):
//!    - no `Origin` either: pass (curl, server-to-server; not a browser being tricked);
//!    - `Origin`'s host and port equal the request's `Host`: pass, whatever the scheme. The
//!      server cannot know the scheme a TLS-terminating proxy received, and an old browser on
//!      plain http in development must work; HSTS is the remedy for an http→https downgrade;
//!    - `Origin` one of `JWT_TRUSTED_ORIGINS`: pass;
//!    - otherwise refused.
//!
//! A repeated `Sec-Fetch-Site` or `Origin` field is refused (a browser sends one), and so is
//! `Origin: null` (sandboxed frames, cross-site redirects), which names no origin to trust.

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
    let Ok(origin) = head.single(Slot::Origin) else {
        return true;
    };
    // A field that is not text names no origin: treated like `Origin: null`.
    let origin = origin.map(|origin| std::str::from_utf8(origin).unwrap_or("null"));
    match (site, origin) {
        (Some(site), _)
            if site.eq_ignore_ascii_case(b"same-origin") || site.eq_ignore_ascii_case(b"none") =>
        {
            false
        }
        (Some(_), origin) => !origin.is_some_and(|origin| is_trusted(head, origin)),
        (None, None) => false,
        (None, Some(origin)) => !(matches_host(head, origin) || is_trusted(head, origin)),
    }
}

/// Is `origin` one of `JWT_TRUSTED_ORIGINS`?
fn is_trusted(head: &RequestHead<'_>, origin: &str) -> bool {
    head.config().is_trusted_origin(origin)
}

/// Does `origin` name the request's own `Host` (host and port), whatever its scheme?
fn matches_host(head: &RequestHead<'_>, origin: &str) -> bool {
    let Some(origin) = parse_origin(origin) else {
        return false;
    };
    let host = match head.authority {
        Some(authority) => authority,
        None => match head.single(Slot::Host) {
            Ok(Some(host)) => match std::str::from_utf8(host) {
                Ok(host) => host,
                Err(_) => return false,
            },
            _ => return false,
        },
    };
    let Ok(host) = host.trim().parse::<http::uri::Authority>() else {
        return false;
    };
    if host.as_str().contains('@') || !host.host().eq_ignore_ascii_case(&origin.host) {
        return false;
    }
    // A `Host` without a port means the default port of whatever scheme the origin used.
    host.port_u16().unwrap_or(origin.default_port) == origin.port
}

/// An http(s) origin taken apart: lower-case host, port (explicit or the scheme's default).
struct ParsedOrigin {
    host: String,
    port: u16,
    default_port: u16,
}

fn parse_origin(text: &str) -> Option<ParsedOrigin> {
    let text = text.trim().strip_suffix('/').unwrap_or(text.trim());
    let uri: Uri = text.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let authority = uri.authority()?;
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    if authority.as_str().contains('@')
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
    Some(ParsedOrigin {
        host,
        port: authority.port_u16().unwrap_or(default_port),
        default_port,
    })
}

/// `scheme://host[:port]` in lower case, with the scheme's default port dropped; `None` when
/// `text` is not an http(s) origin (a path, query or user info makes it not one).
pub(crate) fn normalize_origin(text: &str) -> Option<String> {
    let origin = parse_origin(text)?;
    let scheme = if origin.default_port == 443 {
        "https"
    } else {
        "http"
    };
    Some(if origin.port == origin.default_port {
        format!("{scheme}://{}", origin.host)
    } else {
        format!("{scheme}://{}:{}", origin.host, origin.port)
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
