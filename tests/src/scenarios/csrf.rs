//! The cross-origin check: unsafe requests that carry this library's cookies (and login) are
//! refused when `Sec-Fetch-Site` or `Origin` says another site sent them; header-authenticated
//! and safe requests pass.

use bytes::Bytes;
use jwt_core::JwtConfig;

use super::access::access_header;
use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::browser::Browser;
use crate::context::Ctx;
use crate::failure::Outcome;
use crate::issued;
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(cross_site_login_is_refused, Anywhere),
        scenario!(same_site_login_is_refused, Anywhere),
        scenario!(same_origin_login_passes, Anywhere),
        scenario!(user_initiated_login_passes, Anywhere),
        scenario!(foreign_origin_login_is_refused, Anywhere),
        scenario!(own_origin_login_passes, Anywhere),
        scenario!(trusted_origin_login_passes, Anywhere, trusts_an_origin),
        scenario!(null_origin_login_is_refused, Anywhere),
        scenario!(sec_fetch_site_outranks_origin, Anywhere),
        scenario!(cross_site_refresh_with_cookie_is_refused, Anywhere),
        scenario!(cross_site_refresh_with_header_passes, Anywhere),
        scenario!(cross_site_logout_with_cookie_is_refused, Anywhere),
        scenario!(cross_site_logout_with_header_passes, Anywhere),
        scenario!(cross_site_logout_all_with_cookie_is_refused, Anywhere),
        scenario!(cross_site_get_with_cookie_passes, Anywhere),
        scenario!(cross_site_post_with_cookie_is_refused, InProcess),
        scenario!(foreign_origin_post_with_cookie_is_refused, InProcess),
        scenario!(cross_site_post_with_header_passes, InProcess),
    ]
}

fn trusts_an_origin(config: &JwtConfig) -> bool {
    !config.trusted_origins().is_empty()
}

const FOREIGN: &str = "https://evil.example";

/// Logs in with JSON credentials and the given browser headers.
async fn login_with(ctx: &Ctx<'_>, headers: &[(&str, &str)]) -> Outcome<Answer> {
    let mut request = ctx.login_request(ctx.user)?;
    for (name, value) in headers {
        let invalid = || crate::failure::Failure::new("suite error: invalid header");
        let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = http::HeaderValue::from_str(value).map_err(|_| invalid())?;
        request.headers_mut().append(name, value);
    }
    ctx.send(request).await
}

fn expect_refused(answer: &Answer) -> Outcome {
    answer
        .expect(403, messages::CROSS_ORIGIN)?
        .expect_no_cookies()?;
    Ok(())
}

fn expect_logged_in(ctx: &Ctx<'_>, answer: &Answer) -> Outcome {
    answer.expect(200, messages::LOGGED_IN)?;
    issued::login_cookies(ctx, answer, &ctx.user.name)?;
    Ok(())
}

/// `POST path` from `browser` (with its cookies) and the given extra header.
async fn post_from(
    ctx: &Ctx<'_>,
    browser: &Browser<'_>,
    path: &str,
    header: (&str, String),
) -> Outcome<Answer> {
    let request = ctx
        .post(path)
        .header(header.0, header.1)
        .body(Bytes::new())?;
    browser.send(request).await
}

fn cross_site() -> (&'static str, String) {
    ("sec-fetch-site", "cross-site".to_owned())
}

async fn cross_site_login_is_refused(ctx: &Ctx<'_>) -> Outcome {
    expect_refused(&login_with(ctx, &[("sec-fetch-site", "cross-site")]).await?)
}

async fn same_site_login_is_refused(ctx: &Ctx<'_>) -> Outcome {
    // A sibling subdomain is same-site but not same-origin.
    expect_refused(&login_with(ctx, &[("sec-fetch-site", "same-site")]).await?)
}

async fn same_origin_login_passes(ctx: &Ctx<'_>) -> Outcome {
    expect_logged_in(
        ctx,
        &login_with(ctx, &[("sec-fetch-site", "same-origin")]).await?,
    )
}

async fn user_initiated_login_passes(ctx: &Ctx<'_>) -> Outcome {
    expect_logged_in(ctx, &login_with(ctx, &[("sec-fetch-site", "none")]).await?)
}

