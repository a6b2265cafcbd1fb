//! The request guards: what a handler sees, and what a failed guard answers.

mod test_app;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jwt_core::{Clock, JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, SystemClock};
use jwt_rocket::{AuthRejection, Authenticated, JwtFairing};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::response::Redirect;
use serde_json::{Value, json};
use test_app::{app, client, config, engine, login, quiet_config};

async fn json(response: LocalResponse<'_>) -> Value {
    let body = response
        .into_bytes()
        .await
        .expect("the response has a body");
    serde_json::from_slice(&body).expect("the body is JSON")
}

/// The status, `WWW-Authenticate` and body of a response, next to the core's reply for the
/// same rejection.
async fn assert_spec_rejection(response: LocalResponse<'_>, rejection: jwt_core::AuthRejection) {
    let expected = rejection.reply();
    assert_eq!(response.status().code, expected.status().as_u16());
    let challenge: Vec<&str> = response.headers().get("www-authenticate").collect();
    let expected_challenge: Vec<&str> = expected
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|value| value.to_str().expect("the core's challenge is ASCII"))
        .collect();
    assert_eq!(challenge, expected_challenge);
    assert_eq!(
        response.headers().get_one("content-type"),
        Some("application/json")
    );
    assert_eq!(
        response.headers().get_one("cache-control"),
        Some("no-store")
    );
    let body = response
        .into_bytes()
        .await
        .expect("the response has a body");
    assert_eq!(body, expected.body().to_vec());
}

async fn default_client() -> Client {
    let auth = engine(config(JwtConfig::builder()));
    client(app(&auth, "/")).await
}

#[rocket::async_test]
async fn missing_token_gets_401_with_bearer_challenge_and_message() {
    let client = default_client().await;
    let response = client.get("/whoami/").dispatch().await;
    assert_eq!(
        response.headers().get_one("www-authenticate"),
        Some("Bearer")
    );
    assert_spec_rejection(response, jwt_core::AuthRejection::MissingCredentials).await;
}

