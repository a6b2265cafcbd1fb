//! The warp side of the adapter: the filters, their rejections, and how they combine with
//! other filters (`and`, `or`, CORS). The wire contract itself is covered by the conformance
//! suite (`tests/conformance.rs`).

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, StreamBody};
use jwt_core::{
    AuthRejection as CoreRejection, Authentication, JwtAuth, JwtConfig, JwtConfigBuilder,
    LOGIN_BODY_LIMIT, MemoryAuthenticator, NoClaims, Principal,
};
use serde_json::{Value, json};
use warp::http::{Response, StatusCode};
use warp::{Filter, Rejection, Reply};

const SECRET: &str = "a test secret that is long enough for HS256";

fn engine_with(config: JwtConfigBuilder) -> JwtAuth<NoClaims> {
    let config = config.build().expect("the test settings are valid");
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("hashing a test password works");
    JwtAuth::new(config, users)
}

fn engine() -> JwtAuth<NoClaims> {
    engine_with(JwtConfig::builder().secret(SECRET))
}

fn json_body(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).expect("the body is JSON")
}

fn set_cookies(response: &Response<Bytes>) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().expect("Set-Cookie is ASCII").to_owned())
        .collect()
}

/// Logs alice in through `routes` and returns the `name=value` pair of her access cookie.
async fn access_cookie(auth: &JwtAuth<NoClaims>) -> String {
    let response = warp::test::request()
        .method("POST")
        .path(auth.config().login_path())
        .header("content-type", "application/json")
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .reply(&jwt_warp::routes(auth.clone()))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let access = set_cookies(&response)
        .into_iter()
        .find(|line| line.starts_with(&format!("{}=", auth.config().access_cookie())))
        .expect("login sets the access cookie");
    access
        .split(';')
        .next()
        .expect("split yields at least one part")
        .to_owned()
}

fn whoami(
    auth: JwtAuth<NoClaims>,
) -> impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone {
    warp::path!("whoami")
        .and(jwt_warp::authenticated(auth))
        .map(|principal: Principal<NoClaims>| {
            warp::reply::json(&json!({"user": principal.subject}))
        })
}

#[tokio::test]
async fn with_auth_extracts_every_outcome_without_rejecting() {
    let auth = engine();
    let filter = jwt_warp::with_auth(auth.clone());

    let anonymous = warp::test::request().filter(&filter).await;
    assert!(matches!(anonymous, Ok(Authentication::Anonymous)));

    let refused = warp::test::request()
        .header("authorization", "Bearer not.a.jwt")
        .filter(&filter)
        .await;
    assert!(matches!(
        refused,
        Ok(Authentication::Rejected(CoreRejection::InvalidToken))
    ));

    let cookie = access_cookie(&auth).await;
    let signed_in = warp::test::request()
        .header("cookie", cookie)
        .filter(&filter)
        .await;
    match signed_in {
        Ok(Authentication::Authenticated { principal, .. }) => {
            assert_eq!(principal.subject, "alice");
        }
        other => panic!("expected an authenticated outcome, got {other:?}"),
    }
}

#[tokio::test]
async fn missing_token_is_answered_with_401_and_a_bearer_challenge() {
    let app = whoami(engine()).recover(jwt_warp::recover);
    let response = warp::test::request().path("/whoami").reply(&app).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        json_body(&response),
        json!({"message": "Authentication credentials were not provided."})
    );
}

#[tokio::test]
async fn bad_token_is_answered_with_401_invalid_token() {
    let app = whoami(engine()).recover(jwt_warp::recover);
    let response = warp::test::request()
        .path("/whoami")
        .header("authorization", "Bearer eyJhbGciOiJub25lIn0.e30.")
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    assert_eq!(
        json_body(&response),
        json!({"message": "Invalid or expired token."})
    );
}

#[tokio::test]
async fn rejection_carries_the_core_reason_and_status() {
    let filter = jwt_warp::authenticated(engine());
    let rejection = warp::test::request()
        .header("authorization", "Bearer not.a.jwt")
        .filter(&filter)
        .await
        .expect_err("a bad token is rejected");
    let refused = rejection
        .find::<jwt_warp::AuthRejection>()
        .expect("the rejection is the adapter's");
    assert_eq!(refused.reason(), CoreRejection::InvalidToken);
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn valid_cookie_reaches_the_handler() {
    let auth = engine();
    let cookie = access_cookie(&auth).await;
    let app = whoami(auth).recover(jwt_warp::recover);
    let response = warp::test::request()
        .path("/whoami")
        .header("cookie", cookie)
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(&response), json!({"user": "alice"}));
}

