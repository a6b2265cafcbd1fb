//! What the extractors answer when a request is not authenticated as they need.

use std::error::Error;
use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{App, HttpResponse, ResponseError, test, web};
use jwt_actix::{AuthRejection, Authenticated, JwtMiddleware, configure};
use jwt_core::{
    FailureCount, JwtAuth, MemoryAuthenticator, MemoryStore, NewSession, NoClaims, Refresh,
    RefreshAttempt, SessionId, SessionStore, StoreError, async_trait,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::fixture::{engine, json, log_in, login_request, optional, settings, whoami};

async fn option_of_authenticated(user: Option<Authenticated>) -> HttpResponse {
    let user = user.map(|user| user.into_inner().subject);
    HttpResponse::Ok().json(serde_json::json!({ "user": user }))
}

macro_rules! service_for {
    ($auth:expr) => {{
        let auth = $auth;
        test::init_service(
            App::new()
                .wrap(JwtMiddleware::new(auth.clone()))
                .configure(configure(auth))
                .route("/whoami/", web::get().to(whoami))
                .route("/whoami/", web::post().to(whoami))
                .route("/optional/", web::get().to(optional))
                .route("/option/", web::get().to(option_of_authenticated)),
        )
        .await
    }};
}

#[actix_web::test]
async fn required_extractor_without_a_token_answers_401_bearer() {
    let app = service_for!(engine(settings()));
    let request = test::TestRequest::get().uri("/whoami/").to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .expect("challenge"),
        "Bearer"
    );
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .expect("a JSON body"),
        "application/json"
    );
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Authentication credentials were not provided." })
    );
}

#[actix_web::test]
async fn required_extractor_with_a_bad_token_answers_401_invalid_token() {
    let app = service_for!(engine(settings()));
    let request = test::TestRequest::get()
        .uri("/whoami/")
        .insert_header((header::AUTHORIZATION, "Bearer not.a.token"))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .expect("challenge"),
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Invalid or expired token." })
    );
}

#[actix_web::test]
async fn required_extractor_refuses_a_cookie_authenticated_cross_site_post() {
    let app = service_for!(engine(settings()));
    let (access, _) = log_in(&app, login_request("/jwt/login/").to_request()).await;
    let request = test::TestRequest::post()
        .uri("/whoami/")
        .insert_header((header::COOKIE, access))
        .insert_header(("sec-fetch-site", "cross-site"))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Cross-origin request refused." })
    );
}

