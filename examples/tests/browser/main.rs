//! The demo app in a real browser: headless Chromium, driven through chromedriver, logs in on
//! the page served by each demo binary and checks what the cookies do there.
//!
//! [`sibling_origin`] does the same from a page on another origin of the same site, as a
//! single-page app calls its API.
//!
//! Needs Debian's `chromium` and `chromium-driver` packages; the README's test command
//! installs them. Without them every test here fails (it never skips).

mod sibling_origin;
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::support::{
    CHROMEDRIVER, CHROMIUM, INSTALL_HINT, ONE_BROWSER_AT_A_TIME, OTHER_HOST, Process, STEP_TIMEOUT,
    check, cookies_for, free_loopback_port, last_request, named, save_screenshot, sent_requests,
    start_browser, step,
};

/// The settings a demo runs with, and what the browser should see under them.
struct Settings {
    env: &'static [(&'static str, &'static str)],
    access_cookie: &'static str,
    refresh_cookie: &'static str,
    refresh_path: &'static str,
    cookie_secure: bool,
}

/// What a newcomer gets.
const DEFAULT_SETTINGS: Settings = Settings {
    env: &[],
    access_cookie: "Authorization",
    refresh_cookie: "RefreshAuthorization",
    refresh_path: "/jwt/refresh/",
    cookie_secure: true,
};

/// Every path and cookie name moved, so that nothing on the page can lean on a default.
const MOVED_SETTINGS: Settings = Settings {
    env: &[
        ("JWT_ACCESS_HEADER", "X-Access-Token"),
        ("JWT_LOGIN_PATH", "/auth/sign-in/"),
        ("JWT_REFRESH_PATH", "/auth/renew/"),
        ("JWT_LOGOUT_PATH", "/auth/sign-out/"),
        ("JWT_LOGOUT_ALL_PATH", "/auth/sign-out-everywhere/"),
    ],
    access_cookie: "X-Access-Token",
    refresh_cookie: "RefreshX-Access-Token",
    refresh_path: "/auth/renew/",
    cookie_secure: true,
};

/// The documented way to serve the demo over plain http to a host other than loopback.
const INSECURE_COOKIE_SETTINGS: Settings = Settings {
    env: &[("JWT_COOKIE_SECURE", "false")],
    cookie_secure: false,
    ..DEFAULT_SETTINGS
};

/// How long a whole browser session may take, start-up included.
pub(crate) const FLOW_TIMEOUT: Duration = Duration::from_secs(120);

#[tokio::test]
async fn browser_login_flow_axum() {
    let binary = option_env!("CARGO_BIN_EXE_axum");
    in_browser("axum", binary, &DEFAULT_SETTINGS, Flow::Newcomer).await;
}

#[tokio::test]
async fn browser_login_flow_actix() {
    let binary = option_env!("CARGO_BIN_EXE_actix");
    in_browser("actix", binary, &DEFAULT_SETTINGS, Flow::Newcomer).await;
}

#[tokio::test]
async fn browser_login_flow_rocket() {
    let binary = option_env!("CARGO_BIN_EXE_rocket");
    in_browser("rocket", binary, &DEFAULT_SETTINGS, Flow::Newcomer).await;
}

#[tokio::test]
async fn browser_login_flow_warp() {
    let binary = option_env!("CARGO_BIN_EXE_warp");
    in_browser("warp", binary, &DEFAULT_SETTINGS, Flow::Newcomer).await;
}

#[tokio::test]
async fn browser_login_flow_hyper() {
    let binary = option_env!("CARGO_BIN_EXE_hyper");
    in_browser("hyper", binary, &DEFAULT_SETTINGS, Flow::Newcomer).await;
}

/// The page reads the configured paths, not the defaults.
#[tokio::test]
async fn browser_login_flow_with_moved_paths_and_cookie_names_axum() {
    let binary = option_env!("CARGO_BIN_EXE_axum");
    in_browser("axum", binary, &MOVED_SETTINGS, Flow::Newcomer).await;
}

/// Over plain http to a host that is not loopback, Secure cookies cannot work, and the page
/// says what to do about it.
#[tokio::test]
async fn secure_cookies_fail_on_plain_http_elsewhere_and_the_page_says_why_axum() {
    let binary = option_env!("CARGO_BIN_EXE_axum");
    in_browser("axum", binary, &DEFAULT_SETTINGS, Flow::InsecureContext).await;
}

/// What the page advises there, `JWT_COOKIE_SECURE=false`, does work there.
#[tokio::test]
async fn browser_login_flow_on_plain_http_elsewhere_without_secure_cookies_axum() {
    let binary = option_env!("CARGO_BIN_EXE_axum");
    in_browser(
        "axum",
        binary,
        &INSECURE_COOKIE_SETTINGS,
        Flow::NewcomerElsewhere,
    )
    .await;
}

