//! The session store an application's settings ask for.

use std::sync::Arc;

use super::{MemoryStore, SessionStore, StoreError};
use crate::config::JwtConfig;

/// The store the settings select: a [`MemoryStore`] when neither `JWT_REDIS_URL` nor
/// `JWT_REDIS_CLUSTER_URLS` is set, else a `RedisStore` (feature `redis`) for that server or
/// cluster, with `JWT_REDIS_CA_FILE` and the client certificate settings applied to
/// `rediss://`.
///
/// It checks the connection once before returning:
/// - a TLS certificate that does not verify (the server's against `JWT_REDIS_CA_FILE` or the
///   system's roots, or ours at the server) is an error naming the setting at fault: a
///   configuration mistake that waiting would not mend;
/// - a Redis that cannot be reached is not an error: the failure is logged as a warning, the
///   session endpoints answer `503` until Redis is reachable, and then everything works
///   without a restart.
///
/// A malformed URL, or a Redis setting in a build without the `redis` feature, is an error.
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims, session_store_from_config};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
/// let config = JwtConfig::builder()
///     .secret("an example secret of at least 32 bytes")
///     .build()?;
/// let store = session_store_from_config(&config).await?;
/// let auth = JwtAuth::builder(config, MemoryAuthenticator::<NoClaims>::new())
///     .shared_store(store)
///     .build();
/// # let _ = auth;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn session_store_from_config(
    config: &JwtConfig,
) -> Result<Arc<dyn SessionStore>, StoreError> {
    if config.redis_url().is_none() && config.redis_cluster_urls().is_empty() {
        return Ok(Arc::new(MemoryStore::new()));
    }
    checked_redis_store(config).await
}

/// The store the settings select, as [`session_store_from_config`] chooses it, without
/// connecting: for applications that build their store before any async runtime runs. Such an
/// application should still run [`session_store_from_config`] once at start-up (and drop its
/// store), so that a TLS certificate that does not verify stops the start rather than turning
/// every session request into a `503`.
pub fn open_session_store(config: &JwtConfig) -> Result<Arc<dyn SessionStore>, StoreError> {
    if config.redis_url().is_none() && config.redis_cluster_urls().is_empty() {
        return Ok(Arc::new(MemoryStore::new()));
    }
    #[cfg(feature = "redis")]
    return Ok(Arc::new(redis_store(config)?));
    #[cfg(not(feature = "redis"))]
    match redis_store(config)? {}
}

#[cfg(feature = "redis")]
fn redis_store(config: &JwtConfig) -> Result<super::RedisStore, StoreError> {
    use super::{RedisStore, RedisTls};

    let settings = &config.redis;
    let mut tls = RedisTls::new();
    if let Some(ca) = &settings.ca_pem {
        tls = tls.with_ca_pem(ca.clone());
    }
    if let Some((cert, key)) = &settings.client_identity {
        tls = tls.with_client_identity(cert.clone(), key.clone());
    }
    let custom_tls = tls.has_ca() || tls.has_client_identity();
    match config.redis_url() {
        Some(url) if custom_tls => RedisStore::open_with_tls(url, &tls),
        Some(url) => RedisStore::open(url),
        None => {
            let urls: Vec<&str> = settings.cluster_urls.iter().map(String::as_str).collect();
            let tls = custom_tls.then_some(&tls);
            RedisStore::open_cluster(&urls, tls, std::time::Duration::from_secs(2))
        }
    }
}

#[cfg(feature = "redis")]
async fn checked_redis_store(config: &JwtConfig) -> Result<Arc<dyn SessionStore>, StoreError> {
    use super::RedisCheck;

    let store = redis_store(config)?;
    let settings = &config.redis;
    let kind = if settings.cluster_urls.is_empty() {
        "Redis"
    } else {
        "Redis Cluster"
    };
    match store.check().await {
        RedisCheck::Reachable => tracing::info!(target: "jwt_core", "sessions are kept in {kind}"),
        RedisCheck::CertificateRejected(error) => {
            let setting = if mentions_client_certificate(&error) {
                "JWT_REDIS_CLIENT_CERT_FILE"
            } else if settings.ca_file.is_some() {
                "JWT_REDIS_CA_FILE"
            } else if settings.cluster_urls.is_empty() {
                "JWT_REDIS_URL"
            } else {
                "JWT_REDIS_CLUSTER_URLS"
            };
            return Err(StoreError::Unavailable(Box::new(CertificateRejected {
                setting,
                source: error,
            })));
        }
        RedisCheck::Unreachable(error) => tracing::warn!(
            target: "jwt_core",
            %error,
            "sessions are kept in {kind}, which cannot be reached yet; session endpoints answer 503 until it can"
        ),
    }
    Ok(Arc::new(store))
}

/// Whether the server, not we, refused a certificate: ours.
#[cfg(feature = "redis")]
fn mentions_client_certificate(error: &StoreError) -> bool {
    let text = format!("{error:?}").to_ascii_lowercase();
    text.contains("alert") && !text.contains("invalid peer certificate")
}

/// A TLS certificate did not verify when the store first connected.
#[cfg(feature = "redis")]
#[derive(Debug, thiserror::Error)]
#[error("{setting}: a TLS certificate does not verify: {source}")]
struct CertificateRejected {
    setting: &'static str,
    source: StoreError,
}

#[cfg(not(feature = "redis"))]
async fn checked_redis_store(config: &JwtConfig) -> Result<Arc<dyn SessionStore>, StoreError> {
    redis_store(config).map(|store| match store {})
}

#[cfg(not(feature = "redis"))]
fn redis_store(_config: &JwtConfig) -> Result<std::convert::Infallible, StoreError> {
    Err(StoreError::Unavailable(Box::new(RedisFeatureOff)))
}

/// `JWT_REDIS_URL` is set in a build that cannot use it.
#[cfg(not(feature = "redis"))]
#[derive(Debug, thiserror::Error)]
#[error(
    "JWT_REDIS_URL or JWT_REDIS_CLUSTER_URLS is set, but jwt-core was built without its `redis` feature: enable it (jwt-core = {{ features = [\"redis\"] }}) or unset them"
)]
struct RedisFeatureOff;
