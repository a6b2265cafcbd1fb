//! What docs/PROTOCOL.md says a server issues: the two kinds of token, and the cookie lines
//! that carry or delete them.

use jwt_core::JwtConfig;
use serde_json::Value;

use crate::answer::Answer;
use crate::context::Ctx;
use crate::failure::{Outcome, ensure, ensure_eq};
use crate::set_cookie::{CookieKind, ExpectedCookie, check_exactly};
use crate::token_view::TokenView;

/// The lifetime, in seconds, of the refresh token issued at login: `JWT_REFRESH_DURATION`,
/// capped by `JWT_SESSION_MAX_AGE`.
pub(crate) fn refresh_lifetime_at_login(config: &JwtConfig) -> i64 {
    let lifetime = config.refresh_lifetime().whole_seconds();
    config
        .session_max_age()
        .map_or(lifetime, |max_age| lifetime.min(max_age.whole_seconds()))
}

pub(crate) fn access_lifetime(config: &JwtConfig) -> i64 {
    config.access_lifetime().whole_seconds()
}

/// Checks an access token's header and claims; returns them.
pub(crate) fn access_token(ctx: &Ctx<'_>, token: &str, subject: &str) -> Outcome<TokenView> {
    let lifetime = access_lifetime(ctx.config);
    check(ctx, token, "at+jwt", subject, lifetime)
}

/// Checks a refresh token's header and claims, and that it lives `lifetime` seconds.
pub(crate) fn refresh_token(
    ctx: &Ctx<'_>,
    token: &str,
    subject: &str,
    lifetime: i64,
) -> Outcome<TokenView> {
    check(ctx, token, "rt+jwt", subject, lifetime)
}

fn check(
    ctx: &Ctx<'_>,
    token: &str,
    typ: &str,
    subject: &str,
    lifetime: i64,
) -> Outcome<TokenView> {
    let view = TokenView::decode(token)?;
    let config = ctx.config;
    ensure_eq!(
        view.header_str("typ"),
        Some(typ),
        "{typ} token: `typ` header"
    );
    let algorithm = format!("{:?}", config.algorithm());
    ensure_eq!(
        view.header_str("alg"),
        Some(algorithm.as_str()),
        "{typ} token: `alg` header"
    );
    let kid = view.header_str("kid").unwrap_or_default();
    match ctx.controls() {
        Ok(_) => ensure_eq!(
            kid,
            config.keys().signing_key_id(),
            "{typ} token: `kid` header"
        ),
        Err(_) => ensure!(!kid.is_empty(), "{typ} token: no `kid` header"),
    }
    for embedded_key in ["jwk", "jku", "x5u", "x5c"] {
        ensure!(
            !view.header.contains_key(embedded_key),
            "{typ} token: header carries `{embedded_key}`"
        );
    }
    ensure_eq!(view.claim_str("sub"), Some(subject), "{typ} token: `sub`");
    ensure!(!view.session_id()?.is_empty(), "{typ} token: empty `sid`");
    // 128 random bits take at least 22 base64url characters (or 32 hex digits).
    ensure!(
        view.token_id()?.len() >= 22,
        "{typ} token: `jti` {:?} is shorter than 128 bits",
        view.token_id()?
    );
    let now = ctx.now();
    let issued_at = view.claim_i64("iat").unwrap_or_default();
    match ctx.controls() {
        Ok(_) => ensure_eq!(issued_at, now, "{typ} token: `iat` (the server's clock)"),
        Err(_) => ensure!(
            (issued_at - now).abs() <= 300,
            "{typ} token: `iat` {issued_at} is far from now ({now})"
        ),
    }
    ensure_eq!(view.lifetime()?, lifetime, "{typ} token: `exp - iat`");
    ensure_eq!(
        view.claims.get("iss").and_then(Value::as_str),
        config.issuer(),
        "{typ} token: `iss`"
    );
    let audience = view.claims.get("aud").and_then(|aud| match aud {
        Value::String(one) => Some(one.as_str()),
        Value::Array(many) if many.len() == 1 => many[0].as_str(),
        _ => None,
    });
    ensure_eq!(audience, config.audience(), "{typ} token: `aud`");
    Ok(view)
}

/// The two tokens a login or a rotation issued.
pub(crate) struct IssuedPair {
    pub(crate) access: TokenView,
    pub(crate) refresh: TokenView,
}

/// Checks the `Set-Cookie` lines of a successful login: exactly the access and the refresh
/// cookie, every attribute as configured, each holding a valid token of its kind for
/// `subject`, both of one new session.
pub(crate) fn login_cookies(ctx: &Ctx<'_>, answer: &Answer, subject: &str) -> Outcome<IssuedPair> {
    let config = ctx.config;
    let refresh_lifetime = refresh_lifetime_at_login(config);
    check_exactly(
        config,
        answer.set_cookies(),
        &[
            ExpectedCookie::storing(CookieKind::Access, access_lifetime(config)),
            ExpectedCookie::storing(CookieKind::Refresh, refresh_lifetime),
        ],
        ctx.now(),
    )
    .map_err(|failure| failure.context(&answer.request))?;
    let access = cookie_value(answer, CookieKind::Access, config)?;
    let refresh = cookie_value(answer, CookieKind::Refresh, config)?;
    let access = access_token(ctx, &access, subject)?;
    let refresh = refresh_token(ctx, &refresh, subject, refresh_lifetime)?;
    ensure_eq!(
        access.session_id()?,
        refresh.session_id()?,
        "`sid` of the access token (expected: the refresh token's)"
    );
    Ok(IssuedPair { access, refresh })
}

/// The value of the `Set-Cookie` line of `kind`; fails when there is none.
pub(crate) fn cookie_value(
    answer: &Answer,
    kind: CookieKind,
    config: &JwtConfig,
) -> Outcome<String> {
    let name = kind.name(config);
    match answer.cookie(name)? {
        Some(line) => Ok(line.value().to_owned()),
        None => Err(crate::failure::Failure::new(format!(
            "{}: no Set-Cookie for {name:?}",
            answer.request
        ))),
    }
}

/// Checks that the response's `Set-Cookie` lines are exactly the deletions of `kinds`.
pub(crate) fn deletions(ctx: &Ctx<'_>, answer: &Answer, kinds: &[CookieKind]) -> Outcome {
    let expected: Vec<ExpectedCookie> = kinds
        .iter()
        .map(|kind| ExpectedCookie::deleting(*kind))
        .collect();
    check_exactly(ctx.config, answer.set_cookies(), &expected, ctx.now())
        .map_err(|failure| failure.context(&answer.request))
}

/// The cookies a logout deletes under these settings: both, or only the refresh cookie with
/// `JWT_LOGOUT_ACCESS=false`.
pub(crate) fn logout_deletions(config: &JwtConfig) -> Vec<CookieKind> {
    match config.logout_access() {
        true => vec![CookieKind::Access, CookieKind::Refresh],
        false => vec![CookieKind::Refresh],
    }
}
