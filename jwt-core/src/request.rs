//! The parts of a request this crate reads, and where a token comes from.
//!
//! A [`RequestHead`] is built once per request from whatever the framework has: `http` 1.x
//! parts ([`RequestHead::from_http`]) or `(name, value)` header pairs
//! ([`RequestHead::from_pairs`]), so frameworks on other `http` versions need no conversion.
//! It borrows the header values; nothing is copied.
//!
//! Token lookup, for the access token (`JWT_ACCESS_HEADER` / `JWT_ACCESS_COOKIE`) and the
//! refresh token (`JWT_REFRESH_COOKIE` as header and cookie) alike:
//! 1. A present, non-empty header is used alone: `Bearer <jwt>` for the access header (scheme
//!    in any case, exactly one space), the bare JWT for the refresh header. A header with
//!    another scheme (`Basic ...`) carries no token, and the cookie is not consulted.
//! 2. Otherwise the cookie, read from every `cookie` field of the request as one (HTTP/2 may
//!    split them). Its value is the bare JWT; the Django package's `"Bearer <jwt>"`, quoted or
//!    not, is read too.
//! 3. Two cookies of that name, or two header fields, are ambiguous (cookie tossing from a
//!    sibling subdomain) and count as an invalid token, never "first wins".
//! 4. A `cookie` field that is not UTF-8 is read as absent.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use cookie::Cookie;
use http::{HeaderMap, Method, Uri};

use crate::config::JwtConfig;

/// The method, authority and headers of one request, as this crate needs them.
///
/// ```
/// use http::{HeaderMap, Method, Uri};
/// use jwt_core::{JwtConfig, RequestHead};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let (method, uri) = (Method::GET, Uri::from_static("/whoami/"));
/// let mut headers = HeaderMap::new();
/// headers.insert("cookie", "theme=dark".parse()?);
/// let head = RequestHead::from_http(&config, &method, &uri, &headers);
/// # let _ = head;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Its `Debug` output names the header fields kept and their lengths, never their values:
/// they carry tokens (`Authorization`, `Cookie`).
#[derive(Clone)]
pub struct RequestHead<'a> {
    config: &'a JwtConfig,
    pub(crate) method: &'a str,
    pub(crate) authority: Option<&'a str>,
    pub(crate) peer: Option<IpAddr>,
    headers: Vec<(Slot, &'a [u8])>,
}

impl fmt::Debug for RequestHead<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Lengths<'h, 'a>(&'h [(Slot, &'a [u8])]);
        impl fmt::Debug for Lengths<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut list = f.debug_list();
                for (slot, value) in self.0 {
                    list.entry(&format_args!("{slot:?}: [{} bytes]", value.len()));
                }
                list.finish()
            }
        }
        f.debug_struct("RequestHead")
            .field("method", &self.method)
            .field("authority", &self.authority)
            .field("peer", &self.peer)
            .field("headers", &Lengths(&self.headers))
            .finish_non_exhaustive()
    }
}

/// The headers kept; all others are skipped while reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    AccessHeader,
    RefreshHeader,
    Cookie,
    Origin,
    SecFetchSite,
    Host,
    ContentType,
    ContentLength,
    Forwarded,
    XForwardedFor,
}

/// The header fields read whatever the settings, beside the two configurable token headers.
const FIXED_HEADERS: [(&str, Slot); 8] = [
    ("cookie", Slot::Cookie),
    ("origin", Slot::Origin),
    ("sec-fetch-site", Slot::SecFetchSite),
    ("host", Slot::Host),
    ("content-type", Slot::ContentType),
    ("content-length", Slot::ContentLength),
    ("forwarded", Slot::Forwarded),
    ("x-forwarded-for", Slot::XForwardedFor),
];

/// The remote address of the connection a request came over, carried as a request extension
/// for servers whose framework does not hand it to the adapter itself: warp filters served
/// through `warp::service` inside a server of the application's own, or a bare hyper server.
/// Only server code can set an extension; a client cannot.
///
/// The login throttle counts failures per client ([`RequestHead::with_peer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAddr(pub SocketAddr);
/// The names of the headers the engine reads for its own purpose, in lower case: no token
/// header may be named after one of them.
pub(crate) fn engine_header_names() -> impl Iterator<Item = &'static str> {
    FIXED_HEADERS.iter().map(|(name, _)| *name)
}

