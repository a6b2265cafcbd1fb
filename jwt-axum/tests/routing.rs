//! The endpoints' router: configured paths, other methods, nesting, and handlers mounted on
//! the application's own paths.

mod test_app;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::routing::{any, get};
use bytes::Bytes;
use http::{Request, StatusCode};
use jwt_axum::{Authenticated, JwtLayer};
use jwt_core::{JwtAuth, NoClaims};
use test_app::{app, auth, config, login_at, message, send, user};

fn post(path: &str, cookies: &[String]) -> Request<Body> {
    let mut request = Request::post(path);
    if !cookies.is_empty() {
        request = request.header("cookie", cookies.join("; "));
    }
    request.body(Body::empty()).expect("a valid request")
}

#[tokio::test]
async fn endpoints_answer_other_methods_with_405_and_allow_post() {
    let app = app(auth(config()));
    for path in [
        "/jwt/login/",
        "/jwt/refresh/",
        "/jwt/logout/",
        "/jwt/logout-all/",
    ] {
        for method in ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let request = Request::builder()
                .method(method)
                .uri(path)
                .body(Body::empty())
                .expect("a valid request");
            let response = send(&app, request).await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(response.headers()["allow"], "POST", "{method} {path}");
            assert_eq!(message(&response), "Method not allowed.", "{method} {path}");
        }
    }
}

#[tokio::test]
async fn endpoints_follow_the_configured_paths() {
    let settings = config()
        .login_path("/auth/in/")
        .refresh_path("/auth/again/")
        .logout_path("/auth/out/")
        .logout_all_path("/auth/out-everywhere/");
    let app = app(auth(settings));
    assert_eq!(
        send(&app, post("/jwt/login/", &[])).await.status(),
        StatusCode::NOT_FOUND
    );
    let cookies = login_at(&app, "/auth/in/").await;
    let refreshed = send(&app, post("/auth/again/", &cookies[1..])).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(message(&refreshed), "Access token refreshed.");
    let out = send(&app, post("/auth/out/", &cookies[..1])).await;
    assert_eq!(message(&out), "Session ended.");
    let everywhere = send(&app, post("/auth/out-everywhere/", &cookies[..1])).await;
    assert_eq!(message(&everywhere), "All sessions ended.");
}

