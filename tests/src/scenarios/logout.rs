//! `POST JWT_LOGOUT_PATH` and `POST JWT_LOGOUT_ALL_PATH`: sessions end in the store, cookies
//! are deleted, and what an access token can still do afterwards.

use bytes::Bytes;
use jwt_core::JwtConfig;

use super::access::{access_header, expect_invalid_token, get_with};
use super::refresh::{expect_refused, refresh_by_header};
use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::Ctx;
use crate::failure::{Outcome, ensure};
use crate::issued;
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(logout_ends_the_session_and_deletes_cookies, Anywhere),
        scenario!(logout_by_header_works_without_cookies, Anywhere),
        scenario!(
            logout_with_an_expired_access_token_still_ends_the_session,
            InProcess
        ),
        scenario!(
            logout_with_a_token_expired_beyond_the_refresh_lifetime_is_401,
            InProcess
        ),
        scenario!(logout_without_token_is_401_and_deletes_cookies, Anywhere),
        scenario!(logout_with_a_bad_token_is_401_and_changes_nothing, Anywhere),
        scenario!(logout_with_a_refresh_token_is_401, Anywhere),
        scenario!(
            logout_keeps_the_access_cookie_when_configured,
            Anywhere,
            keeps_access
        ),
        scenario!(
            access_token_outlives_logout_without_strict_logout,
            Anywhere,
            lenient
        ),
        scenario!(
            strict_logout_refuses_the_access_token_at_once,
            Anywhere,
            strict
        ),
        scenario!(logout_leaves_other_sessions_running, Anywhere),
        scenario!(logout_all_from_a_second_session_ends_the_first, Anywhere),
        scenario!(logout_all_leaves_other_users_alone, InProcess),
        scenario!(
            logout_all_without_token_is_401_and_deletes_cookies,
            Anywhere
        ),
        scenario!(logout_all_with_an_expired_access_token_works, InProcess),
    ]
}

fn keeps_access(config: &JwtConfig) -> bool {
    !config.logout_access()
}

fn lenient(config: &JwtConfig) -> bool {
    !config.strict_logout()
}

fn strict(config: &JwtConfig) -> bool {
    config.strict_logout()
}

/// `POST path` with `Authorization: Bearer <token>` (the configured header) and no cookie.
async fn post_bearer(ctx: &Ctx<'_>, path: &str, token: &str) -> Outcome<Answer> {
    let request = ctx
        .post(path)
        .header(ctx.config.access_header(), format!("Bearer {token}"))
        .body(Bytes::new())?;
    ctx.send(request).await
}

/// Fails unless `answer` is a successful logout (or logout-all) deleting the cookies.
fn expect_logged_out(ctx: &Ctx<'_>, answer: &Answer, message: &str) -> Outcome {
    answer.expect(200, message)?;
    issued::deletions(ctx, answer, &issued::logout_deletions(ctx.config))
}

/// Fails unless `answer` is the 401 of a logout without an authentic access token, which
/// still deletes the cookies.
fn expect_unauthenticated_logout(ctx: &Ctx<'_>, answer: &Answer) -> Outcome {
    answer.expect(401, messages::LOGOUT_UNAUTHENTICATED)?;
    ensure!(
        !answer.header_values("www-authenticate").is_empty(),
        "{}: a 401 without WWW-Authenticate",
        answer.request
    );
    issued::deletions(ctx, answer, &issued::logout_deletions(ctx.config))
}

async fn logout_ends_the_session_and_deletes_cookies(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let refresh = browser.refresh_token()?;
    expect_logged_out(ctx, &browser.logout().await?, messages::LOGGED_OUT)?;
    expect_refused(ctx, &refresh_by_header(ctx, &refresh).await?)
        .map_err(|f| f.context("the session's refresh token after logout"))
}

async fn logout_by_header_works_without_cookies(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let (access, refresh) = (browser.access_token()?, browser.refresh_token()?);
    let answer = post_bearer(ctx, ctx.config.logout_path(), &access).await?;
    expect_logged_out(ctx, &answer, messages::LOGGED_OUT)?;
    expect_refused(ctx, &refresh_by_header(ctx, &refresh).await?)
}

async fn logout_with_an_expired_access_token_still_ends_the_session(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let (access, refresh) = (browser.access_token()?, browser.refresh_token()?);
    // Back after lunch: the access token expired an hour ago, the session has not.
    ctx.advance(issued::access_lifetime(ctx.config) + 3600)?;
    let answer = post_bearer(ctx, ctx.config.logout_path(), &access).await?;
    expect_logged_out(ctx, &answer, messages::LOGGED_OUT)?;
    expect_refused(ctx, &refresh_by_header(ctx, &refresh).await?)
}

async fn logout_with_a_token_expired_beyond_the_refresh_lifetime_is_401(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let access = browser.access_token()?;
    let lifetime = issued::access_lifetime(ctx.config)
        + ctx.config.refresh_lifetime().whole_seconds()
        + ctx.config.leeway().whole_seconds();
    ctx.advance(lifetime)?;
    let answer = post_bearer(ctx, ctx.config.logout_path(), &access).await?;
    expect_unauthenticated_logout(ctx, &answer)
}

async fn logout_without_token_is_401_and_deletes_cookies(ctx: &Ctx<'_>) -> Outcome {
    let answer = ctx.browser().logout().await?;
    expect_unauthenticated_logout(ctx, &answer)
}

