//! jwt-core's [`Reply`] as an actix [`HttpResponse`].

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use bytes::Bytes;
use jwt_core::Reply;

/// Converts a [`Reply`] into an [`HttpResponse`]: its status, every header field (each of
/// several `Set-Cookie` lines) and its JSON body.
///
/// actix-web 4 has its own `http` 0.2 types, so every header is converted. A header that does
/// not convert is never dropped: the answer becomes an empty `500` and the failure is logged
/// with `tracing` (by header name only; values may hold tokens). A login that silently lost a
/// `Set-Cookie` would look successful and leave the user logged out.
///
/// ```
/// use jwt_actix::reply_into_response;
/// use jwt_core::AuthRejection;
///
/// let response = reply_into_response(AuthRejection::MissingCredentials.reply());
/// assert_eq!(response.status(), 401);
/// assert_eq!(response.headers().get("www-authenticate").expect("401 carries WWW-Authenticate"), "Bearer");
/// ```
pub fn reply_into_response(reply: Reply) -> HttpResponse {
    let (status, headers, body) = reply.into_parts();
    let fields = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()));
    match build(status.as_u16(), fields, body) {
        Ok(response) => response,
        Err(failure) => {
            tracing::error!(
                target: "jwt_actix",
                %failure,
                "a jwt-core reply could not be converted to an actix response; answering 500"
            );
            internal_error()
        }
    }
}

/// Why a reply could not become an actix response.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ConversionFailure {
    #[error("status {0} is not a valid actix status code")]
    Status(u16),
    #[error("header name {0:?} is not valid for actix")]
    HeaderName(String),
    #[error("the value of header {0:?} is not valid for actix")]
    HeaderValue(String),
}

/// Builds the response from its parts, or says which part does not convert.
pub(crate) fn build<'a>(
    status: u16,
    fields: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    body: Bytes,
) -> Result<HttpResponse, ConversionFailure> {
    let status = StatusCode::from_u16(status).map_err(|_| ConversionFailure::Status(status))?;
    let mut response = HttpResponse::build(status).body(body);
    for (name, value) in fields {
        let converted_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ConversionFailure::HeaderName(name.to_owned()))?;
        let converted_value = HeaderValue::from_bytes(value)
            .map_err(|_| ConversionFailure::HeaderValue(name.to_owned()))?;
        // `append`, not `insert`: a login sets two cookies in two `Set-Cookie` fields.
        response
            .headers_mut()
            .append(converted_name, converted_value);
    }
    Ok(response)
}

/// The answer when a reply does not convert into an actix response: an empty `500` that no
/// cache keeps (jwt-core's own `500` could fail the same conversion).
fn internal_error() -> HttpResponse {
    HttpResponse::InternalServerError()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_cookie_field_is_kept() {
        let fields: [(&str, &[u8]); 3] = [
            ("content-type", b"application/json"),
            ("set-cookie", b"Authorization=a; Path=/"),
            ("set-cookie", b"RefreshAuthorization=r; Path=/jwt/refresh/"),
        ];
        let response = build(200, fields, Bytes::from_static(b"{}")).expect("valid parts");
        let cookies: Vec<_> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .map(|value| value.as_bytes().to_vec())
            .collect();
        assert_eq!(
            cookies,
            [
                b"Authorization=a; Path=/".to_vec(),
                b"RefreshAuthorization=r; Path=/jwt/refresh/".to_vec()
            ]
        );
    }

    #[test]
    fn a_header_value_that_does_not_convert_fails_the_whole_response() {
        let fields: [(&str, &[u8]); 2] = [
            ("set-cookie", b"Authorization=a; Path=/"),
            ("set-cookie", b"Refresh=r\n; Path=/"),
        ];
        let failure = build(200, fields, Bytes::new()).expect_err("a newline is not allowed");
        assert!(matches!(failure, ConversionFailure::HeaderValue(name) if name == "set-cookie"));
    }

    #[test]
    fn a_header_name_that_does_not_convert_fails_the_whole_response() {
        let fields: [(&str, &[u8]); 1] = [("bad name", b"x")];
        let failure = build(200, fields, Bytes::new()).expect_err("a space is not allowed");
        assert!(matches!(failure, ConversionFailure::HeaderName(_)));
    }

    #[test]
    fn an_impossible_status_fails_the_whole_response() {
        let failure = build(1000, [], Bytes::new()).expect_err("not a status code");
        assert!(matches!(failure, ConversionFailure::Status(1000)));
    }

    #[test]
    fn status_headers_and_body_are_copied() {
        let reply = jwt_core::AuthRejection::InvalidToken.reply();
        let expected_body = reply.body().clone();
        let expected_headers = reply.headers().len();
        let response = reply_into_response(reply);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers().len(), expected_headers);
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE),
            Some(&HeaderValue::from_static(r#"Bearer error="invalid_token""#))
        );
        let body = actix_web::body::to_bytes(response.into_body());
        let body = futures_util::FutureExt::now_or_never(body)
            .expect("a bytes body is ready at once")
            .expect("a bytes body cannot fail");
        assert_eq!(body, expected_body);
    }
}
