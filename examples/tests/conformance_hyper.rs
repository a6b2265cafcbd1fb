//! The hyper app ([`jwt_examples::hyper_app`]) passes the conformance suite in-process, under
//! every settings variant.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use jwt_conformance::{Harness, JwtAuth, NoClaims};
use jwt_examples::hyper_app::HyperApp;

struct HyperHarness;

#[async_trait::async_trait(?Send)]
impl Harness for HyperHarness {
    type App = HyperApp;

    async fn build(&self, auth: JwtAuth<NoClaims>) -> HyperApp {
        // The suite's app answers /whoami/ with exactly {"user": "<sub>"}.
        HyperApp::new(auth).whoami(|principal| serde_json::json!({ "user": principal.subject }))
    }

    async fn send(&self, app: &HyperApp, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let response = app.handle(request.map(Full::new)).await;
        let (parts, body) = response.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        http::Response::from_parts(parts, body)
    }
}

#[tokio::test]
async fn hyper_app_passes_the_conformance_suite() {
    jwt_conformance::run_all(&HyperHarness).await;
}