#[tokio::test]
async fn cross_origin_cookie_post_is_refused_with_403() {
    let auth = engine();
    let cookie = access_cookie(&auth).await;
    let app = warp::path!("notes")
        .and(warp::post())
        .and(jwt_warp::authenticated(auth))
        .map(|_: Principal<NoClaims>| "saved")
        .recover(jwt_warp::recover);
    let response = warp::test::request()
        .method("POST")
        .path("/notes")
        .header("cookie", cookie)
        .header("sec-fetch-site", "cross-site")
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        json_body(&response),
        json!({"message": "Cross-origin request refused."})
    );
}

#[tokio::test]
async fn optional_gives_none_for_anonymous_and_bad_tokens_and_the_principal_otherwise() {
    let auth = engine();
    let app = warp::path!("optional")
        .and(jwt_warp::optional(auth.clone()))
        .map(|principal: Option<Principal<NoClaims>>| {
            warp::reply::json(&json!({"user": principal.map(|p| p.subject)}))
        });

    let anonymous = warp::test::request().path("/optional").reply(&app).await;
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert_eq!(json_body(&anonymous), json!({"user": null}));

    let bad = warp::test::request()
        .path("/optional")
        .header("authorization", "Bearer not.a.jwt")
        .reply(&app)
        .await;
    assert_eq!(bad.status(), StatusCode::OK);
    assert_eq!(json_body(&bad), json!({"user": null}));

    let cookie = access_cookie(&auth).await;
    let signed_in = warp::test::request()
        .path("/optional")
        .header("cookie", cookie)
        .reply(&app)
        .await;
    assert_eq!(json_body(&signed_in), json!({"user": "alice"}));
}

