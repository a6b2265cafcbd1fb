//! The whole jwt-conformance suite (every scenario, every settings variant) through Rocket's
//! local client, in process.

#[expect(dead_code, reason = "the suite brings its own users and settings")]
mod test_app;

use std::str::FromStr as _;

use bytes::Bytes;
use jwt_conformance::Harness;
use jwt_core::{JwtAuth, NoClaims, async_trait};
use rocket::http::{Header, Method};
use rocket::local::asynchronous::Client;
use test_app::{app, client};

/// The app of the suite's docs: the endpoints, `/whoami/` and `/optional/`, with the fairing.
struct RocketLocalClient;

#[async_trait(?Send)]
impl Harness for RocketLocalClient {
    type App = Client;

    async fn build(&self, auth: JwtAuth<NoClaims>) -> Client {
        client(app(&auth, "/")).await
    }

    async fn send(&self, client: &Client, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let (parts, body) = request.into_parts();
        let method = Method::from_str(parts.method.as_str())
            .unwrap_or_else(|()| panic!("Rocket has no method {}", parts.method));
        let uri = parts
            .uri
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .to_owned();
        let mut local = client.req(method, uri);
        if let Some(jwt_core::PeerAddr(peer)) = parts.extensions.get() {
            local = local.remote(*peer);
        }
        for (name, value) in &parts.headers {
            // Over the network, Rocket drops a header field whose value is not UTF-8 before
            // any application code runs; the local client can only carry UTF-8 ones.
            if let Ok(value) = std::str::from_utf8(value.as_bytes()) {
                local.add_header(Header::new(name.as_str().to_owned(), value.to_owned()));
            }
        }
        local.set_body(body);
        let response = local.dispatch().await;
        let mut answer = http::Response::builder().status(response.status().code);
        for header in response.headers().iter() {
            answer = answer.header(header.name().as_str(), header.value());
        }
        let body = response.into_bytes().await.unwrap_or_default();
        answer
            .body(Bytes::from(body))
            .expect("Rocket's response is a valid HTTP response")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rocket_local_client_passes_the_whole_conformance_suite() {
    jwt_conformance::run_all(&RocketLocalClient).await;
}
