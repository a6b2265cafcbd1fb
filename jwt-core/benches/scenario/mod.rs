//! What the benchmarks of this crate measure, built once and shared by both bench binaries:
//! an engine per algorithm, a browser's request carrying its access cookie among others, and
//! the bare `jsonwebtoken::decode` of the same token that the engine is compared with.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Uri};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use jwt_core::{
    Authenticator, AuthenticatorError, Credentials, Identity, JwtAuth, JwtConfig, KeyRing,
    NoClaims, Principal, Reply, RequestHead, async_trait,
};
use serde::Deserialize;

/// The HMAC secret of the HS256 engine.
pub(crate) const SECRET: &str = "benchmark secret: 0123456789abcdef0123456789abcdef";

/// The test-suite keys (they protect nothing).
const ED25519_PRIVATE: &[u8] = include_bytes!("../../tests/keys/ed25519.pem");
const ED25519_PUBLIC: &[u8] = include_bytes!("../../tests/keys/ed25519.pub.pem");
const P256_PRIVATE: &[u8] = include_bytes!("../../tests/keys/p256.pem");
const P256_PUBLIC: &[u8] = include_bytes!("../../tests/keys/p256.pub.pem");

/// A login body the engine accepts.
pub(crate) const LOGIN_JSON: &[u8] = br#"{"username": "alice", "password": "password1"}"#;

/// The algorithms compared, by their JWS names.
pub(crate) const ALGORITHMS: [Algorithm; 3] =
    [Algorithm::HS256, Algorithm::EdDSA, Algorithm::ES256];

/// Accepts every password without hashing, so that a login measures what the engine adds
/// around the password check: parsing the body, starting a session, signing a token pair
/// and writing the two cookies.
pub(crate) struct AcceptingAuthenticator;

#[async_trait]
impl Authenticator for AcceptingAuthenticator {
    type Claims = NoClaims;

    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        Ok(Some(Identity {
            subject: credentials.username.clone(),
            claims: NoClaims,
        }))
    }

    async fn identity(
        &self,
        subject: &str,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        Ok(Some(Identity {
            subject: subject.to_owned(),
            claims: NoClaims,
        }))
    }
}

/// The settings of an engine signing with `algorithm` (defaults otherwise).
pub(crate) fn config(algorithm: Algorithm) -> JwtConfig {
    let builder = JwtConfig::builder();
    let builder = match algorithm {
        Algorithm::HS256 => builder.secret(SECRET),
        Algorithm::EdDSA => builder.key_ring(
            KeyRing::from_private_pem(algorithm, ED25519_PRIVATE).expect("test Ed25519 key loads"),
        ),
        Algorithm::ES256 => builder.key_ring(
            KeyRing::from_private_pem(algorithm, P256_PRIVATE).expect("test P-256 key loads"),
        ),
        other => panic!("no benchmark key for {other:?}"),
    };
    builder.build().expect("benchmark settings are valid")
}

/// The key a bare `jsonwebtoken::decode` checks the same tokens with.
fn bare_key(algorithm: Algorithm) -> DecodingKey {
    match algorithm {
        Algorithm::HS256 => DecodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::EdDSA => DecodingKey::from_ed_pem(ED25519_PUBLIC),
        Algorithm::ES256 => DecodingKey::from_ec_pem(P256_PUBLIC),
        other => panic!("no benchmark key for {other:?}"),
    }
    .expect("the public half of a test key loads")
}

/// A `POST` login request's headers and body.
pub(crate) fn login_request() -> (HeaderMap, Bytes) {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (headers, Bytes::from_static(LOGIN_JSON))
}

/// Logs in and returns the reply, which must be a success.
pub(crate) async fn login(auth: &JwtAuth<NoClaims>) -> Reply {
    let (headers, body) = login_request();
    let uri = login_uri();
    let head = RequestHead::from_http(auth.config(), &Method::POST, &uri, &headers);
    let reply = auth.login(&head, body.into()).await;
    assert_eq!(reply.status(), 200, "the benchmark login succeeds");
    reply
}

/// The path logins are posted to (the default `JWT_LOGIN_PATH`).
pub(crate) fn login_uri() -> Uri {
    Uri::from_static("/jwt/login/")
}

/// The value of the cookie `name` set by a reply.
pub(crate) fn cookie_set_by(reply: &Reply, name: &str) -> String {
    reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|line| line.split(';').next())
        .find_map(|pair| {
            let (cookie, value) = pair.split_once('=')?;
            (cookie == name).then(|| value.to_owned())
        })
        .unwrap_or_else(|| panic!("the reply sets the cookie {name}"))
}

