//! `POST JWT_LOGIN_PATH`: the three body formats, and every refusal of docs/PROTOCOL.md.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use serde_json::json;

use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::{Account, Ctx, login_json};
use crate::failure::{Failure, Outcome, ensure};
use crate::issued;
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(login_with_json_sets_both_cookies, Anywhere),
        scenario!(login_accepts_json_with_charset, Anywhere),
        scenario!(login_accepts_form_urlencoded, Anywhere),
        scenario!(login_accepts_multipart_form_data, Anywhere),
        scenario!(login_rejects_wrong_password, Anywhere),
        scenario!(login_rejects_unknown_user, Anywhere),
        scenario!(login_rejects_inactive_user, InProcess),
        scenario!(login_rejects_missing_fields, Anywhere),
        scenario!(login_rejects_malformed_json, Anywhere),
        scenario!(login_rejects_json_that_is_not_an_object, Anywhere),
        scenario!(login_rejects_non_string_fields, Anywhere),
        scenario!(login_rejects_empty_body, Anywhere),
        scenario!(login_rejects_repeated_json_field, Anywhere),
        scenario!(login_rejects_form_with_missing_field, Anywhere),
        scenario!(login_rejects_multipart_with_missing_field, Anywhere),
        scenario!(login_rejects_malformed_multipart, Anywhere),
        scenario!(login_rejects_unsupported_media_type_with_415, Anywhere),
        scenario!(login_without_content_type_is_415, Anywhere),
        scenario!(login_rejects_body_over_64_kib_with_413, Anywhere),
        scenario!(login_accepts_body_of_exactly_64_kib, Anywhere),
        scenario!(login_requires_credentials_even_when_logged_in, Anywhere),
        scenario!(each_login_starts_a_new_session, Anywhere),
    ]
}

const LIMIT: usize = 64 * 1024;
const BOUNDARY: &str = "conformance-boundary-7MA4YWxkTrZu0gW";

/// Posts `body` with `content_type` (none when `None`) to the login path.
async fn post_login(
    ctx: &Ctx<'_>,
    content_type: Option<&str>,
    body: impl Into<Bytes>,
) -> Outcome<Answer> {
    let mut request = ctx.post(ctx.config.login_path());
    if let Some(content_type) = content_type {
        request = request.header(CONTENT_TYPE, content_type);
    }
    ctx.send(request.body(body.into())?).await
}

/// Fails unless the answer is a successful login for the scenario's user.
fn expect_logged_in(ctx: &Ctx<'_>, answer: &Answer) -> Outcome {
    answer.expect(200, messages::LOGGED_IN)?;
    issued::login_cookies(ctx, answer, &ctx.user.name)?;
    Ok(())
}

/// Fails unless the answer is docs/PROTOCOL.md's 400, with no cookie set.
fn expect_bad_credentials(answer: &Answer) -> Outcome {
    answer
        .expect(400, messages::BAD_CREDENTIALS)?
        .expect_no_cookies()?;
    Ok(())
}

fn form(pairs: &[(&str, &str)]) -> Outcome<String> {
    serde_urlencoded::to_string(pairs)
        .map_err(|error| Failure::new(format!("suite error: form encoding: {error}")))
}