#[rocket::async_test]
async fn bad_bearer_token_gets_401_with_invalid_token_error() {
    let client = default_client().await;
    let response = client
        .get("/whoami/")
        .header(Header::new("Authorization", "Bearer not.a.token"))
        .dispatch()
        .await;
    assert_eq!(
        response.headers().get_one("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
    assert_spec_rejection(response, jwt_core::AuthRejection::InvalidToken).await;
}

#[rocket::async_test]
async fn bad_access_cookie_gets_401_invalid_token() {
    let client = default_client().await;
    let response = client
        .get("/whoami/")
        .header(Header::new("Cookie", "Authorization=garbage"))
        .dispatch()
        .await;
    assert_spec_rejection(response, jwt_core::AuthRejection::InvalidToken).await;
}

#[rocket::async_test]
async fn head_request_gets_the_rejection_status_without_body() {
    let client = default_client().await;
    let response = client.head("/whoami/").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        response.headers().get_one("www-authenticate"),
        Some("Bearer")
    );
    let body = response.into_bytes().await.unwrap_or_default();
    assert!(body.is_empty());
}

#[rocket::async_test]
async fn access_cookie_and_bearer_header_both_authenticate() {
    let client = default_client().await;
    let cookies = login(&client, "/jwt/login/").await;
    let access = &cookies[0];
    let by_cookie = client
        .get("/whoami/")
        .header(Header::new("Cookie", access.clone()))
        .dispatch()
        .await;
    assert_eq!(by_cookie.status(), Status::Ok);
    assert_eq!(json(by_cookie).await, json!({ "user": "alice" }));

    let token = access
        .split_once('=')
        .expect("a cookie is name=value")
        .1
        .to_owned();
    let by_header = client
        .post("/whoami/")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Origin", "https://elsewhere.example"))
        .dispatch()
        .await;
    assert_eq!(
        by_header.status(),
        Status::Ok,
        "header auth is not CSRF-prone"
    );
    assert_eq!(json(by_header).await, json!({ "user": "alice" }));
}

#[rocket::async_test]
async fn cookie_authenticated_cross_origin_post_gets_403() {
    let client = default_client().await;
    let cookies = login(&client, "/jwt/login/").await;
    let response = client
        .post("/whoami/")
        .header(Header::new("Cookie", cookies[0].clone()))
        .header(Header::new("Host", "app.example"))
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .dispatch()
        .await;
    assert_spec_rejection(response, jwt_core::AuthRejection::CrossOrigin).await;
}

#[rocket::async_test]
async fn cross_site_form_post_rewritten_by_rocket_is_still_refused() {
    // Rocket turns this POST into a GET before routing; the browser sent a cross-site POST.
    let client = default_client().await;
    let cookies = login(&client, "/jwt/login/").await;
    let response = client
        .post("/whoami/")
        .header(Header::new("Cookie", cookies[0].clone()))
        .header(Header::new(
            "Content-Type",
            "application/x-www-form-urlencoded",
        ))
        .header(Header::new("Sec-Fetch-Site", "cross-site"))
        .body("_method=get&x=1")
        .dispatch()
        .await;
    assert_spec_rejection(response, jwt_core::AuthRejection::CrossOrigin).await;
}

#[rocket::async_test]
async fn optional_guard_gives_none_for_anonymous_and_rejected_requests() {
    let client = default_client().await;
    let anonymous = client.get("/optional/").dispatch().await;
    assert_eq!(anonymous.status(), Status::Ok);
    assert_eq!(json(anonymous).await, json!({ "user": null }));

    let rejected = client
        .get("/optional/")
        .header(Header::new("Authorization", "Bearer not.a.token"))
        .dispatch()
        .await;
    assert_eq!(rejected.status(), Status::Ok);
    assert_eq!(rejected.headers().get_one("www-authenticate"), None);
    assert_eq!(json(rejected).await, json!({ "user": null }));

    let cookies = login(&client, "/jwt/login/").await;
    let known = client
        .get("/optional/")
        .header(Header::new("Cookie", cookies[0].clone()))
        .dispatch()
        .await;
    assert_eq!(json(known).await, json!({ "user": "alice" }));
}

#[rocket::get("/checked")]
fn checked(user: Result<Authenticated, AuthRejection>) -> Result<String, AuthRejection> {
    match user {
        Ok(user) => Ok(user.subject.clone()),
        Err(rejection) => {
            assert_eq!(
                rejection,
                AuthRejection::Rejected(jwt_core::AuthRejection::MissingCredentials)
            );
            Err(rejection)
        }
    }
}

#[rocket::async_test]
async fn result_guard_hands_over_a_rejection_that_responds_as_spec() {
    let auth = engine(config(JwtConfig::builder()));
    let client = client(app(&auth, "/").mount("/", rocket::routes![checked])).await;
    let response = client.get("/checked/").dispatch().await;
    assert_spec_rejection(response, jwt_core::AuthRejection::MissingCredentials).await;
}

#[rocket::catch(401)]
fn redirect_to_login() -> Redirect {
    Redirect::to("/login-page")
}

#[rocket::catch(401)]
fn html_401() -> (Status, rocket::response::content::RawHtml<&'static str>) {
    (
        Status::Unauthorized,
        rocket::response::content::RawHtml("<h1>nope</h1>"),
    )
}

#[rocket::async_test]
async fn application_catcher_answering_another_status_keeps_the_last_word() {
    let auth = engine(config(JwtConfig::builder()));
    let rocket = app(&auth, "/").register("/", rocket::catchers![redirect_to_login]);
    let client = client(rocket).await;
    let response = client.get("/whoami/").dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    assert_eq!(response.headers().get_one("location"), Some("/login-page"));
}

#[rocket::async_test]
async fn application_catcher_with_the_same_status_is_replaced_by_the_spec_response() {
    let auth = engine(config(JwtConfig::builder()));
    let rocket = app(&auth, "/").register("/", rocket::catchers![html_401]);
    let client = client(rocket).await;
    let response = client.get("/whoami/").dispatch().await;
    assert_spec_rejection(response, jwt_core::AuthRejection::MissingCredentials).await;
}

#[rocket::get("/forbidden")]
fn forbidden_by_the_app() -> Status {
    Status::Unauthorized
}

#[rocket::async_test]
async fn an_application_401_without_a_failed_guard_is_left_alone() {
    let auth = engine(config(JwtConfig::builder()));
    let client = client(app(&auth, "/").mount("/", rocket::routes![forbidden_by_the_app])).await;
    let response = client.get("/forbidden/").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(response.headers().get_one("www-authenticate"), None);
    assert_ne!(
        response.headers().get_one("content-type"),
        Some("application/json")
    );
}

#[rocket::async_test]
async fn a_route_with_the_guard_does_not_launch_without_the_fairing() {
    let required = rocket::custom(quiet_config())
        .mount("/", rocket::routes![test_app::whoami])
        .ignite()
        .await;
    let error = required.expect_err("the sentinel stops the launch");
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::SentinelAborts(_)
    ));

    let optional = rocket::custom(quiet_config())
        .mount("/", rocket::routes![test_app::optional])
        .ignite()
        .await;
    let error = optional.expect_err("the sentinel stops the launch");
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::SentinelAborts(_)
    ));
}

