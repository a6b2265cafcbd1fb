//! `POST JWT_REFRESH_PATH`: new access tokens, rotation as compare-and-swap, the grace window,
//! reuse detection, and every refusal.

use bytes::Bytes;
use futures_util::future::join_all;
use http::header::COOKIE;
use jwt_core::JwtConfig;

use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::browser::Browser;
use crate::context::Ctx;
use crate::failure::{Outcome, ensure, ensure_eq};
use crate::issued;
use crate::messages;
use crate::set_cookie::{CookieKind, ExpectedCookie, check_exactly};
use crate::token_view::TokenView;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(refresh_issues_a_new_access_cookie, Anywhere),
        scenario!(
            refresh_rotates_the_refresh_token_within_the_session,
            Anywhere,
            rotates
        ),
        scenario!(
            refresh_without_rotation_keeps_the_refresh_token,
            Anywhere,
            keeps
        ),
        scenario!(refresh_token_in_header_works_without_cookies, Anywhere),
        scenario!(
            refresh_without_token_is_refused_and_clears_the_cookie,
            Anywhere
        ),
        scenario!(refresh_with_garbage_token_is_refused, Anywhere),
        scenario!(access_token_is_not_a_refresh_token, Anywhere),
        scenario!(tampered_refresh_token_is_refused, Anywhere),
        scenario!(two_refresh_cookies_are_refused, Anywhere),
        scenario!(expired_refresh_token_is_refused, InProcess),
        scenario!(
            retired_refresh_token_within_grace_gets_the_current_refresh_token,
            Anywhere,
            rotates
        ),
        scenario!(
            a_lost_refresh_answer_does_not_end_the_session,
            InProcess,
            rotates
        ),
        scenario!(
            retired_refresh_token_after_grace_revokes_the_session,
            InProcess,
            rotates
        ),
        scenario!(parallel_refreshes_rotate_exactly_once, Anywhere),
        scenario!(refresh_for_a_deactivated_user_is_refused, InProcess),
        scenario!(refresh_for_a_removed_user_is_refused, InProcess),
        scenario!(refresh_past_session_max_age_is_refused, InProcess, capped),
        scenario!(refreshed_access_token_has_a_full_lifetime, InProcess),
    ]
}

fn rotates(config: &JwtConfig) -> bool {
    config.rotate_refresh()
}

fn keeps(config: &JwtConfig) -> bool {
    !config.rotate_refresh()
}

fn capped(config: &JwtConfig) -> bool {
    config.session_max_age().is_some()
}

/// `POST JWT_REFRESH_PATH` with the refresh token in the refresh header and no cookie.
pub(super) async fn refresh_by_header(ctx: &Ctx<'_>, token: &str) -> Outcome<Answer> {
    let request = ctx
        .post(ctx.config.refresh_path())
        .header(ctx.config.refresh_header(), token)
        .body(Bytes::new())?;
    ctx.send(request).await
}

/// `POST JWT_REFRESH_PATH` with `Cookie: <raw>`.
async fn refresh_with_cookie(ctx: &Ctx<'_>, raw: String) -> Outcome<Answer> {
    let request = ctx
        .post(ctx.config.refresh_path())
        .header(COOKIE, raw)
        .body(Bytes::new())?;
    ctx.send(request).await
}

/// Fails unless the answer is the 403 that also deletes the refresh cookie.
pub(super) fn expect_refused(ctx: &Ctx<'_>, answer: &Answer) -> Outcome {
    answer.expect(403, messages::INVALID_REFRESH_TOKEN)?;
    issued::deletions(ctx, answer, &[CookieKind::Refresh])
}

