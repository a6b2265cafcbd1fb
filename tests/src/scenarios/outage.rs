//! A session store or user backend that cannot be reached: `503` with `Retry-After` where
//! the store is needed, and nothing lost once it is back. In-process only, where the suite
//! holds the switches.

use std::sync::atomic::Ordering;

use super::access::{access_header, get_with};
use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::Ctx;
use crate::failure::{Outcome, ensure};
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(store_outage_answers_503_with_retry_after, InProcess),
        scenario!(
            store_outage_leaves_access_tokens_working_unless_strict,
            InProcess
        ),
        scenario!(authenticator_outage_answers_503_with_retry_after, InProcess),
    ]
}

fn expect_unavailable(answer: &Answer, message: &str) -> Outcome {
    answer.expect(503, message)?.expect_no_cookies()?;
    let retry = answer.header_values("retry-after");
    ensure!(
        retry.len() == 1 && retry[0].parse::<u32>().is_ok(),
        "{}: 503 without a Retry-After in seconds (got {retry:?})",
        answer.request
    );
    Ok(())
}

async fn store_outage_answers_503_with_retry_after(ctx: &Ctx<'_>) -> Outcome {
    let controls = ctx.controls()?;
    let browser = ctx.browser();
    browser.login().await?;
    controls.store_down.store(true, Ordering::SeqCst);
    let login = ctx.send(ctx.login_request(ctx.user)?).await?;
    expect_unavailable(&login, messages::STORE_UNAVAILABLE).map_err(|f| f.context("login"))?;
    for answer in [
        browser.refresh().await?,
        browser.logout().await?,
        browser.logout_all().await?,
    ] {
        // The cookies stay: the user retries rather than believing the session ended.
        expect_unavailable(&answer, messages::STORE_UNAVAILABLE)?;
    }
    controls.store_down.store(false, Ordering::SeqCst);
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    browser.logout().await?.expect(200, messages::LOGGED_OUT)?;
    Ok(())
}

async fn store_outage_leaves_access_tokens_working_unless_strict(ctx: &Ctx<'_>) -> Outcome {
    let controls = ctx.controls()?;
    let browser = ctx.browser();
    browser.login().await?;
    let header = (
        access_header(ctx),
        format!("Bearer {}", browser.access_token()?),
    );
    controls.store_down.store(true, Ordering::SeqCst);
    for answer in [
        browser.whoami().await?,
        get_with(ctx, "/whoami/", &[header]).await?,
    ] {
        match ctx.config.strict_logout() {
            true => expect_unavailable(&answer, messages::STORE_UNAVAILABLE)?,
            false => ctx.expect_user(&answer, &ctx.user.name)?,
        }
    }
    Ok(())
}

async fn authenticator_outage_answers_503_with_retry_after(ctx: &Ctx<'_>) -> Outcome {
    let controls = ctx.controls()?;
    let browser = ctx.browser();
    browser.login().await?;
    controls.users_down.store(true, Ordering::SeqCst);
    let login = ctx.send(ctx.login_request(ctx.user)?).await?;
    expect_unavailable(&login, messages::AUTHENTICATOR_UNAVAILABLE)
        .map_err(|f| f.context("login"))?;
    // Refresh asks the authenticator whether the user is still active.
    expect_unavailable(
        &browser.refresh().await?,
        messages::AUTHENTICATOR_UNAVAILABLE,
    )
    .map_err(|f| f.context("refresh"))?;
    controls.users_down.store(false, Ordering::SeqCst);
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}
