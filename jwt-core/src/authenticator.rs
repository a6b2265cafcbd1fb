//! Checking credentials: the application's side of login.

#[cfg(feature = "password")]
use std::collections::HashMap;
use std::fmt;
#[cfg(feature = "password")]
use std::sync::RwLock;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

#[cfg(feature = "password")]
use crate::claims::NoClaims;
#[cfg(feature = "password")]
use crate::password::{PasswordError, PasswordHasher};

/// A username and password from a login request.
#[derive(Clone)]
#[non_exhaustive]
pub struct Credentials {
    /// The username as sent.
    pub username: String,
    /// The password as sent. Never logged: `Debug` redacts it.
    pub password: String,
}

impl Credentials {
    /// Credentials from their two parts.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// The password (and the username, into which users type it by mistake) are wiped from memory
/// when the credentials are dropped.
impl Drop for Credentials {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.username.zeroize();
        self.password.zeroize();
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// A user the authenticator vouches for: the token subject and the application's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity<C> {
    /// The user id written as `sub`.
    pub subject: String,
    /// The application's claims written into access tokens.
    pub claims: C,
}

/// The authenticator's backend failed (database down, ...). Login and refresh answer 503.
#[derive(Debug, thiserror::Error)]
#[error("authenticator unavailable: {0}")]
pub struct AuthenticatorError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// The application's user directory, as login and refresh need it.
///
/// Implementations should do expensive work (password hashing) off the async executor, e.g.
/// with [`PasswordHasher::verify_or_dummy`], and make an unknown user cost as much as a wrong
/// password.
#[async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// The application's own claims carried by access tokens.
    type Claims: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;

    /// Checks credentials: `Some` for a valid, active user, `None` otherwise.
    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<Self::Claims>>, AuthenticatorError>;

    /// Looks a user up again at refresh: `None` when the user is gone or inactive, which ends
    /// the session. The claims returned go into the new access token, so a changed role takes
    /// effect at the next refresh.
    async fn identity(
        &self,
        subject: &str,
    ) -> Result<Option<Identity<Self::Claims>>, AuthenticatorError>;

    /// The user a `django-jwt-auth-middleware` token names, by the Django primary key in its
    /// `user` claim (as a string): `None` when there is no such user or the user is inactive.
    /// Only the migration mode (`JWT_DJANGO_SECRET_KEY`) asks.
    ///
    /// The default knows no Django user, so an application that does not map its users
    /// accepts no Django token, with the mode on or off.
    async fn migrated_identity(
        &self,
        django_user_id: &str,
    ) -> Result<Option<Identity<Self::Claims>>, AuthenticatorError> {
        let _ = django_user_id;
        Ok(None)
    }
}

/// A shared authenticator is an authenticator, so the application can keep a handle to it
/// (to add users or deactivate them) after giving it to [`JwtAuth`](crate::JwtAuth).
#[async_trait]
impl<A: Authenticator + ?Sized> Authenticator for std::sync::Arc<A> {
    type Claims = A::Claims;

    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<Self::Claims>>, AuthenticatorError> {
        (**self).authenticate(credentials).await
    }

    async fn identity(
        &self,
        subject: &str,
    ) -> Result<Option<Identity<Self::Claims>>, AuthenticatorError> {
        (**self).identity(subject).await
    }

    async fn migrated_identity(
        &self,
        django_user_id: &str,
    ) -> Result<Option<Identity<Self::Claims>>, AuthenticatorError> {
        (**self).migrated_identity(django_user_id).await
    }
}

/// Users in memory with Argon2id password hashes, for tests, demos and small fixed user sets.
///
/// The username is the subject.
///
/// ```
/// use jwt_core::{Authenticator, Credentials, MemoryAuthenticator, NoClaims};
///
/// # tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
/// let users = MemoryAuthenticator::new();
/// users.add_user("alice", "password1", NoClaims)?;
/// let alice = users.authenticate(&Credentials::new("alice", "password1")).await?;
/// assert_eq!(alice.map(|identity| identity.subject).as_deref(), Some("alice"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg(feature = "password")]
#[cfg_attr(docsrs, doc(cfg(feature = "password")))]
pub struct MemoryAuthenticator<C = NoClaims> {
    hasher: PasswordHasher,
    users: RwLock<HashMap<String, User<C>>>,
    /// Django primary keys (as strings) and the usernames they map to.
    django_users: RwLock<HashMap<String, String>>,
}

