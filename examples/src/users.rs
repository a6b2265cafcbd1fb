//! The demo's users: one SQLite table with Argon2id password hashes.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jwt_core::{
    Authenticator, AuthenticatorError, Credentials, Identity, NoClaims, PasswordError,
    PasswordHasher, async_trait,
};
use rusqlite::{Connection, OptionalExtension as _, params};

/// How long a statement waits for another process holding the database file (a second demo
/// started on the same file) before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS users (
        username      TEXT    NOT NULL PRIMARY KEY,
        password_hash TEXT    NOT NULL,
        active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
    ) STRICT;
";

/// Users in a SQLite database (created on first use), checked at login and at every refresh.
///
/// The username is the token subject.
///
/// For the migration mode (`JWT_DJANGO_SECRET_KEY`), a user's Django primary key is its
/// SQLite row id ([`SqliteAuthenticator::django_pk`]): users get 1, 2, 3, ... in the order
/// they are first created, as in a new Django project, and an update keeps the id. So
/// listing the users in `JWT_DEMO_USERS` in the order of their Django primary keys, on a new
/// database, lines the two up. (The demo never deletes users nor runs `VACUUM`, the two
/// things that could renumber row ids.) Start-up methods ([`SqliteAuthenticator::upsert_user`],
/// [`SqliteAuthenticator::set_active`], [`SqliteAuthenticator::user_count`]) block the calling
/// thread; the [`Authenticator`] methods that serve requests run the database calls and the
/// password check on Tokio's blocking pool, so a slow disk or a burst of logins does not stall
/// the requests served beside them. An unknown user costs one dummy hash, as much as a wrong
/// password.
#[derive(Clone)]
pub struct SqliteAuthenticator {
    connection: Arc<Mutex<Connection>>,
    hasher: PasswordHasher,
}

/// The user database could not be opened or written, or a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UserStoreError {
    /// SQLite failed (file not writable, not a database, ...).
    #[error("SQLite: {0}")]
    Database(#[from] rusqlite::Error),
    /// The password hasher failed.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// A username that would be unusable as a token subject.
    #[error("a username must be non-empty and must not contain ':' or ','")]
    InvalidUsername,
}

/// One row of the users table.
struct StoredUser {
    password_hash: String,
    active: bool,
}

impl fmt::Debug for SqliteAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteAuthenticator")
            .field("hasher", &self.hasher)
            .finish_non_exhaustive()
    }
}

impl SqliteAuthenticator {
    /// Opens the database at `path`, creating the file and the users table when missing.
    pub fn open(path: &Path) -> Result<Self, UserStoreError> {
        Self::with_connection(Connection::open(path)?, PasswordHasher::default())
    }

    /// A database held in memory only, hashing with `hasher` (tests use cheap parameters).
    pub fn in_memory(hasher: PasswordHasher) -> Result<Self, UserStoreError> {
        Self::with_connection(Connection::open_in_memory()?, hasher)
    }

