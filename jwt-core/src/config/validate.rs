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

/// The largest key file read: a PEM RSA key of 16,384 bits is about 13 KB, so anything this
/// long is not a key (`/dev/zero`, a log file named by mistake) and is refused before reading.
pub(super) const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads a key file, refusing what cannot be a key before reading it: anything that is not a
/// regular file (a FIFO would hang start-up, a device would never end) and any file longer
/// than [`MAX_KEY_FILE_BYTES`].
pub(super) fn read_file(setting: &'static str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    use std::io::Read as _;
    let unreadable = |source| ConfigError::Unreadable {
        setting,
        path: path.to_owned(),
        source,
    };
    let not_a_key =
        |reason: String| ConfigError::invalid(setting, format!("{}: {reason}", path.display()));
    // Checked before opening: opening a FIFO blocks until something writes to it.
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(not_a_key("not a regular file".into()));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // And again on the open file, in case the path was replaced in between.
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(not_a_key("not a regular file".into()));
    }
    let too_long = || {
        not_a_key(format!(
            "longer than {MAX_KEY_FILE_BYTES} bytes, more than any PEM key"
        ))
    };
    if metadata.len() > MAX_KEY_FILE_BYTES {
        return Err(too_long());
    }
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(too_long());
    }
    Ok(bytes)
}

/// A token header (`JWT_ACCESS_HEADER`, or the refresh header named after
/// `JWT_REFRESH_COOKIE`) must not be a header the engine reads for its own purpose: a token
/// header named `Content-Type` would make every login a 415, one named `Cookie` or `Origin`
/// would silently break cookie authentication or the cross-origin check.
pub(super) fn check_token_header(
    setting: &'static str,
    name: &http::HeaderName,
) -> Result<(), ConfigError> {
    if crate::request::engine_header_names().any(|engine| name.as_str() == engine) {
        return Err(ConfigError::invalid(
            setting,
            format!(
                "{name} is a header the engine reads itself ({}); pick another name",
                crate::request::engine_header_names()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(())
}

/// Whether the smallest token the settings can mint fits in `JWT_MAX_TOKEN_BYTES`, with room
/// left for the subject and claims; otherwise login would set cookies that never
/// authenticate. The error names the longest of `JWT_ISSUER` and `JWT_AUDIENCE` when either
/// is set (each lands in every token, JSON-escaped), else `JWT_MAX_TOKEN_BYTES`.
pub(super) fn check_token_room(
    keys: &crate::keys::KeyRing,
    issuer: Option<&str>,
    audience: Option<&str>,
    max_token_bytes: usize,
) -> Result<(), ConfigError> {
    let fixed = crate::token::fixed_part_len(keys, issuer, audience)
        .map_err(|_| ConfigError::invalid("JWT_ISSUER", "cannot be written into a token"))?;
    if fixed + MIN_TOKEN_ROOM <= max_token_bytes {
        return Ok(());
    }
    let escaped = |value: Option<&str>| {
        value.map_or(0, |value| {
            serde_json::to_string(value).map_or(value.len(), |json| json.len())
        })
    };
    let setting = match (escaped(issuer), escaped(audience)) {
        (0, 0) => "JWT_MAX_TOKEN_BYTES",
        (issuer, audience) if issuer >= audience => "JWT_ISSUER",
        _ => "JWT_AUDIENCE",
    };
    Err(ConfigError::invalid(
        setting,
        format!(
            "tokens would be at least {fixed} bytes with these settings (key id, algorithm, \
             issuer, audience), leaving less than {MIN_TOKEN_ROOM} bytes of \
             JWT_MAX_TOKEN_BYTES={max_token_bytes} for the subject and claims: shorten \
             JWT_ISSUER or JWT_AUDIENCE, or raise JWT_MAX_TOKEN_BYTES"
        ),
    ))
}

/// Room a configuration must leave under `JWT_MAX_TOKEN_BYTES` for the subject and the
/// application's claims (base64url of 192 bytes of JSON).
const MIN_TOKEN_ROOM: usize = 256;

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
