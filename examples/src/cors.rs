//! CORS for the demo: a page on one of `JWT_TRUSTED_ORIGINS` (an app on a sibling origin) may
//! call the demo's API with the browser's cookies, and read the answers.
//!
//! The origins that CORS lets read answers are exactly those the cross-origin check lets send
//! cookie-carrying requests ([`JwtConfig::is_trusted_origin`]); any other origin gets no CORS
//! grant at all. The axum, actix and warp binaries configure their framework's own CORS layer
//! with these values; Rocket has no CORS layer of its own and bare hyper none at all, so those
//! two binaries answer with [`grant`] and [`preflight`] here.
//!
//! What the page needs: `GET` (`/whoami/`) and `POST` (the endpoints) with credentials, and the
//! `Content-Type` header of a JSON login (which makes the browser ask first, with a preflight).

use jwt_core::JwtConfig;

/// The methods a trusted page may use.
pub const METHODS: [&str; 2] = ["GET", "POST"];
/// The request headers a trusted page may send beside the CORS-safelisted ones.
pub const HEADERS: [&str; 1] = ["content-type"];
/// How long a browser may remember a preflight's answer, seconds.
pub const MAX_AGE_SECONDS: u32 = 600;

/// The headers that let a page on `origin` read an answer, or nothing when `origin` is not
/// trusted (or absent).
pub fn grant(config: &JwtConfig, origin: Option<&str>) -> Vec<(&'static str, String)> {
    match origin {
        Some(origin) if config.is_trusted_origin(origin) => vec![
            ("access-control-allow-origin", origin.to_owned()),
            ("access-control-allow-credentials", "true".to_owned()),
            ("vary", "Origin".to_owned()),
        ],
        _ => Vec::new(),
    }
}

/// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`) from `origin`:
/// the headers of a `204`, or `None` when the request is not a preflight from a trusted
/// origin, which then goes to the application like any other request.
pub fn preflight(
    config: &JwtConfig,
    method: &str,
    origin: Option<&str>,
    requested_method: Option<&str>,
) -> Option<Vec<(&'static str, String)>> {
    if method != "OPTIONS" || requested_method.is_none() {
        return None;
    }
    let mut headers = grant(config, origin);
    if headers.is_empty() {
        return None;
    }
    headers.push(("access-control-allow-methods", METHODS.join(", ")));
    headers.push(("access-control-allow-headers", HEADERS.join(", ")));
    headers.push(("access-control-max-age", MAX_AGE_SECONDS.to_string()));
    Some(headers)
}