#[tokio::test]
async fn recover_passes_other_rejections_on() {
    async fn application_recover(rejection: Rejection) -> Result<impl Reply, Infallible> {
        let status = if rejection.is_not_found() {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        Ok(warp::reply::with_status(
            "handled by the application",
            status,
        ))
    }
    let app = whoami(engine())
        .recover(jwt_warp::recover)
        .recover(application_recover);

    let unknown = warp::test::request().path("/elsewhere").reply(&app).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown.body(), "handled by the application");

    let anonymous = warp::test::request().path("/whoami").reply(&app).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn application_recover_can_answer_with_the_rejection() {
    async fn application_recover(rejection: Rejection) -> Result<warp::reply::Response, Rejection> {
        match rejection.find::<jwt_warp::AuthRejection>() {
            Some(refused) => Ok(refused.into_response()),
            None => Err(rejection),
        }
    }
    let app = whoami(engine()).recover(application_recover);
    let response = warp::test::request().path("/whoami").reply(&app).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn and_combines_with_path_parameters_and_headers() {
    let auth = engine();
    let cookie = access_cookie(&auth).await;
    let app = warp::path!("notes" / u32)
        .and(warp::header::<String>("x-client"))
        .and(jwt_warp::authenticated(auth))
        .map(|id: u32, client: String, principal: Principal<NoClaims>| {
            format!("note {id} of {} via {client}", principal.subject)
        })
        .recover(jwt_warp::recover);
    let response = warp::test::request()
        .path("/notes/7")
        .header("x-client", "tests")
        .header("cookie", cookie)
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body(), "note 7 of alice via tests");

    // The path filter comes first, so an unknown path stays a 404 without any token.
    let unknown = warp::test::request()
        .path("/notes/seven")
        .header("x-client", "tests")
        .reply(&app)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn auth_rejection_wins_over_rejections_of_other_routes_tried_with_or() {
    let auth = engine();
    let app = whoami(auth.clone())
        .map(Reply::into_response)
        .or(warp::path!("whoami")
            .and(warp::put())
            .map(|| "put")
            .map(Reply::into_response))
        .or(warp::path!("public")
            .map(|| "public")
            .map(Reply::into_response))
        .recover(jwt_warp::recover);

    // `/whoami` by GET: the first route refuses (401), the second has the wrong method
    // (405), the third the wrong path (404); the 401 is the answer.
    let response = warp::test::request().path("/whoami").reply(&app).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let public = warp::test::request().path("/public").reply(&app).await;
    assert_eq!(public.status(), StatusCode::OK);
    assert_eq!(public.body(), "public");
}

#[tokio::test]
async fn routes_answer_every_other_method_with_the_core_405() {
    let auth = engine();
    // A catch-all after the routes must not see requests for the endpoints.
    let app = jwt_warp::routes(auth.clone()).or(warp::any().map(|| "fallback"));
    let paths = [
        "/jwt/login/",
        "/jwt/refresh/",
        "/jwt/logout/",
        "/jwt/logout-all/",
    ];
    for path in paths {
        for method in ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            let response = warp::test::request()
                .method(method)
                .path(path)
                .reply(&app)
                .await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(response.headers()["allow"], "POST", "{method} {path}");
            if method != "HEAD" {
                assert_eq!(
                    json_body(&response),
                    json!({"message": "Method not allowed."}),
                    "{method} {path}"
                );
            }
        }
    }
}

#[tokio::test]
async fn routes_leave_other_paths_to_the_following_filters() {
    let app = jwt_warp::routes(engine()).or(warp::any().map(|| "fallback"));
    for path in ["/jwt/login", "/jwt/login/extra", "/jwt/", "/"] {
        let response = warp::test::request()
            .method("POST")
            .path(path)
            .reply(&app)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.body(), "fallback", "{path}");
    }
    let alone = warp::test::request()
        .path("/elsewhere")
        .reply(&jwt_warp::routes(engine()))
        .await;
    assert_eq!(alone.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn routes_follow_the_configured_paths() {
    let auth = engine_with(
        JwtConfig::builder()
            .secret(SECRET)
            .login_path("/auth/sign-in/")
            .refresh_path("/auth/renew/"),
    );
    let app = jwt_warp::routes(auth.clone());
    let login = warp::test::request()
        .method("POST")
        .path("/auth/sign-in/")
        .header("content-type", "application/json")
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .reply(&app)
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let refresh_cookie = set_cookies(&login)
        .into_iter()
        .find(|line| line.starts_with("RefreshAuthorization="))
        .expect("login sets the refresh cookie");
    assert!(
        refresh_cookie.contains("Path=/auth/renew/"),
        "{refresh_cookie}"
    );

    let refresh = warp::test::request()
        .method("POST")
        .path("/auth/renew/")
        .reply(&app)
        .await;
    assert_eq!(refresh.status(), StatusCode::FORBIDDEN);

    let old_path = warp::test::request()
        .method("POST")
        .path("/jwt/login/")
        .reply(&app)
        .await;
    assert_eq!(old_path.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn login_answer_carries_both_set_cookie_lines() {
    let auth = engine();
    let response = warp::test::request()
        .method("POST")
        .path("/jwt/login/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=alice&password=password1")
        .reply(&jwt_warp::routes(auth))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies[0].starts_with("Authorization="), "{cookies:?}");
    assert!(
        cookies[1].starts_with("RefreshAuthorization="),
        "{cookies:?}"
    );
    assert_eq!(
        json_body(&response),
        json!({"message": "Authentication successful."})
    );
}

#[tokio::test]
async fn declared_oversized_login_body_gets_the_core_413() {
    let body = vec![b'a'; LOGIN_BODY_LIMIT + 1];
    let response = warp::test::request()
        .method("POST")
        .path("/jwt/login/")
        .header("content-type", "application/json")
        .body(body)
        .reply(&jwt_warp::routes(engine()))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        json_body(&response),
        json!({"message": "Request body too large."})
    );
}

#[tokio::test]
async fn endless_login_body_without_length_gets_the_core_413() {
    // No Content-Length and no end: the adapter must count the bytes itself and stop
    // reading at the limit, or this request never gets an answer.
    let chunk = Bytes::from(vec![b' '; 16 * 1024]);
    let endless = futures_util::stream::repeat_with(move || {
        Ok::<_, Infallible>(http_body::Frame::data(chunk.clone()))
    });
    let body = StreamBody::new(endless);
    let request = http::Request::post("/jwt/login/")
        .header("content-type", "application/json")
        .body(body)
        .expect("a valid request");
    let mut service = warp::service(jwt_warp::routes(engine()));
    let answer = tower_service::Service::call(&mut service, request);
    let response = match tokio::time::timeout(Duration::from_secs(30), answer).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => panic!("the login endpoint kept reading an endless body"),
    };
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = response
        .into_body()
        .collect()
        .await
        .expect("an in-memory body cannot fail")
        .to_bytes();
    let body: Value = serde_json::from_slice(&body).expect("the body is JSON");
    assert_eq!(body, json!({"message": "Request body too large."}));
}

#[tokio::test]
async fn endpoints_mount_at_paths_of_the_application() {
    let auth = engine();
    let cookie = access_cookie(&auth).await;
    let app = warp::path!("api" / "sign-out")
        .and(jwt_warp::logout(auth.clone()))
        .or(warp::path!("api" / "sign-out-everywhere").and(jwt_warp::logout_all(auth.clone())))
        .unify()
        .or(warp::path!("api" / "renew").and(jwt_warp::refresh(auth.clone())))
        .unify()
        .or(warp::path!("api" / "sign-in").and(jwt_warp::login(auth)))
        .unify();

    let response = warp::test::request()
        .method("POST")
        .path("/api/sign-out")
        .header("cookie", cookie)
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(&response), json!({"message": "Session ended."}));
    assert_eq!(set_cookies(&response).len(), 2);

    let response = warp::test::request()
        .method("GET")
        .path("/api/sign-out-everywhere")
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);

    let response = warp::test::request()
        .method("POST")
        .path("/api/sign-in")
        .header("content-type", "text/plain")
        .body("alice")
        .reply(&app)
        .await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn own_origin_comes_from_the_uri_authority_without_a_host_header() {
    // As over HTTP/2: the authority is in the URI and there is no `Host` field.
    let auth = engine_with(JwtConfig::builder().secret(SECRET).cookie_secure(false));
    let cookie = access_cookie(&auth).await;
    let app = jwt_warp::routes(auth);

    let foreign = warp::test::request()
        .method("POST")
        .path("http://app.example/jwt/logout/")
        .header("cookie", cookie.clone())
        .header("origin", "http://evil.example")
        .reply(&app)
        .await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

    let same = warp::test::request()
        .method("POST")
        .path("http://app.example/jwt/logout/")
        .header("cookie", cookie)
        .header("origin", "http://app.example")
        .reply(&app)
        .await;
    assert_eq!(same.status(), StatusCode::OK);
}

