//! The demo app on actix-web: the page at `GET /`, `GET /whoami/` for the logged-in user, and
//! the four endpoints at their configured paths, all behind `JwtMiddleware`.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin actix -- --addr 127.0.0.1:8000
//! ```

use std::error::Error;

use actix_cors::Cors;
use actix_web::http::header::ContentType;
use actix_web::{App, HttpResponse, HttpServer, web};
use jwt_actix::{Authenticated, JwtMiddleware, configure};
use jwt_core::JwtConfig;
use jwt_examples::{Demo, cors, whoami_body};

async fn whoami(user: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(whoami_body(&user))
}

/// actix-cors, granting exactly the trusted origins. Requests from other origins go on to the
/// app (which refuses the cookie-carrying ones itself) instead of getting actix-cors's own 400.
fn cors_middleware(config: &JwtConfig) -> Cors {
    let config = config.clone();
    Cors::default()
        .allowed_origin_fn(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|origin| config.is_trusted_origin(origin))
        })
        .supports_credentials()
        .allowed_methods(cors::METHODS)
        .allowed_headers(cors::HEADERS)
        .max_age(usize::try_from(cors::MAX_AGE_SECONDS).ok())
        .block_on_origin_mismatch(false)
}

// actix's server stops gracefully on Ctrl-C and SIGTERM by itself.
#[actix_web::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let demo = Demo::from_env()?;
    let page = demo.index_html();
    let auth = demo.auth.clone();
    let server = HttpServer::new(move || {
        App::new()
            .wrap(JwtMiddleware::new(auth.clone()))
            .configure(configure(auth.clone()))
            .route(
                "/",
                web::get().to(move || async move {
                    HttpResponse::Ok()
                        .content_type(ContentType::html())
                        .body(page)
                }),
            )
            .route("/whoami/", web::get().to(whoami))
            .wrap(cors_middleware(auth.config()))
    })
    .bind(demo.addr)?;
    demo.announce("actix");
    server.run().await?;
    Ok(())
}
