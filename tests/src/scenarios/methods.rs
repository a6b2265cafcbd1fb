//! Every endpoint accepts `POST` only: `405`, `Allow` with `POST`, `{"message": "Method not
//! allowed."}`, and nothing changes.

use bytes::Bytes;
use http::Method;

use super::{Scenario, scenario};
use crate::browser::Browser;
use crate::context::Ctx;
use crate::failure::{Outcome, ensure};
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(login_refuses_other_methods_with_405, Anywhere),
        scenario!(refresh_refuses_other_methods_with_405, Anywhere),
        scenario!(logout_refuses_other_methods_with_405, Anywhere),
        scenario!(logout_all_refuses_other_methods_with_405, Anywhere),
    ]
}

/// Sends GET, PUT, PATCH, DELETE and OPTIONS to `path` from a logged-in browser (which holds the
/// cookies the endpoint would act on) and checks each is refused without side effects.
async fn refuses_other_methods(ctx: &Ctx<'_>, browser: &Browser<'_>, path: &str) -> Outcome {
    for method in [
        Method::GET,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ] {
        let body = match method {
            Method::GET | Method::DELETE | Method::OPTIONS => Bytes::new(),
            _ => crate::context::login_json(ctx.user),
        };
        let request = ctx
            .request(method.clone(), path)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)?;
        let answer = browser.send(request).await?;
        answer
            .expect(405, messages::METHOD_NOT_ALLOWED)?
            .expect_no_cookies()?;
        let allow = answer.header_values("allow");
        let allows_post = allow
            .iter()
            .flat_map(|value| value.split(','))
            .any(|method| method.trim() == "POST");
        ensure!(
            allows_post,
            "{}: 405 without an Allow header naming POST (got {allow:?})",
            answer.request
        );
    }
    Ok(())
}

async fn login_refuses_other_methods_with_405(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    refuses_other_methods(ctx, &browser, ctx.config.login_path()).await?;
    let answer = browser.whoami().await?;
    answer.expect(401, messages::CREDENTIALS_NOT_PROVIDED)?;
    Ok(())
}

async fn refresh_refuses_other_methods_with_405(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    refuses_other_methods(ctx, &browser, ctx.config.refresh_path()).await?;
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn logout_refuses_other_methods_with_405(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    refuses_other_methods(ctx, &browser, ctx.config.logout_path()).await?;
    // The session survived: its refresh token still works.
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn logout_all_refuses_other_methods_with_405(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    refuses_other_methods(ctx, &browser, ctx.config.logout_all_path()).await?;
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}