async fn foreign_origin_login_is_refused(ctx: &Ctx<'_>) -> Outcome {
    expect_refused(&login_with(ctx, &[("origin", FOREIGN)]).await?)
}

async fn own_origin_login_passes(ctx: &Ctx<'_>) -> Outcome {
    let own = ctx.own_origin();
    expect_logged_in(ctx, &login_with(ctx, &[("origin", &own)]).await?)
}

async fn trusted_origin_login_passes(ctx: &Ctx<'_>) -> Outcome {
    for trusted in ctx.config.trusted_origins() {
        expect_logged_in(ctx, &login_with(ctx, &[("origin", trusted)]).await?)?;
    }
    Ok(())
}

async fn null_origin_login_is_refused(ctx: &Ctx<'_>) -> Outcome {
    expect_refused(&login_with(ctx, &[("origin", "null")]).await?)
}

async fn sec_fetch_site_outranks_origin(ctx: &Ctx<'_>) -> Outcome {
    let answer = login_with(
        ctx,
        &[("sec-fetch-site", "same-origin"), ("origin", FOREIGN)],
    )
    .await?;
    expect_logged_in(ctx, &answer)?;
    let own = ctx.own_origin();
    let answer = login_with(ctx, &[("sec-fetch-site", "cross-site"), ("origin", &own)]).await?;
    expect_refused(&answer)
}

async fn cross_site_refresh_with_cookie_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    expect_refused(&post_from(ctx, &browser, ctx.config.refresh_path(), cross_site()).await?)?;
    // Nothing rotated: the browser's token still works from its own site.
    let answer = post_from(
        ctx,
        &browser,
        ctx.config.refresh_path(),
        ("sec-fetch-site", "same-origin".to_owned()),
    )
    .await?;
    answer.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn cross_site_refresh_with_header_passes(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let request = ctx
        .post(ctx.config.refresh_path())
        .header(ctx.config.refresh_header(), browser.refresh_token()?)
        .header("sec-fetch-site", "cross-site")
        .header("origin", FOREIGN)
        .body(Bytes::new())?;
    ctx.send(request).await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn cross_site_logout_with_cookie_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    expect_refused(&post_from(ctx, &browser, ctx.config.logout_path(), cross_site()).await?)?;
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)
}

async fn cross_site_logout_with_header_passes(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let request = ctx
        .post(ctx.config.logout_path())
        .header(
            access_header(ctx),
            format!("Bearer {}", browser.access_token()?),
        )
        .header("sec-fetch-site", "cross-site")
        .body(Bytes::new())?;
    ctx.send(request).await?.expect(200, messages::LOGGED_OUT)?;
    Ok(())
}

async fn cross_site_logout_all_with_cookie_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let path = ctx.config.logout_all_path();
    expect_refused(&post_from(ctx, &browser, path, cross_site()).await?)?;
    expect_refused(&post_from(ctx, &browser, path, ("origin", FOREIGN.to_owned())).await?)?;
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn cross_site_get_with_cookie_passes(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let request = ctx
        .get("/whoami/")
        .header("sec-fetch-site", "cross-site")
        .header("origin", FOREIGN)
        .body(Bytes::new())?;
    ctx.expect_user(&browser.send(request).await?, &ctx.user.name)
}

async fn cross_site_post_with_cookie_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let answer = post_from(ctx, &browser, "/whoami/", cross_site()).await?;
    expect_refused(&answer)
}

async fn foreign_origin_post_with_cookie_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let answer = post_from(ctx, &browser, "/whoami/", ("origin", FOREIGN.to_owned())).await?;
    expect_refused(&answer)?;
    let own = ctx.own_origin();
    let answer = post_from(ctx, &browser, "/whoami/", ("origin", own)).await?;
    ctx.expect_user(&answer, &ctx.user.name)
}

async fn cross_site_post_with_header_passes(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let request = ctx
        .post("/whoami/")
        .header(
            access_header(ctx),
            format!("Bearer {}", browser.access_token()?),
        )
        .header("sec-fetch-site", "cross-site")
        .body(Bytes::new())?;
    ctx.expect_user(&ctx.send(request).await?, &ctx.user.name)
}
