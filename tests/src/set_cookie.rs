//! `Set-Cookie` lines, and what docs/PROTOCOL.md says each must be, attribute for attribute.

use cookie::Cookie;
use jwt_core::{JwtConfig, SameSite};
use time::OffsetDateTime;

use crate::failure::{Failure, Outcome, ensure, ensure_eq};

/// One `Set-Cookie` line as a server sent it.
#[derive(Debug, Clone)]
pub(crate) struct SetCookie {
    pub(crate) line: String,
    pub(crate) cookie: Cookie<'static>,
    /// The attribute names as sent, in lower case and in order.
    pub(crate) attributes: Vec<String>,
}

impl SetCookie {
    pub(crate) fn parse(line: &str) -> Outcome<Self> {
        let cookie = Cookie::parse(line.to_owned())
            .map_err(|error| Failure::new(format!("unparsable Set-Cookie {line:?}: {error}")))?;
        // The cookie crate reads the attribute values; the names alone are listed here to
        // catch attributes it would skip silently (and repeated ones).
        let attributes = line
            .split(';')
            .skip(1)
            .map(|attribute| {
                let name = attribute
                    .split_once('=')
                    .map_or(attribute, |(name, _)| name);
                name.trim().to_ascii_lowercase()
            })
            .filter(|name| !name.is_empty())
            .collect();
        Ok(Self {
            line: line.to_owned(),
            cookie,
            attributes,
        })
    }

    pub(crate) fn name(&self) -> &str {
        self.cookie.name()
    }

    pub(crate) fn value(&self) -> &str {
        self.cookie.value()
    }

    /// `Max-Age` in seconds, if sent.
    pub(crate) fn max_age(&self) -> Option<i64> {
        self.cookie.max_age().map(|age| age.whole_seconds())
    }
}

/// Which of this library's two cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieKind {
    Access,
    Refresh,
}

impl CookieKind {
    pub(crate) fn name(self, config: &JwtConfig) -> &str {
        match self {
            Self::Access => config.access_cookie(),
            Self::Refresh => config.refresh_cookie(),
        }
    }

    pub(crate) fn path(self, config: &JwtConfig) -> &str {
        match self {
            Self::Access => "/",
            Self::Refresh => config.refresh_cookie_path(),
        }
    }
}

/// What one `Set-Cookie` line must be.
#[derive(Debug, Clone)]
pub(crate) struct ExpectedCookie {
    kind: CookieKind,
    /// `Some(seconds)` for a cookie that stores a token, `None` for a deletion.
    max_age: Option<i64>,
}

impl ExpectedCookie {
    /// A cookie holding a token for `max_age` seconds.
    pub(crate) fn storing(kind: CookieKind, max_age: i64) -> Self {
        Self {
            kind,
            max_age: Some(max_age),
        }
    }

    /// The deletion of a cookie: same name, Path and Domain, empty value, `Max-Age=0` and an
    /// `Expires` in the past.
    pub(crate) fn deleting(kind: CookieKind) -> Self {
        Self {
            kind,
            max_age: None,
        }
    }

    /// Checks every attribute of `line`; `now` is the server's Unix time.
    pub(crate) fn check(&self, config: &JwtConfig, line: &SetCookie, now: i64) -> Outcome {
        self.check_attributes(config, line, now)
            .map_err(|failure| failure.context(format!("Set-Cookie {:?}", line.line)))
    }

    fn check_attributes(&self, config: &JwtConfig, line: &SetCookie, now: i64) -> Outcome {
        let cookie = &line.cookie;
        ensure_eq!(line.name(), self.kind.name(config), "cookie name");

        let mut expected = vec!["path", "max-age", "samesite"];
        if config.cookie_http_only() {
            expected.push("httponly");
        }
        if config.cookie_secure() {
            expected.push("secure");
        }
        if config.cookie_domain().is_some() {
            expected.push("domain");
        }
        if self.max_age.is_none() {
            expected.push("expires");
        }
        expected.sort_unstable();
        let mut actual: Vec<&str> = line.attributes.iter().map(String::as_str).collect();
        actual.sort_unstable();
        ensure_eq!(actual, expected, "attribute names (each exactly once)");

        ensure_eq!(cookie.path(), Some(self.kind.path(config)), "Path");
        ensure_eq!(
            cookie.domain(),
            config
                .cookie_domain()
                .map(|domain| domain.trim_start_matches('.')),
            "Domain"
        );
        let same_site = match config.cookie_same_site() {
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::None => cookie::SameSite::None,
        };
        ensure_eq!(cookie.same_site(), Some(same_site), "SameSite");
        match self.max_age {
            Some(max_age) => {
                ensure_eq!(line.max_age(), Some(max_age), "Max-Age");
                ensure!(
                    is_bare_jwt(line.value()),
                    "value must be a bare JWT (RFC 6265 cookie-octets, three base64url segments), got {:?}",
                    line.value()
                );
            }
            None => {
                ensure_eq!(line.value(), "", "value of a deletion");
                ensure_eq!(line.max_age(), Some(0), "Max-Age of a deletion");
                let expires = cookie
                    .expires_datetime()
                    .map(OffsetDateTime::unix_timestamp);
                ensure!(
                    expires.is_some_and(|expires| expires < now),
                    "a deletion needs an Expires in the past, got {:?}",
                    cookie.expires()
                );
            }
        }
        Ok(())
    }
}

/// Three non-empty base64url segments: a compact JWS in a cookie, without quotes or spaces.
pub(crate) fn is_bare_jwt(value: &str) -> bool {
    let segments: Vec<&str> = value.split('.').collect();
    segments.len() == 3
        && segments.iter().all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Checks that a response's `Set-Cookie` lines are exactly `expected`, in any order.
pub(crate) fn check_exactly(
    config: &JwtConfig,
    lines: &[SetCookie],
    expected: &[ExpectedCookie],
    now: i64,
) -> Outcome {
    let names: Vec<&str> = lines.iter().map(SetCookie::name).collect();
    let wanted: Vec<&str> = expected.iter().map(|e| e.kind.name(config)).collect();
    ensure!(
        lines.len() == expected.len(),
        "expected Set-Cookie for {wanted:?}, got {names:?}"
    );
    for expectation in expected {
        let name = expectation.kind.name(config);
        let matching: Vec<&SetCookie> = lines.iter().filter(|line| line.name() == name).collect();
        ensure!(
            matching.len() == 1,
            "expected one Set-Cookie for {name:?}, got Set-Cookie names {names:?}"
        );
        expectation.check(config, matching[0], now)?;
    }
    Ok(())
}
