//! Login throttling: failed logins counted per (username, client) and per client, `429` with
//! `Retry-After` past a limit, the password unchecked while throttled, and no lock-out of a
//! user by strangers elsewhere.

use jwt_core::{JwtConfig, PeerAddr};

use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::{Account, Ctx, login_json};
use crate::failure::{Failure, Outcome, ensure, ensure_eq};
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(
            failures_past_the_limit_throttle_even_the_right_password,
            InProcess,
            limits_pairs
        ),
        scenario!(
            a_throttled_pair_leaves_other_users_of_the_client_alone,
            InProcess,
            limits_pairs
        ),
        scenario!(
            after_the_window_a_throttled_user_logs_in,
            InProcess,
            limits_pairs
        ),
        scenario!(a_success_clears_the_pairs_count, InProcess, limits_pairs),
        scenario!(
            failures_across_usernames_throttle_the_client,
            InProcess,
            limits_clients
        ),
        scenario!(
            forwarded_clients_are_counted_apart_behind_a_trusted_proxy,
            InProcess,
            behind_trusted_proxies
        ),
        scenario!(
            forwarded_for_changes_nothing_without_trusted_proxies,
            InProcess,
            limits_pairs_directly
        ),
        scenario!(
            without_a_pair_limit_failures_never_throttle,
            InProcess,
            no_pair_limit
        ),
    ]
}

fn limits_pairs(config: &JwtConfig) -> bool {
    config.login_max_failures().is_some()
}

fn limits_clients(config: &JwtConfig) -> bool {
    config.login_max_failures_per_client().is_some()
}

fn behind_trusted_proxies(config: &JwtConfig) -> bool {
    limits_pairs(config) && !config.trusted_proxies().is_empty()
}

fn limits_pairs_directly(config: &JwtConfig) -> bool {
    limits_pairs(config) && config.trusted_proxies().is_empty()
}

fn no_pair_limit(config: &JwtConfig) -> bool {
    !limits_pairs(config)
}

