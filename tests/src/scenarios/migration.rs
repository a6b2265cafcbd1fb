//! The migration mode (`JWT_DJANGO_SECRET_KEY`): Django refresh tokens exchanged once for a
//! session of ours, Django access tokens read side by side.
//!
//! The suite signs tokens in the Django package's format with the variant's Django key:
//! header `{"alg": "HS256", "typ": "JWT"}`, claims `iat`, `exp`, `user` (the Django primary
//! key), `tok` and `sec`.

use bytes::Bytes;
use http::header::COOKIE;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use jwt_core::JwtConfig;
use serde_json::json;

use super::access::{expect_invalid_token, get_with};
use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::Ctx;
use crate::failure::{Failure, Outcome};
use crate::issued;
use crate::messages;
use crate::set_cookie::CookieKind;
use crate::suite::{DJANGO_PK_FIRST, DJANGO_PK_SECOND};
use crate::variant::SUITE_DJANGO_SECRET_KEY;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(
            django_refresh_cookie_is_exchanged_for_a_session,
            InProcess,
            migrating
        ),
        scenario!(
            django_refresh_token_is_exchanged_only_once,
            InProcess,
            migrating
        ),
        scenario!(
            django_access_cookie_authenticates_side_by_side,
            InProcess,
            migrating
        ),
        scenario!(
            django_refresh_token_is_not_an_access_token,
            InProcess,
            migrating
        ),
        scenario!(
            django_token_of_an_unmapped_user_is_refused,
            InProcess,
            migrating
        ),
        scenario!(cross_site_django_exchange_is_refused, InProcess, migrating),
    ]
}

fn migrating(config: &JwtConfig) -> bool {
    config.django_migration()
}

#[derive(Debug, Clone, Copy)]
enum Tok {
    Access,
    Refresh,
}

/// A token as the Django package mints it at the server's time, for Django user `user`.
fn django_token(ctx: &Ctx<'_>, tok: Tok, user: &str) -> Outcome<String> {
    let now = ctx.now();
    let (tok, lifetime) = match tok {
        Tok::Access => ("access", 300),
        Tok::Refresh => ("refresh", 14 * 86_400),
    };
    let claims = json!({
        "iat": now,
        "exp": now + lifetime,
        "user": user,
        "tok": tok,
        "sec": format!("{tok}-{user}-{now}-c0ffee"),
    });
    let key = EncodingKey::from_secret(SUITE_DJANGO_SECRET_KEY.as_bytes())
        .map_err(|error| Failure::new(format!("suite error: Django key: {error}")))?;
    // `Header::new` writes `{"typ": "JWT", "alg": "HS256"}`, as PyJWT does.
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)
        .map_err(|error| Failure::new(format!("suite error: cannot sign: {error}")))
}

/// `POST JWT_REFRESH_PATH` with the refresh cookie holding `token`, and extra headers.
async fn exchange(ctx: &Ctx<'_>, token: &str, headers: &[(&str, &str)]) -> Outcome<Answer> {
    let cookie = format!("{}={token}", ctx.config.refresh_cookie());
    let mut request = ctx.post(ctx.config.refresh_path()).header(COOKIE, cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    ctx.send(request.body(Bytes::new())?).await
}

/// `GET /whoami/` with the access cookie in the Django package's form, `"Bearer <jwt>"`.
async fn whoami_django_cookie(ctx: &Ctx<'_>, token: &str) -> Outcome<Answer> {
    let cookie = format!("{}=\"Bearer {token}\"", ctx.config.access_cookie());
    get_with(ctx, "/whoami/", &[("cookie", cookie)]).await
}

fn expect_refused(ctx: &Ctx<'_>, answer: &Answer) -> Outcome {
    answer.expect(403, messages::INVALID_REFRESH_TOKEN)?;
    issued::deletions(ctx, answer, &[CookieKind::Refresh])
}

async fn django_refresh_cookie_is_exchanged_for_a_session(ctx: &Ctx<'_>) -> Outcome {
    let token = django_token(ctx, Tok::Refresh, DJANGO_PK_FIRST)?;
    let answer = exchange(ctx, &token, &[]).await?;
    answer.expect(200, messages::REFRESHED)?;
    issued::login_cookies(ctx, &answer, &ctx.user.name)?;
    // The new access cookie authenticates as any of ours.
    let access = issued::cookie_value(&answer, CookieKind::Access, ctx.config)?;
    let cookie = format!("{}={access}", ctx.config.access_cookie());
    let whoami = get_with(ctx, "/whoami/", &[("cookie", cookie)]).await?;
    ctx.expect_user(&whoami, &ctx.user.name)?;
    // And the new refresh cookie refreshes.
    let refresh = issued::cookie_value(&answer, CookieKind::Refresh, ctx.config)?;
    exchange(ctx, &refresh, &[])
        .await?
        .expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn django_refresh_token_is_exchanged_only_once(ctx: &Ctx<'_>) -> Outcome {
    let token = django_token(ctx, Tok::Refresh, DJANGO_PK_FIRST)?;
    exchange(ctx, &token, &[])
        .await?
        .expect(200, messages::REFRESHED)?;
    ctx.advance(60)?;
    expect_refused(ctx, &exchange(ctx, &token, &[]).await?)
}

async fn django_access_cookie_authenticates_side_by_side(ctx: &Ctx<'_>) -> Outcome {
    let first = django_token(ctx, Tok::Access, DJANGO_PK_FIRST)?;
    ctx.expect_user(&whoami_django_cookie(ctx, &first).await?, &ctx.user.name)?;
    let second = django_token(ctx, Tok::Access, DJANGO_PK_SECOND)?;
    let header = (
        ctx.config.access_header().as_str(),
        format!("Bearer {second}"),
    );
    let whoami = get_with(ctx, "/whoami/", &[header]).await?;
    ctx.expect_user(&whoami, &ctx.controls()?.second_user.name)?;
    // Until its `exp`, and not after.
    ctx.advance(300)?;
    expect_invalid_token(&whoami_django_cookie(ctx, &first).await?)
}

async fn django_refresh_token_is_not_an_access_token(ctx: &Ctx<'_>) -> Outcome {
    let refresh = django_token(ctx, Tok::Refresh, DJANGO_PK_FIRST)?;
    expect_invalid_token(&whoami_django_cookie(ctx, &refresh).await?)?;
    let access = django_token(ctx, Tok::Access, DJANGO_PK_FIRST)?;
    expect_refused(ctx, &exchange(ctx, &access, &[]).await?)
}

async fn django_token_of_an_unmapped_user_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let access = django_token(ctx, Tok::Access, "999")?;
    expect_invalid_token(&whoami_django_cookie(ctx, &access).await?)?;
    let refresh = django_token(ctx, Tok::Refresh, "999")?;
    expect_refused(ctx, &exchange(ctx, &refresh, &[]).await?)?;
    // A mapped user who is no longer active is refused too.
    let controls = ctx.controls()?;
    controls.users.set_active(&ctx.user.name, false);
    let refresh = django_token(ctx, Tok::Refresh, DJANGO_PK_FIRST)?;
    expect_refused(ctx, &exchange(ctx, &refresh, &[]).await?)
}

async fn cross_site_django_exchange_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let token = django_token(ctx, Tok::Refresh, DJANGO_PK_FIRST)?;
    let answer = exchange(
        ctx,
        &token,
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ],
    )
    .await?;
    answer.expect(403, messages::CROSS_ORIGIN)?;
    // The refusal used nothing up.
    exchange(ctx, &token, &[])
        .await?
        .expect(200, messages::REFRESHED)?;
    Ok(())
}