#[tokio::test]
async fn configured_paths_with_braces_match_literally() {
    let app = app(auth(config().login_path("/jwt/{login}/")));
    let cookies = login_at(&app, "/jwt/{login}/").await;
    assert_eq!(cookies.len(), 2);
    let elsewhere = Request::post("/jwt/other/")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"{"username": "alice", "password": "password1"}"#,
        ))
        .expect("a valid request");
    assert_eq!(send(&app, elsewhere).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn login_bodies_over_64_kib_answer_413_even_without_content_length() {
    let app = app(auth(config()));
    let padding = "x".repeat(jwt_core::LOGIN_BODY_LIMIT);
    let body = format!(r#"{{"username": "alice", "password": "password1", "pad": "{padding}"}}"#);
    let chunks = body
        .into_bytes()
        .chunks(4096)
        .map(|chunk| Ok::<_, std::io::Error>(Bytes::copy_from_slice(chunk)))
        .collect::<Vec<_>>();
    let request = Request::post("/jwt/login/")
        .header("content-type", "application/json")
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .expect("a valid request");
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(message(&response), "Request body too large.");
}

#[tokio::test]
async fn endpoints_and_protected_routes_work_in_nested_routers() {
    let auth = auth(config());
    let api: Router = Router::new()
        .route(
            "/whoami/",
            get(|user: Authenticated| async move {
                axum::Json(serde_json::json!({ "user": user.subject }))
            }),
        )
        .merge(jwt_axum::routes(auth.clone()));
    let app: Router = Router::new().nest("/api", api).layer(JwtLayer::new(auth));

    let cookies = login_at(&app, "/api/jwt/login/").await;
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    let whoami = Request::get("/api/whoami/")
        .header("cookie", &cookies[0])
        .body(Body::empty())
        .expect("a valid request");
    let response = send(&app, whoami).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(user(&response).as_deref(), Some("alice"));

    // A non-browser client sends the refresh token in the header of the cookie's name.
    let refresh_token = cookies[1]
        .strip_prefix("RefreshAuthorization=")
        .expect("the refresh cookie comes second");
    let refresh = Request::post("/api/jwt/refresh/")
        .header("refreshauthorization", refresh_token)
        .body(Body::empty())
        .expect("a valid request");
    let refreshed = send(&app, refresh).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(message(&refreshed), "Access token refreshed.");
    let wrong_method = Request::get("/api/jwt/logout/")
        .body(Body::empty())
        .expect("a valid request");
    assert_eq!(
        send(&app, wrong_method).await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
}

#[tokio::test]
async fn a_layer_on_a_nested_router_covers_that_router_only() {
    async fn whoami(user: Authenticated) -> String {
        user.subject.clone()
    }
    let auth = auth(config());
    let private: Router = Router::new()
        .route("/whoami/", get(whoami))
        .layer(JwtLayer::new(auth.clone()));
    let app: Router = Router::new()
        .nest("/private", private)
        .route("/uncovered/", get(whoami))
        .merge(jwt_axum::routes(auth));
    let access = login_at(&app, "/jwt/login/").await[0].clone();

    let covered = Request::get("/private/whoami/")
        .header("cookie", &access)
        .body(Body::empty())
        .expect("a valid request");
    let response = send(&app, covered).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"alice");

    let uncovered = Request::get("/uncovered/")
        .header("cookie", &access)
        .body(Body::empty())
        .expect("a valid request");
    assert_eq!(
        send(&app, uncovered).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

/// An application state of its own, from which the handlers take the engine.
#[derive(Clone)]
struct AppState {
    auth: JwtAuth<NoClaims>,
    greeting: &'static str,
}

impl FromRef<AppState> for JwtAuth<NoClaims> {
    fn from_ref(state: &AppState) -> Self {
        state.auth.clone()
    }
}

#[tokio::test]
async fn handlers_mount_on_the_application_paths_with_its_own_state() {
    // The refresh cookie's Path follows JWT_REFRESH_PATH: set it to where refresh is mounted.
    let auth = auth(config().refresh_path("/account/renew"));
    let state = AppState {
        auth: auth.clone(),
        greeting: "hello",
    };
    let app: Router = Router::new()
        .route("/account/sign-in", any(jwt_axum::login::<NoClaims>))
        .route("/account/renew", any(jwt_axum::refresh::<NoClaims>))
        .route("/account/sign-out", any(jwt_axum::logout::<NoClaims>))
        .route(
            "/account/sign-out-all",
            any(jwt_axum::logout_all::<NoClaims>),
        )
        .route(
            "/greeting/",
            get(
                |axum::extract::State(state): axum::extract::State<AppState>,
                 user: Authenticated| async move {
                    format!("{} {}", state.greeting, user.subject)
                },
            ),
        )
        .with_state(state)
        .layer(JwtLayer::new(auth));

    let cookies = login_at(&app, "/account/sign-in").await;
    let greeting = Request::get("/greeting/")
        .header("cookie", &cookies[0])
        .body(Body::empty())
        .expect("a valid request");
    assert_eq!(send(&app, greeting).await.body().as_ref(), b"hello alice");

    let renewed = send(&app, post("/account/renew", &cookies[1..])).await;
    assert_eq!(message(&renewed), "Access token refreshed.");
    let wrong_method = Request::get("/account/sign-out")
        .body(Body::empty())
        .expect("a valid request");
    assert_eq!(
        send(&app, wrong_method).await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    let out = send(&app, post("/account/sign-out", &cookies[..1])).await;
    assert_eq!(message(&out), "Session ended.");
    let all = send(&app, post("/account/sign-out-all", &cookies[..1])).await;
    assert_eq!(message(&all), "All sessions ended.");
    // The session is revoked: its refresh token no longer works.
    let stale = send(&app, post("/account/renew", &cookies[1..])).await;
    assert_eq!(stale.status(), StatusCode::FORBIDDEN);
}