fn multipart(fields: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A JSON login body for `account` padded with an ignored field to exactly `size` bytes.
fn padded_json(account: &Account, size: usize) -> Outcome<String> {
    let bare = json!({ "username": account.name, "password": account.password, "padding": "" })
        .to_string();
    ensure!(
        bare.len() <= size,
        "suite error: credentials longer than {size} bytes"
    );
    let padding = "x".repeat(size - bare.len());
    let body =
        json!({ "username": account.name, "password": account.password, "padding": padding })
            .to_string();
    ensure!(
        body.len() == size,
        "suite error: padded body is {} bytes",
        body.len()
    );
    Ok(body)
}

async fn login_with_json_sets_both_cookies(ctx: &Ctx<'_>) -> Outcome {
    let answer = post_login(ctx, Some("application/json"), login_json(ctx.user)).await?;
    expect_logged_in(ctx, &answer)
}

async fn login_accepts_json_with_charset(ctx: &Ctx<'_>) -> Outcome {
    for content_type in [
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
    ] {
        let answer = post_login(ctx, Some(content_type), login_json(ctx.user)).await?;
        expect_logged_in(ctx, &answer).map_err(|f| f.context(content_type))?;
    }
    Ok(())
}

async fn login_accepts_form_urlencoded(ctx: &Ctx<'_>) -> Outcome {
    let body = form(&[
        ("username", &ctx.user.name),
        ("password", &ctx.user.password),
    ])?;
    let answer = post_login(ctx, Some("application/x-www-form-urlencoded"), body).await?;
    expect_logged_in(ctx, &answer)
}

async fn login_accepts_multipart_form_data(ctx: &Ctx<'_>) -> Outcome {
    let body = multipart(&[
        ("username", &ctx.user.name),
        ("password", &ctx.user.password),
    ]);
    let answer = post_login(ctx, Some(&multipart_type()), body).await?;
    expect_logged_in(ctx, &answer)
}

async fn login_rejects_wrong_password(ctx: &Ctx<'_>) -> Outcome {
    let wrong = Account {
        name: ctx.user.name.clone(),
        password: format!("{}-wrong", ctx.user.password),
    };
    expect_bad_credentials(&post_login(ctx, Some("application/json"), login_json(&wrong)).await?)
}

async fn login_rejects_unknown_user(ctx: &Ctx<'_>) -> Outcome {
    let unknown = Account {
        name: "nobody-of-this-name".to_owned(),
        password: ctx.user.password.clone(),
    };
    expect_bad_credentials(&post_login(ctx, Some("application/json"), login_json(&unknown)).await?)
}

async fn login_rejects_inactive_user(ctx: &Ctx<'_>) -> Outcome {
    let users = ctx.controls()?.users;
    ensure!(
        users.set_active(&ctx.user.name, false),
        "suite error: no such user"
    );
    expect_bad_credentials(
        &post_login(ctx, Some("application/json"), login_json(ctx.user)).await?,
    )?;
    // Reactivated, the same credentials work: the refusal was about the flag alone.
    users.set_active(&ctx.user.name, true);
    expect_logged_in(
        ctx,
        &post_login(ctx, Some("application/json"), login_json(ctx.user)).await?,
    )
}

async fn login_rejects_missing_fields(ctx: &Ctx<'_>) -> Outcome {
    let (name, password) = (&ctx.user.name, &ctx.user.password);
    for body in [
        json!({ "username": name }),
        json!({ "password": password }),
        json!({}),
        json!({ "user": name, "pass": password }),
    ] {
        let answer = post_login(ctx, Some("application/json"), body.to_string()).await?;
        expect_bad_credentials(&answer).map_err(|f| f.context(&body))?;
    }
    Ok(())
}

async fn login_rejects_malformed_json(ctx: &Ctx<'_>) -> Outcome {
    let (name, password) = (&ctx.user.name, &ctx.user.password);
    for body in [
        format!(r#"{{"username": "{name}", "password": "{password}""#),
        format!(r#"{{'username': '{name}', 'password': '{password}'}}"#),
        format!(r#"{{"username": "{name}", "password": "{password}"}} trailing"#),
        "not json at all".to_owned(),
    ] {
        let answer = post_login(ctx, Some("application/json"), body.clone()).await?;
        expect_bad_credentials(&answer).map_err(|f| f.context(&body))?;
    }
    Ok(())
}

async fn login_rejects_json_that_is_not_an_object(ctx: &Ctx<'_>) -> Outcome {
    let (name, password) = (&ctx.user.name, &ctx.user.password);
    for body in [
        json!([name, password]),
        json!([{ "username": name, "password": password }]),
        json!(name),
        json!(42),
        json!(null),
        json!(true),
    ] {
        let answer = post_login(ctx, Some("application/json"), body.to_string()).await?;
        expect_bad_credentials(&answer).map_err(|f| f.context(&body))?;
    }
    Ok(())
}

async fn login_rejects_non_string_fields(ctx: &Ctx<'_>) -> Outcome {
    let (name, password) = (&ctx.user.name, &ctx.user.password);
    for body in [
        json!({ "username": name, "password": 12345 }),
        json!({ "username": null, "password": password }),
        json!({ "username": [name], "password": password }),
        json!({ "username": name, "password": { "value": password } }),
        json!({ "username": name, "password": true }),
    ] {
        let answer = post_login(ctx, Some("application/json"), body.to_string()).await?;
        expect_bad_credentials(&answer).map_err(|f| f.context(&body))?;
    }
    Ok(())
}

async fn login_rejects_empty_body(ctx: &Ctx<'_>) -> Outcome {
    for content_type in ["application/json", "application/x-www-form-urlencoded"] {
        let answer = post_login(ctx, Some(content_type), Bytes::new()).await?;
        expect_bad_credentials(&answer).map_err(|f| f.context(content_type))?;
    }
    Ok(())
}

async fn login_rejects_repeated_json_field(ctx: &Ctx<'_>) -> Outcome {
    let name = serde_json::to_string(&ctx.user.name).unwrap_or_default();
    let password = serde_json::to_string(&ctx.user.password).unwrap_or_default();
    let body =
        format!(r#"{{"username": "someone-else", "username": {name}, "password": {password}}}"#);
    expect_bad_credentials(&post_login(ctx, Some("application/json"), body).await?)
}

async fn login_rejects_form_with_missing_field(ctx: &Ctx<'_>) -> Outcome {
    for body in [
        form(&[("username", &ctx.user.name)])?,
        form(&[("password", &ctx.user.password)])?,
        "garbage".to_owned(),
    ] {
        let answer =
            post_login(ctx, Some("application/x-www-form-urlencoded"), body.clone()).await?;
        expect_bad_credentials(&answer).map_err(|f| f.context(&body))?;
    }
    Ok(())
}

async fn login_rejects_multipart_with_missing_field(ctx: &Ctx<'_>) -> Outcome {
    for body in [
        multipart(&[("username", &ctx.user.name)]),
        multipart(&[("password", &ctx.user.password)]),
        multipart(&[]),
    ] {
        let answer = post_login(ctx, Some(&multipart_type()), body).await?;
        expect_bad_credentials(&answer)?;
    }
    Ok(())
}

async fn login_rejects_malformed_multipart(ctx: &Ctx<'_>) -> Outcome {
    let complete = multipart(&[
        ("username", &ctx.user.name),
        ("password", &ctx.user.password),
    ]);
    // No boundary parameter: the body cannot be split.
    let answer = post_login(ctx, Some("multipart/form-data"), complete.clone()).await?;
    expect_bad_credentials(&answer).map_err(|f| f.context("without boundary"))?;
    // Cut off before the closing delimiter.
    let truncated = &complete[..complete.len() / 2];
    let answer = post_login(ctx, Some(&multipart_type()), truncated.to_owned()).await?;
    expect_bad_credentials(&answer).map_err(|f| f.context("truncated"))?;
    Ok(())
}

async fn login_rejects_unsupported_media_type_with_415(ctx: &Ctx<'_>) -> Outcome {
    for content_type in [
        "text/plain",
        "application/xml",
        "application/octet-stream",
        "text/json+x",
    ] {
        let answer = post_login(ctx, Some(content_type), login_json(ctx.user)).await?;
        answer
            .expect(415, messages::UNSUPPORTED_MEDIA_TYPE)
            .and_then(Answer::expect_no_cookies)
            .map_err(|f| f.context(content_type))?;
    }
    Ok(())
}

async fn login_without_content_type_is_415(ctx: &Ctx<'_>) -> Outcome {
    let answer = post_login(ctx, None, login_json(ctx.user)).await?;
    answer
        .expect(415, messages::UNSUPPORTED_MEDIA_TYPE)?
        .expect_no_cookies()?;
    Ok(())
}

async fn login_rejects_body_over_64_kib_with_413(ctx: &Ctx<'_>) -> Outcome {
    // Valid credentials: only the size is wrong.
    let body = padded_json(ctx.user, LIMIT + 1)?;
    let answer = post_login(ctx, Some("application/json"), body).await?;
    answer
        .expect(413, messages::BODY_TOO_LARGE)?
        .expect_no_cookies()?;
    Ok(())
}

async fn login_accepts_body_of_exactly_64_kib(ctx: &Ctx<'_>) -> Outcome {
    let body = padded_json(ctx.user, LIMIT)?;
    let answer = post_login(ctx, Some("application/json"), body).await?;
    expect_logged_in(ctx, &answer)
}

async fn login_requires_credentials_even_when_logged_in(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let token = browser.access_token()?;
    // The access cookie alone (the browser adds it), then also the header.
    let request = ctx
        .post(ctx.config.login_path())
        .header(CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(b"{}"))?;
    expect_bad_credentials(&browser.send(request).await?)?;
    let request = ctx
        .post(ctx.config.login_path())
        .header(ctx.config.access_header(), format!("Bearer {token}"))
        .header(CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(b"{}"))?;
    expect_bad_credentials(&browser.send(request).await?)?;
    let request = ctx
        .post(ctx.config.login_path())
        .header(ctx.config.access_header(), format!("Bearer {token}"))
        .body(Bytes::new())?;
    browser
        .send(request)
        .await?
        .expect(415, messages::UNSUPPORTED_MEDIA_TYPE)?
        .expect_no_cookies()?;
    Ok(())
}

async fn each_login_starts_a_new_session(ctx: &Ctx<'_>) -> Outcome {
    let (first, second) = (ctx.browser(), ctx.browser());
    let first_login = issued::login_cookies(ctx, &first.login().await?, &ctx.user.name)?;
    let second_login = issued::login_cookies(ctx, &second.login().await?, &ctx.user.name)?;
    let (a, b) = (
        first_login.refresh.session_id()?,
        second_login.refresh.session_id()?,
    );
    ensure!(a != b, "two logins share the session {a:?}");
    let (a, b) = (
        first_login.refresh.token_id()?,
        second_login.refresh.token_id()?,
    );
    ensure!(
        a != b,
        "two logins issued refresh tokens with the same jti {a:?}"
    );
    // The second login left the first session alone.
    first.refresh().await?.expect(200, messages::REFRESHED)?;
    Ok(())
}
