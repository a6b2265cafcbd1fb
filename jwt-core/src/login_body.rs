//! Credentials out of a login body: JSON, form-urlencoded or multipart.

use std::fmt;

use bytes::Bytes;
use serde_json::Value;

use crate::authenticator::Credentials;
use crate::config::JwtConfig;
use crate::reply::Message;

/// The most a login body may hold: 64 KiB.
pub const LOGIN_BODY_LIMIT: usize = 64 * 1024;

/// A request body as the framework delivered it.
///
/// Its `Debug` output gives the length only: a login body carries a password.
#[derive(Clone)]
pub enum RequestBody {
    /// The whole body, at most [`LOGIN_BODY_LIMIT`] bytes for login.
    Complete(Bytes),
    /// The body was longer than the limit and was not read to the end.
    TooLarge,
    /// The body did not arrive within `JWT_LOGIN_BODY_TIMEOUT`: login answers `408`.
    TimedOut,
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Complete(bytes) => write!(f, "Complete([{} bytes])", bytes.len()),
            Self::TooLarge => f.write_str("TooLarge"),
            Self::TimedOut => f.write_str("TimedOut"),
        }
    }
}

impl From<Bytes> for RequestBody {
    fn from(bytes: Bytes) -> Self {
        Self::Complete(bytes)
    }
}

/// Collects an `http-body` body of at most [`LOGIN_BODY_LIMIT`] bytes; for axum, warp and
/// hyper. A body that fails mid-way is treated as empty (and so as missing credentials).
pub async fn collect_body<B>(body: B) -> RequestBody
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    use http_body_util::{BodyExt as _, Limited};
    match Limited::new(body, LOGIN_BODY_LIMIT).collect().await {
        Ok(collected) => RequestBody::Complete(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => RequestBody::TooLarge,
        Err(_) => RequestBody::Complete(Bytes::new()),
    }
}

/// Reads a login body within `JWT_LOGIN_BODY_TIMEOUT`: `read` is the framework's own way of
/// reading it (for `http-body` bodies, [`collect_body`]), and [`RequestBody::TimedOut`] comes
/// back if it has not finished in time, which login answers with `408`. Every adapter reads
/// the login body through this, so the limit and the answer are the same on all of them.
///
/// ```
/// use bytes::Bytes;
/// use jwt_core::{JwtConfig, RequestBody, read_login_body};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let body = read_login_body(&config, async { RequestBody::Complete(Bytes::new()) }).await;
/// assert!(matches!(body, RequestBody::Complete(_)));
/// let body = read_login_body(&config, std::future::pending()).await;
/// assert!(matches!(body, RequestBody::TimedOut));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn read_login_body<F>(config: &JwtConfig, read: F) -> RequestBody
where
    F: Future<Output = RequestBody>,
{
    match tokio::time::timeout(config.login_body_timeout, read).await {
        Ok(body) => body,
        Err(_) => {
            tracing::debug!(target: "jwt_core", "the login body did not arrive in time");
            RequestBody::TimedOut
        }
    }
}

/// The supported body formats.
#[derive(Debug, Clone)]
pub(crate) enum BodyFormat {
    Json,
    Form,
    #[cfg(feature = "multipart")]
    Multipart(String),
}

/// Reads the `Content-Type`: `Err` is 415.
pub(crate) fn format(content_type: Option<&[u8]>) -> Result<BodyFormat, Message> {
    let mime: mime::Mime = content_type
        .and_then(|value| std::str::from_utf8(value).ok())
        .and_then(|value| value.parse().ok())
        .ok_or(Message::UnsupportedMediaType)?;
    let utf8 = mime
        .get_param(mime::CHARSET)
        .is_none_or(|charset| charset.as_str().eq_ignore_ascii_case("utf-8"));
    match (mime.type_(), mime.subtype()) {
        (mime::APPLICATION, mime::JSON) if utf8 => Ok(BodyFormat::Json),
        (mime::APPLICATION, mime::WWW_FORM_URLENCODED) if utf8 => Ok(BodyFormat::Form),
        #[cfg(feature = "multipart")]
        (mime::MULTIPART, mime::FORM_DATA) => mime
            .get_param(mime::BOUNDARY)
            .map(|boundary| BodyFormat::Multipart(boundary.as_str().to_owned()))
            .ok_or(Message::BadCredentials),
        _ => Err(Message::UnsupportedMediaType),
    }
}

/// The credentials in a body, or `None` (400) when they are not two strings.
pub(crate) async fn credentials(format: BodyFormat, body: Bytes) -> Option<Credentials> {
    match format {
        BodyFormat::Json => from_json(&body),
        BodyFormat::Form => from_form(&body),
        #[cfg(feature = "multipart")]
        BodyFormat::Multipart(boundary) => from_multipart(boundary, body).await,
    }
}

fn from_json(body: &[u8]) -> Option<Credentials> {
    // Strict parsing: a repeated "username" is ambiguous, not "last wins". Only the two
    // members are built; the rest is checked and dropped, in time linear in the body.
    let [Some(Value::String(username)), Some(Value::String(password))] =
        crate::strict_json::pick_members(body, ["username", "password"])?
    else {
        return None;
    };
    Some(Credentials::new(username, password))
}

fn from_form(body: &[u8]) -> Option<Credentials> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pick(pairs)
}

#[cfg(feature = "multipart")]
async fn from_multipart(boundary: String, body: Bytes) -> Option<Credentials> {
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(LOGIN_BODY_LIMIT as u64));
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut pairs = Vec::new();
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().map(str::to_owned);
        let is_file = field.file_name().is_some();
        let text = field.text().await.ok()?;
        if let (Some(name), false) = (name, is_file) {
            pairs.push((name, text));
        }
    }
    pick(pairs)
}

/// Exactly one `username` and one `password`; repeated fields are ambiguous and refused.
fn pick(pairs: Vec<(String, String)>) -> Option<Credentials> {
    let mut username = None;
    let mut password = None;
    for (name, value) in pairs {
        let slot = match name.as_str() {
            "username" => &mut username,
            "password" => &mut password,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return None;
        }
    }
    Some(Credentials::new(username?, password?))
}
