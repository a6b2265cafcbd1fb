//! Settings: one [`JwtConfig`] configures every adapter.
//!
//! Settings keep the Django package's names, so a deployment can move over unchanged:
//! environment variables `JWT_*` ([`JwtConfig::from_env`]), the same names in lower case
//! without `JWT_` in a TOML or JSON file ([`JwtConfig::from_toml_str`]), or the
//! [`JwtConfigBuilder`]. Everything is checked when the configuration is built, and an error
//! names the setting at fault; nothing fails later at request time.
//!
//! ```
//! use jwt_core::JwtConfig;
//!
//! let config = JwtConfig::from_toml_str(r#"
//!     secret = "an example secret of at least 32 bytes"
//!     access_duration = 10
//! "#)?;
//! assert_eq!(config.access_lifetime(), time::Duration::minutes(10));
//! assert_eq!(config.refresh_cookie(), "RefreshAuthorization");
//! # Ok::<(), jwt_core::ConfigError>(())
//! ```
//!
//! Decisions beyond the Django package's settings:
//! - `JWT_REFRESH_COOKIE_PATH` (default: `JWT_REFRESH_PATH`) sets the refresh cookie's Path
//!   apart from where the endpoint is mounted, for apps that mount it under a prefix (an axum
//!   `nest("/api", ...)`, a Rocket base, an actix scope): with the endpoint at
//!   `/api/jwt/refresh/`, set it to `/api/jwt/refresh/`. It must be a Path the browser sends
//!   to the endpoint: either `JWT_REFRESH_PATH` lies under it, or it is a prefix followed by
//!   `JWT_REFRESH_PATH` (the prefix itself cannot be known, so a bare `/api/` is refused).
//! - `JWT_REFRESH_GRACE` is capped at 300 seconds: a longer window is a longer time in which a
//!   stolen refresh token goes unnoticed.
//! - `JWT_LOGIN_BODY_TIMEOUT` (seconds, default 5, at most 60) bounds how long a login body
//!   may take to arrive; after it, login answers `408 {"message": "Request timeout."}`, so a
//!   client that sends its body a byte a minute cannot hold a request open.
//! - Start-up refuses settings that cannot work: a token header (`JWT_ACCESS_HEADER`, or the
//!   refresh header named after `JWT_REFRESH_COOKIE`) named like a header the engine reads
//!   itself (`Cookie`, `Content-Type`, `Content-Length`, `Origin`, `Host`, `Sec-Fetch-Site`);
//!   key files that are not regular files or are longer than 64 KiB; and a `JWT_ISSUER` or
//!   `JWT_AUDIENCE` so long (JSON escapes included) that the smallest token these settings
//!   can mint leaves less than 256 bytes of `JWT_MAX_TOKEN_BYTES` for the subject and the
//!   application's claims. Those two are only known at login: a token that would still exceed
//!   `JWT_MAX_TOKEN_BYTES` is not handed out, and login answers `500` with an error logged
//!   (a cookie that can never authenticate would be worse).
//! - `JWT_DJANGO_SECRET_KEY` turns the migration mode on (see the crate docs): it must be
//!   non-empty and differ from `JWT_SECRET` and its fallbacks; under 32 bytes a warning is
//!   logged, as Django itself sets no minimum. `JWT_DJANGO_UNTIL` without it is an error.
//! - Booleans accept `true`/`false`/`1`/`0`/`yes`/`no`/`on`/`off`, any case.

mod builder;
mod django;
mod env;
mod error;
mod key_material;
mod redis;
mod throttle;
mod validate;

use http::HeaderName;
use jsonwebtoken::Algorithm;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;

use time::Duration;

pub(crate) use self::redis::RedisSettings;
pub use builder::JwtConfigBuilder;
pub use error::ConfigError;

use crate::keys::KeyRing;

/// The `SameSite` attribute of both cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// Sent only with requests from the cookie's own site (the default).
    Strict,
    /// Also sent with top-level navigations from other sites.
    Lax,
    /// Sent with every request; needs `Secure`.
    None,
}

/// A validated configuration. Build it with [`JwtConfig::builder`], [`JwtConfig::from_env`] or
/// [`JwtConfig::from_toml_str`]; it cannot hold an unusable value.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub(crate) access_lifetime: Duration,
    pub(crate) refresh_lifetime: Duration,
    pub(crate) access_header: HeaderName,
    pub(crate) access_cookie: String,
    pub(crate) refresh_cookie: String,
    pub(crate) refresh_header: HeaderName,
    pub(crate) keys: KeyRing,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Option<String>,
    pub(crate) leeway: Duration,
    pub(crate) cookie_http_only: bool,
    pub(crate) cookie_same_site: SameSite,
    pub(crate) cookie_secure: bool,
    pub(crate) cookie_domain: Option<String>,
    pub(crate) logout_access: bool,
    pub(crate) refresh_path: String,
    pub(crate) refresh_cookie_path: String,
    pub(crate) login_path: String,
    pub(crate) logout_path: String,
    pub(crate) logout_all_path: String,
    pub(crate) jwks_path: String,
    pub(crate) rotate_refresh: bool,
    pub(crate) refresh_grace: Duration,
    pub(crate) session_max_age: Option<Duration>,
    pub(crate) strict_logout: bool,
    pub(crate) csrf: bool,
    pub(crate) trusted_origins: Vec<String>,
    pub(crate) max_token_bytes: usize,
    pub(crate) throttle: crate::throttle::Limits,
    pub(crate) trusted_proxies: Vec<ipnet::IpNet>,
    /// May carry a password: redacted in `Debug`, wiped on drop.
    pub(crate) redis_url: Option<SecretString>,
    pub(crate) login_body_timeout: std::time::Duration,
    pub(crate) redis: RedisSettings,
    pub(crate) django: Option<crate::django::DjangoMigration>,
}

