//! Hostile and broken input: never a 5xx, always a JSON answer, nothing echoed back.

use bytes::Bytes;
use http::HeaderValue;
use http::header::{CONTENT_TYPE, COOKIE};

use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::Ctx;
use crate::failure::{Failure, Outcome, ensure};
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(garbage_cookies_never_cause_a_server_error, Anywhere),
        scenario!(garbage_access_headers_never_cause_a_server_error, Anywhere),
        scenario!(garbage_refresh_headers_never_cause_a_server_error, Anywhere),
        scenario!(non_utf8_login_body_is_400, Anywhere),
        scenario!(answers_never_echo_tokens_or_passwords, Anywhere),
        scenario!(every_answer_is_json, Anywhere),
        scenario!(library_answers_are_not_cacheable, Anywhere),
    ]
}

/// Sends `method path` with one header field holding raw bytes.
async fn send_raw(
    ctx: &Ctx<'_>,
    method: http::Method,
    path: &str,
    name: &str,
    value: &[u8],
) -> Outcome<Answer> {
    let value = HeaderValue::from_bytes(value)
        .map_err(|_| Failure::new(format!("suite error: {value:?} is not a header value")))?;
    let request = ctx
        .request(method, path)
        .header(name, value)
        .body(Bytes::new())?;
    ctx.send(request).await
}

fn expect_status(answer: &Answer, status: u16, input: &[u8]) -> Outcome {
    answer
        .expect_status(status)
        .map(|_| ())
        .map_err(|f| f.context(format!("input {:?}", String::from_utf8_lossy(input))))
}

fn garbage_values(name: &str) -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = [
        String::new(),
        ";;;".to_owned(),
        "=".to_owned(),
        "=x".to_owned(),
        name.to_owned(),
        format!("{name}="),
        format!("{name}=\""),
        format!("{name}=\"\""),
        format!("{name}=Bearer"),
        format!("{name}=\"Bearer \""),
        format!("{name}=a.b.c"),
        format!("{name}=%00%ff"),
        format!("{name}=...."),
        format!("{name}=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9."),
        format!("{name}={}", "A".repeat(20_000)),
        format!(
            "{name}={}.{}.{}",
            "e".repeat(3000),
            "e".repeat(3000),
            "e".repeat(3000)
        ),
        format!("{name}=x; {name}=y; {name}=z"),
        "a=b; ; c; =; d=e=f".to_owned(),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    let mut latin1 = format!("{name}=").into_bytes();
    latin1.extend_from_slice(b"\xff\xfe\xe9t\xe9");
    values.push(latin1);
    values
}

async fn garbage_cookies_never_cause_a_server_error(ctx: &Ctx<'_>) -> Outcome {
    let config = ctx.config;
    for value in garbage_values(config.access_cookie()) {
        let answer = send_raw(ctx, http::Method::GET, "/whoami/", "cookie", &value).await?;
        expect_status(&answer, 401, &value)?;
        let answer = send_raw(
            ctx,
            http::Method::POST,
            config.logout_path(),
            "cookie",
            &value,
        )
        .await?;
        expect_status(&answer, 401, &value)?;
    }
    for value in garbage_values(config.refresh_cookie()) {
        let answer = send_raw(
            ctx,
            http::Method::POST,
            config.refresh_path(),
            "cookie",
            &value,
        )
        .await?;
        expect_status(&answer, 403, &value)?;
    }
    Ok(())
}

async fn garbage_access_headers_never_cause_a_server_error(ctx: &Ctx<'_>) -> Outcome {
    let header = ctx.config.access_header().as_str();
    let mut values: Vec<Vec<u8>> = [
        " ",
        "Bearer",
        "Bearer  ",
        "Bearer \"\"",
        "Bearer a.b.c",
        "Bearer ....",
        "Bearer x y",
        "Bearer\tabc",
        "Basic",
        "Token abc",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.",
    ]
    .iter()
    .map(|value| value.as_bytes().to_vec())
    .collect();
    values.push(format!("Bearer {}", "A".repeat(20_000)).into_bytes());
    values.push(b"Bearer \xff\xfe.\xe9.x".to_vec());
    for value in values {
        let answer = send_raw(ctx, http::Method::GET, "/whoami/", header, &value).await?;
        expect_status(&answer, 401, &value)?;
        let challenge = answer.header_values("www-authenticate");
        ensure!(
            challenge.len() == 1 && challenge[0].starts_with("Bearer"),
            "{}: 401 with WWW-Authenticate {challenge:?}",
            answer.request
        );
        let logout = ctx.config.logout_path();
        let answer = send_raw(ctx, http::Method::POST, logout, header, &value).await?;
        expect_status(&answer, 401, &value)?;
    }
    Ok(())
}

async fn garbage_refresh_headers_never_cause_a_server_error(ctx: &Ctx<'_>) -> Outcome {
    let header = ctx.config.refresh_header().as_str();
    let mut values: Vec<Vec<u8>> = ["x", "Bearer a.b.c", "a.b.c", "....", "\"\""]
        .iter()
        .map(|value| value.as_bytes().to_vec())
        .collect();
    values.push("A".repeat(20_000).into_bytes());
    values.push(b"\xff\xfe.\xe9.x".to_vec());
    let refresh = ctx.config.refresh_path();
    for value in values {
        let answer = send_raw(ctx, http::Method::POST, refresh, header, &value).await?;
        expect_status(&answer, 403, &value)?;
    }
    Ok(())
}

