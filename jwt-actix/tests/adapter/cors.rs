//! Use together with actix-cors: CORS answers preflights and labels responses; the origin
//! check of jwt-core still decides which cookie-authenticated requests pass.

use actix_cors::Cors;
use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use jwt_actix::{JwtMiddleware, configure};

use crate::fixture::{engine, json, log_in, login_request, set_cookie_lines, settings, whoami};

const TRUSTED: &str = "https://app.example";
/// Allowed by CORS (the page may read answers) but not trusted to send cookie-authenticated
/// unsafe requests.
const READ_ONLY: &str = "https://status.example";

fn cors() -> Cors {
    Cors::default()
        .allowed_origin(TRUSTED)
        .allowed_origin(READ_ONLY)
        .allowed_methods(["GET", "POST"])
        .allowed_header(header::CONTENT_TYPE)
        .supports_credentials()
}

macro_rules! service {
    () => {{
        let auth = engine(settings().trusted_origin(TRUSTED));
        test::init_service(
            App::new()
                .wrap(JwtMiddleware::new(auth.clone()))
                .wrap(cors())
                .configure(configure(auth))
                .route("/whoami/", web::get().to(whoami))
                .route("/whoami/", web::post().to(whoami)),
        )
        .await
    }};
}

fn allowed_origin<B>(response: &actix_web::dev::ServiceResponse<B>) -> Option<&str> {
    response
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .and_then(|value| value.to_str().ok())
}

#[actix_web::test]
async fn cors_answers_the_preflight_of_a_login() {
    let app = service!();
    let preflight = test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/jwt/login/")
        .insert_header((header::ORIGIN, TRUSTED))
        .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "POST"))
        .insert_header((header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type"))
        .to_request();
    let response = test::call_service(&app, preflight).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(allowed_origin(&response), Some(TRUSTED));
}

#[actix_web::test]
async fn a_login_from_a_trusted_origin_keeps_both_cookies_and_gets_cors_headers() {
    let app = service!();
    let request = login_request("/jwt/login/")
        .insert_header((header::ORIGIN, TRUSTED))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(allowed_origin(&response), Some(TRUSTED));
    assert_eq!(
        response
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .expect("credentials allowed"),
        "true"
    );
    assert_eq!(set_cookie_lines(&response).len(), 2);
}

#[actix_web::test]
async fn a_cors_allowed_origin_is_still_refused_cookie_authenticated_posts() {
    let app = service!();
    let (access, _) = log_in(&app, login_request("/jwt/login/").to_request()).await;

    let login = login_request("/jwt/login/")
        .insert_header((header::ORIGIN, READ_ONLY))
        .to_request();
    let response = test::call_service(&app, login).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie_lines(&response).is_empty());

    let post = test::TestRequest::post()
        .uri("/whoami/")
        .insert_header((header::ORIGIN, READ_ONLY))
        .insert_header((header::COOKIE, access.clone()))
        .to_request();
    let response = test::call_service(&app, post).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // The page may read why: the refusal carries the CORS headers too.
    assert_eq!(allowed_origin(&response), Some(READ_ONLY));
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Cross-origin request refused." })
    );

    let get = test::TestRequest::get()
        .uri("/whoami/")
        .insert_header((header::ORIGIN, READ_ONLY))
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, get).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(response).await, serde_json::json!({ "user": "alice" }));
}

#[actix_web::test]
async fn a_401_carries_the_cors_headers() {
    let app = service!();
    let request = test::TestRequest::get()
        .uri("/whoami/")
        .insert_header((header::ORIGIN, TRUSTED))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(allowed_origin(&response), Some(TRUSTED));
    assert_eq!(
        response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .expect("challenge"),
        "Bearer"
    );
}