/// Checks a successful refresh: the message, a new access cookie of `sid`, and a rotated
/// refresh cookie of `sid` living `rotated_lifetime` seconds when `rotated`; returns the
/// tokens.
fn expect_refreshed(
    ctx: &Ctx<'_>,
    answer: &Answer,
    sid: &str,
    rotated: Option<i64>,
) -> Outcome<(TokenView, Option<TokenView>)> {
    answer.expect(200, messages::REFRESHED)?;
    let access_cookie =
        ExpectedCookie::storing(CookieKind::Access, issued::access_lifetime(ctx.config));
    let expected = match rotated {
        Some(lifetime) => vec![
            access_cookie,
            ExpectedCookie::storing(CookieKind::Refresh, lifetime),
        ],
        None => vec![access_cookie],
    };
    check_exactly(ctx.config, answer.set_cookies(), &expected, ctx.now())
        .map_err(|f| f.context(&answer.request))?;
    let access = issued::cookie_value(answer, CookieKind::Access, ctx.config)?;
    let access = issued::access_token(ctx, &access, &ctx.user.name)?;
    ensure_eq!(
        access.session_id()?,
        sid,
        "`sid` of the refreshed access token"
    );
    let refresh = match rotated {
        Some(lifetime) => {
            let token = issued::cookie_value(answer, CookieKind::Refresh, ctx.config)?;
            let view = issued::refresh_token(ctx, &token, &ctx.user.name, lifetime)?;
            ensure_eq!(
                view.session_id()?,
                sid,
                "`sid` of the rotated refresh token"
            );
            Some(view)
        }
        None => None,
    };
    Ok((access, refresh))
}

/// The rotated refresh token's lifetime if the settings rotate, right after login.
fn rotation(config: &JwtConfig) -> Option<i64> {
    config
        .rotate_refresh()
        .then(|| issued::refresh_lifetime_at_login(config))
}

async fn logged_in<'c>(ctx: &'c Ctx<'c>) -> Outcome<(Browser<'c>, TokenView, TokenView)> {
    let browser = ctx.browser();
    let pair = issued::login_cookies(ctx, &browser.login().await?, &ctx.user.name)?;
    Ok((browser, pair.access, pair.refresh))
}

async fn refresh_issues_a_new_access_cookie(ctx: &Ctx<'_>) -> Outcome {
    let (browser, old_access, old_refresh) = logged_in(ctx).await?;
    let answer = browser.refresh().await?;
    let sid = old_refresh.session_id()?;
    let (access, _) = expect_refreshed(ctx, &answer, sid, rotation(ctx.config))?;
    ensure!(
        access.token_id()? != old_access.token_id()?,
        "the refreshed access token reuses the old jti"
    );
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)
}

async fn refresh_rotates_the_refresh_token_within_the_session(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, first) = logged_in(ctx).await?;
    let sid = first.session_id()?;
    let lifetime = issued::refresh_lifetime_at_login(ctx.config);
    let (_, second) = expect_refreshed(ctx, &browser.refresh().await?, sid, Some(lifetime))?;
    let second = second.ok_or_else(|| crate::failure::Failure::new("no rotated token"))?;
    ensure!(
        second.token_id()? != first.token_id()?,
        "the rotated refresh token reuses the retired jti"
    );
    // The browser now holds the new token, and it rotates again.
    let (_, third) = expect_refreshed(ctx, &browser.refresh().await?, sid, Some(lifetime))?;
    let third = third.ok_or_else(|| crate::failure::Failure::new("no rotated token"))?;
    ensure!(
        third.token_id()? != second.token_id()?,
        "the second rotation reuses a jti"
    );
    Ok(())
}

async fn refresh_without_rotation_keeps_the_refresh_token(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    let token = browser.refresh_token()?;
    for round in 1..=3 {
        expect_refreshed(ctx, &browser.refresh().await?, refresh.session_id()?, None)
            .map_err(|f| f.context(format!("refresh {round}")))?;
        ensure_eq!(
            browser.refresh_token()?,
            token,
            "the refresh cookie after refresh {round}"
        );
    }
    Ok(())
}

async fn refresh_token_in_header_works_without_cookies(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    let answer = refresh_by_header(ctx, &browser.refresh_token()?).await?;
    expect_refreshed(ctx, &answer, refresh.session_id()?, rotation(ctx.config))?;
    Ok(())
}

async fn refresh_without_token_is_refused_and_clears_the_cookie(ctx: &Ctx<'_>) -> Outcome {
    let answer = ctx
        .send(ctx.post(ctx.config.refresh_path()).body(Bytes::new())?)
        .await?;
    expect_refused(ctx, &answer)?;
    // An access cookie is not a refresh token either.
    let browser = ctx.browser();
    browser.login().await?;
    let access = browser.access_token()?;
    let answer =
        refresh_with_cookie(ctx, format!("{}={access}", ctx.config.access_cookie())).await?;
    expect_refused(ctx, &answer)
}

