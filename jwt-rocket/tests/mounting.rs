//! Mounting: under a base path, by the fairing, from Rocket's own configuration; and the
//! launch checks that keep a misconfigured app from starting.

mod test_app;

use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
use jwt_rocket::JwtFairing;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Header, Status};
use rocket::{Build, Rocket};
use serde_json::json;
use test_app::{SECRET, app, client, config, engine, login, quiet_config};

async fn launches(rocket: Rocket<Build>) -> bool {
    match rocket.ignite().await {
        Ok(_) => true,
        Err(error) => {
            assert!(
                matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)),
                "refused by the fairing, not otherwise: {error}"
            );
            false
        }
    }
}

#[rocket::async_test]
async fn endpoints_mounted_under_a_base_answer_below_it() {
    // The refresh cookie must reach the mounted refresh endpoint.
    let auth = engine(config(
        JwtConfig::builder().refresh_cookie_path("/api/jwt/refresh/"),
    ));
    let client = client(app(&auth, "/api")).await;

    let cookies = login(&client, "/api/jwt/login/").await;
    let unprefixed = client.post("/jwt/login/").dispatch().await;
    assert_eq!(unprefixed.status(), Status::NotFound);
    let wrong_method = client.get("/api/jwt/logout-all/").dispatch().await;
    assert_eq!(wrong_method.status(), Status::MethodNotAllowed);
    assert_eq!(wrong_method.headers().get_one("allow"), Some("POST"));

    let refreshed = client
        .post("/api/jwt/refresh/")
        .header(Header::new("Cookie", cookies[1].clone()))
        .dispatch()
        .await;
    assert_eq!(refreshed.status(), Status::Ok);
    let rotated = refreshed
        .headers()
        .get("set-cookie")
        .find(|line| line.starts_with("RefreshAuthorization="))
        .expect("a rotated refresh cookie");
    assert!(rotated.contains("Path=/api/jwt/refresh/"), "{rotated}");

    let whoami = client
        .get("/whoami/")
        .header(Header::new("Cookie", cookies[0].clone()))
        .dispatch()
        .await;
    assert_eq!(whoami.status(), Status::Ok);
}

#[rocket::async_test]
async fn launch_is_refused_when_the_refresh_cookie_would_miss_the_mounted_refresh_endpoint() {
    let auth = engine(config(JwtConfig::builder()));
    assert!(!launches(app(&auth, "/api")).await);
    assert!(launches(app(&auth, "/")).await);
}

#[rocket::async_test]
async fn the_fairing_mounts_the_endpoints_only_when_asked() {
    let auth = engine(config(JwtConfig::builder()));
    let bare = rocket::custom(quiet_config())
        .attach(JwtFairing::new(auth.clone()))
        .ignite()
        .await
        .expect("launches");
    assert_eq!(bare.routes().count(), 0);

    let under_api = rocket::custom(quiet_config())
        .attach(JwtFairing::new(auth.clone()).mount_endpoints("/api"));
    assert!(
        !launches(under_api).await,
        "the refresh cookie's Path is /jwt/refresh/"
    );

    let mounted = rocket::custom(quiet_config())
        .attach(JwtFairing::new(auth).mount_endpoints("/"))
        .ignite()
        .await
        .expect("launches");
    assert!(
        mounted
            .routes()
            .any(|route| route.uri.path() == "/jwt/logout-all")
    );
}

#[rocket::async_test]
async fn a_second_engine_for_the_same_claims_is_refused() {
    let auth = engine(config(JwtConfig::builder()));
    let rocket = rocket::custom(quiet_config())
        .manage(auth.clone())
        .attach(JwtFairing::new(auth));
    assert!(!launches(rocket).await);
}

fn from_figment(settings: serde_json::Value) -> Rocket<Build> {
    let users = MemoryAuthenticator::<NoClaims>::new();
    users
        .add_user("alice", "password1", NoClaims)
        .expect("the test user can be added");
    let figment = rocket::figment::Figment::from(quiet_config())
        .merge(Serialized::default(jwt_rocket::FIGMENT_KEY, settings));
    rocket::custom(figment)
        .attach(
            JwtFairing::from_figment(move |config| JwtAuth::new(config, users))
                .mount_endpoints("/"),
        )
        .mount("/", rocket::routes![test_app::whoami])
}

#[rocket::async_test]
async fn settings_can_come_from_rockets_configuration() {
    let rocket = from_figment(json!({ "secret": SECRET, "login_path": "/sign-in/" }));
    let client = client(rocket).await;
    let login = client
        .post("/sign-in/")
        .header(ContentType::JSON)
        .body(r#"{"username": "alice", "password": "password1"}"#)
        .dispatch()
        .await;
    assert_eq!(login.status(), Status::Ok);
    let access = login
        .headers()
        .get_one("set-cookie")
        .and_then(|line| line.split(';').next())
        .expect("an access cookie")
        .to_owned();
    let whoami = client
        .get("/whoami/")
        .header(Header::new("Cookie", access))
        .dispatch()
        .await;
    assert_eq!(whoami.status(), Status::Ok);
}

#[rocket::async_test]
async fn invalid_or_missing_settings_in_rockets_configuration_stop_the_launch() {
    assert!(!launches(from_figment(json!({ "secret": "too short" }))).await);
    assert!(
        !launches(from_figment(
            json!({ "secret": SECRET, "no_such_setting": 1 })
        ))
        .await
    );
    assert!(
        !launches(from_figment(json!({}))).await,
        "JWT_SECRET is required"
    );
    assert!(launches(from_figment(json!({ "secret": SECRET }))).await);
}
