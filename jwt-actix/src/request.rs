//! An actix request head, as jwt-core reads it.

use actix_web::dev;
use actix_web::http::header::HOST;
use jwt_core::{JwtConfig, RequestHead};

/// Hands every header field of `head` to jwt-core as `(name, bytes)` pairs, repeated fields
/// included, so nothing is converted or lost on the way from actix's `http` 0.2 types.
///
/// The peer is the connection's remote address as actix saw it (the login throttle's
/// client, unless `JWT_TRUSTED_PROXIES` says it is a proxy).
///
/// The authority follows `RequestHead::from_http`: the request URI's when it carries one
/// (HTTP/2, absolute-form requests), otherwise the `Host` field. `ConnectionInfo` is not used:
/// it believes `Forwarded` and `X-Forwarded-Host`, which any client can send.
pub(crate) fn request_head<'a>(
    config: &'a JwtConfig,
    head: &'a dev::RequestHead,
) -> RequestHead<'a> {
    let mut request = RequestHead::new(config, head.method.as_str());
    let authority = head.uri.authority();
    if let Some(authority) = authority {
        // jwt-core has no setter for the authority; as `Host`, it plays the same part in the
        // own-origin check, and the URI's authority wins over a `Host` field as in `from_http`.
        request.push_header(HOST.as_str(), authority.as_str().as_bytes());
    }
    for (name, value) in head.headers().iter() {
        if authority.is_some() && name == HOST {
            continue;
        }
        request.push_header(name.as_str(), value.as_bytes());
    }
    match head.peer_addr {
        Some(peer) => request.with_peer(peer.ip()),
        None => request,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;
    use actix_web::test::TestRequest;
    use jwt_core::{AuthRejection, Authentication, JwtAuth, MemoryAuthenticator, NoClaims};

    use super::request_head;

    async fn engine_and_access_cookie() -> (JwtAuth<NoClaims>, String) {
        let config = jwt_core::JwtConfig::builder()
            .secret("a test secret that is long enough for HS256")
            .cookie_secure(false)
            .build()
            .expect("valid settings");
        let users = MemoryAuthenticator::new();
        users
            .add_user("alice", "password1", NoClaims)
            .expect("hashing works");
        let auth = JwtAuth::new(config, users);
        let fields: [(&str, &[u8]); 1] = [("content-type", b"application/json")];
        let head = jwt_core::RequestHead::from_pairs(auth.config(), "POST", fields);
        let body = bytes::Bytes::from_static(br#"{"username": "alice", "password": "password1"}"#);
        let reply = auth.login(&head, body.into()).await;
        let cookie = reply
            .headers()
            .get("set-cookie")
            .and_then(|value| value.to_str().ok())
            .and_then(|line| line.split(';').next())
            .expect("an access cookie")
            .to_owned();
        (auth, cookie)
    }

    fn outcome(auth: &JwtAuth<NoClaims>, request: TestRequest) -> Authentication<NoClaims> {
        let request = request.to_http_request();
        auth.verify_request(&request_head(auth.config(), request.head()))
    }

    fn cookie_post(cookie: &str, uri: &str) -> TestRequest {
        TestRequest::default()
            .method(Method::POST)
            .uri(uri)
            .insert_header(("cookie", cookie))
    }

    fn is_cross_origin(outcome: &Authentication<NoClaims>) -> bool {
        matches!(
            outcome,
            Authentication::Rejected(AuthRejection::CrossOrigin)
        )
    }

    #[actix_web::test]
    async fn an_origin_naming_the_host_passes_whatever_the_scheme() {
        let (auth, cookie) = engine_and_access_cookie().await;
        for origin in ["https://app.example", "http://app.example"] {
            let request = cookie_post(&cookie, "/whoami/")
                .insert_header(("host", "app.example"))
                .insert_header(("origin", origin));
            assert!(outcome(&auth, request).principal().is_some(), "{origin}");
        }
    }

    #[actix_web::test]
    async fn forwarded_headers_do_not_name_the_host() {
        let (auth, cookie) = engine_and_access_cookie().await;
        let request = cookie_post(&cookie, "/whoami/")
            .insert_header(("host", "app.example"))
            .insert_header(("x-forwarded-host", "evil.example"))
            .insert_header(("forwarded", "host=evil.example"))
            .insert_header(("origin", "https://evil.example"));
        assert!(is_cross_origin(&outcome(&auth, request)));
    }

    #[actix_web::test]
    async fn the_uri_authority_names_the_own_origin_over_host() {
        let (auth, cookie) = engine_and_access_cookie().await;
        let request = cookie_post(&cookie, "http://app.example/whoami/")
            .insert_header(("host", "elsewhere.example"))
            .insert_header(("origin", "http://app.example"));
        assert!(outcome(&auth, request).principal().is_some());
    }

    #[actix_web::test]
    async fn every_cookie_field_reaches_jwt_core() {
        let (auth, cookie) = engine_and_access_cookie().await;
        let split = || {
            TestRequest::get()
                .uri("/whoami/")
                .append_header(("cookie", "theme=dark"))
                .append_header(("cookie", cookie.as_str()))
        };
        assert!(outcome(&auth, split()).principal().is_some());
        // The same cookie name in two fields is ambiguous, which only shows if both arrive.
        let tossed = split().append_header(("cookie", cookie.as_str()));
        assert!(matches!(
            outcome(&auth, tossed),
            Authentication::Rejected(AuthRejection::InvalidToken)
        ));
    }
}