async fn refresh_with_garbage_token_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let name = ctx.config.refresh_cookie();
    for garbage in [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJIUzI1NiJ9.e30.x",
        "\"Bearer x.y.z\"",
    ] {
        let answer = refresh_with_cookie(ctx, format!("{name}={garbage}")).await?;
        expect_refused(ctx, &answer).map_err(|f| f.context(garbage))?;
        let answer = refresh_by_header(ctx, garbage).await?;
        expect_refused(ctx, &answer).map_err(|f| f.context(garbage))?;
    }
    Ok(())
}

async fn access_token_is_not_a_refresh_token(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, _) = logged_in(ctx).await?;
    let access = browser.access_token()?;
    let name = ctx.config.refresh_cookie();
    expect_refused(
        ctx,
        &refresh_with_cookie(ctx, format!("{name}={access}")).await?,
    )
    .map_err(|f| f.context("access token in the refresh cookie"))?;
    expect_refused(ctx, &refresh_by_header(ctx, &access).await?)
        .map_err(|f| f.context("access token in the refresh header"))
}

async fn tampered_refresh_token_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    let token = browser.refresh_token()?;
    let mut claims = serde_json::Value::Object(refresh.claims.clone());
    claims["exp"] = serde_json::json!(refresh.claim_i64("exp").unwrap_or_default() + 86_400 * 365);
    let signature = token.rsplit('.').next().unwrap_or_default();
    let tampered = crate::token_view::encode_unsigned(
        &serde_json::Value::Object(refresh.header.clone()),
        &claims,
        signature,
    );
    expect_refused(ctx, &refresh_by_header(ctx, &tampered).await?)?;
    // The untampered token still works: the refusal changed nothing.
    let answer = browser.refresh().await?;
    expect_refreshed(ctx, &answer, refresh.session_id()?, rotation(ctx.config))?;
    Ok(())
}

async fn two_refresh_cookies_are_refused(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, _) = logged_in(ctx).await?;
    let token = browser.refresh_token()?;
    let name = ctx.config.refresh_cookie();
    let answer =
        refresh_with_cookie(ctx, format!("{name}={token}; {name}=tossed.by.sibling")).await?;
    expect_refused(ctx, &answer)
}

async fn expired_refresh_token_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let (early, _, _) = logged_in(ctx).await?;
    let (late, _, _) = logged_in(ctx).await?;
    let (early, late) = (early.refresh_token()?, late.refresh_token()?);
    let lifetime = issued::refresh_lifetime_at_login(ctx.config);
    ctx.advance(lifetime - 1)?;
    let answer = refresh_by_header(ctx, &early).await?;
    answer
        .expect(200, messages::REFRESHED)
        .map_err(|f| f.context("one second before exp"))?;
    ctx.advance(1)?;
    expect_refused(ctx, &refresh_by_header(ctx, &late).await?).map_err(|f| f.context("at exp"))
}

/// Checks a refresh answered in the grace window: a new access cookie, and the session's
/// current refresh token (`current`'s `jti`) again, living until that rotation's expiry
/// (`lifetime` seconds from now; over TCP the wall clock may have ticked since).
fn expect_recovered(
    ctx: &Ctx<'_>,
    answer: &Answer,
    sid: &str,
    current: &TokenView,
    lifetime: i64,
) -> Outcome {
    answer.expect(200, messages::REFRESHED)?;
    let line = answer
        .cookie(ctx.config.refresh_cookie())?
        .ok_or_else(|| crate::failure::Failure::new("no refresh cookie in the grace window"))?;
    let max_age = line
        .max_age()
        .ok_or_else(|| crate::failure::Failure::new("refresh cookie without Max-Age"))?;
    let slack = if ctx.controls().is_ok() { 0 } else { 2 };
    ensure!(
        (lifetime - slack..=lifetime).contains(&max_age),
        "the re-issued refresh cookie lives {max_age} s, not the current rotation's {lifetime} s"
    );
    let (_, reissued) = expect_refreshed(ctx, answer, sid, Some(max_age))?;
    let reissued = reissued.ok_or_else(|| crate::failure::Failure::new("no refresh token"))?;
    ensure_eq!(
        reissued.token_id()?,
        current.token_id()?,
        "`jti` of the refresh token re-issued in the grace window (the current rotation's)"
    );
    Ok(())
}