/// A failing user database gives a 503 that the page shows readably, and the next try works.
#[tokio::test]
async fn page_shows_a_503_when_the_user_database_is_locked_axum() {
    let binary = option_env!("CARGO_BIN_EXE_axum");
    in_browser("axum", binary, &DEFAULT_SETTINGS, Flow::UserDatabaseLocked).await;
}

/// What the browser does on the page, and where.
#[derive(Debug, Clone, Copy)]
enum Flow {
    /// [`login_flow`] on `http://127.0.0.1:PORT/`.
    Newcomer,
    /// [`login_flow`] on `http://OTHER_HOST:PORT/`, which the browser resolves to loopback but
    /// does not treat as a secure context.
    NewcomerElsewhere,
    /// [`insecure_context_flow`] on `http://OTHER_HOST:PORT/`.
    InsecureContext,
    /// [`unavailable_flow`] on `http://127.0.0.1:PORT/`.
    UserDatabaseLocked,
}

/// Starts the demo binary, a chromedriver and a browser session, runs the flow, and always
/// closes the browser before reporting.
async fn in_browser(framework: &str, binary: Option<&str>, settings: &Settings, flow: Flow) {
    let binary = binary.unwrap_or_else(|| {
        panic!("the {framework} demo binary (examples/src/bin/{framework}.rs) does not exist")
    });
    for needed in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(needed).exists(),
            "{needed} is missing. {INSTALL_HINT}"
        );
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let scratch = tempfile::tempdir().expect("a temporary directory");

    let db = scratch.path().join("users.sqlite");
    let demo_addr = free_loopback_port();
    let demo = Process::start_listening(
        Command::new(binary)
            .arg("--addr")
            .arg(demo_addr.to_string())
            .arg("--db")
            .arg(&db)
            // Only the settings under test: a developer's own JWT_* variables stay out.
            .env_clear()
            .env("JWT_SECRET", "a browser-test secret of at least 32 bytes")
            .env("JWT_DEMO_USERS", "alice:password1,bob:password2")
            .env("RUST_LOG", "info")
            .envs(settings.env.iter().copied()),
        demo_addr,
        &scratch.path().join("demo.log"),
    )
    .unwrap_or_else(|failure| panic!("{framework} demo: {failure}"));

    let (_driver, client) = start_browser(scratch.path()).await;
    let loopback = format!("http://{}", demo.addr);
    let elsewhere = format!("http://{OTHER_HOST}:{}", demo.addr.port());
    let run = async {
        match flow {
            Flow::Newcomer => login_flow(&client, &loopback, settings).await,
            Flow::NewcomerElsewhere => login_flow(&client, &elsewhere, settings).await,
            Flow::InsecureContext => insecure_context_flow(&client, &elsewhere, settings).await,
            Flow::UserDatabaseLocked => unavailable_flow(&client, &loopback, &db).await,
        }
    };
    let outcome = match tokio::time::timeout(FLOW_TIMEOUT, run).await {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("the flow took longer than {FLOW_TIMEOUT:?}")),
    };
    if let Err(failure) = &outcome {
        let screenshot = save_screenshot(&client, framework).await;
        let closed = client.close().await;
        panic!(
            "{framework}: {failure}\n(screenshot: {screenshot}; browser closed: {closed:?})\n\
             --- demo log ---\n{}",
            demo.log()
        );
    }
    client.close().await.expect("the browser session closes");
}

