//! The demo app on warp: the page at `GET /`, `GET /whoami/` for the logged-in user, and the
//! four endpoints at their configured paths; `jwt_warp::recover` answers refused requests.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin warp -- --addr 127.0.0.1:8000
//! ```

use std::error::Error;

use jwt_core::{NoClaims, Principal};
use jwt_examples::{Demo, shutdown_signal, whoami_body};
use warp::Filter;

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
    let app = jwt_warp::routes(demo.auth.clone())
        .or(index)
        .or(whoami)
        .recover(jwt_warp::recover);

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
