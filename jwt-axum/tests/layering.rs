//! `JwtLayer` among other tower layers, and around services that are not axum routers.

mod test_app;

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body::Frame;
use jwt_axum::JwtLayer;
use jwt_core::{Authentication, NoClaims};
use test_app::{app, auth, config, login_at, message, send, user};
use tower::{ServiceBuilder, ServiceExt as _};
use tower_http::cors::CorsLayer;
use tower_http::trace::TraceLayer;

const ORIGIN: &str = "https://app.example";

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(HeaderValue::from_static(ORIGIN))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([http::header::CONTENT_TYPE, http::header::AUTHORIZATION])
        .allow_credentials(true)
}

/// The app with `JwtLayer` innermost, then tracing, then CORS; and with `JwtLayer` outermost.
fn stacks() -> Vec<(&'static str, Router)> {
    let inner = app(auth(config()));
    let jwt_outside = {
        let auth = auth(config());
        Router::new()
            .route(
                "/whoami/",
                axum::routing::get(|user: jwt_axum::Authenticated| async move {
                    axum::Json(serde_json::json!({ "user": user.subject }))
                }),
            )
            .merge(jwt_axum::routes(auth.clone()))
            .layer(TraceLayer::new_for_http())
            .layer(cors())
            .layer(JwtLayer::new(auth))
    };
    vec![
        (
            "jwt innermost",
            inner.layer(TraceLayer::new_for_http()).layer(cors()),
        ),
        ("jwt outermost", jwt_outside),
    ]
}

#[tokio::test]
async fn works_among_tower_http_trace_and_cors_layers() {
    for (name, app) in stacks() {
        let preflight = Request::options("/whoami/")
            .header("origin", ORIGIN)
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .expect("a valid request");
        let response = send(&app, preflight).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            ORIGIN,
            "{name}"
        );

        // Every Set-Cookie line survives the stack.
        let cookies = login_at(&app, "/jwt/login/").await;
        assert_eq!(cookies.len(), 2, "{name}: {cookies:?}");

        let request = Request::get("/whoami/")
            .header("origin", ORIGIN)
            .header("cookie", &cookies[0])
            .body(Body::empty())
            .expect("a valid request");
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert_eq!(user(&response).as_deref(), Some("alice"), "{name}");
        assert_eq!(
            response.headers()["access-control-allow-credentials"],
            "true",
            "{name}"
        );

        // A rejection is an ordinary response to the outer layers: CORS headers included.
        let request = Request::get("/whoami/")
            .header("origin", ORIGIN)
            .body(Body::empty())
            .expect("a valid request");
        let response = send(&app, request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(
            message(&response),
            "Authentication credentials were not provided.",
            "{name}"
        );
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            ORIGIN,
            "{name}"
        );
    }
}

/// A body that records whether anyone polled it.
struct WatchedBody {
    polled: Arc<AtomicBool>,
}

impl http_body::Body for WatchedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.polled.store(true, Ordering::SeqCst);
        Poll::Ready(None)
    }
}

#[tokio::test]
async fn wraps_a_plain_tower_service_without_touching_the_body() {
    let auth = auth(config());
    let service = ServiceBuilder::new()
        .layer(JwtLayer::new(auth.clone()))
        .service_fn(|request: Request<WatchedBody>| async move {
            let subject = request
                .extensions()
                .get::<Authentication<NoClaims>>()
                .and_then(Authentication::principal)
                .map(|principal| principal.subject.clone());
            Ok::<_, Infallible>(Response::new(subject))
        });

    let access = login_at(&test_app::app(auth), "/jwt/login/").await[0].clone();
    let polled = Arc::new(AtomicBool::new(false));
    let request = Request::post("/anything")
        .header("cookie", access)
        .body(WatchedBody {
            polled: Arc::clone(&polled),
        })
        .expect("a valid request");
    let response = service
        .clone()
        .oneshot(request)
        .await
        .expect("the service never fails");
    assert_eq!(response.body().as_deref(), Some("alice"));
    assert!(!polled.load(Ordering::SeqCst), "the layer polled the body");

    let request = Request::get("/anything")
        .body(WatchedBody {
            polled: Arc::new(AtomicBool::new(false)),
        })
        .expect("a valid request");
    let response = service
        .oneshot(request)
        .await
        .expect("the service never fails");
    assert_eq!(response.body(), &None);
}

#[tokio::test]
async fn bodies_of_other_routes_reach_their_handler_whole_whatever_their_size() {
    let auth = auth(config());
    let app: Router = Router::new()
        .route(
            "/upload/",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .layer(JwtLayer::new(auth));
    let body = vec![b'x'; 1024 * 1024];
    let request = Request::post("/upload/")
        .body(Body::from(body))
        .expect("a valid request");
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"1048576");
}