async fn retired_refresh_token_within_grace_gets_the_current_refresh_token(
    ctx: &Ctx<'_>,
) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    let sid = refresh.session_id()?;
    let retired = browser.refresh_token()?;
    let lifetime = issued::refresh_lifetime_at_login(ctx.config);
    let (_, current) = expect_refreshed(ctx, &browser.refresh().await?, sid, Some(lifetime))?;
    let current = current.ok_or_else(|| crate::failure::Failure::new("no rotated token"))?;
    let mut remaining = lifetime;
    if ctx.controls().is_ok() {
        let wait = ctx.config.refresh_grace().whole_seconds() - 1;
        ctx.advance(wait)?;
        remaining -= wait;
    }
    // A second tab that sent the old token a moment late: an access token, and the token the
    // first tab got, so both tabs hold the one current token.
    let answer = refresh_by_header(ctx, &retired).await?;
    expect_recovered(ctx, &answer, sid, &current, remaining)
        .map_err(|f| f.context("retired token in grace"))?;
    // The newest token is unaffected.
    let lifetime = match ctx.controls() {
        Ok(_) => lifetime.min(remaining_cap(ctx, &refresh)),
        Err(_) => lifetime,
    };
    expect_refreshed(ctx, &browser.refresh().await?, sid, Some(lifetime))
        .map_err(|f| f.context("newest token after the grace refresh"))?;
    Ok(())
}

async fn a_lost_refresh_answer_does_not_end_the_session(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    let sid = refresh.session_id()?;
    let held = browser.refresh_token()?;
    let lifetime = issued::refresh_lifetime_at_login(ctx.config);
    // The server rotates, and its answer never reaches the client.
    let lost = refresh_by_header(ctx, &held).await?;
    let (_, current) = expect_refreshed(ctx, &lost, sid, Some(lifetime))?;
    let current = current.ok_or_else(|| crate::failure::Failure::new("no rotated token"))?;
    // The client retries with the token it still holds, a few seconds later.
    let wait = 5.min(ctx.config.refresh_grace().whole_seconds() - 1);
    ctx.advance(wait)?;
    let retry = refresh_by_header(ctx, &held).await?;
    expect_recovered(ctx, &retry, sid, &current, lifetime - wait)
        .map_err(|f| f.context("the retry within the grace window"))?;
    let recovered = issued::cookie_value(&retry, CookieKind::Refresh, ctx.config)?;
    // Well past the grace window, the recovered token carries the session on.
    ctx.advance(ctx.config.refresh_grace().whole_seconds() + 1)?;
    let next = refresh_by_header(ctx, &recovered).await?;
    let capped = lifetime.min(remaining_cap(ctx, &refresh));
    expect_refreshed(ctx, &next, sid, Some(capped))
        .map_err(|f| f.context("the recovered token after the grace window"))?;
    // The token from before the lost answer is now two rotations old: presenting it is reuse.
    ctx.advance(ctx.config.refresh_grace().whole_seconds() + 1)?;
    expect_refused(ctx, &refresh_by_header(ctx, &held).await?)
        .map_err(|f| f.context("the original token replayed after the grace window"))?;
    let newest_token = issued::cookie_value(&next, CookieKind::Refresh, ctx.config)?;
    expect_refused(ctx, &refresh_by_header(ctx, &newest_token).await?)
        .map_err(|f| f.context("the newest token of the revoked session"))
}

/// Seconds from now to the session's `JWT_SESSION_MAX_AGE` deadline (`i64::MAX` without one),
/// given the refresh token issued at login.
fn remaining_cap(ctx: &Ctx<'_>, login_refresh: &TokenView) -> i64 {
    match ctx.config.session_max_age() {
        Some(max_age) => {
            login_refresh.claim_i64("iat").unwrap_or_default() + max_age.whole_seconds() - ctx.now()
        }
        None => i64::MAX,
    }
}

async fn retired_refresh_token_after_grace_revokes_the_session(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    let retired = browser.refresh_token()?;
    let lifetime = issued::refresh_lifetime_at_login(ctx.config);
    expect_refreshed(
        ctx,
        &browser.refresh().await?,
        refresh.session_id()?,
        Some(lifetime),
    )?;
    let newest = browser.refresh_token()?;
    let access = browser.access_token()?;
    ctx.advance(ctx.config.refresh_grace().whole_seconds() + 1)?;
    expect_refused(ctx, &refresh_by_header(ctx, &retired).await?)
        .map_err(|f| f.context("retired token after the grace window"))?;
    expect_refused(ctx, &refresh_by_header(ctx, &newest).await?)
        .map_err(|f| f.context("newest token of the revoked session"))?;
    // Access tokens stay valid until exp unless JWT_STRICT_LOGOUT checks the session.
    let header = (
        super::access::access_header(ctx),
        format!("Bearer {access}"),
    );
    let answer = super::access::get_with(ctx, "/whoami/", &[header]).await?;
    match ctx.config.strict_logout() {
        true => super::access::expect_invalid_token(&answer),
        false => ctx.expect_user(&answer, &ctx.user.name),
    }
}

