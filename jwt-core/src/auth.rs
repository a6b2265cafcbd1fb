//! [`JwtAuth`]: configuration, keys, authenticator, store and clock in one shareable value.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::authentication::{AuthRejection, Authentication};
use crate::authenticator::Authenticator;
use crate::claims::{NoClaims, Principal};
use crate::clock::{Clock, SystemClock};
use crate::config::JwtConfig;
use crate::csrf;
use crate::events::EventHook;
use crate::keys::KeyRing;
use crate::request::{Presented, RequestHead, TokenSource};
use crate::store::{MemoryStore, SessionStore};
use crate::token::{self, TokenError, TokenKind};
use crate::verified_tokens::VerifiedTokens;

/// The engine every adapter wraps. Cheap to clone (one `Arc`).
///
/// `C` is the application's claims type, fixed by its [`Authenticator`].
///
/// ```
/// use jwt_core::{JwtAuth, JwtConfig, MemoryAuthenticator, NoClaims};
///
/// let config = JwtConfig::builder().secret("an example secret of at least 32 bytes").build()?;
/// let users = MemoryAuthenticator::<NoClaims>::new();
/// let auth = JwtAuth::new(config, users);
/// assert_eq!(auth.config().login_path(), "/jwt/login/");
/// # Ok::<(), jwt_core::ConfigError>(())
/// ```
pub struct JwtAuth<C = NoClaims> {
    pub(crate) inner: Arc<Inner<C>>,
}

pub(crate) struct Inner<C> {
    pub(crate) config: JwtConfig,
    pub(crate) authenticator: Arc<dyn Authenticator<Claims = C>>,
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) events: Option<Arc<dyn EventHook>>,
    keys: RwLock<Arc<Keys<C>>>,
    verified_tokens: usize,
}

/// The keys in use, with the tokens verified under them. Swapping keys replaces both at once,
/// so a token verified by a key that has left the ring is never answered from memory.
pub(crate) struct Keys<C> {
    pub(crate) ring: KeyRing,
    pub(crate) verified: VerifiedTokens<C>,
}

impl<C> Clone for JwtAuth<C> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C> fmt::Debug for JwtAuth<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuth")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Assembles a [`JwtAuth`] with a store, clock or event hook other than the defaults.
#[must_use]
pub struct JwtAuthBuilder<C> {
    config: JwtConfig,
    authenticator: Arc<dyn Authenticator<Claims = C>>,
    store: Option<Arc<dyn SessionStore>>,
    clock: Arc<dyn Clock>,
    events: Option<Arc<dyn EventHook>>,
    verified_tokens: usize,
}

/// How many verified access tokens an engine remembers by default (about 6 MB at most).
const VERIFIED_TOKENS: usize = 10_000;

