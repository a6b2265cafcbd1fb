//! Whole browser sessions: a cookie jar that follows Path, Max-Age and deletions carries the
//! user through login, expiry, refresh and logout.

use jwt_core::JwtConfig;

use super::access::{expect_invalid_token, expect_no_credentials};
use super::{Scenario, scenario};
use crate::context::Ctx;
use crate::failure::{Outcome, ensure};
use crate::issued;
use crate::messages;
use crate::token_view::TokenView;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(browser_flow_login_refresh_logout, Anywhere),
        scenario!(login_after_logout_starts_a_new_session, Anywhere),
        scenario!(
            returning_after_access_expiry_refreshes_and_continues,
            InProcess
        ),
        scenario!(
            active_session_outlives_its_first_refresh_token,
            InProcess,
            uncapped_rotation
        ),
        scenario!(idle_session_ends_when_the_refresh_token_expires, InProcess),
    ]
}

fn uncapped_rotation(config: &JwtConfig) -> bool {
    config.rotate_refresh() && config.session_max_age().is_none()
}

async fn browser_flow_login_refresh_logout(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)?;
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)?;
    browser.logout().await?.expect(200, messages::LOGGED_OUT)?;
    let after = browser.whoami().await?;
    match (ctx.config.logout_access(), ctx.config.strict_logout()) {
        (true, _) => expect_no_credentials(&after)?,
        (false, true) => expect_invalid_token(&after)?,
        (false, false) => ctx.expect_user(&after, &ctx.user.name)?,
    }
    browser
        .refresh()
        .await?
        .expect(403, messages::INVALID_REFRESH_TOKEN)?;
    Ok(())
}

async fn login_after_logout_starts_a_new_session(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    let first = issued::login_cookies(ctx, &browser.login().await?, &ctx.user.name)?;
    browser.logout().await?.expect(200, messages::LOGGED_OUT)?;
    let second = issued::login_cookies(ctx, &browser.login().await?, &ctx.user.name)?;
    ensure!(
        first.refresh.session_id()? != second.refresh.session_id()?,
        "a login after logout resumed the ended session"
    );
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)
}

async fn returning_after_access_expiry_refreshes_and_continues(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    ctx.advance(issued::access_lifetime(ctx.config) + 30)?;
    // The browser dropped the expired access cookie: the page sees "not logged in"...
    expect_no_credentials(&browser.whoami().await?)?;
    // ...refreshes, and carries on.
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)
}

async fn active_session_outlives_its_first_refresh_token(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    let login = issued::login_cookies(ctx, &browser.login().await?, &ctx.user.name)?;
    let lifetime = ctx.config.refresh_lifetime().whole_seconds();
    // Refreshing before each refresh token expires keeps the session alive past the first
    // token's expiry, as long as the user comes back.
    let step = lifetime - 3600;
    for visit in 1..=3 {
        ctx.advance(step)?;
        browser
            .refresh()
            .await?
            .expect(200, messages::REFRESHED)
            .map_err(|f| f.context(format!("visit {visit}")))?;
        ctx.expect_user(&browser.whoami().await?, &ctx.user.name)?;
    }
    let current = TokenView::decode(&browser.refresh_token()?)?;
    ensure!(
        current.session_id()? == login.refresh.session_id()?,
        "rotation changed the session id"
    );
    Ok(())
}

async fn idle_session_ends_when_the_refresh_token_expires(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    ctx.advance(issued::refresh_lifetime_at_login(ctx.config))?;
    expect_no_credentials(&browser.whoami().await?)?;
    browser
        .refresh()
        .await?
        .expect(403, messages::INVALID_REFRESH_TOKEN)?;
    Ok(())
}
