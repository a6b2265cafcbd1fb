//! A server's response, with the checks docs/PROTOCOL.md makes of every response built in.

use bytes::Bytes;
use serde_json::Value;

use crate::failure::{Failure, Outcome, ensure_eq};
use crate::set_cookie::SetCookie;

/// One response, already checked for what every response must be: not a 5xx, a JSON object
/// body, `Content-Type: application/json`.
#[derive(Debug)]
pub(crate) struct Answer {
    /// `METHOD /path`, for failure messages.
    pub(crate) request: String,
    response: http::Response<Bytes>,
    json: Value,
    set_cookies: Vec<SetCookie>,
}

impl Answer {
    /// Checks a response; `outage` allows a `503` (a backend is switched off).
    pub(crate) fn new(
        request: String,
        response: http::Response<Bytes>,
        outage: bool,
    ) -> Outcome<Self> {
        Self::check(&request, response, outage).map_err(|failure| failure.context(&request))
    }

    fn check(request: &str, response: http::Response<Bytes>, outage: bool) -> Outcome<Self> {
        let status = response.status();
        let text = String::from_utf8_lossy(response.body()).into_owned();
        let unavailable = outage && status == http::StatusCode::SERVICE_UNAVAILABLE;
        if status.is_server_error() && !unavailable {
            return Err(Failure::new(format!(
                "answered {status} (never a 5xx for client input), body {text:?}"
            )));
        }
        let content_types: Vec<_> = response
            .headers()
            .get_all(http::header::CONTENT_TYPE)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect();
        ensure_eq!(
            content_types,
            vec!["application/json".to_owned()],
            "Content-Type of the {status} answer"
        );
        let json = match serde_json::from_slice(response.body()) {
            Ok(json @ Value::Object(_)) => json,
            _ => {
                return Err(Failure::new(format!(
                    "{status} body is not a JSON object: {text:?}"
                )));
            }
        };
        let set_cookies = response
            .headers()
            .get_all(http::header::SET_COOKIE)
            .iter()
            .map(|value| match value.to_str() {
                Ok(line) => SetCookie::parse(line),
                Err(_) => Err(Failure::new("a Set-Cookie line is not visible ASCII")),
            })
            .collect::<Outcome<Vec<_>>>()?;
        Ok(Self {
            request: request.to_owned(),
            response,
            json,
            set_cookies,
        })
    }

    pub(crate) fn status(&self) -> u16 {
        self.response.status().as_u16()
    }

    pub(crate) fn json(&self) -> &Value {
        &self.json
    }

    /// Every value of a header field, as text (lossy for non-UTF-8 bytes).
    pub(crate) fn header_values(&self, name: &str) -> Vec<String> {
        self.response
            .headers()
            .get_all(name)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .collect()
    }

    pub(crate) fn body_text(&self) -> String {
        String::from_utf8_lossy(self.response.body()).into_owned()
    }

    pub(crate) fn set_cookies(&self) -> &[SetCookie] {
        &self.set_cookies
    }

    /// The one `Set-Cookie` line for `name`, if any (two of them is a failure).
    pub(crate) fn cookie(&self, name: &str) -> Outcome<Option<&SetCookie>> {
        let mut lines = self.set_cookies.iter().filter(|line| line.name() == name);
        let first = lines.next();
        if lines.next().is_some() {
            return Err(Failure::new(format!(
                "{}: two Set-Cookie lines for {name:?}",
                self.request
            )));
        }
        Ok(first)
    }

    /// Fails unless the status is `status`.
    pub(crate) fn expect_status(&self, status: u16) -> Outcome<&Self> {
        if self.status() != status {
            return Err(Failure::new(format!(
                "{}: expected status {status}, got {} with body {}",
                self.request,
                self.status(),
                self.body_text()
            )));
        }
        Ok(self)
    }

    /// Fails unless the status is `status` and the body is exactly `{"message": message}`.
    pub(crate) fn expect(&self, status: u16, message: &str) -> Outcome<&Self> {
        self.expect_status(status)?;
        let expected = serde_json::json!({ "message": message });
        if self.json != expected {
            return Err(Failure::new(format!(
                "{}: expected body {expected}, got {}",
                self.request, self.json
            )));
        }
        Ok(self)
    }

    /// Fails unless the response sets no cookie at all.
    pub(crate) fn expect_no_cookies(&self) -> Outcome<&Self> {
        if !self.set_cookies.is_empty() {
            let lines: Vec<&str> = self.set_cookies.iter().map(|c| c.line.as_str()).collect();
            return Err(Failure::new(format!(
                "{}: expected no Set-Cookie, got {lines:?}",
                self.request
            )));
        }
        Ok(self)
    }

    /// Fails unless the one value of `name` is exactly `value`.
    pub(crate) fn expect_header(&self, name: &str, value: &str) -> Outcome<&Self> {
        let values = self.header_values(name);
        if values != [value] {
            return Err(Failure::new(format!(
                "{}: expected {name}: {value:?}, got {values:?}",
                self.request
            )));
        }
        Ok(self)
    }
}
