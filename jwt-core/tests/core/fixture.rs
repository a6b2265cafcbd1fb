//! One engine with known users, a clock the test moves, and requests built like a browser's.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use cookie::Cookie;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use jwt_core::{
    Authentication, Endpoint, JwtAuth, JwtConfig, JwtConfigBuilder, ManualClock,
    MemoryAuthenticator, PasswordHasher, Reply, RequestBody, RequestHead,
};
use serde::{Deserialize, Serialize};

/// An HMAC secret long enough for HS256.
pub(crate) const SECRET: &str = "test secret: 0123456789abcdef0123456789abcdef";
/// The suite's fixed starting time.
pub(crate) const START: i64 = 1_800_000_000;

/// The application claims the fixture's users carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Role {
    pub(crate) role: String,
}

pub(crate) struct Fixture {
    pub(crate) auth: JwtAuth<Role>,
    pub(crate) clock: ManualClock,
    pub(crate) users: Arc<MemoryAuthenticator<Role>>,
}

/// The cookies a login handed out.
#[derive(Debug, Clone)]
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) refresh: String,
}

impl Fixture {
    /// Default settings with the fixture's secret.
    pub(crate) fn new() -> Self {
        Self::with(settings())
    }

    /// The given settings (start from [`settings`] for the fixture's secret).
    pub(crate) fn with(builder: JwtConfigBuilder) -> Self {
        let config = builder.build().expect("fixture settings are valid");
        Self::with_config(config)
    }

    pub(crate) fn with_config(config: JwtConfig) -> Self {
        // Cheap Argon2 parameters: the suite logs in hundreds of times. Production keeps the
        // defaults, which the benchmarks measure.
        let params = argon2::Params::new(1024, 1, 1, None).expect("valid test parameters");
        let hasher = PasswordHasher::with_params(params).expect("valid test hasher");
        let users = Arc::new(MemoryAuthenticator::with_hasher(hasher));
        let admin = Role {
            role: "admin".into(),
        };
        let reader = Role {
            role: "reader".into(),
        };
        users.add_user("alice", "password1", admin).expect("hash");
        users
            .add_user("bob", "password2", reader.clone())
            .expect("hash");
        users.add_user("carol", "password3", reader).expect("hash");
        users.set_active("carol", false);
        let clock = ManualClock::at_unix(START);
        let auth = JwtAuth::builder(config, Arc::clone(&users))
            .clock(clock.clone())
            .build();
        Self { auth, clock, users }
    }

    /// Sends a request to one endpoint.
    pub(crate) async fn call(
        &self,
        endpoint: Endpoint,
        method: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let map = header_map(headers);
        let head = RequestHead::from_pairs(
            self.auth.config(),
            method,
            map.iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        );
        self.auth
            .handle(
                endpoint,
                &head,
                RequestBody::Complete(Bytes::copy_from_slice(body)),
            )
            .await
    }

    /// `POST` to an endpoint with only the given headers.
    pub(crate) async fn post(&self, endpoint: Endpoint, headers: &[(&str, &str)]) -> Reply {
        self.call(endpoint, "POST", headers, b"").await
    }

    /// Logs in with JSON credentials.
    pub(crate) async fn login_as(&self, username: &str, password: &str) -> Reply {
        let body = serde_json::json!({ "username": username, "password": password }).to_string();
        self.call(
            Endpoint::Login,
            "POST",
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
        .await
    }

    /// Logs alice in and returns her tokens.
    pub(crate) async fn login(&self) -> Tokens {
        let reply = self.login_as("alice", "password1").await;
        assert_eq!(reply.status(), 200, "login failed: {:?}", reply.body());
        Tokens {
            access: cookie_value(&reply, self.auth.config().access_cookie())
                .expect("access cookie"),
            refresh: cookie_value(&reply, self.auth.config().refresh_cookie())
                .expect("refresh cookie"),
        }
    }

    /// Refreshes with the given refresh token in its cookie.
    pub(crate) async fn refresh_with(&self, refresh: &str) -> Reply {
        let cookie = format!("{}={refresh}", self.auth.config().refresh_cookie());
        self.post(Endpoint::Refresh, &[("cookie", &cookie)]).await
    }

    /// Logs out with the given access token in its cookie.
    pub(crate) async fn logout_with(&self, access: &str, everywhere: bool) -> Reply {
        let cookie = format!("{}={access}", self.auth.config().access_cookie());
        let endpoint = if everywhere {
            Endpoint::LogoutAll
        } else {
            Endpoint::Logout
        };
        self.post(endpoint, &[("cookie", &cookie)]).await
    }

    /// What the middleware makes of a request with these headers.
    pub(crate) async fn authenticate(
        &self,
        method: &str,
        headers: &[(&str, &str)],
    ) -> Authentication<Role> {
        let map = header_map(headers);
        let method: Method = method.parse().expect("method");
        let uri = Uri::from_static("/whoami/");
        let head = RequestHead::from_http(self.auth.config(), &method, &uri, &map);
        self.auth.authenticate(&head).await
    }

    /// The middleware's verdict on an access token sent as `Authorization: Bearer`.
    pub(crate) async fn bearer(&self, token: &str) -> Authentication<Role> {
        self.authenticate("GET", &[("authorization", &format!("Bearer {token}"))])
            .await
    }

    /// The access cookie header for a token.
    pub(crate) fn access_cookie(&self, token: &str) -> String {
        format!("{}={token}", self.auth.config().access_cookie())
    }
}

pub(crate) fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    map
}

