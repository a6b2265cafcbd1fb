//! The demo app on warp: the page at `GET /`, `GET /whoami/` for the logged-in user, and the
//! four endpoints at their configured paths; `jwt_warp::recover` answers refused requests.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin warp -- --addr 127.0.0.1:8000
//! ```

use std::error::Error;

use jwt_core::{JwtConfig, NoClaims, Principal};
use jwt_examples::{Demo, cors, shutdown_signal, whoami_body};
use warp::{Filter, Rejection};

/// Passes requests whose `Origin` is one of `JWT_TRUSTED_ORIGINS`.
fn from_trusted_origin(config: JwtConfig) -> impl Filter<Extract = (), Error = Rejection> + Clone {
    warp::header::optional::<String>("origin")
        .and_then(move |origin: Option<String>| {
            let trusted = origin.is_some_and(|origin| config.is_trusted_origin(&origin));
            async move {
                match trusted {
                    true => Ok(()),
                    false => Err(warp::reject::not_found()),
                }
            }
        })
        .untuple_one()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let demo = Demo::from_env()?;
    let page = demo.index_html();

    let index = warp::path::end()
        .and(warp::get())
        .map(move || warp::reply::html(page));
    let whoami = warp::path!("whoami")
        .and(warp::get())
        .and(jwt_warp::authenticated(demo.auth.clone()))
        .map(|principal: Principal<NoClaims>| warp::reply::json(&whoami_body(&principal)));
    // Refusals are turned into answers inside the CORS wrapper, so that a trusted page can
    // read its 401s too.
    let app = jwt_warp::routes(demo.auth.clone())
        .or(index)
        .or(whoami)
        .recover(jwt_warp::recover);
    // warp's CORS filter refuses requests from origins it does not allow with its own 403, so
    // it wraps only the requests from trusted origins; the others reach the app as they are,
    // and the app refuses the cookie-carrying ones itself.
    let config = demo.auth.config().clone();
    let cors = warp::cors()
        .allow_origins(config.trusted_origins().iter().map(String::as_str))
        .allow_credentials(true)
        .allow_methods(cors::METHODS)
        .allow_headers(cors::HEADERS)
        .max_age(cors::MAX_AGE_SECONDS);
    let app = from_trusted_origin(config)
        .and(app.clone().with(cors))
        .or(app);

    // Bound here rather than by `warp::serve(..).run(addr)`, which panics when the address
    // is taken; this way the error reaches the user as an error.
    let listener = tokio::net::TcpListener::bind(demo.addr).await?;
    demo.announce("warp");
    warp::serve(app)
        .incoming(listener)
        .graceful(shutdown_signal())
        .run()
        .await;
    Ok(())
}
