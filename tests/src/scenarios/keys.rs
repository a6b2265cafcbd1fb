//! `GET JWT_JWKS_PATH`: the public keys, for services that verify the tokens themselves; and
//! nothing there when the keys are secrets.

use bytes::Bytes;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use jwt_core::JwtConfig;
use serde_json::Value;

use super::{Scenario, scenario};
use crate::context::Ctx;
use crate::failure::{Failure, Outcome, ensure, ensure_eq};
use crate::issued;
use crate::messages;

pub(super) fn scenarios() -> Vec<Scenario> {
    vec![
        scenario!(
            jwks_route_publishes_keys_that_verify_access_tokens,
            Anywhere,
            asymmetric
        ),
        scenario!(jwks_route_answers_get_and_head_only, Anywhere, asymmetric),
        scenario!(jwks_route_is_absent_with_hmac, Anywhere, symmetric),
    ]
}

fn asymmetric(config: &JwtConfig) -> bool {
    config.keys().is_asymmetric()
}

fn symmetric(config: &JwtConfig) -> bool {
    !asymmetric(config)
}

async fn jwks_route_publishes_keys_that_verify_access_tokens(ctx: &Ctx<'_>) -> Outcome {
    let answer = ctx
        .send(ctx.get(ctx.config.jwks_path()).body(Bytes::new())?)
        .await?;
    ensure_eq!(
        answer.status(),
        200,
        "status of GET {}",
        ctx.config.jwks_path()
    );
    ensure_eq!(
        answer.header_values("cache-control"),
        vec!["public, max-age=300".to_owned()],
        "Cache-Control of the key set"
    );
    for key in answer.json()["keys"].as_array().into_iter().flatten() {
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            ensure!(
                key.get(private).is_none(),
                "the key set publishes a private or secret member `{private}`"
            );
        }
    }
    let set: JwkSet = serde_json::from_value(answer.json().clone())
        .map_err(|error| Failure::new(format!("not a JWK Set: {error}")))?;

    // A service holding only the published set verifies a real access token.
    let browser = ctx.browser();
    let pair = issued::login_cookies(ctx, &browser.login().await?, &ctx.user.name)?;
    let token = browser.access_token()?;
    let header = jsonwebtoken::decode_header(&token)
        .map_err(|error| Failure::new(format!("access token header: {error}")))?;
    let kid = header.kid.as_deref().unwrap_or_default();
    let jwk = set
        .find(kid)
        .ok_or_else(|| Failure::new(format!("the key set has no key {kid:?}")))?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|error| Failure::new(format!("published key {kid:?} is unusable: {error}")))?;
    let mut validation = Validation::new(ctx.config.algorithm());
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let verified = jsonwebtoken::decode::<Value>(&token, &key, &validation)
        .map_err(|error| Failure::new(format!("the published key refuses the token: {error}")))?;
    ensure_eq!(
        verified.claims["sid"].as_str(),
        Some(pair.access.session_id()?),
        "`sid` verified with the published key"
    );
    Ok(())
}

async fn jwks_route_answers_get_and_head_only(ctx: &Ctx<'_>) -> Outcome {
    let path = ctx.config.jwks_path();
    let head = ctx
        .send_raw(ctx.request(http::Method::HEAD, path).body(Bytes::new())?)
        .await?;
    ensure_eq!(head.status().as_u16(), 200, "status of HEAD {path}");
    for method in [http::Method::POST, http::Method::DELETE] {
        let request = ctx.request(method.clone(), path).body(Bytes::new())?;
        let answer = ctx.send(request).await?;
        answer.expect(405, messages::METHOD_NOT_ALLOWED)?;
        ensure_eq!(
            answer.header_values("allow"),
            vec!["GET, HEAD".to_owned()],
            "Allow of {method} {path}"
        );
    }
    Ok(())
}

async fn jwks_route_is_absent_with_hmac(ctx: &Ctx<'_>) -> Outcome {
    let path = ctx.config.jwks_path();
    let response = ctx.send_raw(ctx.get(path).body(Bytes::new())?).await?;
    ensure_eq!(
        response.status().as_u16(),
        404,
        "status of GET {path} with an HMAC algorithm"
    );
    let body = String::from_utf8_lossy(response.body());
    ensure!(
        !body.contains("\"keys\""),
        "GET {path} answered a key set with an HMAC algorithm: {body}"
    );
    Ok(())
}