/// The newcomer's path through the page, checking at each step what the browser holds and
/// sends.
async fn login_flow(client: &Client, base: &str, settings: &Settings) -> Result<(), String> {
    let whoami_url = format!("{base}/whoami/");
    let refresh_url = format!("{base}{}", settings.refresh_path);
    let (access_cookie, refresh_cookie) = (settings.access_cookie, settings.refresh_cookie);

    step("open the page", client.goto(&format!("{base}/")).await)?;
    wait_for_state(client, "anonymous").await?;

    // A wrong password: the page shows the server's 400 message and stays logged out.
    log_in(client, "alice", "not her password").await?;
    wait_for_message(client, "Valid user credentials not provided.").await?;
    expect_state(client, "anonymous").await?;

    log_in(client, "alice", "password1").await?;
    wait_for_state(client, "authenticated").await?;
    wait_for_message(client, "Authentication successful.").await?;
    let user = text_of(client, "user").await?;
    check(user == "alice", format!("the page shows user {user:?}"))?;
    let expires_in = text_of(client, "expires-in").await?;
    check(
        expires_in.starts_with("in ") && expires_in.ends_with(" s"),
        format!("the access-token expiry reads {expires_in:?}"),
    )?;

    // HttpOnly: the page's script cannot see either token...
    let document_cookie = step(
        "read document.cookie",
        client.execute("return document.cookie;", vec![]).await,
    )?;
    let document_cookie = document_cookie.as_str().unwrap_or_default().to_owned();
    check(
        !document_cookie.contains(access_cookie) && !document_cookie.contains(refresh_cookie),
        format!("document.cookie shows the tokens: {document_cookie:?}"),
    )?;
    // ...although the browser holds both (on http://127.0.0.1, Secure ones included).
    let to_whoami = cookies_for(client, &whoami_url).await?;
    let to_refresh = cookies_for(client, &refresh_url).await?;
    let access = named(&to_whoami, access_cookie)
        .ok_or_else(|| format!("no {access_cookie} cookie for /whoami/: {to_whoami:?}"))?;
    let refresh = named(&to_refresh, refresh_cookie)
        .ok_or_else(|| format!("no {refresh_cookie} cookie for {refresh_url}: {to_refresh:?}"))?;
    for (cookie, path) in [(access, "/"), (refresh, settings.refresh_path)] {
        check(
            cookie["httpOnly"] == true
                && cookie["secure"] == settings.cookie_secure
                && cookie["sameSite"] == "Strict"
                && cookie["path"] == path,
            format!("cookie attributes: {cookie}"),
        )?;
    }

    // The refresh cookie goes to the refresh path only: the browser's cookie jar says so...
    check(
        named(&to_whoami, refresh_cookie).is_none(),
        format!("the refresh cookie would be sent to /whoami/: {to_whoami:?}"),
    )?;
    // ...and so do the requests it actually sent.
    let sent = sent_requests(client).await?;
    let whoami_sent = last_request(&sent, "GET", &whoami_url)?;
    check(
        whoami_sent.cookies.contains(&access_cookie.to_owned())
            && !whoami_sent.cookies.contains(&refresh_cookie.to_owned()),
        format!("GET /whoami/ carried the cookies {:?}", whoami_sent.cookies),
    )?;

    // Refresh: a new access token and a rotated refresh token.
    let old_refresh_value = refresh["value"].clone();
    click(client, "refresh-button").await?;
    wait_for_message(client, "Access token refreshed.").await?;
    expect_state(client, "authenticated").await?;
    let sent = sent_requests(client).await?;
    let refresh_sent = last_request(&sent, "POST", &refresh_url)?;
    check(
        refresh_sent.cookies.contains(&refresh_cookie.to_owned()),
        format!(
            "POST {refresh_url} carried the cookies {:?}",
            refresh_sent.cookies
        ),
    )?;
    let whoami_sent = last_request(&sent, "GET", &whoami_url)?;
    check(
        !whoami_sent.cookies.contains(&refresh_cookie.to_owned()),
        format!("GET /whoami/ carried the cookies {:?}", whoami_sent.cookies),
    )?;
    let to_refresh = cookies_for(client, &refresh_url).await?;
    let rotated = named(&to_refresh, refresh_cookie)
        .ok_or_else(|| format!("the refresh cookie is gone after refresh: {to_refresh:?}"))?;
    check(
        rotated["value"] != old_refresh_value,
        "the refresh token was not rotated".to_owned(),
    )?;

    // Logout ends the session and deletes both cookies.
    click(client, "logout-button").await?;
    wait_for_message(client, "Session ended.").await?;
    expect_state(client, "anonymous").await?;
    let left = cookies_for(client, &refresh_url).await?;
    check(
        left.iter()
            .all(|cookie| cookie["name"] != access_cookie && cookie["name"] != refresh_cookie),
        format!("cookies left after logout: {left:?}"),
    )?;

    // A reload stays logged out.
    step("reload the page", client.refresh().await)?;
    wait_for_state(client, "anonymous").await?;
    let user = text_of(client, "user").await?;
    check(
        user.is_empty(),
        format!("after reload the page shows {user:?}"),
    )?;
    let sent = sent_requests(client).await?;
    let whoami_sent = last_request(&sent, "GET", &whoami_url)?;
    check(
        whoami_sent.cookies.is_empty(),
        format!(
            "after logout GET /whoami/ carried {:?}",
            whoami_sent.cookies
        ),
    )?;

    // Another user, and logout everywhere.
    log_in(client, "bob", "password2").await?;
    wait_for_state(client, "authenticated").await?;
    let user = text_of(client, "user").await?;
    check(user == "bob", format!("the page shows user {user:?}"))?;
    click(client, "logout-all-button").await?;
    wait_for_message(client, "All sessions ended.").await?;
    expect_state(client, "anonymous").await?;
    Ok(())
}

