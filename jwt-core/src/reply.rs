//! Responses: the one place where an outcome becomes a status, a message and headers.

use std::fmt;

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER, SET_COOKIE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};

/// A finished response of this crate: status, headers (including every `Set-Cookie`) and a
/// JSON body `{"message": "..."}`.
///
/// Frameworks on `http` 1.x convert it with [`Reply::into_response`]; others copy
/// [`Reply::status`], [`Reply::headers`] and [`Reply::body`] into their own types.
///
/// Its `Debug` output shows each `Set-Cookie` line's cookie name and length only: the values
/// are tokens.
#[derive(Clone)]
#[must_use]
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'h>(&'h HeaderMap);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut map = f.debug_map();
                for (name, value) in self.0 {
                    if name == SET_COOKIE {
                        let cookie = value.as_bytes();
                        let cookie_name = cookie
                            .iter()
                            .position(|&b| b == b'=')
                            .and_then(|end| std::str::from_utf8(&cookie[..end]).ok())
                            .unwrap_or("?");
                        map.entry(
                            &name.as_str(),
                            &format_args!("{cookie_name}=[{} bytes]", cookie.len()),
                        );
                    } else {
                        map.entry(&name.as_str(), value);
                    }
                }
                map.finish()
            }
        }
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &Headers(&self.headers))
            .field("body", &self.body)
            .finish()
    }
}

/// Every message this crate answers with, and its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Message {
    LoggedIn,
    Refreshed,
    LoggedOut,
    LoggedOutEverywhere,
    BadCredentials,
    UnsupportedMediaType,
    BodyTooLarge,
    TooManyLoginAttempts,
    RequestTimeout,
    InvalidRefreshToken,
    LogoutUnauthenticated,
    CrossOrigin,
    MethodNotAllowed,
    NotFound,
    CredentialsNotProvided,
    InvalidToken,
    StoreUnavailable,
    AuthenticatorUnavailable,
    Internal,
}

impl Message {
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::LoggedIn | Self::Refreshed | Self::LoggedOut | Self::LoggedOutEverywhere => {
                StatusCode::OK
            }
            Self::BadCredentials => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyLoginAttempts => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::InvalidRefreshToken | Self::CrossOrigin => StatusCode::FORBIDDEN,
            Self::LogoutUnauthenticated | Self::CredentialsNotProvided | Self::InvalidToken => {
                StatusCode::UNAUTHORIZED
            }
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::StoreUnavailable | Self::AuthenticatorUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::LoggedIn => "Authentication successful.",
            Self::Refreshed => "Access token refreshed.",
            Self::LoggedOut => "Session ended.",
            Self::LoggedOutEverywhere => "All sessions ended.",
            Self::BadCredentials => "Valid user credentials not provided.",
            Self::UnsupportedMediaType => "Unsupported media type.",
            Self::BodyTooLarge => "Request body too large.",
            Self::TooManyLoginAttempts => "Too many login attempts.",
            Self::RequestTimeout => "Request timeout.",
            Self::InvalidRefreshToken => "Invalid refresh token.",
            Self::LogoutUnauthenticated => "Must be authenticated to log out.",
            Self::CrossOrigin => "Cross-origin request refused.",
            Self::MethodNotAllowed => "Method not allowed.",
            Self::NotFound => "Not found.",
            Self::CredentialsNotProvided => "Authentication credentials were not provided.",
            Self::InvalidToken => "Invalid or expired token.",
            Self::StoreUnavailable => "Session store unavailable.",
            Self::AuthenticatorUnavailable => "Authentication service unavailable.",
            Self::Internal => "Internal server error.",
        }
    }
}

/// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: &str = "5";

impl Reply {
    pub(crate) fn message(message: Message) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        // Token-bearing and auth-state responses must never be cached by a shared cache.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match message {
            Message::MethodNotAllowed => {
                headers.insert(ALLOW, HeaderValue::from_static("POST"));
            }
            Message::StoreUnavailable | Message::AuthenticatorUnavailable => {
                headers.insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
            }
            Message::CredentialsNotProvided | Message::LogoutUnauthenticated => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Message::InvalidToken => {
                headers.insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                );
            }
            _ => {}
        }
        let body = serde_json::json!({ "message": message.text() }).to_string();
        Self {
            status: message.status(),
            headers,
            body: Bytes::from(body),
        }
    }

    /// A JSON document other than a message, cacheable by anyone for `max_age` seconds (public
    /// keys: they are meant to be fetched by other services and change rarely).
    pub(crate) fn public_json(body: String, max_age: u32) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let cache = format!("public, max-age={max_age}");
        match HeaderValue::try_from(cache) {
            Ok(value) => headers.insert(CACHE_CONTROL, value),
            Err(_) => return Self::message(Message::Internal),
        };
        Self {
            status: StatusCode::OK,
            headers,
            body: Bytes::from(body),
        }
    }

    /// Sets `Retry-After` to `seconds`.
    pub(crate) fn retry_after(mut self, seconds: u64) -> Self {
        self.headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        self
    }

    /// Replaces the `Allow` header of a `405`, for endpoints that answer methods other than
    /// `POST`.
    pub(crate) fn allowing(mut self, methods: &'static str) -> Self {
        self.headers
            .insert(ALLOW, HeaderValue::from_static(methods));
        self
    }

    /// Adds `Set-Cookie` lines; a line that is not a valid header value turns the whole reply
    /// into a 500 rather than going missing (a lost `Set-Cookie` is a lost login).
    pub(crate) fn with_cookies(mut self, cookies: impl IntoIterator<Item = String>) -> Self {
        for cookie in cookies {
            match HeaderValue::try_from(cookie) {
                Ok(value) => {
                    self.headers.append(SET_COOKIE, value);
                }
                Err(_) => {
                    tracing::error!("a Set-Cookie line is not a valid header value");
                    return Self::message(Message::Internal);
                }
            }
        }
        self
    }

    /// `500 {"message": "Internal server error."}`: what an adapter answers when the
    /// application is wired wrongly (an extractor without its middleware), so that every
    /// framework answers that case alike.
    pub fn internal_error() -> Self {
        Self::message(Message::Internal)
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers, `Set-Cookie` lines included.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The JSON body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Status, headers and body, for frameworks with their own response types.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, Bytes) {
        (self.status, self.headers, self.body)
    }

    /// An `http` 1.x response with any body type that can be made from bytes.
    pub fn into_response<B: From<Bytes>>(self) -> http::Response<B> {
        let mut response = http::Response::new(B::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}
