//! The demo app on bare hyper 1.x, driving jwt-core directly: how to put the library into a
//! server that no adapter covers.
//!
//! A custom server needs four moves, all in [`HyperApp::handle`]:
//! 1. read the request's head into a [`RequestHead`], with the connection's remote address
//!    (the server puts it beside the request as a [`PeerAddr`] extension);
//! 2. send every request to an endpoint path, whatever its method, to [`JwtAuth::handle`]
//!    (reading the body only for login), which answers `405`, `403` and the rest itself;
//! 3. on protected routes, ask [`JwtAuth::authenticate`] and either serve the principal or
//!    answer the rejection's own [`Reply`](jwt_core::Reply);
//! 4. turn a `Reply` into a response with every header, `Set-Cookie` lines included
//!    ([`Reply::into_response`](jwt_core::Reply::into_response) does that).

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::Full;
use jwt_core::{
    JwtAuth, NoClaims, PeerAddr, Principal, RequestBody, RequestHead, collect_body, read_login_body,
};
use serde_json::{Value, json};

/// The demo's routes around one engine.
#[derive(Debug, Clone)]
pub struct HyperApp {
    auth: JwtAuth<NoClaims>,
    page: &'static str,
    whoami: fn(&Principal<NoClaims>) -> Value,
}

impl HyperApp {
    /// Serves `GET /` with [`crate::INDEX_HTML`] (the page for the default paths; see
    /// [`HyperApp::page`]) and `/whoami/` with [`crate::whoami_body`].
    pub fn new(auth: JwtAuth<NoClaims>) -> Self {
        Self {
            auth,
            page: crate::INDEX_HTML,
            whoami: crate::whoami_body,
        }
    }

    /// Serves another page at `GET /`, such as [`crate::Demo::index_html`].
    pub fn page(mut self, html: &'static str) -> Self {
        self.page = html;
        self
    }

    /// Answers `GET` and `POST /whoami/` with another body.
    pub fn whoami(mut self, body: fn(&Principal<NoClaims>) -> Value) -> Self {
        self.whoami = body;
        self
    }

    /// Answers one request:
    /// - the four endpoints at their configured paths, any method;
    /// - `GET /`: the page;
    /// - `GET` or `POST /whoami/`: the user, or the `401` of docs/PROTOCOL.md;
    /// - `GET /optional/`: `{"user": "<sub>"}` or `{"user": null}`;
    /// - anything else: `404`.
    ///
    /// A page on one of `JWT_TRUSTED_ORIGINS` gets its CORS grant and its preflights answered
    /// ([`crate::cors`]).
    pub async fn handle<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: hyper::body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let config = self.auth.config();
        let header = |name| {
            request
                .headers()
                .get(name)
                .and_then(|value: &header::HeaderValue| value.to_str().ok())
        };
        let origin = header(header::ORIGIN).map(str::to_owned);
        let preflight = crate::cors::preflight(
            config,
            request.method().as_str(),
            origin.as_deref(),
            header(header::ACCESS_CONTROL_REQUEST_METHOD),
        );
        let (mut response, grant) = match preflight {
            Some(headers) => {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::NO_CONTENT;
                (response, headers)
            }
            None => (
                self.route(request).await,
                crate::cors::grant(config, origin.as_deref()),
            ),
        };
        for (name, value) in grant {
            if let Ok(value) = header::HeaderValue::try_from(value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }

    async fn route<B>(&self, request: Request<B>) -> Response<Full<Bytes>>
    where
        B: hyper::body::Body,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        let mut head = RequestHead::from_http(
            self.auth.config(),
            &parts.method,
            &parts.uri,
            &parts.headers,
        );
        // The connection's remote address, which the server put beside the request.
        if let Some(PeerAddr(peer)) = parts.extensions.get::<PeerAddr>() {
            head = head.with_peer(peer.ip());
        }

        if let Some(endpoint) = self.auth.endpoint_at(parts.uri.path()) {
            let body = match JwtAuth::<NoClaims>::reads_body(endpoint) {
                true => read_login_body(self.auth.config(), collect_body(body)).await,
                false => RequestBody::Complete(Bytes::new()),
            };
            return self
                .auth
                .handle(endpoint, &head, body)
                .await
                .into_response();
        }

        match (&parts.method, parts.uri.path()) {
            (&Method::GET, "/") => html(self.page),
            (&Method::GET | &Method::POST, "/whoami/") => {
                // The required extractor: the principal, or the rejection's own answer.
                match self.auth.authenticate(&head).await.require() {
                    Ok(principal) => json_response(StatusCode::OK, &(self.whoami)(&principal)),
                    Err(rejection) => rejection.reply().into_response(),
                }
            }
            (&Method::GET, "/optional/") => {
                // The optional extractor: no principal is not an error.
                let principal = self.auth.authenticate(&head).await.into_principal();
                let user = principal.map(|principal| principal.subject);
                json_response(StatusCode::OK, &json!({ "user": user }))
            }
            _ => json_response(StatusCode::NOT_FOUND, &json!({ "message": "Not found." })),
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn html(page: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(page.as_bytes())));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
