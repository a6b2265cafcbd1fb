//! Password hashing with Argon2id, off the async executor.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// Hashes and checks passwords (Argon2id, PHC string format).
///
/// The default parameters are OWASP's first recommendation for Argon2id (19 MiB, 2 passes,
/// 1 lane). Checking runs on Tokio's blocking pool so that a burst of logins does not stall
/// the requests being served beside them, and checking a password against no user costs one
/// full hash too ([`PasswordHasher::verify_or_dummy`]), so response time does not tell which
/// usernames exist.
///
/// At most one check per core but one (and at least one) runs at a time; the others wait
/// their turn without holding a thread. Off the executor is not enough on its own: a flood of
/// logins hashing on every core would still starve the requests beside them of CPU.
/// [`PasswordHasher::with_max_concurrent`] sets another bound.
///
/// The queue in front of the checks is bounded too (16 waiting checks per running one by
/// default, [`PasswordHasher::with_max_waiting`]): past it, a check is refused at once with
/// [`PasswordQueueFull`] rather than held, with its request and body, in memory. So no check
/// waits longer than the queue's worth of hashes, and a flood of logins is shed in front of
/// the hashing instead of piling up behind it; the login answers `503` with `Retry-After`.
///
/// ```
/// use jwt_core::PasswordHasher;
///
/// let hasher = PasswordHasher::default();
/// let hash = hasher.hash("correct horse")?;
/// assert!(hasher.verify_blocking(&hash, "correct horse"));
/// assert!(!hasher.verify_blocking(&hash, "battery staple"));
/// # Ok::<(), jwt_core::PasswordError>(())
/// ```
#[derive(Clone)]
#[cfg_attr(docsrs, doc(cfg(feature = "password")))]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
    dummy: Arc<str>,
    /// Shared by clones: the bound holds for every check this hasher makes.
    running: Arc<Semaphore>,
    /// Checks waiting for a permit, shared by clones.
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Checks waiting per check allowed to run, by default.
const WAITING_PER_RUNNING: usize = 16;

/// The password could not be hashed (parameters out of range).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
#[cfg_attr(docsrs, doc(cfg(feature = "password")))]
pub struct PasswordError;

/// A password check was refused unchecked: as many checks as the hasher lets wait are
/// already waiting. An [`Authenticator`](crate::Authenticator) returns it as its error, and
/// the login answers `503` with `Retry-After`.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks waiting")]
pub struct PasswordQueueFull;

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("params", self.argon2.params())
            .finish()
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::with_params(Params::default())
            .unwrap_or_else(|_| unreachable!("default params are valid"))
    }
}

impl PasswordHasher {
    /// A hasher with the given Argon2id cost parameters.
    pub fn with_params(params: Params) -> Result<Self, PasswordError> {
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy = hash_with(&argon2, "dummy password for unknown users")?;
        let spare_cores =
            std::thread::available_parallelism().map_or(1, |cores| cores.get().saturating_sub(1));
        let running = spare_cores.max(1);
        Ok(Self {
            argon2,
            dummy: dummy.into(),
            running: Arc::new(Semaphore::new(running)),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting: running * WAITING_PER_RUNNING,
        })
    }

    /// Lets at most `checks` password checks run at once (at least one); as many as 16 per
    /// running check may wait, unless [`PasswordHasher::with_max_waiting`] says otherwise
    /// afterwards.
    pub fn with_max_concurrent(mut self, checks: usize) -> Self {
        let checks = checks.max(1);
        self.running = Arc::new(Semaphore::new(checks));
        self.max_waiting = checks * WAITING_PER_RUNNING;
        self
    }

    /// Lets at most `checks` password checks wait for their turn; any more are refused with
    /// [`PasswordQueueFull`].
    pub fn with_max_waiting(mut self, checks: usize) -> Self {
        self.max_waiting = checks;
        self
    }

