//! The two cookies: how they are set and how they are deleted.
//!
//! Both carry `HttpOnly`, `Secure` and `SameSite=Strict` unless configured otherwise, and a
//! `Max-Age` equal to the token's remaining lifetime, so the browser drops a cookie when its
//! token could no longer be used anyway. The access cookie has `Path=/`; the refresh cookie
//! has `Path=JWT_REFRESH_COOKIE_PATH`, so the browser sends it to the refresh endpoint only.
//! A deletion repeats the name, Path and Domain of the original (otherwise the browser keeps
//! the original) with an empty value, `Max-Age=0` and an `Expires` in the past for clients
//! that ignore `Max-Age`.

use cookie::{Cookie, Expiration};
use time::{Duration, OffsetDateTime};

use crate::config::{JwtConfig, SameSite};

/// Which of the two cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieKind {
    Access,
    Refresh,
}

/// The `Set-Cookie` value that stores `token` for `max_age`.
pub(crate) fn set(config: &JwtConfig, kind: CookieKind, token: &str, max_age: Duration) -> String {
    build(config, kind, token.to_owned())
        .max_age(max_age.max(Duration::ZERO))
        .build()
        .to_string()
}

/// The `Set-Cookie` value that deletes the cookie.
pub(crate) fn delete(config: &JwtConfig, kind: CookieKind) -> String {
    build(config, kind, String::new())
        .max_age(Duration::ZERO)
        .expires(Expiration::DateTime(OffsetDateTime::UNIX_EPOCH))
        .build()
        .to_string()
}

fn build(config: &JwtConfig, kind: CookieKind, value: String) -> cookie::CookieBuilder<'static> {
    let (name, path) = match kind {
        CookieKind::Access => (config.access_cookie.clone(), "/".to_owned()),
        CookieKind::Refresh => (
            config.refresh_cookie.clone(),
            config.refresh_cookie_path.clone(),
        ),
    };
    let same_site = match config.cookie_same_site {
        SameSite::Strict => cookie::SameSite::Strict,
        SameSite::Lax => cookie::SameSite::Lax,
        SameSite::None => cookie::SameSite::None,
    };
    let mut builder = Cookie::build((name, value))
        .path(path)
        .http_only(config.cookie_http_only)
        .secure(config.cookie_secure)
        .same_site(same_site);
    if let Some(domain) = &config.cookie_domain {
        builder = builder.domain(domain.clone());
    }
    builder
}
