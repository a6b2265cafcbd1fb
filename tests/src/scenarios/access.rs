//! Reading the token of a request (header, cookie, the Django cookie syntax, ambiguity), and
//! the required and optional extractors' answers.

use bytes::Bytes;
use serde_json::json;

use super::{Scenario, scenario};
use crate::answer::Answer;
use crate::context::Ctx;
use crate::failure::{Failure, Outcome};
use crate::messages;
use crate::token_view::{TokenView, encode_unsigned};

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(whoami_without_token_is_401_with_bearer_challenge, Anywhere),
        scenario!(access_cookie_authenticates, Anywhere),
        scenario!(bearer_header_authenticates, Anywhere),
        scenario!(bearer_scheme_is_case_insensitive, Anywhere),
        scenario!(bearer_header_needs_exactly_one_space, Anywhere),
        scenario!(header_is_used_alone_when_present, Anywhere),
        scenario!(empty_header_falls_back_to_cookie, Anywhere),
        scenario!(other_scheme_header_counts_as_no_token, Anywhere),
        scenario!(django_quoted_bearer_cookie_is_read, Anywhere),
        scenario!(django_unquoted_bearer_cookie_is_read, Anywhere),
        scenario!(two_access_cookies_are_ambiguous, Anywhere),
        scenario!(cookies_split_over_two_fields_are_read_as_one, Anywhere),
        scenario!(refresh_token_is_not_an_access_token, Anywhere),
        scenario!(garbage_access_token_is_invalid, Anywhere),
        scenario!(tampered_access_token_is_invalid, Anywhere),
        scenario!(unsigned_access_token_is_invalid, Anywhere),
        scenario!(oversized_access_token_is_invalid, Anywhere),
        scenario!(expired_access_token_is_invalid, InProcess),
        scenario!(optional_route_without_token_sees_nobody, InProcess),
        scenario!(optional_route_with_token_sees_the_user, InProcess),
        scenario!(optional_route_with_bad_token_sees_nobody, InProcess),
        scenario!(post_with_cookie_and_no_browser_headers_passes, InProcess),
    ]
}

/// `GET path` with the given extra header fields (repeated names allowed).
pub(super) async fn get_with(
    ctx: &Ctx<'_>,
    path: &str,
    headers: &[(&str, String)],
) -> Outcome<Answer> {
    let mut request = ctx.get(path);
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    ctx.send(request.body(Bytes::new())?).await
}

/// The access header's name under these settings.
pub(super) fn access_header<'a>(ctx: &'a Ctx<'_>) -> &'a str {
    ctx.config.access_header().as_str()
}

/// `Cookie: <access cookie>=<value>`.
pub(super) fn access_cookie(ctx: &Ctx<'_>, value: &str) -> (&'static str, String) {
    ("cookie", format!("{}={value}", ctx.config.access_cookie()))
}

/// A fresh login's access and refresh tokens.
pub(super) async fn login_tokens(ctx: &Ctx<'_>) -> Outcome<(String, String)> {
    let browser = ctx.browser();
    browser.login().await?;
    Ok((browser.access_token()?, browser.refresh_token()?))
}

/// Fails unless `answer` is the 401 for a present but bad token.
pub(super) fn expect_invalid_token(answer: &Answer) -> Outcome {
    answer
        .expect(401, messages::INVALID_TOKEN)?
        .expect_header("www-authenticate", messages::CHALLENGE_INVALID_TOKEN)?;
    Ok(())
}

/// Fails unless `answer` is the 401 for a request without any token.
pub(super) fn expect_no_credentials(answer: &Answer) -> Outcome {
    answer
        .expect(401, messages::CREDENTIALS_NOT_PROVIDED)?
        .expect_header("www-authenticate", messages::CHALLENGE)?;
    Ok(())
}

/// Fails unless `answer` is the optional route's `{"user": null}`.
fn expect_nobody(answer: &Answer) -> Outcome {
    answer.expect_status(200)?;
    if *answer.json() != json!({ "user": null }) {
        return Err(Failure::new(format!(
            "{}: expected {{\"user\": null}}, got {}",
            answer.request,
            answer.json()
        )));
    }
    Ok(())
}

