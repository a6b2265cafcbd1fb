//! The app most tests here drive: the endpoints, a required, an optional and a
//! `MaybeAuthenticated` route, all behind `JwtLayer`, answered in-process.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt as _;
use jwt_axum::{Authenticated, JwtLayer, MaybeAuthenticated};
use jwt_core::{JwtAuth, JwtConfigBuilder, MemoryAuthenticator, NoClaims};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// Settings every test starts from.
pub(crate) fn config() -> JwtConfigBuilder {
    jwt_core::JwtConfig::builder().secret("a test secret that is at least 32 bytes long")
}

/// An engine with the user `alice` / `password1`.
pub(crate) fn auth(config: JwtConfigBuilder) -> JwtAuth<NoClaims> {
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("a fresh table takes alice");
    JwtAuth::new(config.build().expect("the test settings are valid"), users)
}

async fn whoami(user: Authenticated) -> axum::Json<Value> {
    axum::Json(json!({ "user": user.subject }))
}

async fn optional(user: Option<Authenticated>) -> axum::Json<Value> {
    axum::Json(json!({ "user": user.map(|user| user.subject.clone()) }))
}

async fn maybe(MaybeAuthenticated(user): MaybeAuthenticated) -> axum::Json<Value> {
    axum::Json(json!({ "user": user.map(|user| user.subject) }))
}

/// `/whoami/` (required), `/optional/` (`Option<Authenticated>`), `/maybe/`
/// (`MaybeAuthenticated`) and the endpoints, behind `JwtLayer`.
pub(crate) fn app(auth: JwtAuth<NoClaims>) -> Router {
    Router::new()
        .route("/whoami/", get(whoami).post(whoami))
        .route("/optional/", get(optional))
        .route("/maybe/", get(maybe))
        .merge(jwt_axum::routes(auth.clone()))
        .layer(JwtLayer::new(auth))
}

/// Sends one request and collects the whole response.
pub(crate) async fn send(app: &Router, request: Request<Body>) -> Response<Bytes> {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("a router never fails");
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .expect("an in-process body does not fail")
        .to_bytes();
    Response::from_parts(parts, body)
}

/// Logs alice in at `path` and returns the `name=value` pairs of the cookies set.
pub(crate) async fn login_at(app: &Router, path: &str) -> Vec<String> {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"username": "alice", "password": "password1"}"#,
        ))
        .expect("a valid request");
    let response = send(app, request).await;
    assert_eq!(response.status(), 200, "login at {path} fails");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|line| {
            let line = line.to_str().expect("Set-Cookie lines are ASCII");
            line.split(';').next().unwrap_or_default().to_owned()
        })
        .collect()
}

/// The `message` of a JSON body.
pub(crate) fn message(response: &Response<Bytes>) -> String {
    let body: Value = serde_json::from_slice(response.body()).expect("a JSON body");
    body["message"].as_str().unwrap_or_default().to_owned()
}

/// The `user` of a JSON body: `Some(sub)` or `None` for `null`.
pub(crate) fn user(response: &Response<Bytes>) -> Option<String> {
    let body: Value = serde_json::from_slice(response.body()).expect("a JSON body");
    body["user"].as_str().map(str::to_owned)
}
