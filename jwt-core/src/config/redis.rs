//! The Redis settings: where sessions are kept when not in memory, and how to reach it.

use std::fmt;
use std::path::{Path, PathBuf};

use super::ConfigError;
use super::validate::{non_empty, read_file};

/// The Redis settings beside `JWT_REDIS_URL`, checked: cluster seed URLs (never together with
/// a server URL), and the TLS files read and parsed.
#[derive(Clone, Default)]
pub(crate) struct RedisSettings {
    pub(crate) cluster_urls: Vec<String>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) client_cert_file: Option<PathBuf>,
    pub(crate) client_key_file: Option<PathBuf>,
    /// The CA certificates' PEM, as read at start-up.
    #[cfg_attr(
        not(feature = "redis"),
        expect(dead_code, reason = "only the Redis store reads it")
    )]
    pub(crate) ca_pem: Option<Vec<u8>>,
    /// The client certificate chain's and key's PEM, as read at start-up.
    #[cfg_attr(
        not(feature = "redis"),
        expect(dead_code, reason = "only the Redis store reads it")
    )]
    pub(crate) client_identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl fmt::Debug for RedisSettings {
    // URLs may carry a password and the key file is a secret: show neither.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field(
                "cluster_urls",
                &self
                    .cluster_urls
                    .iter()
                    .map(|url| redacted(url))
                    .collect::<Vec<_>>(),
            )
            .field("ca_file", &self.ca_file)
            .field("client_cert_file", &self.client_cert_file)
            .field("client_key_file", &self.client_key_file)
            .finish_non_exhaustive()
    }
}

/// `scheme://host:port/...` without its user and password.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "[unparsed]".to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://[redacted]@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// The unchecked Redis settings, as the builder holds them.
pub(super) struct RedisInput {
    pub(super) url: Option<String>,
    pub(super) cluster_urls: Option<Vec<String>>,
    pub(super) ca_file: Option<PathBuf>,
    pub(super) client_cert_file: Option<PathBuf>,
    pub(super) client_key_file: Option<PathBuf>,
}

const URL: &str = "JWT_REDIS_URL";
const CLUSTER_URLS: &str = "JWT_REDIS_CLUSTER_URLS";
const CA_FILE: &str = "JWT_REDIS_CA_FILE";
const CLIENT_CERT_FILE: &str = "JWT_REDIS_CLIENT_CERT_FILE";
const CLIENT_KEY_FILE: &str = "JWT_REDIS_CLIENT_KEY_FILE";

impl RedisInput {
    /// The checked `JWT_REDIS_URL`, and the other settings.
    pub(super) fn check(self) -> Result<(Option<String>, RedisSettings), ConfigError> {
        let url = non_empty(URL, self.url)?;
        if let Some(url) = &url {
            let known = ["redis://", "rediss://", "redis+unix://", "unix://"];
            if !known.iter().any(|scheme| url.starts_with(scheme)) {
                return Err(ConfigError::invalid(
                    URL,
                    "must start with redis://, rediss://, redis+unix:// or unix://",
                ));
            }
            refuse_insecure(URL, url)?;
        }
        let cluster_urls = self.cluster_urls.unwrap_or_default();
        for node in &cluster_urls {
            if !(node.starts_with("redis://") || node.starts_with("rediss://")) {
                return Err(ConfigError::invalid(
                    CLUSTER_URLS,
                    "every seed node must start with redis:// or rediss://",
                ));
            }
            refuse_insecure(CLUSTER_URLS, node)?;
        }
        let tls_nodes = cluster_urls
            .iter()
            .filter(|node| node.starts_with("rediss://"))
            .count();
        if tls_nodes != 0 && tls_nodes != cluster_urls.len() {
            return Err(ConfigError::invalid(
                CLUSTER_URLS,
                "seed nodes must all be redis:// or all rediss://",
            ));
        }
        if url.is_some() && !cluster_urls.is_empty() {
            return Err(ConfigError::invalid(
                CLUSTER_URLS,
                "set either JWT_REDIS_URL (one server) or JWT_REDIS_CLUSTER_URLS (a cluster), not both",
            ));
        }
        let uses_tls = url
            .as_deref()
            .is_some_and(|url| url.starts_with("rediss://"))
            || tls_nodes > 0;

        let ca_pem = match &self.ca_file {
            Some(path) => {
                require_tls(CA_FILE, uses_tls)?;
                let pem = read_file(CA_FILE, path)?;
                check_certificates(CA_FILE, path, &pem)?;
                Some(pem)
            }
            None => None,
        };
        let client_identity = match (&self.client_cert_file, &self.client_key_file) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::missing(
                    CLIENT_KEY_FILE,
                    "JWT_REDIS_CLIENT_CERT_FILE is set, and a client certificate needs its key",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::missing(
                    CLIENT_CERT_FILE,
                    "JWT_REDIS_CLIENT_KEY_FILE is set, and a client key needs its certificate",
                ));
            }
            (Some(cert_path), Some(key_path)) => {
                require_tls(CLIENT_CERT_FILE, uses_tls)?;
                let cert = read_file(CLIENT_CERT_FILE, cert_path)?;
                check_certificates(CLIENT_CERT_FILE, cert_path, &cert)?;
                let key = read_file(CLIENT_KEY_FILE, key_path)?;
                check_private_key(CLIENT_KEY_FILE, key_path, &key)?;
                Some((cert, key))
            }
        };
        let settings = RedisSettings {
            cluster_urls,
            ca_file: self.ca_file,
            client_cert_file: self.client_cert_file,
            client_key_file: self.client_key_file,
            ca_pem,
            client_identity,
        };
        Ok((url, settings))
    }
}

