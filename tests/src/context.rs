//! What a scenario works with: the server (through a transport), its settings, the user to log
//! in as, and, in-process, the clock, the user table and the signing key.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{Method, header};
use jsonwebtoken::EncodingKey;
use jwt_core::{Clock as _, JwtConfig, ManualClock, MemoryAuthenticator, NoClaims};
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::browser::Browser;
use crate::failure::{Failure, Outcome};
use crate::transport::Transport;

/// A user name and password the server knows.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) name: String,
    pub(crate) password: String,
}

/// What only an in-process run has.
pub(crate) struct Controls<'a> {
    /// The engine's clock; moving it moves the server's time.
    pub(crate) clock: &'a ManualClock,
    /// The engine's users, to deactivate or remove one.
    pub(crate) users: &'a MemoryAuthenticator<NoClaims>,
    /// The configured signing key, to forge tokens the server must refuse.
    pub(crate) signing_key: &'a EncodingKey,
    /// A second user, for "other users are not affected".
    pub(crate) second_user: &'a Account,
    /// When set, every session store call fails.
    pub(crate) store_down: &'a AtomicBool,
    /// When set, every authenticator call fails.
    pub(crate) users_down: &'a AtomicBool,
}

impl Controls<'_> {
    /// Whether a backend is switched off, so that a `503` is the right answer.
    fn outage(&self) -> bool {
        self.store_down.load(Ordering::SeqCst) || self.users_down.load(Ordering::SeqCst)
    }
}

/// Everything one scenario run gets.
pub(crate) struct Ctx<'a> {
    transport: &'a dyn Transport,
    pub(crate) config: &'a JwtConfig,
    pub(crate) user: &'a Account,
    /// The `Host` header value (with the port over TCP).
    host: &'a str,
    controls: Option<Controls<'a>>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        transport: &'a dyn Transport,
        config: &'a JwtConfig,
        user: &'a Account,
        host: &'a str,
        controls: Option<Controls<'a>>,
    ) -> Self {
        Self {
            transport,
            config,
            user,
            host,
            controls,
        }
    }

    /// A request to `path` with the `Host` header set.
    pub(crate) fn request(&self, method: Method, path: &str) -> http::request::Builder {
        http::Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.host)
    }

    pub(crate) fn get(&self, path: &str) -> http::request::Builder {
        self.request(Method::GET, path)
    }

    pub(crate) fn post(&self, path: &str) -> http::request::Builder {
        self.request(Method::POST, path)
    }

    /// Sends a request as is (no cookie jar).
    pub(crate) async fn send(&self, request: http::Request<Bytes>) -> Outcome<Answer> {
        let what = format!("{} {}", request.method(), request.uri());
        let response = self.transport.send(request).await?;
        let outage = self.controls.as_ref().is_some_and(Controls::outage);
        Answer::new(what, response, outage)
    }

    /// A new browser with an empty cookie jar.
    pub(crate) fn browser(&self) -> Browser<'_> {
        Browser::new(self)
    }

    /// The in-process controls; scenarios that use them are registered as in-process only.
    pub(crate) fn controls(&self) -> Outcome<&Controls<'a>> {
        self.controls.as_ref().ok_or_else(|| {
            Failure::new("suite error: an in-process scenario was run against a remote server")
        })
    }

    /// The server's time, Unix seconds: the engine's clock in-process, the wall clock over TCP.
    pub(crate) fn now(&self) -> i64 {
        match &self.controls {
            Some(controls) => controls.clock.now().unix_timestamp(),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs() as i64),
        }
    }

    /// Moves the server's clock (and so the browsers') forward.
    pub(crate) fn advance(&self, seconds: i64) -> Outcome {
        self.controls()?
            .clock
            .advance(time::Duration::seconds(seconds));
        Ok(())
    }

    /// The `Host` the requests name: `host[:port]`.
    pub(crate) fn host(&self) -> &str {
        self.host
    }

    /// Sends a request as is and returns the response unchecked, for answers that are not the
    /// library's (a path the application does not serve).
    pub(crate) async fn send_raw(
        &self,
        request: http::Request<Bytes>,
    ) -> Outcome<http::Response<Bytes>> {
        self.transport.send(request).await
    }

    /// The host the browser believes it talks to, without the port (cookies ignore ports).
    pub(crate) fn cookie_host(&self) -> &str {
        self.host
            .rsplit_once(':')
            .map_or(self.host, |(host, _port)| host)
    }

    /// The server's own origin as a browser on it would send it in `Origin`: `https` when the
    /// cookies are `Secure` (such cookies only travel over HTTPS, whatever a proxy in front
    /// forwards), `http` otherwise.
    pub(crate) fn own_origin(&self) -> String {
        let scheme = if self.config.cookie_secure() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.host)
    }

    /// `POST JWT_LOGIN_PATH` with JSON credentials.
    pub(crate) fn login_request(&self, account: &Account) -> Outcome<http::Request<Bytes>> {
        Ok(self
            .post(self.config.login_path())
            .header(header::CONTENT_TYPE, "application/json")
            .body(login_json(account))?)
    }

    /// Fails unless `answer` is `200 {"user": "<user>"}`. In-process the body must be exactly
    /// that; a remote demo app may add fields beside `user`.
    pub(crate) fn expect_user(&self, answer: &Answer, user: &str) -> Outcome {
        answer.expect_status(200)?;
        let expected = json!({ "user": user });
        let matches = match self.controls {
            Some(_) => *answer.json() == expected,
            None => answer.json().get("user") == expected.get("user"),
        };
        if !matches {
            return Err(Failure::new(format!(
                "{}: expected body {expected}, got {}",
                answer.request,
                answer.json()
            )));
        }
        Ok(())
    }

    /// The header and claims of a valid access token for `subject` in session `sid`, as the
    /// configured settings would issue it now; scenarios spoil one part of it.
    pub(crate) fn access_token_parts(&self, subject: &str, sid: &str) -> (Value, Value) {
        let now = self.now();
        let header = json!({
            "alg": format!("{:?}", self.config.algorithm()),
            "typ": "at+jwt",
            "kid": self.config.keys().signing_key_id(),
        });
        let mut claims = json!({
            "sub": subject,
            "sid": sid,
            "jti": "c3VpdGUtZm9yZ2VkLXRva2VuLWlk",
            "iat": now,
            "exp": now + self.config.access_lifetime().whole_seconds(),
        });
        if let Some(object) = claims.as_object_mut() {
            if let Some(issuer) = self.config.issuer() {
                object.insert("iss".into(), issuer.into());
            }
            if let Some(audience) = self.config.audience() {
                object.insert("aud".into(), audience.into());
            }
        }
        (header, claims)
    }

    /// Signs `header.claims` with the configured key.
    pub(crate) fn sign(&self, header: &Value, claims: &Value) -> Outcome<String> {
        self.sign_text(header, &claims.to_string())
    }

    /// Signs a header and a claims text written by hand (to repeat a name, say).
    pub(crate) fn sign_text(&self, header: &Value, claims: &str) -> Outcome<String> {
        let key = self.controls()?.signing_key;
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let signature = jsonwebtoken::crypto::sign(signed.as_bytes(), key, self.config.algorithm())
            .map_err(|error| Failure::new(format!("suite error: cannot sign: {error}")))?;
        Ok(format!("{signed}.{signature}"))
    }
}

/// `{"username": ..., "password": ...}`.
pub(crate) fn login_json(account: &Account) -> Bytes {
    Bytes::from(json!({ "username": account.name, "password": account.password }).to_string())
}
