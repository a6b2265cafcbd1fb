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
        scenario!(
            sibling_origin_that_is_trusted_logs_in_refreshes_and_logs_out,
            Anywhere,
            trusts_an_origin
        ),
        scenario!(sibling_origin_that_is_not_trusted_is_refused, Anywhere),
        scenario!(
            cross_site_request_from_a_trusted_origin_passes,
            Anywhere,
            trusts_an_origin
        ),
        scenario!(origin_naming_the_host_over_plain_http_passes, Anywhere),
        scenario!(origin_naming_the_host_on_another_port_is_refused, Anywhere),
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
/// A sibling subdomain nobody trusted: same site as many apps, but not an origin of theirs.
const UNTRUSTED_SIBLING: &str = "https://untrusted.example.test";

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

/// The browser headers of a page on `origin` that the browser considers `site` to the server.
fn from_page(site: &str, origin: &str) -> [(&'static str, String); 2] {
    [
        ("sec-fetch-site", site.to_owned()),
        ("origin", origin.to_owned()),
    ]
}

/// `POST path` from `browser` (with its cookies) and the given headers.
async fn post_with(
    ctx: &Ctx<'_>,
    browser: &Browser<'_>,
    path: &str,
    headers: &[(&'static str, String)],
) -> Outcome<Answer> {
    let mut request = ctx.post(path);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    browser.send(request.body(Bytes::new())?).await
}

async fn sibling_origin_that_is_trusted_logs_in_refreshes_and_logs_out(ctx: &Ctx<'_>) -> Outcome {
    for trusted in ctx.config.trusted_origins() {
        let headers = from_page("same-site", trusted);
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        expect_logged_in(ctx, &login_with(ctx, &pairs).await?)?;

        let browser = ctx.browser();
        browser.login().await?;
        let refresh = post_with(ctx, &browser, ctx.config.refresh_path(), &headers).await?;
        refresh
            .expect(200, messages::REFRESHED)
            .map_err(|f| f.context(format!("refresh from {trusted}")))?;
        ctx.expect_user(&browser.whoami().await?, &ctx.user.name)?;
        let logout = post_with(ctx, &browser, ctx.config.logout_path(), &headers).await?;
        logout
            .expect(200, messages::LOGGED_OUT)
            .map_err(|f| f.context(format!("logout from {trusted}")))?;
    }
    Ok(())
}

async fn sibling_origin_that_is_not_trusted_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let headers = from_page("same-site", UNTRUSTED_SIBLING);
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    expect_refused(&login_with(ctx, &pairs).await?)?;
    let browser = ctx.browser();
    browser.login().await?;
    for path in [ctx.config.refresh_path(), ctx.config.logout_path()] {
        expect_refused(&post_with(ctx, &browser, path, &headers).await?)
            .map_err(|f| f.context(format!("{path} from {UNTRUSTED_SIBLING}")))?;
    }
    // Nothing happened to the session.
    browser.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}

async fn cross_site_request_from_a_trusted_origin_passes(ctx: &Ctx<'_>) -> Outcome {
    for trusted in ctx.config.trusted_origins() {
        let headers = from_page("cross-site", trusted);
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        expect_logged_in(ctx, &login_with(ctx, &pairs).await?)?;
        let browser = ctx.browser();
        browser.login().await?;
        post_with(ctx, &browser, ctx.config.refresh_path(), &headers)
            .await?
            .expect(200, messages::REFRESHED)
            .map_err(|f| f.context(format!("refresh from {trusted}")))?;
    }
    Ok(())
}

async fn origin_naming_the_host_over_plain_http_passes(ctx: &Ctx<'_>) -> Outcome {
    // Behind a TLS-terminating proxy (or on http in development) an older browser sends no
    // Sec-Fetch-Site; its Origin names the Host, whatever scheme the cookies imply.
    let origin = format!("http://{}", ctx.host());
    expect_logged_in(ctx, &login_with(ctx, &[("origin", &origin)]).await?)?;
    let browser = ctx.browser();
    browser.login().await?;
    let headers = [("origin", origin.clone())];
    post_with(ctx, &browser, ctx.config.logout_path(), &headers)
        .await?
        .expect(200, messages::LOGGED_OUT)?;
    Ok(())
}

async fn origin_naming_the_host_on_another_port_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let host = ctx.host();
    let other = match host.rsplit_once(':') {
        Some((name, port)) => {
            let port: u16 = port.parse().unwrap_or(80);
            format!("{name}:{}", port.wrapping_add(1).max(1))
        }
        None => format!("{host}:8081"),
    };
    for scheme in ["http", "https"] {
        let origin = format!("{scheme}://{other}");
        expect_refused(&login_with(ctx, &[("origin", &origin)]).await?)
            .map_err(|f| f.context(format!("Origin: {origin}")))?;
    }
    Ok(())
}
