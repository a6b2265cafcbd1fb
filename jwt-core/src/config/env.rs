use std::ffi::OsString;
use std::path::PathBuf;

use super::ConfigError;
use super::builder::{JwtConfigBuilder, Secret};

type Apply = fn(&mut JwtConfigBuilder, &'static str, &str) -> Result<(), ConfigError>;

/// Every environment variable read, with how its text lands in the builder.
const VARIABLES: &[(&str, Apply)] = &[
    ("JWT_ACCESS_DURATION", |b, n, v| {
        b.access_duration = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_REFRESH_DURATION", |b, n, v| {
        b.refresh_duration = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_ACCESS_HEADER", |b, _, v| {
        b.access_header = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_ACCESS_COOKIE", |b, _, v| {
        b.access_cookie = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_REFRESH_COOKIE", |b, _, v| {
        b.refresh_cookie = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_REFRESH_COOKIE_PATH", |b, _, v| {
        b.refresh_cookie_path = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_ALGORITHM", |b, _, v| {
        b.algorithm = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_SECRET", |b, _, v| {
        b.secret = Some(Secret::from(v));
        Ok(())
    }),
    ("JWT_SECRET_FALLBACKS", |b, _, v| {
        b.secret_fallbacks = Some(list(v).map(Secret::from).collect());
        Ok(())
    }),
    ("JWT_PRIVATE_KEY_FILE", |b, _, v| {
        b.private_key_file = Some(PathBuf::from(v));
        Ok(())
    }),
    ("JWT_PUBLIC_KEY_FILES", |b, _, v| {
        b.public_key_files = Some(list(v).map(PathBuf::from).collect());
        Ok(())
    }),
    ("JWT_KEY_ID", |b, _, v| {
        b.key_id = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_ISSUER", |b, _, v| {
        b.issuer = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_AUDIENCE", |b, _, v| {
        b.audience = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_LEEWAY", |b, n, v| {
        b.leeway = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_COOKIE_HTTPONLY", |b, n, v| {
        b.cookie_httponly = Some(boolean(n, v)?);
        Ok(())
    }),
    ("JWT_COOKIE_SAMESITE", |b, _, v| {
        b.cookie_samesite = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_COOKIE_SECURE", |b, n, v| {
        b.cookie_secure = Some(boolean(n, v)?);
        Ok(())
    }),
    ("JWT_COOKIE_DOMAIN", |b, _, v| {
        b.cookie_domain = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_LOGOUT_ACCESS", |b, n, v| {
        b.logout_access = Some(boolean(n, v)?);
        Ok(())
    }),
    ("JWT_REFRESH_PATH", |b, _, v| {
        b.refresh_path = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_LOGIN_PATH", |b, _, v| {
        b.login_path = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_LOGOUT_PATH", |b, _, v| {
        b.logout_path = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_LOGOUT_ALL_PATH", |b, _, v| {
        b.logout_all_path = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_JWKS_PATH", |b, _, v| {
        b.jwks_path = Some(v.to_owned());
        Ok(())
    }),
    ("JWT_ROTATE_REFRESH", |b, n, v| {
        b.rotate_refresh = Some(boolean(n, v)?);
        Ok(())
    }),
    ("JWT_REFRESH_GRACE", |b, n, v| {
        b.refresh_grace = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_SESSION_MAX_AGE", |b, n, v| {
        b.session_max_age = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_STRICT_LOGOUT", |b, n, v| {
        b.strict_logout = Some(boolean(n, v)?);
        Ok(())
    }),
    ("JWT_CSRF", |b, n, v| {
        b.csrf = Some(boolean(n, v)?);
        Ok(())
    }),
    ("JWT_TRUSTED_ORIGINS", |b, _, v| {
        b.trusted_origins = Some(list(v).map(str::to_owned).collect());
        Ok(())
    }),
    ("JWT_MAX_TOKEN_BYTES", |b, n, v| {
        b.max_token_bytes = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_LOGIN_MAX_FAILURES", |b, n, v| {
        b.login_max_failures = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_LOGIN_MAX_FAILURES_PER_CLIENT", |b, n, v| {
        b.login_max_failures_per_client = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_LOGIN_THROTTLE_WINDOW", |b, n, v| {
        b.login_throttle_window = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_TRUSTED_PROXIES", |b, _, v| {
        b.trusted_proxies = Some(list(v).map(str::to_owned).collect());
        Ok(())
    }),
    ("JWT_LOGIN_BODY_TIMEOUT", |b, n, v| {
        b.login_body_timeout = Some(number(n, v)?);
        Ok(())
    }),
    ("JWT_REDIS_URL", |b, _, v| {
        b.redis_url = Some(Secret::from(v));
        Ok(())
    }),
    ("JWT_REDIS_CLUSTER_URLS", |b, _, v| {
        b.redis_cluster_urls = Some(list(v).map(str::to_owned).collect());
        Ok(())
    }),
    ("JWT_REDIS_CA_FILE", |b, _, v| {
        b.redis_ca_file = Some(PathBuf::from(v));
        Ok(())
    }),
    ("JWT_REDIS_CLIENT_CERT_FILE", |b, _, v| {
        b.redis_client_cert_file = Some(PathBuf::from(v));
        Ok(())
    }),
    ("JWT_REDIS_CLIENT_KEY_FILE", |b, _, v| {
        b.redis_client_key_file = Some(PathBuf::from(v));
        Ok(())
    }),
    ("JWT_DJANGO_SECRET_KEY", |b, _, v| {
        b.django_secret_key = Some(Secret::from(v));
        Ok(())
    }),
    ("JWT_DJANGO_UNTIL", |b, _, v| {
        b.django_until = Some(v.to_owned());
        Ok(())
    }),
];

impl JwtConfigBuilder {
    /// Reads every `JWT_*` variable of the process environment that is set.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars_os(std::env::vars_os())
    }

    /// Reads `JWT_*` settings from the given name/value pairs, as [`Self::from_env`] does
    /// from the environment; other names are ignored.
    pub fn from_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Result<Self, ConfigError>
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        Self::from_vars_os(vars.into_iter().map(|(k, v)| (k.into(), v.into())))
    }

    fn from_vars_os(
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, ConfigError> {
        let mut builder = Self::default();
        for (name, value) in vars {
            let Some(&(setting, apply)) = VARIABLES.iter().find(|(known, _)| name == *known) else {
                continue;
            };
            let value = value
                .into_string()
                .map_err(|_| ConfigError::invalid(setting, "is not valid UTF-8"))?;
            apply(&mut builder, setting, value.trim())?;
        }
        Ok(builder)
    }
}

fn number<T: std::str::FromStr>(setting: &'static str, value: &str) -> Result<T, ConfigError> {
    value
        .parse()
        .map_err(|_| ConfigError::invalid(setting, "must be a whole, non-negative number"))
}

fn boolean(setting: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::invalid(setting, "must be true or false")),
    }
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}
