//! The whole jwt-conformance suite (every scenario, every settings variant) through the axum
//! `Router` of this crate, in process.

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::BodyExt as _;
use jwt_axum::{Authenticated, JwtLayer};
use jwt_conformance::Harness;
use jwt_core::{JwtAuth, NoClaims, async_trait};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// The app of the suite's docs: the endpoints, `/whoami/` and `/optional/`, behind the layer.
struct AxumRouter;

async fn whoami(user: Authenticated) -> axum::Json<Value> {
    axum::Json(json!({ "user": user.subject }))
}

async fn optional(user: Option<Authenticated>) -> axum::Json<Value> {
    axum::Json(json!({ "user": user.map(|user| user.subject.clone()) }))
}

#[async_trait(?Send)]
impl Harness for AxumRouter {
    type App = Router;

    async fn build(&self, auth: JwtAuth<NoClaims>) -> Router {
        Router::new()
            .route("/whoami/", get(whoami).post(whoami))
            .route("/optional/", get(optional))
            .merge(jwt_axum::routes(auth.clone()))
            .layer(JwtLayer::new(auth))
    }

    async fn send(&self, app: &Router, request: Request<Bytes>) -> Response<Bytes> {
        let mut request = request.map(Body::from);
        if let Some(jwt_core::PeerAddr(peer)) = request.extensions().get().copied() {
            // What `into_make_service_with_connect_info` gives every request of a connection.
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        let response = app
            .clone()
            .oneshot(request)
            .await
            .expect("a router never fails");
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
async fn the_axum_router_passes_the_whole_conformance_suite() {
    jwt_conformance::run_all(&AxumRouter).await;
}