#[cfg(feature = "password")]
struct User<C> {
    hash: String,
    active: bool,
    claims: C,
}

#[cfg(feature = "password")]
impl<C> fmt::Debug for MemoryAuthenticator<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryAuthenticator")
            .field("hasher", &self.hasher)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "password")]
impl<C> Default for MemoryAuthenticator<C> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "password")]
impl<C> MemoryAuthenticator<C> {
    /// An empty user table with the default Argon2id parameters.
    pub fn new() -> Self {
        Self::with_hasher(PasswordHasher::default())
    }

    /// An empty user table hashing with `hasher`.
    pub fn with_hasher(hasher: PasswordHasher) -> Self {
        Self {
            hasher,
            users: RwLock::new(HashMap::new()),
            django_users: RwLock::new(HashMap::new()),
        }
    }

    /// Adds or replaces a user, hashing the password on the calling thread.
    pub fn add_user(&self, username: &str, password: &str, claims: C) -> Result<(), PasswordError> {
        let hash = self.hasher.hash(password)?;
        self.write().insert(
            username.to_owned(),
            User {
                hash,
                active: true,
                claims,
            },
        );
        Ok(())
    }

    /// Marks a user active or inactive; an inactive user can neither log in nor refresh.
    /// Returns `false` when there is no such user.
    pub fn set_active(&self, username: &str, active: bool) -> bool {
        self.write()
            .get_mut(username)
            .map(|user| user.active = active)
            .is_some()
    }

    /// Replaces a user's claims; they reach tokens at the next login or refresh.
    pub fn set_claims(&self, username: &str, claims: C) -> bool {
        self.write()
            .get_mut(username)
            .map(|user| user.claims = claims)
            .is_some()
    }

    /// Maps a Django primary key (`"1"`) to a username, for the migration mode: a Django
    /// token whose `user` claim is `django_user_id` stands for that user (while the user
    /// exists and is active).
    pub fn map_django_user(&self, django_user_id: &str, username: &str) {
        self.django_users
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(django_user_id.to_owned(), username.to_owned());
    }

    /// Removes a user; their sessions end at the next refresh.
    pub fn remove_user(&self, username: &str) -> bool {
        self.write().remove(username).is_some()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, User<C>>> {
        self.users
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, User<C>>> {
        self.users
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(feature = "password")]
#[async_trait]
impl<C> Authenticator for MemoryAuthenticator<C>
where
    C: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Claims = C;

    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<C>>, AuthenticatorError> {
        let found = self
            .read()
            .get(&credentials.username)
            .map(|user| (user.hash.clone(), user.active, user.claims.clone()));
        let (hash, active, claims) = match found {
            Some((hash, active, claims)) => (Some(hash), active, Some(claims)),
            None => (None, false, None),
        };
        let valid = self
            .hasher
            .verify_or_dummy(hash, credentials.password.clone())
            .await
            .map_err(|full| AuthenticatorError(Box::new(full)))?;
        Ok(match claims {
            Some(claims) if valid && active => Some(Identity {
                subject: credentials.username.clone(),
                claims,
            }),
            _ => None,
        })
    }

    async fn identity(&self, subject: &str) -> Result<Option<Identity<C>>, AuthenticatorError> {
        Ok(self
            .read()
            .get(subject)
            .filter(|user| user.active)
            .map(|user| Identity {
                subject: subject.to_owned(),
                claims: user.claims.clone(),
            }))
    }

    async fn migrated_identity(
        &self,
        django_user_id: &str,
    ) -> Result<Option<Identity<C>>, AuthenticatorError> {
        let username = self
            .django_users
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(django_user_id)
            .cloned();
        match username {
            Some(username) => self.identity(&username).await,
            None => Ok(None),
        }
    }
}
