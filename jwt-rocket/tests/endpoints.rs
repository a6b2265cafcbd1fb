//! The four endpoints as Rocket routes: every method, exact paths, bodies, and every
//! `Set-Cookie` line carried over.

mod test_app;

use jwt_core::{Endpoint, JwtConfig, LOGIN_BODY_LIMIT};
use jwt_rocket::EndpointHandler;
use rocket::Route;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Value, json};
use test_app::{app, client, config, engine, login, quiet_config};

const ENDPOINT_PATHS: [&str; 4] = [
    "/jwt/login/",
    "/jwt/refresh/",
    "/jwt/logout/",
    "/jwt/logout-all/",
];

async fn default_client() -> Client {
    let auth = engine(config(JwtConfig::builder()));
    client(app(&auth, "/")).await
}

fn set_cookies(response: &LocalResponse<'_>) -> Vec<String> {
    response
        .headers()
        .get("set-cookie")
        .map(str::to_owned)
        .collect()
}

async fn message(response: LocalResponse<'_>) -> Value {
    let body = response
        .into_bytes()
        .await
        .expect("the response has a body");
    serde_json::from_slice(&body).expect("the body is JSON")
}

#[rocket::async_test]
async fn login_sets_both_cookies_on_separate_set_cookie_lines() {
    let client = default_client().await;
    let response = client
        .post("/jwt/login/")
        .header(ContentType::JSON)
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("content-type"),
        Some("application/json")
    );
    let lines = set_cookies(&response);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("Authorization="));
    assert!(lines[0].contains("Path=/;"));
    assert!(lines[1].starts_with("RefreshAuthorization="));
    assert!(lines[1].contains("Path=/jwt/refresh/"));
    assert_eq!(
        message(response).await,
        json!({ "message": "Authentication successful." })
    );
}

#[rocket::async_test]
async fn every_method_but_post_gets_405_with_allow_post() {
    let client = default_client().await;
    for path in ENDPOINT_PATHS {
        for method in [
            Method::Get,
            Method::Put,
            Method::Delete,
            Method::Patch,
            Method::Options,
            Method::Trace,
        ] {
            let response = client.req(method, path).dispatch().await;
            assert_eq!(
                response.status(),
                Status::MethodNotAllowed,
                "{method} {path}"
            );
            assert_eq!(response.headers().get_one("allow"), Some("POST"));
            assert_eq!(
                message(response).await,
                json!({ "message": "Method not allowed." })
            );
        }
        let head = client.head(path).dispatch().await;
        assert_eq!(head.status(), Status::MethodNotAllowed, "HEAD {path}");
        assert_eq!(head.headers().get_one("allow"), Some("POST"));
        assert!(head.into_bytes().await.unwrap_or_default().is_empty());
    }
}

#[rocket::async_test]
async fn endpoints_answer_at_their_exact_paths_only() {
    let client = default_client().await;
    for path in ["/jwt/login", "/jwt//login/", "/jwt/login/x"] {
        let response = client.post(path).dispatch().await;
        assert_eq!(response.status(), Status::NotFound, "{path}");
    }
}

#[rocket::async_test]
async fn login_body_over_the_limit_gets_413() {
    let client = default_client().await;
    let padding = " ".repeat(LOGIN_BODY_LIMIT);
    let too_large = format!(r#"{{"username": "alice", "password": "password1"}}{padding}"#);
    let response = client
        .post("/jwt/login/")
        .header(ContentType::JSON)
        .body(too_large)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_eq!(
        message(response).await,
        json!({ "message": "Request body too large." })
    );

    // Exactly at the limit is read whole.
    let credentials = r#"{"username": "alice", "password": "password1"}"#;
    let at_limit = format!(
        "{credentials}{}",
        " ".repeat(LOGIN_BODY_LIMIT - credentials.len())
    );
    let response = client
        .post("/jwt/login/")
        .header(ContentType::JSON)
        .body(at_limit)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn login_form_starting_with_a_method_field_still_logs_in() {
    // Rocket would treat this POST as a GET; the client sent a POST.
    let client = default_client().await;
    let response = client
        .post("/jwt/login/")
        .header(ContentType::Form)
        .body("_method=get&username=alice&password=password1")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(set_cookies(&response).len(), 2);
}

#[rocket::async_test]
async fn refresh_and_logout_carry_every_set_cookie_line() {
    let client = default_client().await;
    let cookies = login(&client, "/jwt/login/").await;

    let refreshed = client
        .post("/jwt/refresh/")
        .header(Header::new("Cookie", cookies[1].clone()))
        .dispatch()
        .await;
    assert_eq!(refreshed.status(), Status::Ok);
    let lines = set_cookies(&refreshed);
    assert_eq!(lines.len(), 2, "a new access and a rotated refresh cookie");
    assert_eq!(
        message(refreshed).await,
        json!({ "message": "Access token refreshed." })
    );

    let logged_out = client
        .post("/jwt/logout/")
        .header(Header::new("Cookie", cookies[0].clone()))
        .dispatch()
        .await;
    assert_eq!(logged_out.status(), Status::Ok);
    let deletions = set_cookies(&logged_out);
    assert_eq!(deletions.len(), 2, "{deletions:?}");
    assert!(deletions.iter().all(|line| line.contains("Max-Age=0")));
    assert_eq!(
        message(logged_out).await,
        json!({ "message": "Session ended." })
    );

    // The session is revoked: its refresh token no longer works.
    let reused = client
        .post("/jwt/refresh/")
        .header(Header::new("Cookie", cookies[1].clone()))
        .dispatch()
        .await;
    assert_eq!(reused.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn endpoints_move_with_their_path_settings() {
    let auth = engine(config(
        JwtConfig::builder()
            .login_path("/auth/sign-in")
            .logout_path("/auth/sign-out"),
    ));
    let client = client(app(&auth, "/")).await;
    login(&client, "/auth/sign-in").await;
    let old = client.post("/jwt/login/").dispatch().await;
    assert_eq!(old.status(), Status::NotFound);
    let logout = client.get("/auth/sign-out").dispatch().await;
    assert_eq!(logout.status(), Status::MethodNotAllowed);
}

#[rocket::async_test]
async fn an_endpoint_handler_serves_a_route_of_the_apps_choosing() {
    let auth = engine(config(JwtConfig::builder()));
    let sign_in = Route::new(
        Method::Post,
        "/sign-in",
        EndpointHandler::new(auth.clone(), Endpoint::Login),
    );
    let rocket = rocket::custom(quiet_config())
        .attach(jwt_rocket::JwtFairing::new(auth.clone()))
        .mount("/", vec![sign_in])
        .mount("/", jwt_rocket::endpoint_routes(&auth, Endpoint::Logout));
    let client = client(rocket).await;
    let cookies = login(&client, "/sign-in").await;
    assert_eq!(cookies.len(), 2);
    let refresh = client.post("/jwt/refresh/").dispatch().await;
    assert_eq!(refresh.status(), Status::NotFound, "not mounted");
    let logout = client
        .post("/jwt/logout/")
        .header(Header::new("Cookie", cookies[0].clone()))
        .dispatch()
        .await;
    assert_eq!(logout.status(), Status::Ok);
}