    /// Hashes a password into a PHC string (`$argon2id$v=19$...`), with a fresh salt.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        hash_with(&self.argon2, password)
    }

    /// Checks a password against a PHC string on the calling thread.
    pub fn verify_blocking(&self, hash: &str, password: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|parsed| {
            self.argon2
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    }

    /// Checks a password against a user's hash, or against a dummy hash of the same cost when
    /// there is no such user (always `false` then), on the blocking pool; refused at once when
    /// the queue of waiting checks is full.
    pub async fn verify_or_dummy(
        &self,
        hash: Option<String>,
        password: String,
    ) -> Result<bool, PasswordQueueFull> {
        let permit = match Arc::clone(&self.running).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let queued = Queued::join(&self.waiting, self.max_waiting)?;
                let permit = Arc::clone(&self.running).acquire_owned().await;
                drop(queued);
                // The semaphore is never closed.
                let Ok(permit) = permit else {
                    return Ok(false);
                };
                permit
            }
        };
        let hasher = self.clone();
        let task = tokio::task::spawn_blocking(move || {
            // Held until the hash is done, even when the login that asked was dropped.
            let _permit = permit;
            match hash {
                Some(hash) => hasher.verify_blocking(&hash, &password),
                None => {
                    let _ = hasher.verify_blocking(&hasher.dummy, &password);
                    false
                }
            }
        });
        Ok(task.await.unwrap_or(false))
    }
}

/// A place in the queue of waiting checks, given back when dropped (also when the login that
/// waited is dropped).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn join(waiting: &'a AtomicUsize, max: usize) -> Result<Self, PasswordQueueFull> {
        waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
                (count < max).then_some(count + 1)
            })
            .map(|_| Self(waiting))
            .map_err(|_| PasswordQueueFull)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn hash_with(argon2: &Argon2<'static>, password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    fn cheap() -> PasswordHasher {
        let params = Params::new(8, 1, 1, None).expect("valid test parameters");
        PasswordHasher::with_params(params).expect("valid test hasher")
    }

    #[tokio::test]
    async fn a_check_waits_while_the_bound_is_taken() {
        let hasher = cheap().with_max_concurrent(1);
        let hash = hasher.hash("password1").expect("hashes");
        let taken = Arc::clone(&hasher.running)
            .acquire_owned()
            .await
            .expect("the semaphore is open");

        let waiting = {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                hasher
                    .verify_or_dummy(Some(hash), "password1".to_owned())
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the check ran past the bound");

        drop(taken);
        assert!(matches!(
            waiting.await.expect("the check completes"),
            Ok(true)
        ));
    }

    #[tokio::test]
    async fn checks_beyond_the_bound_all_get_their_answer() {
        // A bound of zero means one: checks still run.
        let hasher = cheap().with_max_concurrent(0);
        let hash = hasher.hash("password1").expect("hashes");
        let checks = ["password1", "wrong", "password1", "wrong"].map(|password| {
            let (hasher, hash) = (hasher.clone(), hash.clone());
            tokio::spawn(async move {
                hasher
                    .verify_or_dummy(Some(hash), password.to_owned())
                    .await
            })
        });
        let mut answers = Vec::new();
        for check in checks {
            answers.push(check.await.expect("the check completes").expect("queued"));
        }
        assert_eq!(answers, [true, false, true, false]);
        assert!(
            !hasher
                .verify_or_dummy(None, "password1".to_owned())
                .await
                .expect("queued")
        );
    }

    #[tokio::test]
    async fn checks_beyond_the_queue_are_refused_at_once_and_the_queue_empties() {
        let hasher = cheap().with_max_concurrent(1).with_max_waiting(2);
        let hash = hasher.hash("password1").expect("hashes");
        let taken = Arc::clone(&hasher.running)
            .acquire_owned()
            .await
            .expect("the semaphore is open");
        let queued: Vec<_> = (0..2)
            .map(|_| {
                let (hasher, hash) = (hasher.clone(), hash.clone());
                tokio::spawn(async move {
                    hasher
                        .verify_or_dummy(Some(hash), "password1".to_owned())
                        .await
                })
            })
            .collect();
        while hasher.waiting.load(Ordering::Acquire) < 2 {
            tokio::task::yield_now().await;
        }
        let refused = hasher
            .verify_or_dummy(Some(hash.clone()), "password1".to_owned())
            .await;
        assert!(matches!(refused, Err(PasswordQueueFull)));

        drop(taken);
        for check in queued {
            assert!(matches!(
                check.await.expect("the check completes"),
                Ok(true)
            ));
        }
        assert_eq!(hasher.waiting.load(Ordering::Acquire), 0);
        assert!(matches!(
            hasher
                .verify_or_dummy(Some(hash), "password1".to_owned())
                .await,
            Ok(true)
        ));
    }
}