    fn with_connection(
        connection: Connection,
        hasher: PasswordHasher,
    ) -> Result<Self, UserStoreError> {
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.execute_batch(SCHEMA)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
            hasher,
        })
    }

    /// Creates the user, or gives an existing one this password and makes it active again.
    /// Blocks while hashing.
    pub fn upsert_user(&self, username: &str, password: &str) -> Result<(), UserStoreError> {
        if username.is_empty() || username.contains([':', ',']) {
            return Err(UserStoreError::InvalidUsername);
        }
        let password_hash = self.hasher.hash(password)?;
        self.lock().execute(
            "INSERT INTO users (username, password_hash, active) VALUES (?1, ?2, 1)
             ON CONFLICT (username) DO UPDATE
             SET password_hash = excluded.password_hash, active = 1",
            params![username, password_hash],
        )?;
        Ok(())
    }

    /// Marks a user active or inactive: an inactive user can neither log in nor refresh, so
    /// their sessions end at the next refresh. Returns `false` when there is no such user.
    pub fn set_active(&self, username: &str, active: bool) -> Result<bool, UserStoreError> {
        let changed = self.lock().execute(
            "UPDATE users SET active = ?2 WHERE username = ?1",
            params![username, active],
        )?;
        Ok(changed > 0)
    }

    /// The Django primary key the migration mode maps to `username` (its row id), if there
    /// is such a user.
    pub fn django_pk(&self, username: &str) -> Result<Option<i64>, UserStoreError> {
        let pk = self
            .lock()
            .query_row(
                "SELECT rowid FROM users WHERE username = ?1",
                params![username],
                |row| row.get(0),
            )
            .optional()?;
        Ok(pk)
    }

    /// How many users the table holds, active or not.
    pub fn user_count(&self) -> Result<u64, UserStoreError> {
        let count: i64 = self
            .lock()
            .query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))?;
        Ok(count.unsigned_abs())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (each statement
        // is atomic), so the connection stays usable.
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Looks a user up on the blocking pool.
    async fn find(&self, username: &str) -> Result<Option<StoredUser>, AuthenticatorError> {
        let connection = Arc::clone(&self.connection);
        let username = username.to_owned();
        let lookup = tokio::task::spawn_blocking(move || {
            let connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            connection
                .query_row(
                    "SELECT password_hash, active FROM users WHERE username = ?1",
                    params![username],
                    |row| {
                        Ok(StoredUser {
                            password_hash: row.get(0)?,
                            active: row.get(1)?,
                        })
                    },
                )
                .optional()
        });
        lookup
            .await
            .map_err(|error| AuthenticatorError(Box::new(error)))?
            .map_err(|error| AuthenticatorError(Box::new(error)))
    }
}

#[async_trait]
impl Authenticator for SqliteAuthenticator {
    type Claims = NoClaims;

    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        let (hash, active) = match self.find(&credentials.username).await? {
            Some(user) => (Some(user.password_hash), user.active),
            None => (None, false),
        };
        // An inactive user's password is still checked, so that the answer takes as long as
        // for an active one.
        let valid = self
            .hasher
            .verify_or_dummy(hash, credentials.password.clone())
            .await
            .map_err(|full| AuthenticatorError(Box::new(full)))?;
        Ok((valid && active).then(|| Identity {
            subject: credentials.username.clone(),
            claims: NoClaims,
        }))
    }

    async fn identity(
        &self,
        subject: &str,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        Ok(self
            .find(subject)
            .await?
            .filter(|user| user.active)
            .map(|_| Identity {
                subject: subject.to_owned(),
                claims: NoClaims,
            }))
    }

    /// The user whose row id is the Django primary key, if active. Only the canonical
    /// decimal form of a positive integer is a primary key (`"1"`, not `"01"` or `"+1"`).
    async fn migrated_identity(
        &self,
        django_user_id: &str,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        let Some(rowid) = django_user_id
            .parse::<i64>()
            .ok()
            .filter(|pk| *pk > 0 && pk.to_string() == django_user_id)
        else {
            return Ok(None);
        };
        let connection = Arc::clone(&self.connection);
        let lookup = tokio::task::spawn_blocking(move || {
            let connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            connection
                .query_row(
                    "SELECT username, active FROM users WHERE rowid = ?1",
                    params![rowid],
                    |row| Ok((row.get::<_, String>(0)?, row.get::<_, bool>(1)?)),
                )
                .optional()
        });
        let found = lookup
            .await
            .map_err(|error| AuthenticatorError(Box::new(error)))?
            .map_err(|error| AuthenticatorError(Box::new(error)))?;
        Ok(found
            .filter(|(_, active)| *active)
            .map(|(username, _)| Identity {
                subject: username,
                claims: NoClaims,
            }))
    }
}

#[cfg(test)]
mod tests {
    use argon2::Params;

    use super::*;

    fn users() -> SqliteAuthenticator {
        let cheap = Params::new(8, 1, 1, None).expect("valid Argon2 parameters");
        let hasher = PasswordHasher::with_params(cheap).expect("valid hasher");
        SqliteAuthenticator::in_memory(hasher).expect("in-memory database opens")
    }

