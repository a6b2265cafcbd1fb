//! The engine, users and requests the adapter tests share.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::{HttpResponse, test};
use jwt_actix::{Authenticated, MaybeAuthenticated};
use jwt_core::{JwtAuth, JwtConfig, JwtConfigBuilder, MemoryAuthenticator, NoClaims};

pub(crate) const SECRET: &str = "a test secret that is long enough for HS256";

/// Settings for plain-HTTP tests: `Secure` cookies would be fine for the test client, but
/// the point is a configuration a developer would run locally.
pub(crate) fn settings() -> JwtConfigBuilder {
    JwtConfig::builder().secret(SECRET).cookie_secure(false)
}

/// An engine with the user `alice` / `password1`.
pub(crate) fn engine(settings: JwtConfigBuilder) -> JwtAuth<NoClaims> {
    let config = settings.build().expect("the test settings are valid");
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hashing a password works");
    JwtAuth::new(config, users)
}

pub(crate) async fn whoami(user: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "user": user.subject }))
}

pub(crate) async fn optional(user: MaybeAuthenticated) -> HttpResponse {
    let user = user.into_inner().map(|principal| principal.subject);
    HttpResponse::Ok().json(serde_json::json!({ "user": user }))
}

/// A login request for alice.
pub(crate) fn login_request(path: &str) -> test::TestRequest {
    test::TestRequest::post()
        .uri(path)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(r#"{"username": "alice", "password": "password1"}"#)
}

/// The `name=value` part of every `Set-Cookie` line, in order.
pub(crate) fn set_cookies<B>(response: &ServiceResponse<B>) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .map(|value| {
            let line = value.to_str().expect("Set-Cookie lines are ASCII");
            line.split(';')
                .next()
                .expect("split yields at least one part")
                .to_owned()
        })
        .collect()
}

/// Every `Set-Cookie` line, whole.
pub(crate) fn set_cookie_lines<B>(response: &ServiceResponse<B>) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .map(|value| value.to_str().expect("ASCII").to_owned())
        .collect()
}

/// Sends a login request (from [`login_request`]) and returns alice's `(access, refresh)`
/// cookies as `name=value`.
pub(crate) async fn log_in<S, R, B>(app: &S, login: R) -> (String, String)
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, login).await;
    assert_eq!(response.status(), 200, "alice logs in");
    let mut cookies = set_cookies(&response).into_iter();
    let access = cookies.next().expect("an access cookie");
    let refresh = cookies.next().expect("a refresh cookie");
    (access, refresh)
}

/// The JSON body of a response.
pub(crate) async fn json<B: MessageBody>(response: ServiceResponse<B>) -> serde_json::Value {
    let body = test::read_body(response).await;
    serde_json::from_slice(&body).expect("a JSON body")
}