/// The redis crate turns off certificate checks for a URL ending in `#insecure`: never here.
fn refuse_insecure(setting: &'static str, url: &str) -> Result<(), ConfigError> {
    if url.contains('#') {
        return Err(ConfigError::invalid(
            setting,
            "must not carry a #fragment (#insecure would turn off certificate checks)",
        ));
    }
    Ok(())
}

fn require_tls(setting: &'static str, uses_tls: bool) -> Result<(), ConfigError> {
    if uses_tls {
        return Ok(());
    }
    Err(ConfigError::invalid(
        setting,
        "is set, but Redis is reached over plain TCP: use rediss:// URLs for TLS",
    ))
}

#[cfg(feature = "redis")]
fn check_certificates(setting: &'static str, path: &Path, pem: &[u8]) -> Result<(), ConfigError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;

    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| {
            ConfigError::invalid(setting, format!("{}: not PEM: {error}", path.display()))
        })?;
    if certificates.is_empty() {
        return Err(ConfigError::invalid(
            setting,
            format!("{} holds no PEM certificate", path.display()),
        ));
    }
    if setting == CA_FILE {
        let mut roots = rustls::RootCertStore::empty();
        let (_, unusable) = roots.add_parsable_certificates(certificates);
        if unusable > 0 || roots.is_empty() {
            return Err(ConfigError::invalid(
                setting,
                format!("{}: a certificate in it is not a usable CA", path.display()),
            ));
        }
    }
    Ok(())
}

#[cfg(feature = "redis")]
fn check_private_key(setting: &'static str, path: &Path, pem: &[u8]) -> Result<(), ConfigError> {
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject as _;

    // The error text of the parser never holds key bytes.
    PrivateKeyDer::from_pem_slice(pem).map_err(|error| {
        ConfigError::invalid(
            setting,
            format!("{}: no PEM private key: {error}", path.display()),
        )
    })?;
    Ok(())
}

// Without the `redis` feature the store refuses these settings anyway; a file that is not
// even PEM is still reported here, by the setting that names it.
#[cfg(not(feature = "redis"))]
fn check_certificates(setting: &'static str, path: &Path, pem: &[u8]) -> Result<(), ConfigError> {
    pem_block(setting, path, pem, "CERTIFICATE")
}

#[cfg(not(feature = "redis"))]
fn check_private_key(setting: &'static str, path: &Path, pem: &[u8]) -> Result<(), ConfigError> {
    pem_block(setting, path, pem, "PRIVATE KEY")
}

#[cfg(not(feature = "redis"))]
fn pem_block(
    setting: &'static str,
    path: &Path,
    pem: &[u8],
    label: &str,
) -> Result<(), ConfigError> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("-----BEGIN ") && text.contains(label) {
        return Ok(());
    }
    Err(ConfigError::invalid(
        setting,
        format!("{} holds no PEM {label}", path.display()),
    ))
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn redaction_drops_user_and_password_only() {
        assert_eq!(
            redacted("rediss://user:pa55@cache.example:6380/0"),
            "rediss://[redacted]@cache.example:6380/0"
        );
        assert_eq!(
            redacted("redis://127.0.0.1:6379/"),
            "redis://127.0.0.1:6379/"
        );
        assert_eq!(redacted("redis://:p@h/a@b"), "redis://[redacted]@h/a@b");
    }
}
