use std::fmt;
use std::path::{Path, PathBuf};

use http::HeaderName;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use time::Duration;

use super::redis::RedisInput;
use super::validate::{
    check_cookie_name, check_prefix, check_token_header, check_token_room, non_empty, path,
    path_matches,
};
use super::{ConfigError, JwtConfig, SameSite};
use crate::keys::KeyRing;

/// The longest clock skew `JWT_LEEWAY` may allow: more would keep expired tokens alive.
const MAX_LEEWAY_SECONDS: u64 = 300;
/// The longest `JWT_REFRESH_GRACE`: the window in which a stolen refresh token goes unnoticed.
const MAX_GRACE_SECONDS: u64 = 300;
/// Ten years: anything longer is a typo, and keeps time arithmetic far from overflow.
const MAX_DAYS: u64 = 3650;
/// `JWT_LOGIN_BODY_TIMEOUT` by default: a login body is a few hundred bytes, which any client
/// sends within a second; five leave room for a slow mobile link, and a client that trickles
/// its body to hold the connection open is cut off after that.
const LOGIN_BODY_TIMEOUT_SECONDS: u64 = 5;
/// The longest `JWT_LOGIN_BODY_TIMEOUT`: even 64 KiB arrives within a minute on any link.
const MAX_LOGIN_BODY_TIMEOUT_SECONDS: u64 = 60;

/// Settings not yet checked. Every field is optional; [`JwtConfigBuilder::build`] fills in the
/// defaults (listed in the protocol document, `docs/PROTOCOL.md`) and validates the whole.
///
/// It deserializes from TOML or JSON with the settings' names in lower case without `JWT_`
/// (`access_duration`, `secret`, `cookie_samesite`, ...); unknown keys are an error, so a
/// misspelt setting is not silently ignored.
///
/// ```
/// use jwt_core::{JwtConfig, SameSite};
///
/// let config = JwtConfig::builder()
///     .secret("an example secret of at least 32 bytes")
///     .cookie_same_site(SameSite::Lax)
///     .trusted_origin("https://app.example.com")
///     .build()?;
/// assert_eq!(config.cookie_same_site(), SameSite::Lax);
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
#[derive(Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[must_use]
pub struct JwtConfigBuilder {
    pub(super) access_duration: Option<u64>,
    pub(super) refresh_duration: Option<u64>,
    pub(super) access_header: Option<String>,
    pub(super) access_cookie: Option<String>,
    pub(super) refresh_cookie: Option<String>,
    pub(super) refresh_cookie_path: Option<String>,
    pub(super) algorithm: Option<String>,
    pub(super) secret: Option<Secret>,
    pub(super) secret_fallbacks: Option<Vec<Secret>>,
    pub(super) private_key_file: Option<PathBuf>,
    pub(super) public_key_files: Option<Vec<PathBuf>>,
    pub(super) key_id: Option<String>,
    pub(super) issuer: Option<String>,
    pub(super) audience: Option<String>,
    pub(super) leeway: Option<u64>,
    pub(super) cookie_httponly: Option<bool>,
    pub(super) cookie_samesite: Option<String>,
    pub(super) cookie_secure: Option<bool>,
    pub(super) cookie_domain: Option<String>,
    pub(super) logout_access: Option<bool>,
    pub(super) refresh_path: Option<String>,
    pub(super) login_path: Option<String>,
    pub(super) logout_path: Option<String>,
    pub(super) logout_all_path: Option<String>,
    pub(super) jwks_path: Option<String>,
    pub(super) rotate_refresh: Option<bool>,
    pub(super) refresh_grace: Option<u64>,
    pub(super) session_max_age: Option<u64>,
    pub(super) strict_logout: Option<bool>,
    pub(super) csrf: Option<bool>,
    pub(super) trusted_origins: Option<Vec<String>>,
    pub(super) max_token_bytes: Option<usize>,
    pub(super) login_max_failures: Option<u32>,
    pub(super) login_max_failures_per_client: Option<u32>,
    pub(super) login_throttle_window: Option<u64>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) redis_url: Option<Secret>,
    pub(super) login_body_timeout: Option<u64>,
    pub(super) redis_cluster_urls: Option<Vec<String>>,
    pub(super) redis_ca_file: Option<PathBuf>,
    pub(super) redis_client_cert_file: Option<PathBuf>,
    pub(super) redis_client_key_file: Option<PathBuf>,
    pub(super) django_secret_key: Option<Secret>,
    pub(super) django_until: Option<String>,
    #[serde(skip)]
    pub(super) key_ring: Option<KeyRing>,
}

