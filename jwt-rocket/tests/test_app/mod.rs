//! The app every test of this crate serves: the endpoints, `/whoami/` behind the required
//! guard and `/optional/` behind the optional one, as the conformance suite describes it.

use jwt_core::{JwtAuth, JwtConfig, JwtConfigBuilder, MemoryAuthenticator, NoClaims};
use jwt_rocket::{Authenticated, JwtFairing};
use rocket::config::LogLevel;
use rocket::local::asynchronous::Client;
use rocket::serde::json::Json;
use rocket::{Build, Config, Rocket};
use serde_json::{Value, json};

pub(crate) const SECRET: &str = "a test secret that is at least 32 bytes long";

#[rocket::get("/whoami")]
pub(crate) fn whoami(user: Authenticated) -> Json<Value> {
    Json(json!({ "user": user.subject }))
}

#[rocket::post("/whoami")]
pub(crate) fn whoami_post(user: Authenticated) -> Json<Value> {
    Json(json!({ "user": user.subject }))
}

#[rocket::get("/optional")]
pub(crate) fn optional(user: Option<Authenticated>) -> Json<Value> {
    Json(json!({ "user": user.map(|user| user.subject.clone()) }))
}

/// Rocket's defaults for tests, without its log output.
pub(crate) fn quiet_config() -> Config {
    Config {
        log_level: LogLevel::Off,
        cli_colors: false,
        ..Config::debug_default()
    }
}

/// A configuration with the test secret on top of `builder`.
pub(crate) fn config(builder: JwtConfigBuilder) -> JwtConfig {
    builder
        .secret(SECRET)
        .build()
        .expect("the test settings are valid")
}

/// An engine with the user alice / password1.
pub(crate) fn engine(config: JwtConfig) -> JwtAuth<NoClaims> {
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("the test user can be added");
    JwtAuth::new(config, users)
}

/// The app around `auth`, with the endpoints mounted under `base`.
pub(crate) fn app(auth: &JwtAuth<NoClaims>, base: &str) -> Rocket<Build> {
    rocket::custom(quiet_config())
        .attach(JwtFairing::new(auth.clone()))
        .mount(base, jwt_rocket::routes(auth))
        .mount("/", rocket::routes![whoami, whoami_post, optional])
}

/// A client that keeps no cookies: each test sends exactly the headers it means to.
pub(crate) async fn client(rocket: Rocket<Build>) -> Client {
    Client::untracked(rocket)
        .await
        .expect("the test app launches")
}

/// Logs alice in; returns the `name=value` part of each `Set-Cookie` line (access first).
pub(crate) async fn login(client: &Client, path: &str) -> Vec<String> {
    let response = client
        .post(path.to_owned())
        .header(rocket::http::ContentType::JSON)
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status().code, 200, "login succeeds");
    response
        .headers()
        .get("set-cookie")
        .map(|line| line.split(';').next().unwrap_or_default().to_owned())
        .collect()
}