#[actix_web::test]
async fn optional_extractors_read_a_bad_token_as_anonymous() {
    let app = service_for!(engine(settings()));
    for path in ["/optional/", "/option/"] {
        let request = test::TestRequest::get()
            .uri(path)
            .insert_header((header::AUTHORIZATION, "Bearer not.a.token"))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            json(response).await,
            serde_json::json!({ "user": null }),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn optional_extractors_see_the_user_of_a_good_token() {
    let app = service_for!(engine(settings()));
    let (access, _) = log_in(&app, login_request("/jwt/login/").to_request()).await;
    for path in ["/optional/", "/option/"] {
        let request = test::TestRequest::get()
            .uri(path)
            .insert_header((header::COOKIE, access.clone()))
            .to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(
            json(response).await,
            serde_json::json!({ "user": "alice" }),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn extractors_without_the_middleware_answer_500_not_anonymous() {
    let app = test::init_service(
        App::new()
            .route("/whoami/", web::get().to(whoami))
            .route("/optional/", web::get().to(optional)),
    )
    .await;
    for path in ["/whoami/", "/optional/"] {
        let request = test::TestRequest::get().uri(path).to_request();
        let response = test::call_service(&app, request).await;
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}"
        );
        assert!(response.headers().get(header::WWW_AUTHENTICATE).is_none());
        let expected = jwt_core::Reply::internal_error();
        assert_eq!(test::read_body(response).await, *expected.body(), "{path}");
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Role {
    role: String,
}

async fn role(user: Authenticated<Role>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "user": user.subject,
        "role": user.claims.role,
    }))
}

fn engine_with_roles() -> JwtAuth<Role> {
    let config = settings().build().expect("valid settings");
    let users = MemoryAuthenticator::<Role>::new();
    let admin = Role {
        role: "admin".to_owned(),
    };
    users
        .add_user("alice", "password1", admin)
        .expect("hashing works");
    JwtAuth::new(config, users)
}

#[actix_web::test]
async fn the_application_claims_reach_the_handler() {
    let auth = engine_with_roles();
    let app = test::init_service(
        App::new()
            .wrap(JwtMiddleware::new(auth.clone()))
            .configure(configure(auth))
            .route("/role/", web::get().to(role)),
    )
    .await;
    let (access, _) = log_in(&app, login_request("/jwt/login/").to_request()).await;
    let request = test::TestRequest::get()
        .uri("/role/")
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(
        json(response).await,
        serde_json::json!({ "user": "alice", "role": "admin" })
    );
}

#[actix_web::test]
async fn an_extractor_for_other_claims_than_the_middleware_answers_500() {
    let auth = engine_with_roles();
    let app = test::init_service(
        App::new()
            .wrap(JwtMiddleware::new(auth.clone()))
            .configure(configure(auth))
            .route("/whoami/", web::get().to(whoami)),
    )
    .await;
    let (access, _) = log_in(&app, login_request("/jwt/login/").to_request()).await;
    let request = test::TestRequest::get()
        .uri("/whoami/")
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// A session store whose backend is down.
struct UnreachableStore;

fn unreachable() -> StoreError {
    let cause: Box<dyn Error + Send + Sync> = "connection refused".into();
    StoreError::Unavailable(cause)
}

#[async_trait]
impl SessionStore for UnreachableStore {
    async fn create(&self, _: NewSession) -> Result<(), StoreError> {
        Err(unreachable())
    }
    async fn refresh(&self, _: RefreshAttempt) -> Result<Refresh, StoreError> {
        Err(unreachable())
    }
    async fn revoke(&self, _: &SessionId, _: &str) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn revoke_all(&self, _: &str) -> Result<usize, StoreError> {
        Err(unreachable())
    }
    async fn is_active(
        &self,
        _: &SessionId,
        _: &str,
        _: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Err(unreachable())
    }
    async fn login_failures(
        &self,
        _: &[String],
        _: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        Err(unreachable())
    }
    async fn record_login_failure(
        &self,
        _: &[String],
        _: time::Duration,
        _: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        Err(unreachable())
    }
    async fn clear_login_failures(&self, _: &str) -> Result<(), StoreError> {
        Err(unreachable())
    }
    async fn claim_once(
        &self,
        _: &str,
        _: OffsetDateTime,
        _: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        Err(unreachable())
    }
}

fn engine_with_store(store: Arc<dyn SessionStore>) -> JwtAuth<NoClaims> {
    let config = settings()
        .strict_logout(true)
        .build()
        .expect("valid settings");
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hashing works");
    JwtAuth::builder(config, users).shared_store(store).build()
}

#[actix_web::test]
async fn strict_logout_with_the_store_down_answers_503_with_retry_after() {
    let working = service_for!(engine_with_store(Arc::new(MemoryStore::new())));
    let (access, _) = log_in(&working, login_request("/jwt/login/").to_request()).await;

    let app = service_for!(engine_with_store(Arc::new(UnreachableStore)));
    let request = test::TestRequest::get()
        .uri("/whoami/")
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    assert_eq!(
        json(response).await,
        serde_json::json!({ "message": "Session store unavailable." })
    );
}

#[actix_web::test]
async fn strict_logout_refuses_the_access_token_of_an_ended_session() {
    let app = service_for!(engine_with_store(Arc::new(MemoryStore::new())));
    let (access, _) = log_in(&app, login_request("/jwt/login/").to_request()).await;
    let logout = test::TestRequest::post()
        .uri("/jwt/logout/")
        .insert_header((header::COOKIE, access.clone()))
        .to_request();
    assert_eq!(
        test::call_service(&app, logout).await.status(),
        StatusCode::OK
    );

    let request = test::TestRequest::get()
        .uri("/whoami/")
        .insert_header((header::COOKIE, access))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .expect("challenge"),
        r#"Bearer error="invalid_token""#
    );
}

#[actix_web::test]
async fn a_rejection_answers_with_its_own_status() {
    let rejections = [
        AuthRejection::from(jwt_core::AuthRejection::MissingCredentials),
        AuthRejection::from(jwt_core::AuthRejection::InvalidToken),
        AuthRejection::from(jwt_core::AuthRejection::CrossOrigin),
        AuthRejection::from(jwt_core::AuthRejection::StoreUnavailable),
        AuthRejection::MiddlewareMissing,
    ];
    let statuses: Vec<u16> = rejections
        .iter()
        .map(|rejection| {
            let status = rejection.status_code();
            assert_eq!(rejection.error_response().status(), status, "{rejection:?}");
            status.as_u16()
        })
        .collect();
    assert_eq!(statuses, [401, 401, 403, 503, 500]);
}