async fn whoami_without_token_is_401_with_bearer_challenge(ctx: &Ctx<'_>) -> Outcome {
    expect_no_credentials(&get_with(ctx, "/whoami/", &[]).await?)?;
    // Cookies of no interest to the library change nothing.
    let other = ("cookie", "theme=dark; lang=en".to_owned());
    expect_no_credentials(&get_with(ctx, "/whoami/", &[other]).await?)
}

async fn access_cookie_authenticates(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    ctx.expect_user(&browser.whoami().await?, &ctx.user.name)
}

async fn bearer_header_authenticates(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let header = (access_header(ctx), format!("Bearer {access}"));
    ctx.expect_user(&get_with(ctx, "/whoami/", &[header]).await?, &ctx.user.name)
}

async fn bearer_scheme_is_case_insensitive(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        let header = (access_header(ctx), format!("{scheme} {access}"));
        let answer = get_with(ctx, "/whoami/", &[header]).await?;
        ctx.expect_user(&answer, &ctx.user.name)
            .map_err(|f| f.context(scheme))?;
    }
    Ok(())
}

async fn bearer_header_needs_exactly_one_space(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let header = (access_header(ctx), format!("Bearer  {access}"));
    expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
}

async fn header_is_used_alone_when_present(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let headers = [
        access_cookie(ctx, &access),
        (access_header(ctx), "Bearer not.a.token".to_owned()),
    ];
    expect_invalid_token(&get_with(ctx, "/whoami/", &headers).await?)
}

async fn empty_header_falls_back_to_cookie(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let headers = [
        access_cookie(ctx, &access),
        (access_header(ctx), String::new()),
    ];
    ctx.expect_user(&get_with(ctx, "/whoami/", &headers).await?, &ctx.user.name)
}

async fn other_scheme_header_counts_as_no_token(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let basic = (access_header(ctx), "Basic YWxpY2U6cGFzc3dvcmQ=".to_owned());
    expect_no_credentials(&get_with(ctx, "/whoami/", std::slice::from_ref(&basic)).await?)?;
    // The header is present, so it alone counts: the valid cookie beside it is not read.
    let headers = [basic, access_cookie(ctx, &access)];
    expect_no_credentials(&get_with(ctx, "/whoami/", &headers).await?)
}

async fn django_quoted_bearer_cookie_is_read(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let cookie = access_cookie(ctx, &format!("\"Bearer {access}\""));
    ctx.expect_user(&get_with(ctx, "/whoami/", &[cookie]).await?, &ctx.user.name)
}

async fn django_unquoted_bearer_cookie_is_read(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let cookie = access_cookie(ctx, &format!("Bearer {access}"));
    ctx.expect_user(&get_with(ctx, "/whoami/", &[cookie]).await?, &ctx.user.name)
}

async fn two_access_cookies_are_ambiguous(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let name = ctx.config.access_cookie();
    for pair in [
        format!("{name}={access}; {name}={access}"),
        format!("{name}={access}; theme=dark; {name}=tossed.by.sibling"),
        format!("{name}=tossed.by.sibling; {name}={access}"),
    ] {
        let answer = get_with(ctx, "/whoami/", &[("cookie", pair.clone())]).await?;
        expect_invalid_token(&answer).map_err(|f| f.context(&pair))?;
    }
    Ok(())
}

async fn cookies_split_over_two_fields_are_read_as_one(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let name = ctx.config.access_cookie();
    let split = [
        ("cookie", "theme=dark".to_owned()),
        ("cookie", format!("{name}={access}")),
    ];
    ctx.expect_user(&get_with(ctx, "/whoami/", &split).await?, &ctx.user.name)?;
    // Split fields are one cookie string, so a second access cookie in the other field is
    // as ambiguous as two in one field.
    let tossed = [
        ("cookie", format!("{name}={access}")),
        ("cookie", format!("{name}=tossed.by.sibling")),
    ];
    expect_invalid_token(&get_with(ctx, "/whoami/", &tossed).await?)
}