/// A login as `account` from the suite's client, with the given extra headers.
async fn login(ctx: &Ctx<'_>, account: &Account, headers: &[(&str, &str)]) -> Outcome<Answer> {
    let mut request = ctx
        .post(ctx.config.login_path())
        .header(http::header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    ctx.send(request.body(login_json(account))?).await
}

fn wrong_password(account: &Account) -> Account {
    Account {
        name: account.name.clone(),
        password: format!("not {}", account.password),
    }
}

/// `count` failed logins as `account`, each answered `400`.
async fn fail(ctx: &Ctx<'_>, account: &Account, count: u32, headers: &[(&str, &str)]) -> Outcome {
    let wrong = wrong_password(account);
    for attempt in 1..=count {
        login(ctx, &wrong, headers)
            .await?
            .expect(400, messages::BAD_CREDENTIALS)
            .map_err(|f| f.context(format!("failed login {attempt} of {count}")))?;
    }
    Ok(())
}

/// Fails unless `answer` is the throttle's `429` with `Retry-After: retry_after`.
fn expect_throttled(answer: &Answer, retry_after: i64) -> Outcome {
    answer
        .expect(429, messages::TOO_MANY_LOGIN_ATTEMPTS)?
        .expect_no_cookies()?;
    ensure_eq!(
        answer.header_values("retry-after"),
        vec![retry_after.to_string()],
        "Retry-After of the throttled login"
    );
    ensure_eq!(
        answer.header_values("cache-control"),
        vec!["no-store".to_owned()],
        "Cache-Control of the throttled login"
    );
    Ok(())
}

fn pair_limit(ctx: &Ctx<'_>) -> Outcome<u32> {
    ctx.config
        .login_max_failures()
        .ok_or_else(|| Failure::new("suite error: no pair limit"))
}

fn window(ctx: &Ctx<'_>) -> i64 {
    ctx.config.login_throttle_window().whole_seconds()
}

async fn failures_past_the_limit_throttle_even_the_right_password(ctx: &Ctx<'_>) -> Outcome {
    let limit = pair_limit(ctx)?;
    fail(ctx, ctx.user, limit, &[]).await?;
    // The password is not even checked: the right one gets the same 429 as a wrong one.
    expect_throttled(&login(ctx, ctx.user, &[]).await?, window(ctx))?;
    ctx.advance(10)?;
    expect_throttled(
        &login(ctx, &wrong_password(ctx.user), &[]).await?,
        window(ctx) - 10,
    )
}

async fn a_throttled_pair_leaves_other_users_of_the_client_alone(ctx: &Ctx<'_>) -> Outcome {
    let limit = pair_limit(ctx)?;
    fail(ctx, ctx.user, limit, &[]).await?;
    expect_throttled(&login(ctx, ctx.user, &[]).await?, window(ctx))?;
    let bob = ctx.controls()?.second_user;
    login(ctx, bob, &[])
        .await?
        .expect(200, messages::LOGGED_IN)
        .map_err(|f| f.context("another user from the same client"))?;
    Ok(())
}

async fn after_the_window_a_throttled_user_logs_in(ctx: &Ctx<'_>) -> Outcome {
    let limit = pair_limit(ctx)?;
    fail(ctx, ctx.user, limit, &[]).await?;
    ctx.advance(window(ctx) - 1)?;
    expect_throttled(&login(ctx, ctx.user, &[]).await?, 1)?;
    ctx.advance(1)?;
    login(ctx, ctx.user, &[])
        .await?
        .expect(200, messages::LOGGED_IN)
        .map_err(|f| f.context("once the window has passed"))?;
    Ok(())
}

async fn a_success_clears_the_pairs_count(ctx: &Ctx<'_>) -> Outcome {
    let limit = pair_limit(ctx)?;
    fail(ctx, ctx.user, limit - 1, &[]).await?;
    login(ctx, ctx.user, &[])
        .await?
        .expect(200, messages::LOGGED_IN)?;
    // Counting starts over: as many failures again are still not enough to be throttled.
    fail(ctx, ctx.user, limit - 1, &[]).await?;
    login(ctx, ctx.user, &[])
        .await?
        .expect(200, messages::LOGGED_IN)
        .map_err(|f| f.context("after a success and fewer failures than the limit"))?;
    Ok(())
}

async fn failures_across_usernames_throttle_the_client(ctx: &Ctx<'_>) -> Outcome {
    let limit = ctx
        .config
        .login_max_failures_per_client()
        .ok_or_else(|| Failure::new("suite error: no client limit"))?;
    // One failure each for many made-up usernames: no pair comes near its limit.
    for n in 0..limit {
        let stranger = Account {
            name: format!("sprayed-user-{n}"),
            password: "Summer2026!".to_owned(),
        };
        login(ctx, &stranger, &[])
            .await?
            .expect(400, messages::BAD_CREDENTIALS)
            .map_err(|f| f.context(format!("sprayed login {n}")))?;
    }
    let bob = ctx.controls()?.second_user;
    expect_throttled(&login(ctx, bob, &[]).await?, window(ctx))
        .map_err(|f| f.context("any username from the spraying client"))
}

async fn forwarded_clients_are_counted_apart_behind_a_trusted_proxy(ctx: &Ctx<'_>) -> Outcome {
    let limit = pair_limit(ctx)?;
    let first = [("x-forwarded-for", "198.51.100.7")];
    let second = [("x-forwarded-for", "198.51.100.8")];
    fail(ctx, ctx.user, limit, &first).await?;
    expect_throttled(&login(ctx, ctx.user, &first).await?, window(ctx))?;
    login(ctx, ctx.user, &second)
        .await?
        .expect(200, messages::LOGGED_IN)
        .map_err(|f| f.context("another client behind the same trusted proxy"))?;
    // `Forwarded` names the client too, and wins over X-Forwarded-For.
    let forwarded = [
        ("forwarded", "for=198.51.100.7"),
        ("x-forwarded-for", "198.51.100.9"),
    ];
    expect_throttled(&login(ctx, ctx.user, &forwarded).await?, window(ctx))
        .map_err(|f| f.context("the first client, named by Forwarded"))
}

async fn forwarded_for_changes_nothing_without_trusted_proxies(ctx: &Ctx<'_>) -> Outcome {
    let limit = pair_limit(ctx)?;
    fail(ctx, ctx.user, limit, &[("x-forwarded-for", "198.51.100.7")]).await?;
    for claimed in ["198.51.100.8", "203.0.113.1, 198.51.100.9"] {
        expect_throttled(
            &login(ctx, ctx.user, &[("x-forwarded-for", claimed)]).await?,
            window(ctx),
        )
        .map_err(|f| f.context(format!("X-Forwarded-For: {claimed}")))?;
    }
    // Another peer is another client.
    let elsewhere = ctx
        .post(ctx.config.login_path())
        .header(http::header::CONTENT_TYPE, "application/json")
        .extension(PeerAddr(([192, 0, 2, 44], 40_000).into()))
        .body(login_json(ctx.user))?;
    ctx.send(elsewhere)
        .await?
        .expect(200, messages::LOGGED_IN)
        .map_err(|f| f.context("the same user from another address"))?;
    Ok(())
}

async fn without_a_pair_limit_failures_never_throttle(ctx: &Ctx<'_>) -> Outcome {
    let failures = ctx
        .config
        .login_max_failures_per_client()
        .map_or(20, |limit| limit.saturating_sub(1).min(20));
    fail(ctx, ctx.user, failures, &[]).await?;
    let answer = login(ctx, ctx.user, &[]).await?;
    ensure!(
        answer.status() == 200,
        "with JWT_LOGIN_MAX_FAILURES=0, {failures} failures throttled the user: {}",
        answer.status()
    );
    Ok(())
}