/// Login on a page that is not a secure context, with Secure cookies: the page warns before
/// anything is tried, the login does not succeed, and the browser holds no token.
async fn insecure_context_flow(
    client: &Client,
    base: &str,
    settings: &Settings,
) -> Result<(), String> {
    step("open the page", client.goto(&format!("{base}/")).await)?;
    wait_for_state(client, "anonymous").await?;
    let warning = step(
        "find the insecure-context warning",
        client.find(Locator::Id("insecure-context")).await,
    )?;
    let shown = step("see the warning", warning.is_displayed().await)?;
    check(shown, format!("no insecure-context warning on {base}"))?;
    log_in(client, "alice", "password1").await?;
    // The login itself passes (its Origin names the Host), but the browser drops the Secure
    // cookies it sets, so the next request is anonymous and the page says so.
    wait_for_message(client, "Not logged in (401)").await?;
    expect_state(client, "anonymous").await?;
    let held = cookies_for(client, &format!("{base}{}", settings.refresh_path)).await?;
    check(
        held.is_empty(),
        format!("the browser holds cookies on {base}: {held:?}"),
    )
}

/// Login while another connection holds the user database locked: the demo's look-up gives
/// up after its busy timeout and the login answers 503, which the page shows with the
/// server's message and its Retry-After; once the lock is gone, the same login works.
async fn unavailable_flow(client: &Client, base: &str, db: &Path) -> Result<(), String> {
    step("open the page", client.goto(&format!("{base}/")).await)?;
    wait_for_state(client, "anonymous").await?;
    let lock = step("open the user database", rusqlite::Connection::open(db))?;
    // EXCLUSIVE keeps readers out too (rollback-journal mode, the demo's).
    step(
        "lock the user database",
        lock.execute_batch("BEGIN EXCLUSIVE"),
    )?;
    log_in(client, "alice", "password1").await?;
    let refused = wait_for_message(
        client,
        "Temporarily unavailable (503): Authentication service unavailable.",
    )
    .await;
    step("unlock the user database", lock.execute_batch("ROLLBACK"))?;
    refused?;
    wait_for_message(client, "Try again in").await?;
    expect_state(client, "anonymous").await?;
    log_in(client, "alice", "password1").await?;
    wait_for_state(client, "authenticated").await?;
    wait_for_message(client, "Authentication successful.").await
}

// ----- The page -------------------------------------------------------------------------

async fn log_in(client: &Client, username: &str, password: &str) -> Result<(), String> {
    for (id, value) in [("username", username), ("password", password)] {
        let field = step(&format!("find #{id}"), client.find(Locator::Id(id)).await)?;
        step(&format!("clear #{id}"), field.clear().await)?;
        step(&format!("type into #{id}"), field.send_keys(value).await)?;
    }
    click(client, "login-button").await
}

async fn click(client: &Client, id: &str) -> Result<(), String> {
    let button = step(&format!("find #{id}"), client.find(Locator::Id(id)).await)?;
    step(&format!("click #{id}"), button.click().await)
}

async fn text_of(client: &Client, id: &str) -> Result<String, String> {
    let element = step(&format!("find #{id}"), client.find(Locator::Id(id)).await)?;
    let text = step(&format!("read #{id}"), element.prop("textContent").await)?;
    Ok(text.unwrap_or_default())
}

/// Waits until the page has settled in `state` (`anonymous` or `authenticated`).
async fn wait_for_state(client: &Client, state: &str) -> Result<(), String> {
    let selector = format!("body[data-state='{state}']");
    let found = client
        .wait()
        .at_most(STEP_TIMEOUT)
        .for_element(Locator::Css(&selector))
        .await;
    match found {
        Ok(_) => Ok(()),
        Err(error) => {
            let message = text_of(client, "message").await.unwrap_or_default();
            Err(format!(
                "the page never reached state {state:?} ({error}); it says {message:?}"
            ))
        }
    }
}

async fn expect_state(client: &Client, state: &str) -> Result<(), String> {
    let current = step(
        "read the page state",
        client
            .execute("return document.body.dataset.state;", vec![])
            .await,
    )?;
    check(
        current == state,
        format!("the page is in state {current}, not {state:?}"),
    )
}

/// Waits until the page's message line contains `expected` (the server's JSON message).
async fn wait_for_message(client: &Client, expected: &str) -> Result<(), String> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let message = text_of(client, "message").await?;
        if message.contains(expected) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the page says {message:?}, not {expected:?}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
