//! The connection under a [`RedisStore`](super::RedisStore): one server or a cluster, plain
//! or TLS, every call bounded in time.

use std::fmt;
use std::sync::Once;
use std::time::Duration as StdDuration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{Client, Cmd, ErrorKind, FromRedisValue, RedisError, RedisResult};
use tokio::sync::OnceCell;

/// TLS material for `rediss://` beyond the defaults: a private CA instead of the system's
/// roots, and a client certificate for mutual TLS. Everything in PEM.
///
/// `Debug` shows only which parts are present, never their bytes.
#[derive(Clone, Default)]
pub struct RedisTls {
    ca_pem: Option<Vec<u8>>,
    client_identity: Option<(Vec<u8>, Vec<u8>)>,
}

impl RedisTls {
    /// Verifies servers against the system's roots, with no client certificate.
    pub fn new() -> Self {
        Self::default()
    }

    /// Verifies servers against the CA certificates in `pem` only (`JWT_REDIS_CA_FILE`).
    #[must_use]
    pub fn with_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }

    /// Presents this certificate chain and private key to the server
    /// (`JWT_REDIS_CLIENT_CERT_FILE`, `JWT_REDIS_CLIENT_KEY_FILE`).
    #[must_use]
    pub fn with_client_identity(
        mut self,
        certificate_pem: impl Into<Vec<u8>>,
        key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.client_identity = Some((certificate_pem.into(), key_pem.into()));
        self
    }

    pub(crate) fn has_ca(&self) -> bool {
        self.ca_pem.is_some()
    }

    pub(crate) fn has_client_identity(&self) -> bool {
        self.client_identity.is_some()
    }

    fn certificates(&self) -> redis::TlsCertificates {
        redis::TlsCertificates {
            client_tls: self
                .client_identity
                .as_ref()
                .map(|(cert, key)| redis::ClientTlsConfig {
                    client_cert: cert.clone(),
                    client_key: key.clone(),
                }),
            root_cert: self.ca_pem.clone(),
        }
    }
}

impl fmt::Debug for RedisTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTls")
            .field("custom_ca", &self.ca_pem.is_some())
            .field("client_identity", &self.client_identity.is_some())
            .finish()
    }
}

/// Why a Redis operation failed; boxed into [`StoreError::Unavailable`](crate::StoreError).
#[derive(Debug, thiserror::Error)]
pub(super) enum RedisFailure {
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
    #[error("no answer from redis within {0:?}")]
    Timeout(StdDuration),
    #[error("unexpected reply from redis: {0}")]
    Reply(&'static str),
}

impl RedisFailure {
    /// Whether the failure is a TLS certificate that did not verify, on either side.
    pub(super) fn is_certificate_rejection(&self) -> bool {
        let Self::Redis(error) = self else {
            return false;
        };
        let text = error.to_string().to_ascii_lowercase();
        text.contains("certificate") || text.contains("unknownca") || text.contains("unknown ca")
    }
}

/// One server (through a [`ConnectionManager`]) or a cluster (through the cluster client,
/// which follows `MOVED`/`ASK` and re-reads the slot map after a failover).
pub(super) enum Backend {
    Single {
        client: Client,
        connection: OnceCell<ConnectionManager>,
    },
    Cluster {
        client: ClusterClient,
        connection: OnceCell<ClusterConnection>,
    },
}

enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    async fn query<T: FromRedisValue>(&mut self, command: &Cmd) -> RedisResult<T> {
        match self {
            Self::Single(connection) => command.query_async(connection).await,
            Self::Cluster(connection) => command.query_async(connection).await,
        }
    }
}

/// A Lua script: its text, and its SHA-1 for `EVALSHA`.
pub(super) struct LuaScript {
    code: String,
    hash: String,
}

impl LuaScript {
    pub(super) fn new(code: String) -> Self {
        let hash = redis::Script::new(&code).get_hash().to_owned();
        Self { code, hash }
    }
}

/// Installs rustls's aws-lc-rs provider as the process default, once, unless the application
/// installed one first. rustls cannot choose by itself when an application's other
/// dependencies compile in a second provider.
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _already_installed = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}

impl Backend {
    pub(super) fn single(url: &str, tls: Option<&RedisTls>) -> RedisResult<Self> {
        install_crypto_provider();
        let client = match tls {
            Some(tls) => Client::build_with_tls(url, tls.certificates())?,
            None => Client::open(url)?,
        };
        Ok(Self::Single {
            client,
            connection: OnceCell::new(),
        })
    }