async fn refresh_token_is_not_an_access_token(ctx: &Ctx<'_>) -> Outcome {
    let (_, refresh) = login_tokens(ctx).await?;
    let header = (access_header(ctx), format!("Bearer {refresh}"));
    expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
        .map_err(|f| f.context("refresh token in the access header"))?;
    expect_invalid_token(&get_with(ctx, "/whoami/", &[access_cookie(ctx, &refresh)]).await?)
        .map_err(|f| f.context("refresh token in the access cookie"))
}

async fn garbage_access_token_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    for garbage in ["not-a-token", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.x", "...."] {
        let header = (access_header(ctx), format!("Bearer {garbage}"));
        expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
            .map_err(|f| f.context(garbage))?;
        expect_invalid_token(&get_with(ctx, "/whoami/", &[access_cookie(ctx, garbage)]).await?)
            .map_err(|f| f.context(garbage))?;
    }
    Ok(())
}

async fn tampered_access_token_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let view = TokenView::decode(&access)?;
    let mut claims = serde_json::Value::Object(view.claims.clone());
    claims["sub"] = json!("someone-else");
    let signature = access.rsplit('.').next().unwrap_or_default();
    let tampered = encode_unsigned(&serde_json::Value::Object(view.header), &claims, signature);
    let header = (access_header(ctx), format!("Bearer {tampered}"));
    expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
}

async fn unsigned_access_token_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let view = TokenView::decode(&access)?;
    let mut header = serde_json::Value::Object(view.header.clone());
    header["alg"] = json!("none");
    let claims = serde_json::Value::Object(view.claims);
    for signature in ["", "AAAA"] {
        let token = encode_unsigned(&header, &claims, signature);
        let bearer = (access_header(ctx), format!("Bearer {token}"));
        expect_invalid_token(&get_with(ctx, "/whoami/", &[bearer]).await?)?;
        let cookie = access_cookie(ctx, &token);
        expect_invalid_token(&get_with(ctx, "/whoami/", &[cookie]).await?)?;
    }
    Ok(())
}

async fn oversized_access_token_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let oversized = format!("{access}{}", "A".repeat(ctx.config.max_token_bytes()));
    let header = (access_header(ctx), format!("Bearer {oversized}"));
    expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
}

async fn expired_access_token_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let (access, _) = login_tokens(ctx).await?;
    let header = (access_header(ctx), format!("Bearer {access}"));
    // The server accepts JWT_LEEWAY seconds of clock skew past `exp`, and no more.
    let leeway = ctx.config.leeway().whole_seconds();
    ctx.advance(ctx.config.access_lifetime().whole_seconds() + leeway - 1)?;
    ctx.expect_user(
        &get_with(ctx, "/whoami/", std::slice::from_ref(&header)).await?,
        &ctx.user.name,
    )
    .map_err(|f| f.context("one second before exp + leeway"))?;
    ctx.advance(1)?;
    expect_invalid_token(&get_with(ctx, "/whoami/", &[header]).await?)
        .map_err(|f| f.context("at exp + leeway"))
}

async fn optional_route_without_token_sees_nobody(ctx: &Ctx<'_>) -> Outcome {
    expect_nobody(&get_with(ctx, "/optional/", &[]).await?)
}

async fn optional_route_with_token_sees_the_user(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    ctx.expect_user(&browser.get("/optional/").await?, &ctx.user.name)?;
    let header = (
        access_header(ctx),
        format!("Bearer {}", browser.access_token()?),
    );
    ctx.expect_user(
        &get_with(ctx, "/optional/", &[header]).await?,
        &ctx.user.name,
    )
}

async fn optional_route_with_bad_token_sees_nobody(ctx: &Ctx<'_>) -> Outcome {
    let (_, refresh) = login_tokens(ctx).await?;
    expect_nobody(&get_with(ctx, "/optional/", &[access_cookie(ctx, "garbage")]).await?)?;
    let header = (access_header(ctx), format!("Bearer {refresh}"));
    expect_nobody(&get_with(ctx, "/optional/", &[header]).await?)
}

async fn post_with_cookie_and_no_browser_headers_passes(ctx: &Ctx<'_>) -> Outcome {
    let browser = ctx.browser();
    browser.login().await?;
    let answer = browser
        .send(ctx.post("/whoami/").body(Bytes::new())?)
        .await?;
    ctx.expect_user(&answer, &ctx.user.name)
}