impl<C> JwtAuthBuilder<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// The session store (default: a [`MemoryStore`] with default limits).
    pub fn store(mut self, store: impl SessionStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// A session store already shared with other code.
    pub fn shared_store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The clock (default: [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The application's event listener.
    pub fn events(mut self, hook: impl EventHook) -> Self {
        self.events = Some(Arc::new(hook));
        self
    }

    /// How many verified access tokens to remember, so that a token sent again skips the
    /// signature check (default 10,000; 0 verifies every request in full). Expiry is still
    /// checked on every request; see the crate docs' section on the cache.
    pub fn verified_token_cache(mut self, capacity: usize) -> Self {
        self.verified_tokens = capacity;
        self
    }

    /// The engine.
    pub fn build(self) -> JwtAuth<C> {
        let keys = Keys {
            ring: self.config.keys.clone(),
            verified: VerifiedTokens::new(self.verified_tokens),
        };
        JwtAuth {
            inner: Arc::new(Inner {
                config: self.config,
                authenticator: self.authenticator,
                store: self.store.unwrap_or_else(|| Arc::new(MemoryStore::new())),
                clock: self.clock,
                events: self.events,
                keys: RwLock::new(Arc::new(keys)),
                verified_tokens: self.verified_tokens,
            }),
        }
    }
}

impl<C> JwtAuth<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    /// An engine with in-memory sessions and the system clock.
    pub fn new(config: JwtConfig, authenticator: impl Authenticator<Claims = C>) -> Self {
        Self::builder(config, authenticator).build()
    }

    /// A builder, to choose the store, clock and event hook.
    pub fn builder(
        config: JwtConfig,
        authenticator: impl Authenticator<Claims = C>,
    ) -> JwtAuthBuilder<C> {
        JwtAuthBuilder {
            config,
            authenticator: Arc::new(authenticator),
            store: None,
            clock: Arc::new(SystemClock),
            events: None,
            verified_tokens: VERIFIED_TOKENS,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &JwtConfig {
        &self.inner.config
    }

    /// The session store.
    pub fn store(&self) -> &Arc<dyn SessionStore> {
        &self.inner.store
    }

    /// The keys in use: those of the configuration, or the last ones given to
    /// [`JwtAuth::set_keys`].
    pub fn keys(&self) -> KeyRing {
        self.current_keys().ring.clone()
    }

    /// Swaps the keys at run time, for key rotation without a restart: new tokens are signed
    /// with `ring`'s signing key from now on, and tokens verify against `ring` alone.
    ///
    /// Sessions survive as long as the new ring still verifies the tokens out there: keep the
    /// previous key in it as a verification key
    /// ([`KeyRing::with_verification_secret`], [`KeyRing::with_verification_pem`]) for at
    /// least a refresh lifetime, and refreshes move every client onto the new key. A token
    /// signed by a key that is no longer in the ring is refused from the moment this returns,
    /// even one that was verified a moment before: the verified-token cache starts empty.
    ///
    /// ```
    /// use jwt_core::{Algorithm, JwtAuth, JwtConfig, KeyRing, MemoryAuthenticator, NoClaims};
    ///
    /// let old = "the previous secret, of at least 32 bytes";
    /// let config = JwtConfig::builder().secret(old).build()?;
    /// let auth = JwtAuth::new(config, MemoryAuthenticator::<NoClaims>::new());
    /// let rotated = KeyRing::hmac(Algorithm::HS256, b"the next secret, also of 32 bytes or more")?
    ///     .with_verification_secret(old.as_bytes())?;
    /// auth.set_keys(rotated.clone());
    /// assert_eq!(auth.keys().signing_key_id(), rotated.signing_key_id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_keys(&self, ring: KeyRing) {
        let keys = Arc::new(Keys {
            ring,
            verified: VerifiedTokens::new(self.inner.verified_tokens),
        });
        *self
            .inner
            .keys
            .write()
            .unwrap_or_else(PoisonError::into_inner) = keys;
    }

    /// Forgets every access token the engine remembers as verified, so the next request with
    /// each is verified in full. ([`JwtAuth::set_keys`] starts with an empty cache by itself.)
    pub fn clear_verified_tokens(&self) {
        self.current_keys().verified.clear();
    }

    /// The keys in use and their verified tokens, taken together.
    pub(crate) fn current_keys(&self) -> Arc<Keys<C>> {
        Arc::clone(
            &self
                .inner
                .keys
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Verifies one access token, for transports other than headers and cookies (a WebSocket
    /// subprotocol, a query parameter of a server-sent event stream). The reason of a
    /// rejection is for logs and tests; never show it to clients.
    pub fn verify_access_token(&self, token: &str) -> Result<Principal<C>, TokenError> {
        self.verify_access_token_at(token, self.inner.clock.now().unix_timestamp())
    }

    fn verify_access_token_at(&self, token: &str, now: i64) -> Result<Principal<C>, TokenError> {
        let keys = self.current_keys();
        token::verify(
            &self.inner.config,
            &keys.ring,
            token,
            TokenKind::Access,
            now,
            0,
        )?
        .into_principal()
    }

    /// An access token's principal from the verified-token cache, or from a full verification
    /// that then fills the cache: the same answer either way, for the same `now`.
    fn verify_cached(&self, token: &str, now: i64) -> Result<Principal<C>, TokenError> {
        let config = &self.inner.config;
        let leeway = config.leeway.whole_seconds();
        // The keys and the tokens they verified, taken together: a swap of keys never lets a
        // token of a removed key pass from memory.
        let keys = self.current_keys();
        let cache = &keys.verified;
        let fingerprint = cache.fingerprint(token);
        if let Some(principal) = cache.get(fingerprint, token, now, leeway) {
            return Ok(principal);
        }
        let verified = token::verify(config, &keys.ring, token, TokenKind::Access, now, 0)?;
        let lifetime = verified.lifetime();
        let principal = verified.into_principal()?;
        if cache.seen_before(fingerprint) {
            cache.insert(fingerprint, token, lifetime, &principal, now, leeway);
        }
        Ok(principal)
    }

    /// Authenticates a request from its token alone, without asking the session store (so
    /// `JWT_STRICT_LOGOUT` is not applied; use [`JwtAuth::authenticate`] for that).
    pub fn verify_request(&self, head: &RequestHead<'_>) -> Authentication<C> {
        let config = &self.inner.config;
        let (token, source) = match head.access_token() {
            Presented::Absent => return Authentication::Anonymous,
            Presented::Unreadable(_) => {
                return Authentication::Rejected(AuthRejection::InvalidToken);
            }
            Presented::Token(token, source) => (token, source),
        };
        let now = self.inner.clock.now().unix_timestamp();
        let principal = match self.verify_cached(token, now) {
            Ok(principal) => principal,
            Err(reason) => {
                tracing::debug!(target: "jwt_core", %reason, "access token rejected");
                return Authentication::Rejected(AuthRejection::InvalidToken);
            }
        };
        if source == TokenSource::Cookie
            && config.csrf
            && csrf::is_unsafe(head.method)
            && csrf::is_cross_origin(head)
        {
            return Authentication::Rejected(AuthRejection::CrossOrigin);
        }
        Authentication::Authenticated { principal, source }
    }

    /// Authenticates a request: [`JwtAuth::verify_request`], then, with `JWT_STRICT_LOGOUT`,
    /// a store look-up that the session was not revoked.
    ///
    /// With the migration mode on (`JWT_DJANGO_SECRET_KEY`), a token that names no key of ours
    /// may also be a Django access token (see the crate docs).
    pub async fn authenticate(&self, head: &RequestHead<'_>) -> Authentication<C> {
        let outcome = self.verify_request(head);
        if self.inner.config.django.is_some()
            && matches!(
                outcome,
                Authentication::Rejected(AuthRejection::InvalidToken)
            )
            && let Some(django) = self.authenticate_django(head).await
        {
            return django;
        }
        if !self.inner.config.strict_logout {
            return outcome;
        }
        let Authentication::Authenticated { principal, source } = outcome else {
            return outcome;
        };
        let now = self.inner.clock.now();
        match self
            .inner
            .store
            .is_active(&principal.session_id, &principal.subject, now)
            .await
        {
            Ok(true) => Authentication::Authenticated { principal, source },
            Ok(false) => Authentication::Rejected(AuthRejection::InvalidToken),
            Err(error) => {
                tracing::warn!(target: "jwt_core", %error, "session store unavailable");
                Authentication::Rejected(AuthRejection::StoreUnavailable)
            }
        }
    }
}
