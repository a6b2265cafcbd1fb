//! The one conversion from a jwt-core [`Reply`] to a warp response.

use jwt_core::Reply;
use warp::reply::Response;

/// Status, every header (each `Set-Cookie` line among them) and the JSON body. jwt-core
/// already holds `http` 1.x headers, the same types warp uses, so the header map moves over
/// whole and nothing can fail or go missing on the way.
pub(crate) fn into_response(reply: Reply) -> Response {
    reply.into_response()
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;
    use jwt_core::AuthRejection;

    use super::into_response;

    #[tokio::test]
    async fn status_headers_and_body_survive() {
        let reply = AuthRejection::InvalidToken.reply();
        let expected_body = reply.body().clone();
        let response = into_response(reply);
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.headers()["www-authenticate"],
            r#"Bearer error="invalid_token""#
        );
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = response
            .into_body()
            .collect()
            .await
            .expect("an in-memory body cannot fail")
            .to_bytes();
        assert_eq!(body, expected_body);
    }
}
