//! The demo app on actix-web: the page at `GET /`, `GET /whoami/` for the logged-in user, and
//! the four endpoints at their configured paths, all behind `JwtMiddleware`.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin actix -- --addr 127.0.0.1:8000
//! ```

use std::error::Error;

use actix_web::http::header::ContentType;
use actix_web::{App, HttpResponse, HttpServer, web};
use jwt_actix::{Authenticated, JwtMiddleware, configure};
use jwt_examples::{Demo, whoami_body};

async fn whoami(user: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(whoami_body(&user))
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
    })
    .bind(demo.addr)?;
    demo.announce("actix");
    server.run().await?;
    Ok(())
}
