//! The endpoints as mounted by `configure` and one by one.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{App, test, web};
use jwt_actix::{JwtMiddleware, configure, login, logout, logout_all, refresh};
use jwt_core::LOGIN_BODY_LIMIT;

use crate::fixture::{engine, json, log_in, login_request, set_cookie_lines, settings, whoami};

#[actix_web::test]
async fn every_endpoint_answers_other_methods_with_405_and_allow_post() {
    let auth = engine(settings());
    let app = test::init_service(
        App::new()
            .wrap(JwtMiddleware::new(auth.clone()))
            .configure(configure(auth)),
    )
    .await;
    for path in [
        "/jwt/login/",
        "/jwt/refresh/",
        "/jwt/logout/",
        "/jwt/logout-all/",
    ] {
        for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
            let request = test::TestRequest::default()
                .method(method.clone())
                .uri(path)
                .to_request();
            let response = test::call_service(&app, request).await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(
                response.headers().get(header::ALLOW).expect("Allow"),
                "POST"
            );
            assert_eq!(
                json(response).await,
                serde_json::json!({ "message": "Method not allowed." })
            );
        }
    }
}

#[actix_web::test]
async fn login_sets_both_cookies_in_two_set_cookie_fields() {
    let auth = engine(settings());
    let app = test::init_service(
        App::new()
            .wrap(JwtMiddleware::new(auth.clone()))
            .configure(configure(auth)),
    )
    .await;
    let response = test::call_service(&app, login_request("/jwt/login/").to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let lines = set_cookie_lines(&response);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("Authorization="), "{lines:?}");
    assert!(lines[0].contains("Path=/;") || lines[0].ends_with("Path=/"));
    assert!(lines[1].starts_with("RefreshAuthorization="), "{lines:?}");
    assert!(lines[1].contains("Path=/jwt/refresh/"), "{lines:?}");
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Authentication successful." })
    );
}

#[actix_web::test]
async fn the_endpoints_mount_one_by_one_at_paths_of_the_applications_choosing() {
    let auth = engine(settings().refresh_path("/account/renew/"));
    let app = test::init_service(
        App::new()
            .wrap(JwtMiddleware::new(auth.clone()))
            .route("/account/sign-in/", login(auth.clone()))
            .route("/account/renew/", refresh(auth.clone()))
            .route("/account/sign-out/", logout(auth.clone()))
            .route("/account/sign-out-everywhere/", logout_all(auth))
            .route("/whoami/", web::get().to(whoami)),
    )
    .await;
    let (access, refresh_cookie) =
        log_in(&app, login_request("/account/sign-in/").to_request()).await;

    let renew = test::TestRequest::post()
        .uri("/account/renew/")
        .insert_header((header::COOKIE, refresh_cookie))
        .to_request();
    let response = test::call_service(&app, renew).await;
    assert_eq!(response.status(), StatusCode::OK);

    let sign_out = test::TestRequest::post()
        .uri("/account/sign-out/")
        .insert_header((header::COOKIE, access.clone()))
        .to_request();
    let response = test::call_service(&app, sign_out).await;
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Session ended." })
    );

    let everywhere = test::TestRequest::post()
        .uri("/account/sign-out-everywhere/")
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, everywhere).await;
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "All sessions ended." })
    );

    let default_path = login_request("/jwt/login/").to_request();
    let response = test::call_service(&app, default_path).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// A JSON login body for alice padded with spaces to exactly `len` bytes.
fn padded_login_body(len: usize) -> String {
    let credentials = r#"{"username": "alice", "password": "password1"}"#;
    let padding = len
        .checked_sub(credentials.len())
        .expect("room for the credentials");
    format!("{}{credentials}", " ".repeat(padding))
}

#[actix_web::test]
async fn login_reads_a_body_of_exactly_the_limit() {
    let auth = engine(settings());
    let app = test::init_service(App::new().configure(configure(auth))).await;
    let mut request = login_request("/jwt/login/")
        .set_payload(padded_login_body(LOGIN_BODY_LIMIT))
        .to_request();
    // No Content-Length: the adapter itself must count what it reads.
    request.headers_mut().remove(header::CONTENT_LENGTH);
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[actix_web::test]
async fn login_refuses_a_body_over_the_limit_with_413() {
    let auth = engine(settings());
    let app = test::init_service(App::new().configure(configure(auth))).await;
    for declared in [true, false] {
        let mut request = login_request("/jwt/login/")
            .set_payload(padded_login_body(LOGIN_BODY_LIMIT + 1))
            .to_request();
        if !declared {
            request.headers_mut().remove(header::CONTENT_LENGTH);
        }
        let response = test::call_service(&app, request).await;
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "Content-Length sent: {declared}"
        );
        assert_eq!(
            json(response).await,
            serde_json::json!({ "message": "Request body too large." })
        );
    }
}

#[actix_web::test]
async fn login_hashes_passwords_on_the_actix_runtime_without_blocking_it() {
    // MemoryAuthenticator verifies with `tokio::task::spawn_blocking`; actix's runtime is a
    // tokio runtime, so two logins at once both complete.
    let auth = engine(settings());
    let app = test::init_service(App::new().configure(configure(auth))).await;
    let first = test::call_service(&app, login_request("/jwt/login/").to_request());
    let second = test::call_service(&app, login_request("/jwt/login/").to_request());
    let (first, second) = tokio::join!(first, second);
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::OK);
}