/// A secret (`JWT_SECRET`, or `JWT_REDIS_URL`, which may carry a password): never in `Debug`
/// output, and wiped from memory when dropped.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub(super) struct Secret(pub(super) SecretString);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(SecretString::from(value))
    }
}

impl fmt::Debug for JwtConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtConfigBuilder")
            .field("algorithm", &self.algorithm)
            .field("secret", &self.secret)
            .field("django_secret_key", &self.django_secret_key)
            .field("private_key_file", &self.private_key_file)
            .field("redis_url", &self.redis_url)
            .finish_non_exhaustive()
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident => $field:ident : $ty:ty;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: $ty) -> Self {
            self.$field = Some(value.into());
            self
        }
    )*};
}

impl JwtConfigBuilder {
    setters! {
        /// `JWT_ACCESS_DURATION`, minutes (default 5).
        access_duration_minutes => access_duration: u64;
        /// `JWT_REFRESH_DURATION`, days (default 14).
        refresh_duration_days => refresh_duration: u64;
        /// `JWT_ACCESS_HEADER` (default `Authorization`).
        access_header => access_header: &str;
        /// `JWT_ACCESS_COOKIE` (default: the access header's name).
        access_cookie => access_cookie: &str;
        /// `JWT_REFRESH_COOKIE` (default `Refresh` + the access header's name).
        refresh_cookie => refresh_cookie: &str;
        /// `JWT_REFRESH_COOKIE_PATH` (default: `JWT_REFRESH_PATH`).
        refresh_cookie_path => refresh_cookie_path: &str;
        /// `JWT_ALGORITHM` (default `HS256`).
        algorithm => algorithm: &str;
        /// `JWT_PRIVATE_KEY_FILE`: PEM signing key for asymmetric algorithms.
        private_key_file => private_key_file: &Path;
        /// `JWT_KEY_ID` (default: the key's RFC 7638 thumbprint).
        key_id => key_id: &str;
        /// `JWT_ISSUER`.
        issuer => issuer: &str;
        /// `JWT_AUDIENCE`.
        audience => audience: &str;
        /// `JWT_LEEWAY`, seconds (default 0, at most 300).
        leeway_seconds => leeway: u64;
        /// `JWT_COOKIE_HTTPONLY` (default true).
        cookie_http_only => cookie_httponly: bool;
        /// `JWT_COOKIE_SECURE` (default true).
        cookie_secure => cookie_secure: bool;
        /// `JWT_COOKIE_DOMAIN` (default: host-only cookies).
        cookie_domain => cookie_domain: &str;
        /// `JWT_LOGOUT_ACCESS` (default true).
        logout_access => logout_access: bool;
        /// `JWT_REFRESH_PATH` (default `/jwt/refresh/`).
        refresh_path => refresh_path: &str;
        /// `JWT_LOGIN_PATH` (default `/jwt/login/`).
        login_path => login_path: &str;
        /// `JWT_LOGOUT_PATH` (default `/jwt/logout/`).
        logout_path => logout_path: &str;
        /// `JWT_LOGOUT_ALL_PATH` (default `/jwt/logout-all/`).
        logout_all_path => logout_all_path: &str;
        /// `JWT_JWKS_PATH` (default `/jwt/jwks.json`): where the public keys are served, with
        /// an asymmetric algorithm.
        jwks_path => jwks_path: &str;
        /// `JWT_ROTATE_REFRESH` (default true).
        rotate_refresh => rotate_refresh: bool;
        /// `JWT_REFRESH_GRACE`, seconds (default 30, at most 300).
        refresh_grace_seconds => refresh_grace: u64;
        /// `JWT_SESSION_MAX_AGE`, days (default 0: no cap).
        session_max_age_days => session_max_age: u64;
        /// `JWT_STRICT_LOGOUT` (default false).
        strict_logout => strict_logout: bool;
        /// `JWT_CSRF` (default true).
        csrf => csrf: bool;
        /// `JWT_MAX_TOKEN_BYTES` (default 8192).
        max_token_bytes => max_token_bytes: usize;
        /// `JWT_REDIS_URL`: one Redis server, `redis://` or `rediss://` (TLS).
        redis_url => redis_url: &str;
        /// `JWT_LOGIN_MAX_FAILURES` (default 5; 0 turns the limit off): failed logins for one
        /// username from one client within the window.
        login_max_failures => login_max_failures: u32;
        /// `JWT_LOGIN_MAX_FAILURES_PER_CLIENT` (default 50; 0 turns the limit off): failed
        /// logins from one client across all usernames within the window.
        login_max_failures_per_client => login_max_failures_per_client: u32;
        /// `JWT_LOGIN_THROTTLE_WINDOW`, seconds (default 900).
        login_throttle_window_seconds => login_throttle_window: u64;
        /// `JWT_LOGIN_BODY_TIMEOUT`, seconds (default 5, from 1 to 60).
        login_body_timeout_seconds => login_body_timeout: u64;
        /// `JWT_REDIS_CA_FILE`: PEM CA certificates that a `rediss://` server must chain to,
        /// instead of the system's roots.
        redis_ca_file => redis_ca_file: &Path;
        /// `JWT_REDIS_CLIENT_CERT_FILE`: a PEM client certificate chain for mutual TLS.
        redis_client_cert_file => redis_client_cert_file: &Path;
        /// `JWT_REDIS_CLIENT_KEY_FILE`: the PEM private key of the client certificate.
        redis_client_key_file => redis_client_key_file: &Path;
    }

