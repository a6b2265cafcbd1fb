//! The demo app on Rocket: the page at `GET /`, `GET /whoami/` for the logged-in user, and the
//! four endpoints at their configured paths, with `JwtFairing` attached.
//!
//! ```text
//! JWT_SECRET=... JWT_DEMO_USERS=alice:password1 cargo run -p jwt-examples --bin rocket -- --addr 127.0.0.1:8000
//! ```
//!
//! Rocket's own settings (`Rocket.toml`, `ROCKET_*`) apply as usual, except the address and
//! port, which come from `--addr` / `ADDR` like every demo binary's.

use std::error::Error;

use jwt_core::JwtConfig;
use jwt_examples::{Demo, cors, whoami_body};
use jwt_rocket::{Authenticated, JwtFairing};
use rocket::fairing::{AdHoc, Fairing, Info, Kind};
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::serde::json::Json;
use rocket::{Config, Request, Response, State};
use serde_json::Value;

/// The page, rendered once with the configured endpoint paths.
struct Page(&'static str);

#[rocket::get("/")]
fn index(page: &State<Page>) -> RawHtml<&'static str> {
    RawHtml(page.0)
}

// Rocket routes ignore a trailing slash: this answers `/whoami/` (and `/whoami`).
#[rocket::get("/whoami")]
fn whoami(user: Authenticated) -> Json<Value> {
    Json(whoami_body(&user))
}

fn main() -> Result<(), Box<dyn Error>> {
    quiet_rocket_logs();
    let demo = Demo::from_env()?;
    let auth = demo.auth.clone();
    let figment = Config::figment()
        .merge(("address", demo.addr.ip()))
        .merge(("port", demo.addr.port()))
        .merge(("cli_colors", false));
    let page = Page(demo.index_html());
    let rocket = rocket::custom(figment)
        .attach(JwtFairing::new(auth.clone()))
        .attach(TrustedOriginsCors(auth.config().clone()))
        .mount("/", jwt_rocket::routes(&auth))
        .mount("/", rocket::routes![index, whoami])
        .manage(page)
        // Announced once the socket is bound, as the other demo binaries do.
        .attach(AdHoc::on_liftoff("announce", move |_| {
            Box::pin(async move { demo.announce("rocket") })
        }));
    // Rocket builds its own runtime from its configuration (workers); it stops gracefully on
    // Ctrl-C and SIGTERM by itself.
    rocket::execute(rocket.launch())
        .map(|_stopped| ())
        .map_err(|error| format!("rocket: {error}").into())
}

/// The demo logs through `tracing`, which also receives Rocket's `log` records: keep Rocket's
/// launch banner and per-request lines out of it (its launch errors still show), unless
/// `RUST_LOG` asks otherwise. Installed before `Demo::from_env`, whose own default then
/// stands aside.
fn quiet_rocket_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,rocket=error,rocket::server=off")
    });
    let _already_set = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// CORS for `JWT_TRUSTED_ORIGINS` ([`jwt_examples::cors`]): Rocket has no CORS layer of its
/// own, so this fairing adds the grant to answers for trusted pages and turns their
/// preflights into `204`s.
struct TrustedOriginsCors(JwtConfig);

#[rocket::async_trait]
impl Fairing for TrustedOriginsCors {
    fn info(&self) -> Info {
        Info {
            name: "CORS for JWT_TRUSTED_ORIGINS",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let origin = request.headers().get_one("origin");
        let requested_method = request.headers().get_one("access-control-request-method");
        let method = request.method().as_str();
        let headers = match cors::preflight(&self.0, method, origin, requested_method) {
            Some(headers) => {
                // Whatever route (or catcher) answered the OPTIONS, a preflight gets no body.
                response.set_status(Status::NoContent);
                response.set_sized_body(0, std::io::Cursor::new(""));
                response.remove_header("content-type");
                headers
            }
            None => cors::grant(&self.0, origin),
        };
        for (name, value) in headers {
            response.set_raw_header(name, value);
        }
    }
}
