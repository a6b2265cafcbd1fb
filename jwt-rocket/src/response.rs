//! jwt-core's [`Reply`] as a Rocket [`Response`].

use std::io::Cursor;

use jwt_core::Reply;
use rocket::Response;
use rocket::http::Status;

/// Copies the status, every header (each `Set-Cookie` line on its own) and the body.
///
/// A header value Rocket cannot carry (not UTF-8) fails the whole response with `500` and an
/// error log: a response without one of its `Set-Cookie` lines would be a lost login or a
/// logout that did not log out.
pub(crate) fn rocket_response(reply: Reply) -> Result<Response<'static>, Status> {
    let (status, headers, body) = reply.into_parts();
    let mut response = Response::new();
    response.set_status(Status::new(status.as_u16()));
    for (name, value) in &headers {
        let Ok(value) = std::str::from_utf8(value.as_bytes()) else {
            tracing::error!(
                target: "jwt_rocket",
                header = name.as_str(),
                "a response header is not UTF-8, which Rocket cannot send; answering 500"
            );
            return Err(Status::InternalServerError);
        };
        // `adjoin`, never `set`: a reply may hold several `Set-Cookie` lines.
        response.adjoin_raw_header(name.as_str().to_owned(), value.to_owned());
    }
    response.set_sized_body(body.len(), Cursor::new(body));
    Ok(response)
}
