//! The middleware and the endpoints inside a `web::scope`.

use actix_web::http::{StatusCode, header};
use actix_web::{App, test, web};
use jwt_actix::{JwtMiddleware, configure, login, logout, logout_all, refresh};

use crate::fixture::{
    engine, json, log_in, login_request, optional, set_cookie_lines, settings, whoami,
};

#[actix_web::test]
async fn configure_mounts_the_endpoints_inside_a_scope() {
    // The cookie's Path is absolute, the configured endpoint paths relative to the scope.
    let auth = engine(settings().refresh_cookie_path("/api/jwt/refresh/"));
    let app = test::init_service(
        App::new()
            .service(
                web::scope("/api")
                    .wrap(JwtMiddleware::new(auth.clone()))
                    .configure(configure(auth))
                    .route("/whoami/", web::get().to(whoami)),
            )
            .route("/outside/", web::get().to(optional)),
    )
    .await;

    let response = test::call_service(&app, login_request("/api/jwt/login/").to_request()).await;
    let lines = set_cookie_lines(&response);
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("RefreshAuthorization=")
                && line.contains("Path=/api/jwt/refresh/")),
        "{lines:?}"
    );
    let (access, refresh_cookie) =
        log_in(&app, login_request("/api/jwt/login/").to_request()).await;

    let whoami = test::TestRequest::get()
        .uri("/api/whoami/")
        .insert_header((header::COOKIE, access.clone()))
        .to_request();
    let response = test::call_service(&app, whoami).await;
    assert_eq!(json(response).await, serde_json::json!({ "user": "alice" }));

    let renew = test::TestRequest::post()
        .uri("/api/jwt/refresh/")
        .insert_header((header::COOKIE, refresh_cookie))
        .to_request();
    assert_eq!(
        test::call_service(&app, renew).await.status(),
        StatusCode::OK
    );

    let wrong_method = test::TestRequest::get()
        .uri("/api/jwt/logout/")
        .to_request();
    let response = test::call_service(&app, wrong_method).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    let outside_scope = login_request("/jwt/login/").to_request();
    let response = test::call_service(&app, outside_scope).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The middleware wraps the scope only; an extractor outside it fails loudly.
    let outside = test::TestRequest::get()
        .uri("/outside/")
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, outside).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[actix_web::test]
async fn endpoints_mounted_one_by_one_in_a_scope_take_full_paths_in_the_settings() {
    // Another way to get the refresh cookie's Path right: configure the full paths and mount
    // each endpoint at the path relative to the scope.
    let auth = engine(
        settings()
            .login_path("/api/auth/login/")
            .refresh_path("/api/auth/refresh/")
            .logout_path("/api/auth/logout/")
            .logout_all_path("/api/auth/logout-all/"),
    );
    let app = test::init_service(
        App::new().service(
            web::scope("/api")
                .wrap(JwtMiddleware::new(auth.clone()))
                .route("/auth/login/", login(auth.clone()))
                .route("/auth/refresh/", refresh(auth.clone()))
                .route("/auth/logout/", logout(auth.clone()))
                .route("/auth/logout-all/", logout_all(auth)),
        ),
    )
    .await;
    let response = test::call_service(&app, login_request("/api/auth/login/").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let lines = set_cookie_lines(&response);
    assert!(
        lines[1].contains("Path=/api/auth/refresh/"),
        "refresh cookie: {}",
        lines[1]
    );
    let refresh_cookie = lines[1]
        .split(';')
        .next()
        .expect("a name=value part")
        .to_owned();
    let renew = test::TestRequest::post()
        .uri("/api/auth/refresh/")
        .insert_header((header::COOKIE, refresh_cookie))
        .to_request();
    assert_eq!(
        test::call_service(&app, renew).await.status(),
        StatusCode::OK
    );
}
