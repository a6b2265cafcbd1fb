//! The extractors: what a handler sees, and the rejections it never sees.

mod test_app;

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse as _;
use axum::routing::get;
use http::{Request, StatusCode};
use jwt_axum::{AuthRejection, Authenticated, JwtLayer, MaybeAuthenticated};
use jwt_core::{JwtAuth, MemoryAuthenticator, NoClaims};
use serde::{Deserialize, Serialize};
use test_app::{app, auth, config, login_at, message, send, user};

fn get_with(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::empty()).expect("a valid request")
}

#[tokio::test]
async fn required_extractor_without_token_answers_401_credentials_not_provided() {
    let app = app(auth(config()));
    let response = send(&app, get_with("/whoami/", &[])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        message(&response),
        "Authentication credentials were not provided."
    );
}

#[tokio::test]
async fn required_extractor_with_bad_token_answers_401_invalid_token() {
    let app = app(auth(config()));
    for headers in [
        [("authorization", "Bearer not.a.jwt")],
        [("cookie", "Authorization=not.a.jwt")],
    ] {
        let response = send(&app, get_with("/whoami/", &headers)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{headers:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer error="invalid_token""#
        );
        assert_eq!(message(&response), "Invalid or expired token.");
    }
}

#[tokio::test]
async fn required_extractor_accepts_the_access_cookie_and_the_bearer_header() {
    let app = app(auth(config()));
    let cookies = login_at(&app, "/jwt/login/").await;
    let access = cookies[0].clone();
    let token = access
        .strip_prefix("Authorization=")
        .expect("the access cookie comes first");
    let bearer = format!("Bearer {token}");
    for headers in [[("cookie", access.as_str())], [("authorization", &bearer)]] {
        let response = send(&app, get_with("/whoami/", &headers)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(user(&response).as_deref(), Some("alice"));
    }
}

#[tokio::test]
async fn optional_extractors_see_the_user_or_nothing_and_never_refuse() {
    let app = app(auth(config()));
    let access = login_at(&app, "/jwt/login/").await[0].clone();
    for path in ["/optional/", "/maybe/"] {
        let response = send(&app, get_with(path, &[("cookie", &access)])).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(user(&response).as_deref(), Some("alice"), "{path}");

        for headers in [
            vec![],
            vec![("authorization", "Bearer not.a.jwt")],
            // Two access cookies are ambiguous: no user, not the first one.
            vec![("cookie", access.as_str()), ("cookie", access.as_str())],
        ] {
            let response = send(&app, get_with(path, &headers)).await;
            assert_eq!(response.status(), StatusCode::OK, "{path} {headers:?}");
            assert_eq!(user(&response), None, "{path} {headers:?}");
        }
    }
}

#[tokio::test]
async fn cookie_authenticated_cross_origin_post_is_refused_with_403() {
    let app = app(auth(config()));
    let access = login_at(&app, "/jwt/login/").await[0].clone();
    let request = Request::post("/whoami/")
        .header("cookie", &access)
        .header("origin", "https://evil.example")
        .header("host", "app.example")
        .body(Body::empty())
        .expect("a valid request");
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(message(&response), "Cross-origin request refused.");

    let same_origin = Request::post("/whoami/")
        .header("cookie", &access)
        .header("origin", "https://app.example")
        .header("host", "app.example")
        .body(Body::empty())
        .expect("a valid request");
    assert_eq!(send(&app, same_origin).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn extractor_without_the_layer_answers_500_instead_of_panicking() {
    async fn whoami(user: Authenticated) -> String {
        user.subject.clone()
    }
    async fn optional(user: Option<Authenticated>) -> String {
        format!("{user:?}")
    }
    async fn maybe(user: MaybeAuthenticated) -> String {
        format!("{user:?}")
    }
    let app: Router = Router::new()
        .route("/whoami/", get(whoami))
        .route("/optional/", get(optional))
        .route("/maybe/", get(maybe));
    for path in ["/whoami/", "/optional/", "/maybe/"] {
        let response = send(&app, get_with(path, &[])).await;
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}"
        );
        assert_eq!(
            response.body(),
            jwt_core::Reply::internal_error().body(),
            "{path}"
        );
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Staff {
    role: String,
}

fn staff_auth() -> JwtAuth<Staff> {
    let users = MemoryAuthenticator::<Staff>::new();
    let staff = Staff {
        role: "editor".to_owned(),
    };
    users
        .add_user("alice", "password1", staff)
        .expect("a fresh table takes alice");
    JwtAuth::new(
        config().build().expect("the test settings are valid"),
        users,
    )
}

#[tokio::test]
async fn the_application_claims_reach_the_handler() {
    async fn role(user: Authenticated<Staff>) -> String {
        user.claims.role.clone()
    }
    let auth = staff_auth();
    let app: Router = Router::new()
        .route("/role/", get(role))
        .merge(jwt_axum::routes(auth.clone()))
        .layer(JwtLayer::new(auth));
    let access = login_at(&app, "/jwt/login/").await[0].clone();
    let response = send(&app, get_with("/role/", &[("cookie", &access)])).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"editor");
}

#[tokio::test]
async fn an_extractor_of_another_claims_type_than_the_layer_answers_500() {
    async fn whoami(user: Authenticated<NoClaims>) -> String {
        user.subject.clone()
    }
    let auth = staff_auth();
    let app: Router = Router::new()
        .route("/whoami/", get(whoami))
        .merge(jwt_axum::routes(auth.clone()))
        .layer(JwtLayer::new(auth));
    let access = login_at(&app, "/jwt/login/").await[0].clone();
    let response = send(&app, get_with("/whoami/", &[("cookie", &access)])).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn the_layer_applies_strict_logout() {
    let app = app(auth(config().strict_logout(true)));
    let access = login_at(&app, "/jwt/login/").await[0].clone();
    assert_eq!(
        send(&app, get_with("/whoami/", &[("cookie", &access)]))
            .await
            .status(),
        StatusCode::OK
    );
    let logout = Request::post("/jwt/logout/")
        .header("cookie", &access)
        .body(Body::empty())
        .expect("a valid request");
    assert_eq!(send(&app, logout).await.status(), StatusCode::OK);
    let response = send(&app, get_with("/whoami/", &[("cookie", &access)])).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(message(&response), "Invalid or expired token.");
}

#[test]
fn rejections_answer_exactly_as_the_core() {
    for core in [
        jwt_core::AuthRejection::MissingCredentials,
        jwt_core::AuthRejection::InvalidToken,
        jwt_core::AuthRejection::CrossOrigin,
        jwt_core::AuthRejection::StoreUnavailable,
    ] {
        let rejection = AuthRejection::from(core);
        assert_eq!(rejection.status(), core.status());
        let expected = core.reply();
        let response = rejection.into_response();
        assert_eq!(response.status(), expected.status());
        assert_eq!(response.headers(), expected.headers());
    }
    assert_eq!(
        AuthRejection::MissingLayer.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        AuthRejection::MissingLayer.into_response().status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
