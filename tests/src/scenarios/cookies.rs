//! The cookies themselves: every attribute as configured, lifetimes that match the tokens,
//! and how a browser that follows them behaves.

use bytes::Bytes;
use http::header::COOKIE;

use super::{Scenario, scenario};
use crate::context::Ctx;
use crate::failure::{Outcome, ensure, ensure_eq};
use crate::issued;
use crate::messages;
use crate::set_cookie::{CookieKind, ExpectedCookie};
use crate::token_view::TokenView;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(access_cookie_carries_the_configured_attributes, Anywhere),
        scenario!(refresh_cookie_carries_the_configured_attributes, Anywhere),
        scenario!(cookie_max_age_matches_token_lifetime, Anywhere),
        scenario!(
            browser_sends_refresh_cookie_only_to_the_refresh_endpoint,
            Anywhere
        ),
        scenario!(browser_drops_access_cookie_when_it_expires, InProcess),
        scenario!(browser_drops_refresh_cookie_when_it_expires, InProcess),
        scenario!(logout_deletion_cookies_match_the_originals, Anywhere),
        scenario!(refused_refresh_deletes_only_the_refresh_cookie, Anywhere),
    ]
}

async fn access_cookie_carries_the_configured_attributes(ctx: &Ctx<'_>) -> Outcome {
    let answer = ctx.browser().login().await?;
    let name = ctx.config.access_cookie();
    let Some(line) = answer.cookie(name)? else {
        return Err(crate::failure::Failure::new(format!(
            "login set no {name:?} cookie"
        )));
    };
    ExpectedCookie::storing(CookieKind::Access, issued::access_lifetime(ctx.config)).check(
        ctx.config,
        line,
        ctx.now(),
    )
}

async fn refresh_cookie_carries_the_configured_attributes(ctx: &Ctx<'_>) -> Outcome {
    let answer = ctx.browser().login().await?;
    let name = ctx.config.refresh_cookie();
    let Some(line) = answer.cookie(name)? else {
        return Err(crate::failure::Failure::new(format!(
            "login set no {name:?} cookie"
        )));
    };
    ExpectedCookie::storing(
        CookieKind::Refresh,
        issued::refresh_lifetime_at_login(ctx.config),
    )
    .check(ctx.config, line, ctx.now())
}

async fn cookie_max_age_matches_token_lifetime(ctx: &Ctx<'_>) -> Outcome {
    let answer = ctx.browser().login().await?;
    for line in answer.set_cookies() {
        let token = TokenView::decode(line.value())?;
        ensure_eq!(
            line.max_age(),
            Some(token.lifetime()?),
            "Max-Age of {:?} (expected: its token's exp - iat)",
            line.name()
        );
    }
    ensure_eq!(answer.set_cookies().len(), 2, "cookies set by login");
    Ok(())
}

async fn browser_sends_refresh_cookie_only_to_the_refresh_endpoint(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let refresh_name = format!("{}=", ctx.config.refresh_cookie());
    let access_name = format!("{}=", ctx.config.access_cookie());
    for path in [
        "/whoami/",
        ctx.config.logout_path(),
        ctx.config.login_path(),
    ] {
        let request = browser.with_cookies(ctx.get(path).body(Bytes::new())?)?;
        let sent = cookie_header(&request);
        ensure!(
            !sent.contains(&refresh_name),
            "the refresh cookie's Path lets it travel to {path}: {sent:?}"
        );
        ensure!(
            sent.contains(&access_name),
            "the access cookie's Path keeps it from {path}: {sent:?}"
        );
    }
    let request = browser.with_cookies(ctx.post(ctx.config.refresh_path()).body(Bytes::new())?)?;
    let sent = cookie_header(&request);
    ensure!(
        sent.contains(&refresh_name),
        "the refresh cookie does not reach {}: {sent:?}",
        ctx.config.refresh_path()
    );
    ctx.send(request).await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

fn cookie_header(request: &http::Request<Bytes>) -> String {
    request
        .headers()
        .get_all(COOKIE)
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn browser_drops_access_cookie_when_it_expires(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let lifetime = issued::access_lifetime(ctx.config);
    ctx.advance(lifetime - 1)?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)?;
    ctx.advance(1)?;
    ensure!(
        browser.access_cookie().is_none(),
        "the access cookie outlived its Max-Age"
    );
    browser
        .whoami()
        .await?
        .expect(401, messages::CREDENTIALS_NOT_PROVIDED)?;
    Ok(())
}

async fn browser_drops_refresh_cookie_when_it_expires(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    ctx.advance(issued::refresh_lifetime_at_login(ctx.config))?;
    ensure!(
        browser.refresh_cookie().is_none(),
        "the refresh cookie outlived its Max-Age"
    );
    let answer = browser.refresh().await?;
    answer.expect(403, messages::INVALID_REFRESH_TOKEN)?;
    issued::deletions(ctx, &answer, &[CookieKind::Refresh])
}

async fn logout_deletion_cookies_match_the_originals(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let answer = browser.logout().await?;
    answer.expect(200, messages::LOGGED_OUT)?;
    let deleted = issued::logout_deletions(ctx.config);
    issued::deletions(ctx, &answer, &deleted)?;
    // Deletions that repeat Path and Domain really remove the browser's cookies.
    ensure!(
        browser.refresh_cookie().is_none(),
        "the browser still holds the refresh cookie after logout"
    );
    ensure_eq!(
        browser.access_cookie().is_some(),
        !ctx.config.logout_access(),
        "browser holds the access cookie after logout"
    );
    Ok(())
}

async fn refused_refresh_deletes_only_the_refresh_cookie(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let access = browser.access_token()?;
    let request = ctx
        .post(ctx.config.refresh_path())
        .header(
            COOKIE,
            format!(
                "{}={access}; {}=not-a-token",
                ctx.config.access_cookie(),
                ctx.config.refresh_cookie()
            ),
        )
        .body(Bytes::new())?;
    let answer = ctx.send(request).await?;
    answer.expect(403, messages::INVALID_REFRESH_TOKEN)?;
    issued::deletions(ctx, &answer, &[CookieKind::Refresh])
}
