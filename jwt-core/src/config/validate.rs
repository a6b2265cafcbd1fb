//! Checks shared by the settings: names, paths, algorithms and key files.

use std::path::Path;

use jsonwebtoken::Algorithm;

use super::ConfigError;
use crate::keys::KeyError;

pub(super) fn parse_algorithm(name: &str) -> Result<Algorithm, ConfigError> {
    name.parse::<Algorithm>().map_err(|_| {
        ConfigError::invalid(
            "JWT_ALGORITHM",
            "must be one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, \
             ES256, ES384, EdDSA",
        )
    })
}

pub(super) fn key_error(setting: &'static str, error: KeyError) -> ConfigError {
    ConfigError::invalid(setting, error.to_string())
}

pub(super) fn read_file(setting: &'static str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|source| ConfigError::Unreadable {
        setting,
        path: path.to_owned(),
        source,
    })
}

pub(super) fn non_empty(
    setting: &'static str,
    value: Option<String>,
) -> Result<Option<String>, ConfigError> {
    match value {
        Some(value) if value.trim().is_empty() => {
            Err(ConfigError::invalid(setting, "is set but empty"))
        }
        other => Ok(other),
    }
}

pub(super) fn path(
    setting: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<String, ConfigError> {
    let path = value.unwrap_or(default);
    let forbidden = |b: u8| {
        b.is_ascii_control() || matches!(b, b' ' | b';' | b',' | b'?' | b'#' | b'"' | b'\\')
    };
    if !path.starts_with('/') || path.bytes().any(forbidden) || !path.is_ascii() {
        return Err(ConfigError::invalid(
            setting,
            "must start with / and hold no spaces, control characters, ; , ? # \" or \\",
        ));
    }
    Ok(path.to_owned())
}

/// RFC 6265 section 5.1.4: would a cookie with Path `cookie_path` be sent to `request_path`?
pub(super) fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/') || request_path[cookie_path.len()..].starts_with('/')))
}

/// Cookie names are RFC 9110 tokens.
pub(super) fn check_cookie_name(setting: &'static str, name: &str) -> Result<(), ConfigError> {
    let token_char = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token_char) {
        return Err(ConfigError::invalid(setting, "not a valid cookie name"));
    }
    Ok(())
}

/// The `__Host-` and `__Secure-` name prefixes make browsers enforce attributes; a
/// configuration that breaks them would have every cookie silently dropped.
pub(super) fn check_prefix(
    setting: &'static str,
    name: &str,
    cookie_path: &str,
    secure: bool,
    has_domain: bool,
) -> Result<(), ConfigError> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("__host-") {
        if !secure {
            return Err(ConfigError::invalid(
                setting,
                "a __Host- cookie needs JWT_COOKIE_SECURE=true",
            ));
        }
        if cookie_path != "/" {
            return Err(ConfigError::invalid(
                setting,
                format!("a __Host- cookie needs Path=/, but its Path is {cookie_path}"),
            ));
        }
        if has_domain {
            return Err(ConfigError::invalid(
                setting,
                "a __Host- cookie cannot carry a Domain; unset JWT_COOKIE_DOMAIN",
            ));
        }
    } else if lower.starts_with("__secure-") && !secure {
        return Err(ConfigError::invalid(
            setting,
            "a __Secure- cookie needs JWT_COOKIE_SECURE=true",
        ));
    }
    Ok(())
}