impl JwtConfig {
    /// A builder with every setting at its default.
    pub fn builder() -> JwtConfigBuilder {
        JwtConfigBuilder::default()
    }

    /// Reads every `JWT_*` environment variable that is set and builds the configuration.
    pub fn from_env() -> Result<Self, ConfigError> {
        JwtConfigBuilder::from_env()?.build()
    }

    /// Parses TOML settings (keys in lower case without `JWT_`) and builds the configuration.
    #[cfg(feature = "toml")]
    #[cfg_attr(docsrs, doc(cfg(feature = "toml")))]
    pub fn from_toml_str(toml: &str) -> Result<Self, ConfigError> {
        JwtConfigBuilder::from_toml_str(toml)?.build()
    }

    /// Parses JSON settings (keys in lower case without `JWT_`) and builds the configuration.
    pub fn from_json_str(json: &str) -> Result<Self, ConfigError> {
        JwtConfigBuilder::from_json_str(json)?.build()
    }

    /// `JWT_ACCESS_DURATION`: how long an access token lives.
    pub fn access_lifetime(&self) -> Duration {
        self.access_lifetime
    }

    /// `JWT_REFRESH_DURATION`: how long a refresh token lives.
    pub fn refresh_lifetime(&self) -> Duration {
        self.refresh_lifetime
    }

    /// `JWT_ACCESS_HEADER`: the request header read for `Bearer <jwt>`.
    pub fn access_header(&self) -> &HeaderName {
        &self.access_header
    }

    /// `JWT_ACCESS_COOKIE`: the access cookie's name.
    pub fn access_cookie(&self) -> &str {
        &self.access_cookie
    }

    /// `JWT_REFRESH_COOKIE`: the refresh cookie's name.
    pub fn refresh_cookie(&self) -> &str {
        &self.refresh_cookie
    }

    /// The request header a non-browser client may send its refresh token in (the refresh
    /// cookie's name).
    pub fn refresh_header(&self) -> &HeaderName {
        &self.refresh_header
    }

    /// The signing and verification keys the settings describe. An engine may have swapped
    /// them since ([`JwtAuth::set_keys`](crate::JwtAuth::set_keys)); [`JwtAuth::keys`](crate::JwtAuth::keys)
    /// gives the ones in use.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// `JWT_ALGORITHM`.
    pub fn algorithm(&self) -> Algorithm {
        self.keys.algorithm()
    }

    /// `JWT_ISSUER`.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// `JWT_AUDIENCE`.
    pub fn audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// `JWT_LEEWAY`.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// `JWT_COOKIE_HTTPONLY`.
    pub fn cookie_http_only(&self) -> bool {
        self.cookie_http_only
    }

    /// `JWT_COOKIE_SAMESITE`.
    pub fn cookie_same_site(&self) -> SameSite {
        self.cookie_same_site
    }

    /// `JWT_COOKIE_SECURE`.
    pub fn cookie_secure(&self) -> bool {
        self.cookie_secure
    }

    /// `JWT_COOKIE_DOMAIN`.
    pub fn cookie_domain(&self) -> Option<&str> {
        self.cookie_domain.as_deref()
    }

    /// `JWT_LOGOUT_ACCESS`.
    pub fn logout_access(&self) -> bool {
        self.logout_access
    }

    /// `JWT_REFRESH_PATH`: where the refresh endpoint is mounted.
    pub fn refresh_path(&self) -> &str {
        &self.refresh_path
    }

    /// `JWT_REFRESH_COOKIE_PATH`: the refresh cookie's Path attribute.
    pub fn refresh_cookie_path(&self) -> &str {
        &self.refresh_cookie_path
    }

    /// `JWT_LOGIN_PATH`.
    pub fn login_path(&self) -> &str {
        &self.login_path
    }

    /// `JWT_LOGOUT_PATH`.
    pub fn logout_path(&self) -> &str {
        &self.logout_path
    }

    /// `JWT_LOGOUT_ALL_PATH`.
    pub fn logout_all_path(&self) -> &str {
        &self.logout_all_path
    }

    /// `JWT_JWKS_PATH`: where the public keys are served as a JWK Set, with an asymmetric
    /// algorithm (with HMAC nothing is served there).
    pub fn jwks_path(&self) -> &str {
        &self.jwks_path
    }