    async fn login(users: &SqliteAuthenticator, name: &str, password: &str) -> Option<String> {
        users
            .authenticate(&Credentials::new(name, password))
            .await
            .expect("database answers")
            .map(|identity| identity.subject)
    }

    #[tokio::test]
    async fn right_password_logs_in_and_wrong_or_unknown_does_not() {
        let users = users();
        users.upsert_user("alice", "password1").expect("stored");
        assert_eq!(
            login(&users, "alice", "password1").await.as_deref(),
            Some("alice")
        );
        assert_eq!(login(&users, "alice", "password2").await, None);
        assert_eq!(login(&users, "bob", "password1").await, None);
    }

    #[tokio::test]
    async fn upsert_changes_the_password_and_reactivates() {
        let users = users();
        users.upsert_user("alice", "old").expect("stored");
        assert!(users.set_active("alice", false).expect("updated"));
        users.upsert_user("alice", "new").expect("updated");
        assert_eq!(users.user_count().expect("counted"), 1);
        assert_eq!(login(&users, "alice", "old").await, None);
        assert_eq!(
            login(&users, "alice", "new").await.as_deref(),
            Some("alice")
        );
    }

    #[tokio::test]
    async fn inactive_user_can_neither_log_in_nor_refresh() {
        let users = users();
        users.upsert_user("alice", "password1").expect("stored");
        assert!(users.identity("alice").await.expect("answers").is_some());
        assert!(users.set_active("alice", false).expect("updated"));
        assert_eq!(login(&users, "alice", "password1").await, None);
        assert!(users.identity("alice").await.expect("answers").is_none());
        assert!(!users.set_active("nobody", false).expect("no row"));
    }

    #[tokio::test]
    async fn django_primary_keys_are_row_ids_in_creation_order() {
        let users = users();
        users.upsert_user("alice", "password1").expect("stored");
        users.upsert_user("bob", "password2").expect("stored");
        users.upsert_user("alice", "changed").expect("updated");
        assert_eq!(users.django_pk("alice").expect("answers"), Some(1));
        assert_eq!(users.django_pk("bob").expect("answers"), Some(2));
        assert_eq!(users.django_pk("carol").expect("answers"), None);
        let subject = |pk: &'static str| {
            let users = users.clone();
            async move {
                users
                    .migrated_identity(pk)
                    .await
                    .expect("database answers")
                    .map(|identity| identity.subject)
            }
        };
        assert_eq!(subject("1").await.as_deref(), Some("alice"));
        assert_eq!(subject("2").await.as_deref(), Some("bob"));
        for unknown in ["3", "0", "-1", "01", "+1", " 1", "alice", ""] {
            assert_eq!(subject(unknown).await, None, "{unknown:?}");
        }
        assert!(users.set_active("bob", false).expect("updated"));
        assert_eq!(subject("2").await, None, "an inactive user");
    }

    #[test]
    fn password_is_stored_as_an_argon2id_hash() {
        let users = users();
        users.upsert_user("alice", "password1").expect("stored");
        let hash: String = users
            .lock()
            .query_row(
                "SELECT password_hash FROM users WHERE username = 'alice'",
                [],
                |row| row.get(0),
            )
            .expect("row exists");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("password1"));
    }

    #[test]
    fn usernames_that_break_the_users_variable_are_refused() {
        let users = users();
        for name in ["", "a:b", "a,b"] {
            assert!(matches!(
                users.upsert_user(name, "password"),
                Err(UserStoreError::InvalidUsername)
            ));
        }
    }

    #[test]
    fn database_file_is_created_and_keeps_users() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("demo.sqlite");
        let users = SqliteAuthenticator::open(&path).expect("created");
        users.upsert_user("alice", "password1").expect("stored");
        drop(users);
        let reopened = SqliteAuthenticator::open(&path).expect("reopened");
        assert_eq!(reopened.user_count().expect("counted"), 1);
    }
}