/// Every `Set-Cookie` line of a reply, parsed.
pub(crate) fn set_cookies(reply: &Reply) -> Vec<Cookie<'static>> {
    reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| {
            let text = value.to_str().expect("ASCII Set-Cookie").to_owned();
            Cookie::parse(text).expect("parsable Set-Cookie")
        })
        .collect()
}

/// The value a reply sets for the named cookie.
pub(crate) fn cookie_value(reply: &Reply, name: &str) -> Option<String> {
    set_cookies(reply)
        .into_iter()
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The reply's `message`.
pub(crate) fn message(reply: &Reply) -> String {
    let body: serde_json::Value = serde_json::from_slice(reply.body()).expect("JSON body");
    body["message"].as_str().expect("message string").to_owned()
}

/// A compact JWS over arbitrary header and payload bytes, signed with HMAC.
pub(crate) fn sign_raw(
    header: &[u8],
    payload: &[u8],
    algorithm: jsonwebtoken::Algorithm,
    secret: &[u8],
) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = jsonwebtoken::EncodingKey::from_secret(secret).expect("secret");
    let signature =
        jsonwebtoken::crypto::sign(signing_input.as_bytes(), &key, algorithm).expect("sign");
    format!("{signing_input}.{signature}")
}

/// The fixture's key id (for crafting tokens it will look up).
pub(crate) fn kid(fixture: &Fixture) -> String {
    fixture.auth.config().keys().signing_key_id().to_owned()
}

/// An access token for alice, signed with the fixture's key, with header and claim overrides;
/// a name written `-name` removes that member.
pub(crate) fn forge(
    fixture: &Fixture,
    header: serde_json::Value,
    claims: serde_json::Value,
) -> String {
    let mut full_header =
        serde_json::json!({ "alg": "HS256", "typ": "at+jwt", "kid": kid(fixture) });
    merge(&mut full_header, header);
    let mut full_claims = serde_json::json!({
        "sub": "alice", "sid": "session", "jti": "token", "iat": START, "exp": START + 300, "role": "admin"
    });
    merge(&mut full_claims, claims);
    sign_raw(
        full_header.to_string().as_bytes(),
        full_claims.to_string().as_bytes(),
        jsonwebtoken::Algorithm::HS256,
        SECRET.as_bytes(),
    )
}

fn merge(base: &mut serde_json::Value, overrides: serde_json::Value) {
    let (Some(base), serde_json::Value::Object(overrides)) = (base.as_object_mut(), overrides)
    else {
        return;
    };
    for (name, value) in overrides {
        if let Some(removed) = name.strip_prefix('-') {
            base.remove(removed);
        } else {
            base.insert(name, value);
        }
    }
}

/// The decoded claims of a token (no verification: for assertions only).
pub(crate) fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64")).expect("JSON")
}

/// The decoded header of a token.
pub(crate) fn header_of(token: &str) -> serde_json::Value {
    let header = token.split('.').next().expect("header");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).expect("base64")).expect("JSON")
}

/// The builder every test starts from.
pub(crate) fn settings() -> JwtConfigBuilder {
    JwtConfig::builder().secret(SECRET)
}