#[tokio::test]
async fn cors_preflight_and_credentialed_login_from_a_trusted_origin() {
    const SPA: &str = "https://spa.example";
    let auth = engine_with(JwtConfig::builder().secret(SECRET).trusted_origin(SPA));
    let cors = warp::cors()
        .allow_origin(SPA)
        .allow_methods(["POST"])
        .allow_headers(["content-type"])
        .allow_credentials(true);
    let app = jwt_warp::routes(auth.clone())
        .or(whoami(auth).map(Reply::into_response))
        .unify()
        .recover(jwt_warp::recover)
        .with(cors);

    // The preflight is CORS's to answer, not the endpoint's 405.
    let preflight = warp::test::request()
        .method("OPTIONS")
        .path("/jwt/login/")
        .header("origin", SPA)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .reply(&app)
        .await;
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(preflight.headers()["access-control-allow-origin"], SPA);
    assert_eq!(
        preflight.headers()["access-control-allow-credentials"],
        "true"
    );

    let login = warp::test::request()
        .method("POST")
        .path("/jwt/login/")
        .header("origin", SPA)
        .header("sec-fetch-site", "same-site")
        .header("content-type", "application/json")
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .reply(&app)
        .await;
    // A sibling app's `same-site` request passes: its `Origin` is trusted.
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(set_cookies(&login).len(), 2);
    let login = warp::test::request()
        .method("POST")
        .path("/jwt/login/")
        .header("origin", SPA)
        .header("content-type", "application/json")
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .reply(&app)
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    assert_eq!(login.headers()["access-control-allow-origin"], SPA);
    assert_eq!(set_cookies(&login).len(), 2);

    // The 401 is rendered inside the CORS wrapper, so the page can read it.
    let anonymous = warp::test::request()
        .path("/whoami")
        .header("origin", SPA)
        .reply(&app)
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()["access-control-allow-origin"], SPA);
}

#[tokio::test]
async fn cors_allowed_origin_that_is_not_trusted_is_refused_by_the_core() {
    let auth = engine();
    let cors = warp::cors()
        .allow_origin("https://spa.example")
        .allow_methods(["POST"])
        .allow_headers(["content-type"])
        .allow_credentials(true);
    let app = jwt_warp::routes(auth).with(cors);
    let login = warp::test::request()
        .method("POST")
        .path("/jwt/login/")
        .header("origin", "https://spa.example")
        .header("content-type", "application/json")
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .reply(&app)
        .await;
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        json_body(&login),
        json!({"message": "Cross-origin request refused."})
    );
    assert!(set_cookies(&login).is_empty());
}