async fn parallel_refreshes_rotate_exactly_once(ctx: &Ctx<'_>) -> Outcome {
    const TABS: usize = 6;
    let (browser, _, refresh) = logged_in(ctx).await?;
    let sid = refresh.session_id()?;
    let mut requests = Vec::with_capacity(TABS);
    for _ in 0..TABS {
        let request = ctx.post(ctx.config.refresh_path()).body(Bytes::new())?;
        requests.push(browser.with_cookies(request)?);
    }
    let answers = join_all(requests.into_iter().map(|request| ctx.send(request))).await;
    let mut refresh_ids = Vec::new();
    let mut rotated = None;
    for answer in answers {
        let answer = answer?;
        answer.expect(200, messages::REFRESHED)?;
        let access = issued::cookie_value(&answer, CookieKind::Access, ctx.config)?;
        ensure_eq!(
            TokenView::decode(&access)?.session_id()?,
            sid,
            "`sid` of a parallel refresh's access token"
        );
        if let Some(line) = answer.cookie(ctx.config.refresh_cookie())? {
            let token = line.value().to_owned();
            refresh_ids.push(TokenView::decode(&token)?.token_id()?.to_owned());
            rotated = Some(token);
        }
    }
    // With rotation, one request rotates and the others, in the grace window, get that same
    // token again: every tab ends up holding the one current token.
    let expected = if ctx.config.rotate_refresh() { TABS } else { 0 };
    ensure_eq!(
        refresh_ids.len(),
        expected,
        "refresh cookies issued by {TABS} simultaneous refreshes with one token"
    );
    refresh_ids.dedup();
    ensure!(
        refresh_ids.len() <= 1,
        "{TABS} simultaneous refreshes rotated more than once: {refresh_ids:?}"
    );
    ensure!(
        refresh_ids.first().map(String::as_str) != Some(refresh.token_id()?),
        "the simultaneous refreshes handed back the token they presented"
    );
    // The one rotated token carries the session on.
    if let Some(token) = rotated {
        let answer = refresh_by_header(ctx, &token).await?;
        answer
            .expect(200, messages::REFRESHED)
            .map_err(|f| f.context("the token the race produced"))?;
    }
    Ok(())
}

async fn refresh_for_a_deactivated_user_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, _) = logged_in(ctx).await?;
    ctx.controls()?.users.set_active(&ctx.user.name, false);
    expect_refused(ctx, &browser.refresh().await?)
}

async fn refresh_for_a_removed_user_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, _) = logged_in(ctx).await?;
    ctx.controls()?.users.remove_user(&ctx.user.name);
    expect_refused(ctx, &browser.refresh().await?)
}

async fn refresh_past_session_max_age_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let Some(max_age) = ctx.config.session_max_age() else {
        return Ok(());
    };
    let max_age = max_age.whole_seconds();
    let (browser, _, refresh) = logged_in(ctx).await?;
    let sid = refresh.session_id()?;
    ctx.advance(max_age - 3600)?;
    // Rotation cannot carry the session past its deadline: the new token lives an hour.
    let rotated = ctx.config.rotate_refresh().then_some(3600);
    expect_refreshed(ctx, &browser.refresh().await?, sid, rotated)?;
    let token = browser.refresh_token()?;
    ctx.advance(3600)?;
    expect_refused(ctx, &refresh_by_header(ctx, &token).await?)
        .map_err(|f| f.context("at JWT_SESSION_MAX_AGE"))
}

async fn refreshed_access_token_has_a_full_lifetime(ctx: &Ctx<'_>) -> Outcome {
    let (browser, _, refresh) = logged_in(ctx).await?;
    ctx.advance(issued::access_lifetime(ctx.config) / 2)?;
    let rotated = rotation(ctx.config).map(|lifetime| lifetime.min(remaining_cap(ctx, &refresh)));
    // expect_refreshed checks iat == now and exp - iat == JWT_ACCESS_DURATION.
    expect_refreshed(
        ctx,
        &browser.refresh().await?,
        refresh.session_id()?,
        rotated,
    )?;
    Ok(())
}
