//! Tokens signed with the configured key but wrong in another way: the signature alone never
//! makes a token acceptable. In-process only, where the suite holds the key.
//!
//! Each scenario first shows that the same token without the flaw is accepted, so a refusal
//! is about the flaw and not about how the suite signs.

use jwt_core::{Algorithm, JwtConfig};
use serde_json::{Value, json};

use super::access::{access_header, expect_invalid_token, get_with};
use super::{Scenario, scenario};
use crate::context::Ctx;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::failure::{Failure, Outcome};
use crate::messages;
use crate::token_view::TokenView;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(token_signed_with_the_configured_key_is_accepted, InProcess),
        scenario!(token_without_typ_is_invalid, InProcess),
        scenario!(token_of_a_foreign_typ_is_invalid, InProcess),
        scenario!(token_with_unknown_kid_is_invalid, InProcess),
        scenario!(
            token_with_another_algorithm_for_its_key_is_invalid,
            InProcess,
            signs_with_a_secret
        ),
        scenario!(token_issued_in_the_future_is_invalid, InProcess),
        scenario!(token_not_yet_valid_is_invalid, InProcess),
        scenario!(token_missing_a_registered_claim_is_invalid, InProcess),
        scenario!(token_with_mistyped_claims_is_invalid, InProcess),
        scenario!(token_with_duplicate_claims_is_invalid, InProcess),
        scenario!(django_package_token_is_invalid, InProcess),
        scenario!(
            token_for_another_issuer_or_audience_is_invalid,
            InProcess,
            has_issuer_or_audience
        ),
        scenario!(refresh_token_of_an_unknown_session_is_refused, InProcess),
    ]
}

fn signs_with_a_secret(config: &JwtConfig) -> bool {
    matches!(
        config.algorithm(),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
    )
}

fn has_issuer_or_audience(config: &JwtConfig) -> bool {
    config.issuer().is_some() || config.audience().is_some()
}

/// A real session's id (so that a strict-logout store check passes), and the header and
/// claims of a valid access token for it.
async fn valid_parts(ctx: &Ctx<'_>) -> Outcome<(Value, Value)> {
    let browser = ctx.browser();
    browser.login().await?;
    let view = TokenView::decode(&browser.access_token()?)?;
    Ok(ctx.access_token_parts(&ctx.user.name, view.session_id()?))
}

async fn whoami_with(ctx: &Ctx<'_>, token: &str) -> Outcome<crate::answer::Answer> {
    let header = (access_header(ctx), format!("Bearer {token}"));
    get_with(ctx, "/whoami/", &[header]).await
}

/// Shows the unspoilt token is accepted, then that the spoilt one is refused as invalid.
async fn refused_once_spoilt(ctx: &Ctx<'_>, spoil: impl Fn(&mut Value, &mut Value)) -> Outcome {
    let (mut header, mut claims) = valid_parts(ctx).await?;
    let valid = ctx.sign(&header, &claims)?;
    ctx.expect_user(&whoami_with(ctx, &valid).await?, &ctx.user.name)
        .map_err(|f| f.context("suite control: the unspoilt token"))?;
    spoil(&mut header, &mut claims);
    let spoilt = ctx.sign(&header, &claims)?;
    expect_invalid_token(&whoami_with(ctx, &spoilt).await?)
        .map_err(|f| f.context(format!("header {header}, claims {claims}")))
}

fn remove(value: &mut Value, name: &str) {
    if let Some(object) = value.as_object_mut() {
        object.remove(name);
    }
}

async fn token_signed_with_the_configured_key_is_accepted(ctx: &Ctx<'_>) -> Outcome {
    let (header, claims) = valid_parts(ctx).await?;
    let token = ctx.sign(&header, &claims)?;
    ctx.expect_user(&whoami_with(ctx, &token).await?, &ctx.user.name)
}

async fn token_without_typ_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    refused_once_spoilt(ctx, |header, _| remove(header, "typ")).await
}

async fn token_of_a_foreign_typ_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    for typ in ["JWT", "rt+jwt", "application/rt+jwt", "id+jwt"] {
        refused_once_spoilt(ctx, |header, _| header["typ"] = json!(typ))
            .await
            .map_err(|f| f.context(typ))?;
    }
    Ok(())
}

async fn token_with_unknown_kid_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    refused_once_spoilt(ctx, |header, _| header["kid"] = json!("a-key-nobody-has")).await?;
    refused_once_spoilt(ctx, |header, _| remove(header, "kid")).await
}