    pub(super) fn cluster(
        urls: &[&str],
        tls: Option<&RedisTls>,
        timeout: StdDuration,
    ) -> RedisResult<Self> {
        install_crypto_provider();
        let mut builder = ClusterClientBuilder::new(urls.to_vec())
            // A redirection or a reconnection is retried a few times, quickly: the store's
            // own timeout bounds the whole call, so long back-offs would only turn a short
            // outage into a timeout.
            .retries(3)
            .min_retry_wait(10)
            .max_retry_wait(200)
            // While the cluster client reconnects to a node it holds back every request, so
            // a node that does not answer may stall all of them only briefly.
            .connection_timeout(timeout / 4)
            .response_timeout(timeout / 2);
        if let Some(tls) = tls {
            builder = builder.certs(tls.certificates());
        }
        Ok(Self::Cluster {
            client: builder.build()?,
            connection: OnceCell::new(),
        })
    }

    pub(super) fn is_connected(&self) -> bool {
        match self {
            Self::Single { connection, .. } => connection.initialized(),
            Self::Cluster { connection, .. } => connection.initialized(),
        }
    }

    pub(super) fn is_cluster(&self) -> bool {
        matches!(self, Self::Cluster { .. })
    }

    async fn connection(&self, timeout: StdDuration) -> RedisResult<Connection> {
        match self {
            Self::Single { client, connection } => {
                // Each reconnection is a single attempt (no backoff inside the manager): the
                // next request starts the next attempt, and each request is bounded anyway.
                let half = timeout / 2;
                let config = ConnectionManagerConfig::new()
                    .set_number_of_retries(0)
                    .set_connection_timeout(half)
                    .set_response_timeout(half);
                let manager = connection
                    .get_or_try_init(|| ConnectionManager::new_with_config(client.clone(), config))
                    .await?;
                Ok(Connection::Single(manager.clone()))
            }
            Self::Cluster { client, connection } => {
                let cluster = connection
                    .get_or_try_init(|| client.get_async_connection())
                    .await?;
                Ok(Connection::Cluster(cluster.clone()))
            }
        }
    }

    /// Runs `command` within `timeout`, connecting first if needed.
    pub(super) async fn query<T: FromRedisValue>(
        &self,
        command: &Cmd,
        timeout: StdDuration,
    ) -> Result<T, RedisFailure> {
        self.bounded(timeout, |mut connection| async move {
            connection.query(command).await
        })
        .await
    }

    /// Runs `script` with `keys` (all in one hash slot) and `args` within `timeout`: by its
    /// hash, and by its text when the node does not know it yet (a node just started or
    /// promoted), which also caches it there.
    pub(super) async fn run_script<T: FromRedisValue>(
        &self,
        script: &LuaScript,
        keys: &[String],
        args: &[String],
        timeout: StdDuration,
    ) -> Result<T, RedisFailure> {
        let invocation = |command: &str, body: &str| {
            let mut invocation = redis::cmd(command);
            invocation.arg(body).arg(keys.len()).arg(keys).arg(args);
            invocation
        };
        let by_hash = invocation("EVALSHA", &script.hash);
        self.bounded(timeout, |mut connection| {
            let by_hash = &by_hash;
            let invocation = &invocation;
            async move {
                match connection.query(by_hash).await {
                    Err(error) if error.kind() == ErrorKind::NoScriptError => {
                        connection.query(&invocation("EVAL", &script.code)).await
                    }
                    other => other,
                }
            }
        })
        .await
    }

    async fn bounded<T, F, Fut>(
        &self,
        timeout: StdDuration,
        operation: F,
    ) -> Result<T, RedisFailure>
    where
        F: Fn(Connection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let attempt = async {
            let mut retried = false;
            loop {
                let outcome = match self.connection(timeout).await {
                    Ok(connection) => operation(connection).await,
                    Err(error) => Err(error),
                };
                match outcome {
                    // A refused connection means nothing was sent, so trying again cannot run
                    // a script twice; and the manager has just started a fresh connection
                    // attempt, which succeeds if Redis is back. (The cluster client retries
                    // by itself.)
                    Err(error)
                        if error.is_connection_refusal() && !retried && !self.is_cluster() =>
                    {
                        retried = true;
                    }
                    other => return other,
                }
            }
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(outcome) => outcome.map_err(RedisFailure::Redis),
            Err(_) => Err(RedisFailure::Timeout(timeout)),
        }
    }
}