/// Where a request's token was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// In a request header (`Authorization: Bearer ...`, or the refresh header).
    Header,
    /// In a cookie, which a browser attaches on its own.
    Cookie,
}

/// What a request presents for one kind of token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presented<'a> {
    /// Nothing, or a header with another auth scheme.
    Absent,
    /// Something that cannot be one token: two cookies or header fields, a broken header.
    Unreadable(TokenSource),
    /// One candidate token, not verified yet.
    Token(&'a str, TokenSource),
}

impl<'a> RequestHead<'a> {
    /// A head with no headers yet.
    pub fn new(config: &'a JwtConfig, method: &'a str) -> Self {
        Self {
            config,
            method,
            authority: None,
            peer: None,
            headers: Vec::new(),
        }
    }

    /// From `http` 1.x request parts (axum, warp, hyper).
    pub fn from_http(
        config: &'a JwtConfig,
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
    ) -> Self {
        let mut head = Self::new(config, method.as_str());
        head.authority = uri.authority().map(|authority| authority.as_str());
        for (name, value) in headers {
            head.push_header(name.as_str(), value.as_bytes());
        }
        head
    }

    /// From a method and `(name, value)` header pairs (actix-web, Rocket, or anything else).
    /// Names compare case-insensitively.
    pub fn from_pairs<N: AsRef<str>>(
        config: &'a JwtConfig,
        method: &'a str,
        headers: impl IntoIterator<Item = (N, &'a [u8])>,
    ) -> Self {
        let mut head = Self::new(config, method);
        for (name, value) in headers {
            head.push_header(name.as_ref(), value);
        }
        head
    }

    /// Sets the address of the peer that sent the request (the TCP connection's remote end),
    /// which the login throttle counts failures against. `Forwarded` and `X-Forwarded-For`
    /// name the client instead only when this peer is one of `JWT_TRUSTED_PROXIES`.
    pub fn with_peer(mut self, peer: IpAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    /// The client this request is from: the peer address, or, when the peer is a trusted
    /// proxy, the address it forwarded for; `None` when the server did not give the peer.
    pub fn client(&self) -> Option<IpAddr> {
        crate::client::client_address(self)
    }

    /// The names of every header field this crate reads under `config`, in lower case: for
    /// frameworks that look headers up by name, so that they need not hand over all of them.
    pub fn header_names(config: &JwtConfig) -> impl Iterator<Item = &str> {
        [
            config.access_header.as_str(),
            config.refresh_header.as_str(),
        ]
        .into_iter()
        .chain(FIXED_HEADERS.iter().map(|(name, _)| *name))
    }

    /// Adds one header field; fields this crate does not read are skipped.
    pub fn push_header(&mut self, name: &str, value: &'a [u8]) {
        let slot = if name.eq_ignore_ascii_case(self.config.access_header.as_str()) {
            Slot::AccessHeader
        } else if name.eq_ignore_ascii_case(self.config.refresh_header.as_str()) {
            Slot::RefreshHeader
        } else {
            match FIXED_HEADERS
                .iter()
                .find(|(known, _)| name.eq_ignore_ascii_case(known))
            {
                Some((_, slot)) => *slot,
                None => return,
            }
        };
        self.headers.push((slot, value));
    }

    pub(crate) fn config(&self) -> &'a JwtConfig {
        self.config
    }

    /// Every value of one header, in order.
    pub(crate) fn values(&self, slot: Slot) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.headers
            .iter()
            .filter(move |(s, _)| *s == slot)
            .map(|(_, value)| *value)
    }