async fn token_with_another_algorithm_for_its_key_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    // The right secret and kid, but a different HMAC algorithm: the key is pinned to one.
    let (mut header, claims) = valid_parts(ctx).await?;
    let key = ctx.controls()?.signing_key;
    for other in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        if other == ctx.config.algorithm() {
            continue;
        }
        header["alg"] = json!(format!("{other:?}"));
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = jsonwebtoken::crypto::sign(signed.as_bytes(), key, other)
            .map_err(|error| Failure::new(format!("suite error: {error}")))?;
        let token = format!("{signed}.{signature}");
        expect_invalid_token(&whoami_with(ctx, &token).await?)
            .map_err(|f| f.context(format!("{other:?}")))?;
    }
    Ok(())
}

async fn token_issued_in_the_future_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let now = ctx.now();
    refused_once_spoilt(ctx, |_, claims| claims["iat"] = json!(now + 60)).await
}

async fn token_not_yet_valid_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let now = ctx.now();
    refused_once_spoilt(ctx, |_, claims| claims["nbf"] = json!(now + 60)).await
}

async fn token_missing_a_registered_claim_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    for claim in ["sub", "sid", "exp", "iat", "jti"] {
        refused_once_spoilt(ctx, |_, claims| remove(claims, claim))
            .await
            .map_err(|f| f.context(format!("without {claim}")))?;
    }
    Ok(())
}

async fn token_with_mistyped_claims_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let now = ctx.now();
    let spoilers: [(&str, Value); 4] = [
        ("exp", json!((now + 60).to_string())),
        ("sub", json!(42)),
        ("sid", json!(["a", "b"])),
        ("iat", json!(now as f64 + 0.5)),
    ];
    for (claim, value) in spoilers {
        refused_once_spoilt(ctx, |_, claims| claims[claim] = value.clone())
            .await
            .map_err(|f| f.context(format!("{claim} = {value}")))?;
    }
    Ok(())
}

async fn token_with_duplicate_claims_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let (header, claims) = valid_parts(ctx).await?;
    // serde_json cannot write a repeated name, so the payload is spliced: a second `sub`
    // before the real one, which a "last wins" parser would quietly accept.
    let text = claims.to_string();
    let spliced = format!(r#"{{"sub":"someone-else",{}"#, &text[1..]);
    let spoilt = ctx.sign_text(&header, &spliced)?;
    expect_invalid_token(&whoami_with(ctx, &spoilt).await?)
}

async fn django_package_token_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    let now = ctx.now();
    let (our_header, _) = valid_parts(ctx).await?;
    let django_claims = json!({
        "user": ctx.user.name,
        "tok": "access",
        "sec": "django-secret-fragment",
        "exp": now + 300,
    });
    let django_header = json!({ "alg": our_header["alg"], "typ": "JWT" });
    // As the Django package wrote it, and with our header around its claims.
    for header in [django_header, our_header] {
        let token = ctx.sign(&header, &django_claims)?;
        expect_invalid_token(&whoami_with(ctx, &token).await?)
            .map_err(|f| f.context(format!("header {header}")))?;
    }
    Ok(())
}

async fn token_for_another_issuer_or_audience_is_invalid(ctx: &Ctx<'_>) -> Outcome {
    if ctx.config.issuer().is_some() {
        refused_once_spoilt(ctx, |_, claims| {
            claims["iss"] = json!("https://evil.example")
        })
        .await?;
        refused_once_spoilt(ctx, |_, claims| remove(claims, "iss")).await?;
    }
    if ctx.config.audience().is_some() {
        refused_once_spoilt(ctx, |_, claims| claims["aud"] = json!("another-service")).await?;
        refused_once_spoilt(ctx, |_, claims| claims["aud"] = json!(["another-service"])).await?;
        refused_once_spoilt(ctx, |_, claims| remove(claims, "aud")).await?;
    }
    Ok(())
}

async fn refresh_token_of_an_unknown_session_is_refused(ctx: &Ctx<'_>) -> Outcome {
    let (mut header, mut claims) = ctx.access_token_parts(&ctx.user.name, "no-such-session-id");
    header["typ"] = json!("rt+jwt");
    claims["exp"] = json!(ctx.now() + ctx.config.refresh_lifetime().whole_seconds());
    let token = ctx.sign(&header, &claims)?;
    let request = ctx
        .post(ctx.config.refresh_path())
        .header(ctx.config.refresh_header(), token)
        .body(bytes::Bytes::new())?;
    let answer = ctx.send(request).await?;
    answer.expect(403, messages::INVALID_REFRESH_TOKEN)?;
    crate::issued::deletions(ctx, &answer, &[crate::set_cookie::CookieKind::Refresh])
}
