//! The demo app on axum: the page at `GET /`, `GET /whoami/` for the logged-in user, and the
//! four endpoints at their configured paths, all behind `JwtLayer`.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin axum -- --addr 127.0.0.1:8000
//! ```

use std::error::Error;

use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use jwt_axum::{Authenticated, JwtLayer};
use jwt_examples::{Demo, shutdown_signal, whoami_body};

async fn whoami(user: Authenticated) -> Json<serde_json::Value> {
    Json(whoami_body(&user))
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

    let listener = tokio::net::TcpListener::bind(demo.addr).await?;
    demo.announce("axum");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}
