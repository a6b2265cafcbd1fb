//! The session store an application's settings ask for.

use std::sync::Arc;

use super::{MemoryStore, SessionStore, StoreError};
use crate::config::JwtConfig;

/// The store `JWT_REDIS_URL` selects: a [`MemoryStore`] when it is unset, a `RedisStore` when
/// it is set (feature `redis`).
///
/// Only a malformed URL, or a URL in a build without the `redis` feature, is an error. An
/// unreachable Redis is not: the store connects lazily, the failure is logged as a warning,
/// the session endpoints answer `503` until Redis is reachable, and then everything works
/// without a restart.
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
    let Some(url) = config.redis_url() else {
        return Ok(Arc::new(MemoryStore::new()));
    };
    redis_store(url).await
}

#[cfg(feature = "redis")]
async fn redis_store(url: &str) -> Result<Arc<dyn SessionStore>, StoreError> {
    let store = super::RedisStore::open(url)?;
    match store.ping().await {
        Ok(()) => tracing::info!(target: "jwt_core", "sessions are kept in Redis"),
        Err(error) => tracing::warn!(
            target: "jwt_core",
            %error,
            "sessions are kept in Redis, which cannot be reached yet; session endpoints answer 503 until it can"
        ),
    }
    Ok(Arc::new(store))
}

#[cfg(not(feature = "redis"))]
async fn redis_store(_url: &str) -> Result<Arc<dyn SessionStore>, StoreError> {
    Err(StoreError::Unavailable(Box::new(RedisFeatureOff)))
}

/// `JWT_REDIS_URL` is set in a build that cannot use it.
#[cfg(not(feature = "redis"))]
#[derive(Debug, thiserror::Error)]
#[error(
    "JWT_REDIS_URL is set, but jwt-core was built without its `redis` feature: enable it (jwt-core = {{ features = [\"redis\"] }}) or unset JWT_REDIS_URL"
)]
struct RedisFeatureOff;