    /// `JWT_ROTATE_REFRESH`.
    pub fn rotate_refresh(&self) -> bool {
        self.rotate_refresh
    }

    /// `JWT_REFRESH_GRACE`.
    pub fn refresh_grace(&self) -> Duration {
        self.refresh_grace
    }

    /// `JWT_SESSION_MAX_AGE`, `None` for no cap.
    pub fn session_max_age(&self) -> Option<Duration> {
        self.session_max_age
    }

    /// `JWT_STRICT_LOGOUT`.
    pub fn strict_logout(&self) -> bool {
        self.strict_logout
    }

    /// `JWT_CSRF`.
    pub fn csrf(&self) -> bool {
        self.csrf
    }

    /// `JWT_TRUSTED_ORIGINS`, normalised to `scheme://host[:port]` in lower case.
    pub fn trusted_origins(&self) -> &[String] {
        &self.trusted_origins
    }

    /// Whether `origin` (an `Origin` header's value) is one of `JWT_TRUSTED_ORIGINS`, compared
    /// as the cross-origin check compares it. For an application's CORS layer, so that the
    /// origins allowed to read answers are the ones allowed to send cookie-carrying requests.
    ///
    /// ```
    /// use jwt_core::JwtConfig;
    ///
    /// let config = JwtConfig::builder()
    ///     .secret("an example secret of at least 32 bytes")
    ///     .trusted_origin("https://app.example.com")
    ///     .build()?;
    /// assert!(config.is_trusted_origin("https://App.example.com:443"));
    /// assert!(!config.is_trusted_origin("https://evil.example"));
    /// assert!(!config.is_trusted_origin("null"));
    /// # Ok::<(), jwt_core::ConfigError>(())
    /// ```
    pub fn is_trusted_origin(&self, origin: &str) -> bool {
        crate::csrf::normalize_origin(origin)
            .is_some_and(|origin| self.trusted_origins.contains(&origin))
    }

    /// `JWT_MAX_TOKEN_BYTES`.
    pub fn max_token_bytes(&self) -> usize {
        self.max_token_bytes
    }

    /// `JWT_LOGIN_MAX_FAILURES`: failed logins allowed for one username from one client
    /// within the window; `None` when that limit is off.
    pub fn login_max_failures(&self) -> Option<u32> {
        self.throttle.per_pair
    }

    /// `JWT_LOGIN_MAX_FAILURES_PER_CLIENT`: failed logins allowed from one client within the
    /// window; `None` when that limit is off.
    pub fn login_max_failures_per_client(&self) -> Option<u32> {
        self.throttle.per_client
    }

    /// `JWT_LOGIN_THROTTLE_WINDOW`: how long failed logins are counted.
    pub fn login_throttle_window(&self) -> Duration {
        self.throttle.window
    }

    /// `JWT_TRUSTED_PROXIES`: the proxies whose forwarded-for headers name the client.
    pub fn trusted_proxies(&self) -> &[ipnet::IpNet] {
        &self.trusted_proxies
    }

    /// `JWT_LOGIN_BODY_TIMEOUT`: how long a login body may take to arrive, in all, before
    /// login answers `408`.
    pub fn login_body_timeout(&self) -> std::time::Duration {
        self.login_body_timeout
    }

    /// `JWT_REDIS_URL`: one Redis server.
    pub fn redis_url(&self) -> Option<&str> {
        self.redis_url.as_ref().map(ExposeSecret::expose_secret)
    }

    /// `JWT_REDIS_CLUSTER_URLS`: the seed nodes of a Redis Cluster (empty when unset).
    pub fn redis_cluster_urls(&self) -> &[String] {
        &self.redis.cluster_urls
    }

    /// `JWT_REDIS_CA_FILE`: the CA certificates a `rediss://` server must chain to; `None`
    /// for the system's roots.
    pub fn redis_ca_file(&self) -> Option<&Path> {
        self.redis.ca_file.as_deref()
    }

    /// `JWT_REDIS_CLIENT_CERT_FILE`: the client certificate chain for mutual TLS.
    pub fn redis_client_cert_file(&self) -> Option<&Path> {
        self.redis.client_cert_file.as_deref()
    }

    /// `JWT_REDIS_CLIENT_KEY_FILE`: the client certificate's private key.
    pub fn redis_client_key_file(&self) -> Option<&Path> {
        self.redis.client_key_file.as_deref()
    }

    /// Whether the migration mode for `django-jwt-auth-middleware` tokens is on
    /// (`JWT_DJANGO_SECRET_KEY` is set). It stays on past `JWT_DJANGO_UNTIL`, refusing every
    /// Django token, until the setting is removed.
    pub fn django_migration(&self) -> bool {
        self.django.is_some()
    }

    /// `JWT_DJANGO_UNTIL`: the instant from which the migration mode refuses every Django
    /// token (a date given alone ends with its day, in UTC).
    pub fn django_until(&self) -> Option<time::OffsetDateTime> {
        self.django.as_ref().and_then(|django| django.until())
    }
}
