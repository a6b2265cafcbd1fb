//! The whole jwt-conformance suite (every scenario, every settings variant) through the
//! filters of this crate, in process.
//!
//! Requests go through `warp::service`, warp's own in-process entry point (the one its server
//! uses), rather than `warp::test::request()`: the test builder sets headers with `insert`,
//! so it cannot carry repeated fields (several `cookie` lines, a doubled access header), and
//! the suite sends those on purpose.

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use jwt_conformance::Harness;
use jwt_core::{JwtAuth, NoClaims, Principal, async_trait};
use serde_json::json;
use warp::filters::BoxedFilter;
use warp::{Filter, Reply};

/// The app of the suite's docs: the endpoints, `/whoami/` and `/optional/`, each behind the
/// authentication filter, with the adapter's recover handler.
struct WarpFilters;

fn app(auth: JwtAuth<NoClaims>) -> BoxedFilter<(warp::reply::Response,)> {
    let whoami = warp::path!("whoami")
        .and(warp::get().or(warp::post()).unify())
        .and(jwt_warp::authenticated(auth.clone()))
        .map(|principal: Principal<NoClaims>| {
            warp::reply::json(&json!({ "user": principal.subject })).into_response()
        });
    let optional = warp::path!("optional")
        .and(warp::get())
        .and(jwt_warp::optional(auth.clone()))
        .map(|principal: Option<Principal<NoClaims>>| {
            let user = principal.map(|principal| principal.subject);
            warp::reply::json(&json!({ "user": user })).into_response()
        });
    jwt_warp::routes(auth)
        .or(whoami)
        .unify()
        .or(optional)
        .unify()
        .recover(jwt_warp::recover)
        .unify()
        .boxed()
}

#[async_trait(?Send)]
impl Harness for WarpFilters {
    type App = BoxedFilter<(warp::reply::Response,)>;

    async fn build(&self, auth: JwtAuth<NoClaims>) -> Self::App {
        app(auth)
    }

    async fn send(&self, app: &Self::App, request: Request<Bytes>) -> Response<Bytes> {
        let mut service = warp::service(app.clone());
        let answer = tower_service::Service::call(&mut service, request.map(Full::new)).await;
        let response = match answer {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .expect("an in-process body does not fail")
            .to_bytes();
        Response::from_parts(parts, body)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_warp_filters_pass_the_whole_conformance_suite() {
    jwt_conformance::run_all(&WarpFilters).await;
}

/// The harness itself must carry repeated header fields; if it merged or dropped them, the
/// suite's cookie-tossing scenarios would test nothing.
#[tokio::test]
async fn harness_carries_repeated_header_fields_both_ways() {
    let echo = warp::header::headers_cloned()
        .map(|headers: http::HeaderMap| {
            let cookies: Vec<_> = headers.get_all("cookie").iter().cloned().collect();
            let mut response = warp::reply::Response::default();
            for cookie in cookies {
                response.headers_mut().append("set-cookie", cookie);
            }
            response
        })
        .boxed();
    let request = Request::get("/")
        .header("cookie", "a=1")
        .header("cookie", "b=2")
        .body(Bytes::new())
        .expect("a valid request");
    let response = WarpFilters.send(&echo, request).await;
    let echoed: Vec<_> = response.headers().get_all("set-cookie").iter().collect();
    assert_eq!(echoed, ["a=1", "b=2"]);
}