#[rocket::async_test]
async fn a_guard_invoked_without_the_fairing_answers_500() {
    // No route names the guard, so no sentinel runs; the guard still fails loudly.
    #[rocket::get("/manual")]
    async fn manual(request: ManualGuard) -> String {
        request.0
    }
    struct ManualGuard(String);
    #[rocket::async_trait]
    impl<'r> rocket::request::FromRequest<'r> for ManualGuard {
        type Error = AuthRejection;
        async fn from_request(
            request: &'r rocket::Request<'_>,
        ) -> rocket::request::Outcome<Self, AuthRejection> {
            request
                .guard::<Authenticated>()
                .await
                .map(|user| ManualGuard(user.subject.clone()))
        }
    }
    let client = client(rocket::custom(quiet_config()).mount("/", rocket::routes![manual])).await;
    let response = client.get("/manual/").dispatch().await;
    assert_eq!(response.status(), Status::InternalServerError);
}

/// A clock that counts how often it is read.
#[derive(Clone, Default)]
struct CountingClock(Arc<AtomicUsize>);

impl Clock for CountingClock {
    fn now(&self) -> time::OffsetDateTime {
        self.0.fetch_add(1, Ordering::SeqCst);
        SystemClock.now()
    }
}

#[rocket::get("/three-guards")]
fn three_guards(
    first: Authenticated,
    second: Authenticated,
    third: Option<Authenticated>,
) -> String {
    assert_eq!(first.subject, second.subject);
    assert!(third.is_some());
    first.subject.clone()
}

#[rocket::async_test]
async fn a_request_is_authenticated_once_however_many_guards_ask() {
    let clock = CountingClock::default();
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("the test user can be added");
    let config = config(JwtConfig::builder().strict_logout(true));
    let auth = JwtAuth::builder(config, users).clock(clock.clone()).build();
    let rocket = rocket::custom(quiet_config())
        .attach(JwtFairing::new(auth.clone()))
        .mount("/", jwt_rocket::routes(&auth))
        .mount("/", rocket::routes![test_app::whoami, three_guards]);
    let client = client(rocket).await;
    let cookies = login(&client, "/jwt/login/").await;

    let reads_for = |path: &'static str| {
        let client = &client;
        let cookie = cookies[0].clone();
        let clock = clock.clone();
        async move {
            let before = clock.0.load(Ordering::SeqCst);
            let response = client
                .get(path)
                .header(Header::new("Cookie", cookie))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::Ok);
            clock.0.load(Ordering::SeqCst) - before
        }
    };
    let one_guard = reads_for("/whoami/").await;
    let three = reads_for("/three-guards/").await;
    assert!(one_guard > 0);
    assert_eq!(three, one_guard);
}

#[rocket::async_test]
async fn cookies_set_through_the_local_clients_jar_authenticate() {
    let client = default_client().await;
    let cookies = login(&client, "/jwt/login/").await;
    let (name, value) = cookies[0].split_once('=').expect("a cookie is name=value");
    let response = client
        .get("/whoami/")
        .cookie(rocket::http::Cookie::new(name.to_owned(), value.to_owned()))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(json(response).await, json!({ "user": "alice" }));
}

#[rocket::async_test]
async fn two_access_cookies_in_the_header_are_ambiguous() {
    let client = default_client().await;
    let cookies = login(&client, "/jwt/login/").await;
    let response = client
        .get("/whoami/")
        .header(Header::new(
            "Cookie",
            format!("{}; {}", cookies[0], cookies[0]),
        ))
        .dispatch()
        .await;
    assert_spec_rejection(response, jwt_core::AuthRejection::InvalidToken).await;
}