async fn logout_with_a_bad_token_is_401_and_changes_nothing(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let access = browser.access_token()?;
    let tampered = format!("{access}x");
    expect_unauthenticated_logout(
        ctx,
        &post_bearer(ctx, ctx.config.logout_path(), &tampered).await?,
    )?;
    expect_unauthenticated_logout(
        ctx,
        &post_bearer(ctx, ctx.config.logout_path(), "garbage").await?,
    )?;
    browser
        .refresh()
        .await?
        .expect(200, messages::REFRESHED)
        .map_err(|f| f.context("the session after refused logouts"))?;
    Ok(())
}

async fn logout_with_a_refresh_token_is_401(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let refresh = browser.refresh_token()?;
    for path in [ctx.config.logout_path(), ctx.config.logout_all_path()] {
        expect_unauthenticated_logout(ctx, &post_bearer(ctx, path, &refresh).await?)?;
    }
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn logout_keeps_the_access_cookie_when_configured(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    expect_logged_out(ctx, &browser.logout().await?, messages::LOGGED_OUT)?;
    ensure!(
        browser.access_cookie().is_some(),
        "JWT_LOGOUT_ACCESS=false, yet the access cookie is gone"
    );
    ensure!(
        browser.refresh_cookie().is_none(),
        "the refresh cookie survived logout"
    );
    browser
        .refresh()
        .await?
        .expect(403, messages::INVALID_REFRESH_TOKEN)?;
    Ok(())
}

async fn access_token_outlives_logout_without_strict_logout(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let access = browser.access_token()?;
    expect_logged_out(ctx, &browser.logout().await?, messages::LOGGED_OUT)?;
    let header = (access_header(ctx), format!("Bearer {access}"));
    ctx.expect_user(&get_with(ctx, "/whoami/", &[header]).await?, &ctx.user.name)
}

async fn strict_logout_refuses_the_access_token_at_once(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let access = browser.access_token()?;
    let header = (access_header(ctx), format!("Bearer {access}"));
    ctx.expect_user(
        &get_with(ctx, "/whoami/", std::slice::from_ref(&header)).await?,
        &ctx.user.name,
    )?;
    expect_logged_out(ctx, &browser.logout().await?, messages::LOGGED_OUT)?;
    expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
}

async fn logout_leaves_other_sessions_running(ctx: &Ctx<'_>) -> Outcome {
    let (laptop, phone) = (ctx.browser(), ctx.browser());
    laptop.login().await?;
    phone.login().await?;
    expect_logged_out(ctx, &laptop.logout().await?, messages::LOGGED_OUT)?;
    phone.refresh().await?.expect(200, messages::REFRESHED)?;
    ctx.expect_user(&phone.whoami().await?, &ctx.user.name)
}

async fn logout_all_from_a_second_session_ends_the_first(ctx: &Ctx<'_>) -> Outcome {
    let (laptop, phone) = (ctx.browser(), ctx.browser());
    laptop.login().await?;
    phone.login().await?;
    let laptop_access = laptop.access_token()?;
    let phone_refresh = phone.refresh_token()?;
    let answer = phone.logout_all().await?;
    expect_logged_out(ctx, &answer, messages::LOGGED_OUT_EVERYWHERE)?;
    expect_refused(ctx, &laptop.refresh().await?).map_err(|f| f.context("the first session"))?;
    expect_refused(ctx, &refresh_by_header(ctx, &phone_refresh).await?)
        .map_err(|f| f.context("the second session"))?;
    let header = (access_header(ctx), format!("Bearer {laptop_access}"));
    let answer = get_with(ctx, "/whoami/", &[header]).await?;
    match ctx.config.strict_logout() {
        true => expect_invalid_token(&answer),
        false => ctx.expect_user(&answer, &ctx.user.name),
    }
}

async fn logout_all_leaves_other_users_alone(ctx: &Ctx<'_>) -> Outcome {
    let other = ctx.controls()?.second_user;
    let (alice, bob) = (ctx.browser(), ctx.browser());
    alice.login().await?;
    bob.login_as(other).await?;
    expect_logged_out(
        ctx,
        &alice.logout_all().await?,
        messages::LOGGED_OUT_EVERYWHERE,
    )?;
    bob.refresh()
        .await?
        .expect(200, messages::REFRESHED)
        .map_err(|f| f.context("another user's session"))?;
    ctx.expect_user(&bob.whoami().await?, &other.name)
}

async fn logout_all_without_token_is_401_and_deletes_cookies(ctx: &Ctx<'_>) -> Outcome {
    expect_unauthenticated_logout(ctx, &ctx.browser().logout_all().await?)?;
    expect_unauthenticated_logout(
        ctx,
        &post_bearer(ctx, ctx.config.logout_all_path(), "garbage").await?,
    )
}

async fn logout_all_with_an_expired_access_token_works(ctx: &Ctx<'_>) -> Outcome {
    let (laptop, phone) = (ctx.browser(), ctx.browser());
    laptop.login().await?;
    phone.login().await?;
    let access = phone.access_token()?;
    ctx.advance(issued::access_lifetime(ctx.config) + 60)?;
    let answer = post_bearer(ctx, ctx.config.logout_all_path(), &access).await?;
    expect_logged_out(ctx, &answer, messages::LOGGED_OUT_EVERYWHERE)?;
    expect_refused(ctx, &laptop.refresh().await?)
}