async fn non_utf8_login_body_is_400(ctx: &Ctx<'_>) -> Outcome {
    for (content_type, body) in [
        (
            "application/json",
            &b"{\"username\": \"\xff\xfe\", \"password\": \"x\"}"[..],
        ),
        (
            "application/x-www-form-urlencoded",
            &b"username=\xff\xfe&password=x"[..],
        ),
    ] {
        let request = ctx
            .post(ctx.config.login_path())
            .header(CONTENT_TYPE, content_type)
            .body(Bytes::from_static(body))?;
        ctx.send(request)
            .await?
            .expect(400, messages::BAD_CREDENTIALS)
            .map_err(|f| f.context(content_type))?;
    }
    Ok(())
}

async fn answers_never_echo_tokens_or_passwords(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    let login = browser.login().await?;
    ensure!(
        !login.body_text().contains(&ctx.user.password),
        "the login answer contains the password"
    );
    let (access, refresh) = (browser.access_token()?, browser.refresh_token()?);
    let marker = "eyJtarker.eyJzZWNyZXQtbWFya2Vy.c2lnbmF0dXJlLW1hcmtlcg";
    let answers = [
        browser.refresh().await?,
        send_raw(
            ctx,
            http::Method::GET,
            "/whoami/",
            ctx.config.access_header().as_str(),
            format!("Bearer {marker}").as_bytes(),
        )
        .await?,
        send_raw(
            ctx,
            http::Method::GET,
            "/whoami/",
            "cookie",
            format!("{}={marker}", ctx.config.access_cookie()).as_bytes(),
        )
        .await?,
        send_raw(
            ctx,
            http::Method::POST,
            ctx.config.refresh_path(),
            "cookie",
            format!("{}={marker}", ctx.config.refresh_cookie()).as_bytes(),
        )
        .await?,
        browser.whoami().await?,
    ];
    for answer in answers {
        let body = answer.body_text();
        for secret in [
            marker,
            "c2VjcmV0LW1hcmtlcg",
            access.as_str(),
            refresh.as_str(),
        ] {
            ensure!(
                !body.contains(secret),
                "{}: the body echoes a token: {body}",
                answer.request
            );
        }
    }
    Ok(())
}

async fn every_answer_is_json(ctx: &Ctx<'_>) -> Outcome {
    // Every answer is checked for a JSON object body and `Content-Type: application/json` as
    // it arrives; this scenario makes sure each status of docs/PROTOCOL.md is among them.
    let config = ctx.config;
    let browser = ctx.browser();
    let mut seen = vec![browser.login().await?.status()];
    seen.push(browser.whoami().await?.status());
    seen.push(browser.refresh().await?.status());
    let post = |body: &'static [u8], content_type: &'static str| {
        ctx.post(config.login_path())
            .header(CONTENT_TYPE, content_type)
            .body(Bytes::from_static(body))
    };
    seen.push(ctx.send(post(b"{}", "application/json")?).await?.status());
    seen.push(ctx.send(post(b"{}", "text/plain")?).await?.status());
    let huge = Bytes::from(vec![b' '; 70 * 1024]);
    let request = ctx
        .post(config.login_path())
        .header(CONTENT_TYPE, "application/json")
        .body(huge)?;
    seen.push(ctx.send(request).await?.status());
    seen.push(
        ctx.send(ctx.get(config.login_path()).body(Bytes::new())?)
            .await?
            .status(),
    );
    seen.push(
        ctx.send(ctx.get("/whoami/").body(Bytes::new())?)
            .await?
            .status(),
    );
    let request = ctx
        .post(config.refresh_path())
        .header(COOKIE, format!("{}=x", config.refresh_cookie()))
        .body(Bytes::new())?;
    seen.push(ctx.send(request).await?.status());
    seen.push(browser.logout().await?.status());
    seen.push(ctx.browser().logout().await?.status());
    for status in [200, 400, 401, 403, 405, 413, 415] {
        ensure!(
            seen.contains(&status),
            "suite error: no {status} among the statuses seen {seen:?}"
        );
    }
    Ok(())
}

async fn library_answers_are_not_cacheable(ctx: &Ctx<'_>) -> Outcome {
    let config = ctx.config;
    let browser = ctx.browser();
    let mut answers = vec![browser.login().await?, browser.refresh().await?];
    let request = ctx
        .post(config.login_path())
        .header(CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(b"{}"))?;
    answers.push(ctx.send(request).await?);
    answers.push(ctx.send(ctx.get("/whoami/").body(Bytes::new())?).await?);
    answers.push(
        ctx.send(ctx.post(config.refresh_path()).body(Bytes::new())?)
            .await?,
    );
    answers.push(
        ctx.send(ctx.get(config.logout_all_path()).body(Bytes::new())?)
            .await?,
    );
    answers.push(browser.logout().await?);
    for answer in answers {
        answer.expect_header("cache-control", "no-store")?;
    }
    Ok(())
}
