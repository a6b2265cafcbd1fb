//! The demo app on axum: the page at `GET /`, `GET /whoami/` for the logged-in user, and the
//! four endpoints at their configured paths, all behind `JwtLayer`.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin axum -- --addr 127.0.0.1:8000
//! ```

use std::error::Error;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::Request;
use axum::http::header::ORIGIN;
use axum::http::{HeaderName, Method};
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use jwt_axum::{Authenticated, JwtLayer};
use jwt_core::JwtConfig;
use jwt_examples::{Demo, cors, shutdown_signal, whoami_body};
use tower::ServiceExt as _;
use tower_http::cors::{AllowOrigin, CorsLayer};

async fn whoami(user: Authenticated) -> Json<serde_json::Value> {
    Json(whoami_body(&user))
}

/// `app` behind tower-http's CORS layer for requests from trusted origins, and as it is for
/// every other request: the layer answers any `OPTIONS` itself, which would hide the
/// endpoints' own `405` from everyone else.
fn with_cors(app: Router, config: &JwtConfig) -> Router {
    let granted = app.clone().layer(cors_layer(config));
    let config = config.clone();
    let dispatch = tower::service_fn(move |request: Request| {
        let trusted = request
            .headers()
            .get(ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .is_some_and(|origin| config.is_trusted_origin(origin));
        let service = if trusted {
            granted.clone()
        } else {
            app.clone()
        };
        service.oneshot(request)
    });
    Router::new().fallback_service(dispatch)
}

/// tower-http's CORS layer, granting exactly the trusted origins.
fn cors_layer(config: &JwtConfig) -> CorsLayer {
    let config = config.clone();
    let trusted = AllowOrigin::predicate(move |origin, _| {
        origin
            .to_str()
            .is_ok_and(|origin| config.is_trusted_origin(origin))
    });
    CorsLayer::new()
        .allow_origin(trusted)
        .allow_credentials(true)
        .allow_methods(
            cors::METHODS
                .map(|method| Method::from_bytes(method.as_bytes()))
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
        )
        .allow_headers(cors::HEADERS.map(HeaderName::from_static))
        .max_age(Duration::from_secs(cors::MAX_AGE_SECONDS.into()))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let demo = Demo::from_env()?;
    let page = demo.index_html();
    let app: Router = Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/whoami/", get(whoami))
        .merge(jwt_axum::routes(demo.auth.clone()))
        .layer(JwtLayer::new(demo.auth.clone()));
    let app = with_cors(app, demo.auth.config());

    let listener = tokio::net::TcpListener::bind(demo.addr).await?;
    demo.announce("axum");
    // With the peer address, which the login throttle counts failures by.
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}
