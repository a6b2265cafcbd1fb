//! A Rocket request as jwt-core reads it: the method the client sent and the header fields.

use jwt_core::{JwtConfig, RequestHead};
use rocket::form::Form;
use rocket::http::Method;
use rocket::{Data, Request};

/// The head of `request` for the core.
///
/// The cross-origin check compares `Origin` with the `Host` field alone (host and port,
/// whatever the scheme), as it does for every adapter.
pub(crate) fn request_head<'a>(
    config: &'a JwtConfig,
    method: Method,
    request: &'a Request<'_>,
) -> RequestHead<'a> {
    let headers = request.headers();
    let mut head = RequestHead::new(config, method.as_str());
    // Rocket groups values by name, case-insensitively; `get` borrows them from the request
    // for as long as the head lives, which `iter` (temporary `Header`s) cannot. Only the
    // fields the core reads are looked up, every value of each in order.
    for name in RequestHead::header_names(config) {
        for value in headers.get(name) {
            head.push_header(name, value.as_bytes());
        }
    }
    if !headers.contains("cookie") {
        let jar = request.local_cache(|| JarCookies::of(request));
        if !jar.0.is_empty() {
            head.push_header("cookie", jar.0.as_bytes());
        }
    }
    // The connection's remote address. Not `client_ip()`: that believes `X-Real-IP` (Rocket's
    // `ip_header`), which any client can send; jwt-core reads forwarded headers itself, only
    // from `JWT_TRUSTED_PROXIES`.
    match request.remote() {
        Some(peer) => head.with_peer(peer.ip()),
        None => head,
    }
}

/// The cookies of a request that has no `Cookie` header, as one: Rocket's local client
/// (`Client::tracked`, `LocalRequest::cookie`) puts cookies into the request's jar only.
/// A request from the network has its jar parsed from its `Cookie` headers, which are read
/// as sent instead (the jar would hide a repeated cookie name).
struct JarCookies(String);

impl JarCookies {
    fn of(request: &Request<'_>) -> Self {
        let pairs: Vec<String> = request
            .cookies()
            .iter()
            .map(|cookie| format!("{}={}", cookie.name(), cookie.value()))
            .collect();
        Self(pairs.join("; "))
    }
}

/// The method the client sent.
///
/// Before any fairing or route runs, Rocket turns a `POST` whose form body starts with a
/// `_method` field into that method. The core must see the method on the wire: a login form
/// starting with `_method=get` is still a `POST` (so it logs in, as on every other adapter),
/// and a cross-site form `POST` is still unsafe for the cross-origin check. This reverses
/// Rocket's rule, which it applies exactly as written here.
pub(crate) async fn client_method(request: &Request<'_>, data: &mut Data<'_>) -> Method {
    let method = request.method();
    let is_form = request.content_type().is_some_and(|ct| ct.is_form());
    if method == Method::Post || !is_form {
        return method;
    }
    let (min_len, max_len) = ("_method=get".len(), "_method=delete".len());
    let peeked = data.peek(max_len).await;
    if peeked.len() < min_len {
        return method;
    }
    let rewritten_to = std::str::from_utf8(peeked)
        .ok()
        .and_then(|form| Form::values(form).next())
        .filter(|field| field.name == "_method")
        .and_then(|field| field.value.parse::<Method>().ok());
    match rewritten_to {
        Some(rewritten) if rewritten == method => Method::Post,
        _ => method,
    }
}

/// The client's method as recorded by [`crate::JwtFairing`] before routing, or Rocket's own
/// when the fairing did not record one.
pub(crate) struct ClientMethod(pub(crate) Method);

/// The method to authenticate `request` under.
pub(crate) fn recorded_method(request: &Request<'_>) -> Method {
    request.local_cache(|| ClientMethod(request.method())).0
}
