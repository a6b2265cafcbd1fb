//! The whole jwt-conformance suite, every scenario under every settings variant, against an
//! actix app served in process by `actix_web::test::init_service`.

use std::rc::Rc;

use actix_web::body;
use actix_web::dev::Service;
use actix_web::http::Method;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::{App, HttpResponse, test, web};
use bytes::Bytes;
use futures_util::future::LocalBoxFuture;
use jwt_actix::{Authenticated, JwtMiddleware, MaybeAuthenticated, configure};
use jwt_conformance::{Harness, JwtAuth, NoClaims};

/// `test::init_service` returns an unnameable `impl Service`; the harness keeps it behind a
/// function that finishes a test request with exactly the given header fields and calls it.
struct ActixApp {
    call: Box<dyn Fn(test::TestRequest, HeaderMap) -> LocalBoxFuture<'static, HttpResponse>>,
}

struct ActixHarness;

async fn whoami(user: Authenticated) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "user": user.subject }))
}

async fn optional(user: MaybeAuthenticated) -> HttpResponse {
    let user = user.into_inner().map(|principal| principal.subject);
    HttpResponse::Ok().json(serde_json::json!({ "user": user }))
}

#[async_trait::async_trait(?Send)]
impl Harness for ActixHarness {
    type App = ActixApp;

    async fn build(&self, auth: JwtAuth<NoClaims>) -> ActixApp {
        let service = test::init_service(
            App::new()
                .wrap(JwtMiddleware::new(auth.clone()))
                .configure(configure(auth))
                .route("/whoami/", web::get().to(whoami))
                .route("/whoami/", web::post().to(whoami))
                .route("/optional/", web::get().to(optional)),
        )
        .await;
        let service = Rc::new(service);
        ActixApp {
            call: Box::new(move |request, headers| {
                let service = Rc::clone(&service);
                let mut request = request.to_request();
                // `set_payload` added a Content-Length; the suite's fields replace it.
                *request.headers_mut() = headers;
                Box::pin(async move {
                    match service.call(request).await {
                        Ok(response) => response.map_into_boxed_body().into_parts().1,
                        // What actix's server does with an error that reaches it.
                        Err(error) => error.error_response(),
                    }
                })
            }),
        }
    }

    async fn send(&self, app: &ActixApp, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let (parts, payload) = request.into_parts();
        let method = Method::from_bytes(parts.method.as_str().as_bytes())
            .expect("an http 1.x method is a valid actix method");
        let mut request = test::TestRequest::default()
            .method(method)
            .uri(&parts.uri.to_string())
            .set_payload(payload);
        if let Some(jwt_core::PeerAddr(peer)) = parts.extensions.get() {
            request = request.peer_addr(*peer);
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &parts.headers {
            headers.append(
                HeaderName::from_bytes(name.as_str().as_bytes())
                    .expect("an http 1.x header name is a valid actix one"),
                HeaderValue::from_bytes(value.as_bytes())
                    .expect("an http 1.x header value is a valid actix one"),
            );
        }

        let response = (app.call)(request, headers).await;
        let mut converted = http::Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            converted = converted.header(name.as_str(), value.as_bytes());
        }
        let body = body::to_bytes(response.into_body())
            .await
            .expect("the body of an in-process response can be read");
        converted
            .body(body)
            .expect("an actix response is a valid http 1.x response")
    }
}

#[actix_web::test]
async fn the_whole_conformance_suite_passes_in_process() {
    jwt_conformance::run_all(&ActixHarness).await;
}