    /// Adds one of `JWT_REDIS_CLUSTER_URLS`: a seed node of a Redis Cluster
    /// (`redis://host:port` or `rediss://host:port`), instead of `JWT_REDIS_URL`.
    pub fn redis_cluster_url(mut self, url: &str) -> Self {
        self.redis_cluster_urls
            .get_or_insert_with(Vec::new)
            .push(url.to_owned());
        self
    }

    /// `JWT_SECRET`: the HMAC secret (HS* algorithms).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(Secret(SecretString::from(secret.into())));
        self
    }

    /// Adds one of `JWT_SECRET_FALLBACKS`: a previous HMAC secret that still verifies tokens
    /// but never signs. With `JWT_KEY_ID` set, give it as `kid=secret`, naming the key id its
    /// tokens were signed with.
    pub fn secret_fallback(mut self, secret: impl Into<String>) -> Self {
        self.secret_fallbacks
            .get_or_insert_with(Vec::new)
            .push(Secret(SecretString::from(secret.into())));
        self
    }

    /// `JWT_DJANGO_SECRET_KEY`: the `SECRET_KEY` of the Django project whose
    /// `django-jwt-auth-middleware` tokens the migration mode accepts (see
    /// [`JwtConfig::django_migration`]). Unset (the default), the mode is off.
    pub fn django_secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.django_secret_key = Some(Secret(SecretString::from(secret_key.into())));
        self
    }

    /// `JWT_DJANGO_UNTIL`: the last day of the migration mode (`2027-06-30`, UTC) or the
    /// instant it ends (RFC 3339); from then on every Django token is refused.
    pub fn django_until(mut self, until: &str) -> Self {
        self.django_until = Some(until.to_owned());
        self
    }

    /// `JWT_COOKIE_SAMESITE` (default `Strict`).
    pub fn cookie_same_site(mut self, same_site: SameSite) -> Self {
        let name = match same_site {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        };
        self.cookie_samesite = Some(name.to_owned());
        self
    }

    /// Adds one of `JWT_PUBLIC_KEY_FILES`: a PEM public key kept for verification. With
    /// `JWT_KEY_ID` set, give it as `kid=path`, naming the key id its tokens were signed with.
    pub fn public_key_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.public_key_files
            .get_or_insert_with(Vec::new)
            .push(path.into());
        self
    }

    /// Adds one of `JWT_TRUSTED_ORIGINS` (`https://app.example.com`).
    pub fn trusted_origin(mut self, origin: &str) -> Self {
        self.trusted_origins
            .get_or_insert_with(Vec::new)
            .push(origin.to_owned());
        self
    }

    /// Adds one of `JWT_TRUSTED_PROXIES`: a CIDR block (`10.0.0.0/8`) or address of a proxy
    /// whose `Forwarded` / `X-Forwarded-For` header names the client.
    pub fn trusted_proxy(mut self, cidr: &str) -> Self {
        self.trusted_proxies
            .get_or_insert_with(Vec::new)
            .push(cidr.to_owned());
        self
    }

    /// Uses keys built in code instead of `JWT_SECRET` / `JWT_PRIVATE_KEY_FILE`; the
    /// algorithm is the ring's.
    pub fn key_ring(mut self, keys: KeyRing) -> Self {
        self.key_ring = Some(keys);
        self
    }

    /// Parses TOML settings.
    #[cfg(feature = "toml")]
    #[cfg_attr(docsrs, doc(cfg(feature = "toml")))]
    pub fn from_toml_str(toml: &str) -> Result<Self, ConfigError> {
        toml::from_str(toml).map_err(|error| ConfigError::Syntax {
            message: error.message().to_owned(),
        })
    }

    /// Parses JSON settings.
    pub fn from_json_str(json: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(json).map_err(|error| ConfigError::Syntax {
            message: error.to_string(),
        })
    }

    /// Checks every setting and builds the configuration.
    pub fn build(self) -> Result<JwtConfig, ConfigError> {
        let access_minutes = self.access_duration.unwrap_or(5);
        let refresh_days = self.refresh_duration.unwrap_or(14);
        if access_minutes == 0 {
            return Err(ConfigError::invalid(
                "JWT_ACCESS_DURATION",
                "must be at least 1 minute",
            ));
        }
        if refresh_days == 0 || refresh_days > MAX_DAYS {
            return Err(ConfigError::invalid(
                "JWT_REFRESH_DURATION",
                format!("must be between 1 and {MAX_DAYS} days"),
            ));
        }
        let access_lifetime = Duration::minutes(access_minutes.min(MAX_DAYS * 1440) as i64);
        let refresh_lifetime = Duration::days(refresh_days as i64);
        if access_lifetime >= refresh_lifetime {
            return Err(ConfigError::invalid(
                "JWT_ACCESS_DURATION",
                "must be shorter than JWT_REFRESH_DURATION",
            ));
        }

        let access_header_name = self.access_header.as_deref().unwrap_or("Authorization");
        let access_header = HeaderName::try_from(access_header_name)
            .map_err(|_| ConfigError::invalid("JWT_ACCESS_HEADER", "not a valid header name"))?;
        check_token_header("JWT_ACCESS_HEADER", &access_header)?;
        let access_cookie = self
            .access_cookie
            .clone()
            .unwrap_or_else(|| access_header_name.to_owned());
        let refresh_cookie = self
            .refresh_cookie
            .clone()
            .unwrap_or_else(|| format!("Refresh{access_header_name}"));
        check_cookie_name("JWT_ACCESS_COOKIE", &access_cookie)?;
        check_cookie_name("JWT_REFRESH_COOKIE", &refresh_cookie)?;
        if access_cookie.eq_ignore_ascii_case(&refresh_cookie) {
            return Err(ConfigError::invalid(
                "JWT_REFRESH_COOKIE",
                "must differ from the access cookie's name",
            ));
        }
        let refresh_header = HeaderName::try_from(refresh_cookie.as_str()).map_err(|_| {
            ConfigError::invalid("JWT_REFRESH_COOKIE", "not usable as a header name")
        })?;
        check_token_header("JWT_REFRESH_COOKIE", &refresh_header)?;
        if refresh_header == access_header {
            return Err(ConfigError::invalid(
                "JWT_REFRESH_COOKIE",
                "must differ from JWT_ACCESS_HEADER",
            ));
        }

        let keys = self.keys()?;

        let issuer = non_empty("JWT_ISSUER", self.issuer.clone())?;
        let audience = non_empty("JWT_AUDIENCE", self.audience.clone())?;
        let leeway = self.leeway.unwrap_or(0);
        if leeway > MAX_LEEWAY_SECONDS {
            return Err(ConfigError::invalid(
                "JWT_LEEWAY",
                format!("at most {MAX_LEEWAY_SECONDS} seconds"),
            ));
        }

        let cookie_same_site = match self.cookie_samesite.as_deref() {
            None => SameSite::Strict,
            Some(value) if value.eq_ignore_ascii_case("strict") => SameSite::Strict,
            Some(value) if value.eq_ignore_ascii_case("lax") => SameSite::Lax,
            Some(value) if value.eq_ignore_ascii_case("none") => SameSite::None,
            Some(_) => {
                return Err(ConfigError::invalid(
                    "JWT_COOKIE_SAMESITE",
                    "must be Strict, Lax or None",
                ));
            }
        };
        let cookie_secure = self.cookie_secure.unwrap_or(true);
        if cookie_same_site == SameSite::None && !cookie_secure {
            return Err(ConfigError::invalid(
                "JWT_COOKIE_SAMESITE",
                "None requires JWT_COOKIE_SECURE=true (browsers drop such cookies otherwise)",
            ));
        }
        let cookie_domain = non_empty("JWT_COOKIE_DOMAIN", self.cookie_domain.clone())?;
        if let Some(domain) = &cookie_domain {
            let valid = domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !valid || domain.trim_start_matches('.').is_empty() {
                return Err(ConfigError::invalid(
                    "JWT_COOKIE_DOMAIN",
                    "not a domain name",
                ));
            }
        }

        let refresh_path = path(
            "JWT_REFRESH_PATH",
            self.refresh_path.as_deref(),
            "/jwt/refresh/",
        )?;
        let login_path = path("JWT_LOGIN_PATH", self.login_path.as_deref(), "/jwt/login/")?;
        let logout_path = path(
            "JWT_LOGOUT_PATH",
            self.logout_path.as_deref(),
            "/jwt/logout/",
        )?;
        let logout_all_path = path(
            "JWT_LOGOUT_ALL_PATH",
            self.logout_all_path.as_deref(),
            "/jwt/logout-all/",
        )?;
        let refresh_cookie_path = path(
            "JWT_REFRESH_COOKIE_PATH",
            self.refresh_cookie_path.as_deref(),
            &refresh_path,
        )?;
        // The endpoint is either served at JWT_REFRESH_PATH itself, or, when the app nests the
        // ready-made routes under a prefix, at `prefix + JWT_REFRESH_PATH`. Either way the
        // browser must send the cookie there.
        let nested_under_prefix = refresh_cookie_path.len() > refresh_path.len()
            && refresh_cookie_path.ends_with(refresh_path.as_str());
        if !path_matches(&refresh_path, &refresh_cookie_path) && !nested_under_prefix {
            return Err(ConfigError::invalid(
                "JWT_REFRESH_PATH",
                format!(
                    "the refresh endpoint {refresh_path} is not under the refresh cookie's Path \
                     {refresh_cookie_path} (nor is that Path a prefix followed by it), so browsers \
                     would never send the cookie to it"
                ),
            ));
        }
        let jwks_path = path("JWT_JWKS_PATH", self.jwks_path.as_deref(), "/jwt/jwks.json")?;
        let endpoints = [
            ("JWT_LOGIN_PATH", &login_path),
            ("JWT_REFRESH_PATH", &refresh_path),
            ("JWT_LOGOUT_PATH", &logout_path),
            ("JWT_LOGOUT_ALL_PATH", &logout_all_path),
            ("JWT_JWKS_PATH", &jwks_path),
        ];
        for (index, (setting, endpoint)) in endpoints.iter().enumerate() {
            if endpoints[..index]
                .iter()
                .any(|(_, other)| other == endpoint)
            {
                return Err(ConfigError::invalid(
                    setting,
                    "two endpoints share this path",
                ));
            }
        }

        for (setting, name, cookie_path) in [
            ("JWT_ACCESS_COOKIE", &access_cookie, "/"),
            (
                "JWT_REFRESH_COOKIE",
                &refresh_cookie,
                refresh_cookie_path.as_str(),
            ),
        ] {
            check_prefix(
                setting,
                name,
                cookie_path,
                cookie_secure,
                cookie_domain.is_some(),
            )?;
        }

        let refresh_grace = self.refresh_grace.unwrap_or(30);
        if refresh_grace > MAX_GRACE_SECONDS {
            return Err(ConfigError::invalid(
                "JWT_REFRESH_GRACE",
                format!("at most {MAX_GRACE_SECONDS} seconds"),
            ));
        }
        let session_max_age = match self.session_max_age.unwrap_or(0) {
            0 => None,
            days if days > MAX_DAYS => {
                return Err(ConfigError::invalid(
                    "JWT_SESSION_MAX_AGE",
                    format!("at most {MAX_DAYS} days"),
                ));
            }
            days => Some(Duration::days(days as i64)),
        };

        let trusted_origins = self
            .trusted_origins
            .iter()
            .flatten()
            .map(|origin| {
                crate::csrf::normalize_origin(origin).ok_or_else(|| {
                    ConfigError::invalid(
                        "JWT_TRUSTED_ORIGINS",
                        format!("{origin:?} is not an origin like https://app.example.com"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let max_token_bytes = self.max_token_bytes.unwrap_or(8192);
        if !(1024..=65536).contains(&max_token_bytes) {
            return Err(ConfigError::invalid(
                "JWT_MAX_TOKEN_BYTES",
                "must be between 1024 and 65536",
            ));
        }
        check_token_room(
            &keys,
            issuer.as_deref(),
            audience.as_deref(),
            max_token_bytes,
        )?;

        let throttle = self.login_throttle()?;
        let trusted_proxies = self.trusted_proxies()?;

        let (redis_url, redis) = RedisInput {
            url: self
                .redis_url
                .as_ref()
                .map(|url| url.0.expose_secret().to_owned()),
            cluster_urls: self.redis_cluster_urls.clone(),
            ca_file: self.redis_ca_file.clone(),
            client_cert_file: self.redis_client_cert_file.clone(),
            client_key_file: self.redis_client_key_file.clone(),
        }
        .check()?;

        let login_body_timeout = self
            .login_body_timeout
            .unwrap_or(LOGIN_BODY_TIMEOUT_SECONDS);
        if !(1..=MAX_LOGIN_BODY_TIMEOUT_SECONDS).contains(&login_body_timeout) {
            return Err(ConfigError::invalid(
                "JWT_LOGIN_BODY_TIMEOUT",
                format!("must be between 1 and {MAX_LOGIN_BODY_TIMEOUT_SECONDS} seconds"),
            ));
        }

        let django = self.django_migration()?;

        Ok(JwtConfig {
            access_lifetime,
            refresh_lifetime,
            access_header,
            access_cookie,
            refresh_cookie,
            refresh_header,
            keys,
            issuer,
            audience,
            leeway: Duration::seconds(leeway as i64),
            cookie_http_only: self.cookie_httponly.unwrap_or(true),
            cookie_same_site,
            cookie_secure,
            cookie_domain,
            logout_access: self.logout_access.unwrap_or(true),
            refresh_path,
            refresh_cookie_path,
            login_path,
            logout_path,
            logout_all_path,
            jwks_path,
            rotate_refresh: self.rotate_refresh.unwrap_or(true),
            refresh_grace: Duration::seconds(refresh_grace as i64),
            session_max_age,
            strict_logout: self.strict_logout.unwrap_or(false),
            csrf: self.csrf.unwrap_or(true),
            trusted_origins,
            max_token_bytes,
            throttle,
            trusted_proxies,
            redis_url: redis_url.map(SecretString::from),
            login_body_timeout: std::time::Duration::from_secs(login_body_timeout),
            redis,
            django,
        })
    }
}