    /// The value of a header that must appear at most once; `Err` when repeated.
    pub(crate) fn single(&self, slot: Slot) -> Result<Option<&'a [u8]>, ()> {
        let mut values = self.values(slot);
        let first = values.next();
        match values.next() {
            Some(_) => Err(()),
            None => Ok(first),
        }
    }

    /// The access token this request presents.
    pub(crate) fn access_token(&self) -> Presented<'a> {
        self.token(Slot::AccessHeader, true, &self.config.access_cookie)
    }

    /// The refresh token this request presents.
    pub(crate) fn refresh_token(&self) -> Presented<'a> {
        self.token(Slot::RefreshHeader, false, &self.config.refresh_cookie)
    }

    fn token(&self, header: Slot, bearer: bool, cookie_name: &str) -> Presented<'a> {
        let mut fields = self.values(header).filter(|value| !value.is_empty());
        if let Some(value) = fields.next() {
            if fields.next().is_some() {
                return Presented::Unreadable(TokenSource::Header);
            }
            return match header_token(value, bearer) {
                HeaderToken::Token(token) => Presented::Token(token, TokenSource::Header),
                HeaderToken::OtherScheme => Presented::Absent,
                HeaderToken::Broken => Presented::Unreadable(TokenSource::Header),
            };
        }
        let mut values = self.cookie_values(cookie_name);
        match (values.next(), values.next()) {
            (None, _) => Presented::Absent,
            (Some(Some(value)), None) => {
                Presented::Token(strip_django_syntax(value), TokenSource::Cookie)
            }
            (Some(_), _) => Presented::Unreadable(TokenSource::Cookie),
        }
    }

    /// The raw value of every cookie called `name`, across all `cookie` fields.
    ///
    /// A browser sends all of a site's cookies on every request, and parsing each of them
    /// cost more than an HMAC check; so only the `;`-separated pairs that begin with `name`
    /// (after whitespace, as any pair of that name must) go to the `cookie` crate's parser,
    /// which then decides as it would have on the whole header.
    fn cookie_values<'n>(&'n self, name: &'n str) -> impl Iterator<Item = Option<&'a str>> + 'n {
        self.values(Slot::Cookie)
            .filter_map(|field| std::str::from_utf8(field).ok())
            .flat_map(|field| field.split(';'))
            .filter(move |pair| pair.trim_start().starts_with(name))
            .filter_map(move |pair| {
                let cookie = Cookie::parse(pair).ok()?;
                (cookie.name() == name).then(|| cookie.value_raw())
            })
    }
}

enum HeaderToken<'a> {
    Token(&'a str),
    OtherScheme,
    Broken,
}

fn header_token(value: &[u8], bearer: bool) -> HeaderToken<'_> {
    let Ok(value) = std::str::from_utf8(value) else {
        return HeaderToken::Broken;
    };
    let token = if bearer {
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return HeaderToken::OtherScheme;
        }
        rest
    } else {
        value
    };
    if token.is_empty() || has_space_or_control(token) {
        return HeaderToken::Broken;
    }
    HeaderToken::Token(token)
}

/// Whether any byte is ASCII whitespace or a control character (all of them lie at or below
/// the space, but DEL). Written without an early exit so that the compiler checks many bytes
/// per instruction: it runs over every token sent in a header.
fn has_space_or_control(token: &str) -> bool {
    token
        .bytes()
        .fold(false, |found, b| found | (b <= b' ') | (b == 0x7f))
}

/// The Django package wrote `"Bearer <jwt>"` into the cookie; read that form too.
fn strip_django_syntax(value: &str) -> &str {
    let unquoted = value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(value);
    match unquoted.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => &unquoted[7..],
        _ => unquoted,
    }
}

#[cfg(test)]
mod tests {
    use super::has_space_or_control;

    #[test]
    fn space_or_control_is_exactly_ascii_whitespace_and_controls() {
        for byte in 0..=0x7f_u8 {
            let expected = byte.is_ascii_whitespace() || byte.is_ascii_control();
            let text = [byte];
            let text = std::str::from_utf8(&text).expect("ASCII is UTF-8");
            assert_eq!(has_space_or_control(text), expected, "byte {byte:#04x}");
        }
        assert!(!has_space_or_control("eyJhbGciOiJIUzI1NiJ9.e30.sig-_"));
        assert!(has_space_or_control("abc\tdef"));
        assert!(!has_space_or_control("é"));
    }
}