/// The claims the bare decode reads: the ones the engine requires, typed.
#[derive(Debug, Deserialize)]
pub(crate) struct BareClaims {
    pub(crate) sub: String,
    pub(crate) sid: String,
    pub(crate) jti: String,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
}

/// One algorithm's side-by-side: the engine reading a browser request, and a bare
/// `jsonwebtoken::decode` of the same token bytes with the same key and validation.
pub(crate) struct CookieScenario {
    auth: JwtAuth<NoClaims>,
    uri: Uri,
    headers: HeaderMap,
    token: String,
    kid: String,
    key: DecodingKey,
    validation: Validation,
}

impl CookieScenario {
    /// Logs in once to get a real access token, and puts it in a browser-like request.
    ///
    /// `cached` keeps the engine's cache of verified tokens on (the default of `JwtAuth`), so
    /// every call after the first skips the signature check; off, every call verifies the
    /// token in full, which is what the comparison with the bare decode is about.
    pub(crate) async fn new(algorithm: Algorithm, cached: bool) -> Self {
        let auth = JwtAuth::builder(config(algorithm), AcceptingAuthenticator)
            .verified_token_cache(if cached { 10_000 } else { 0 })
            .build();
        let reply = login(&auth).await;
        let token = cookie_set_by(&reply, auth.config().access_cookie());
        let kid = auth.config().keys().signing_key_id().to_owned();

        // What a browser sends on a same-origin navigation: the access cookie third among a
        // site's other cookies, and the usual headers around it.
        let cookie = format!(
            "theme=dark; lang=en-GB; {}={token}; _ga=GA1.1.1234567890.1700000000",
            auth.config().access_cookie()
        );
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("host", "app.example.com"),
            (
                "user-agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            ),
            ("accept", "application/json"),
            ("accept-language", "en-GB,en;q=0.5"),
            ("accept-encoding", "gzip, deflate, br"),
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "cors"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        headers.insert(
            "cookie",
            HeaderValue::from_str(&cookie).expect("a token is a valid header value"),
        );

        // The engine's checks that `Validation` can express: the pinned algorithm, `exp`
        // with no leeway, `nbf` when present, and the claims it requires (the typed
        // `BareClaims` makes `sid`, `jti` and `iat` required too). `typ` and `kid` are
        // compared after decoding, from the header the decode returns.
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);

        let scenario = Self {
            auth,
            uri: Uri::from_static("/whoami/"),
            headers,
            token,
            kid,
            key: bare_key(algorithm),
            validation,
        };
        let principal = scenario.cookie_to_principal();
        let bare = scenario.bare_decode();
        let engine_read = (
            principal.subject.as_str(),
            principal.session_id.as_str(),
            principal.token_id.as_str(),
            principal.issued_at.unix_timestamp(),
            principal.expires_at.unix_timestamp(),
        );
        let bare_read = (
            bare.sub.as_str(),
            bare.sid.as_str(),
            bare.jti.as_str(),
            bare.iat,
            bare.exp,
        );
        assert_eq!(engine_read, bare_read, "both read the same token");
        scenario
    }

    /// The middleware's work: request headers to a principal (`JWT_STRICT_LOGOUT` off).
    ///
    /// Never inlined, like its counterpart, so that a profiler sees each as one function.
    #[inline(never)]
    pub(crate) fn cookie_to_principal(&self) -> Principal<NoClaims> {
        let head =
            RequestHead::from_http(self.auth.config(), &Method::GET, &self.uri, &self.headers);
        self.auth
            .verify_request(&head)
            .require()
            .expect("the benchmark token is valid")
    }

    /// The floor: `jsonwebtoken::decode` of the bare token, then its `typ` and `kid`.
    #[inline(never)]
    pub(crate) fn bare_decode(&self) -> BareClaims {
        let data = jsonwebtoken::decode::<BareClaims>(&self.token, &self.key, &self.validation)
            .expect("the benchmark token is valid");
        assert!(
            data.header.typ.as_deref() == Some("at+jwt")
                && data.header.kid.as_deref() == Some(self.kid.as_str()),
            "the benchmark token is an access token of the engine's key"
        );
        data.claims
    }
}

/// The name the figures print for an algorithm.
pub(crate) fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::HS256 => "HS256",
        Algorithm::EdDSA => "EdDSA",
        Algorithm::ES256 => "ES256",
        _ => "other",
    }
}
