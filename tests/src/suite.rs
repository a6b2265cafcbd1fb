//! Running the scenarios: in-process under every settings variant, or over TCP against a
//! running server with default settings.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use futures_util::FutureExt as _;
use jwt_core::{
    Authenticator, AuthenticatorError, Credentials, FailureCount, Identity, JwtAuth, ManualClock,
    MemoryAuthenticator, MemoryStore, NewSession, NoClaims, PasswordHasher, Refresh,
    RefreshAttempt, SessionId, SessionStore, StoreError,
};
use time::OffsetDateTime;

use crate::Harness;
use crate::context::{Account, Controls, Ctx};
use crate::failure::{Failure, Outcome};
use crate::report::{Report, ScenarioResult};
use crate::scenarios::{self, Reach, Scenario};
use crate::transport::{InProcess, OverTcp};
use crate::variant::{self, Configured};

/// The `Host` of the in-process app; a subdomain, so that a `Domain` cookie setting has a
/// parent domain to name.
const IN_PROCESS_HOST: &str = "app.example.test";

/// Where the in-process clock starts (2027-01-15): any fixed time will do, a fixed one makes
/// every `iat` predictable.
const CLOCK_START: i64 = 1_800_000_000;

/// The Django primary keys of the suite's two users (`alice`, `bob`), as Django tokens carry
/// them in their `user` claim.
pub(crate) const DJANGO_PK_FIRST: &str = "1";
pub(crate) const DJANGO_PK_SECOND: &str = "2";

/// Runs every scenario under every settings variant against apps that `harness` builds,
/// printing one line per scenario and variant and a closing `N passed, M failed` line.
///
/// # Panics
///
/// When any scenario fails, listing the failures.
pub async fn run_all<H: Harness>(harness: &H) {
    run_in_process(harness).await.assert_all_passed();
}

/// Like [`run_all`], but returns the report instead of panicking.
pub async fn run_in_process<H: Harness>(harness: &H) -> Report {
    let mut report = Report::default();
    let hasher = match suite_hasher() {
        Ok(hasher) => hasher,
        Err(failure) => {
            report.record(setup_failure("suite", failure));
            return report;
        }
    };
    let scenarios = scenarios::all();
    for variant in variant::variants() {
        let configured = match variant.configure() {
            Ok(configured) => configured,
            Err(error) => {
                let failure = Failure::new(format!("settings do not build: {error}"));
                report.record(setup_failure(variant.name, failure));
                continue;
            }
        };
        for scenario in scenarios.iter().filter(|s| (s.applies)(&configured.config)) {
            let outcome = guarded(run_one(harness, &configured, &hasher, scenario)).await;
            report.record(ScenarioResult {
                scenario: scenario.name.to_owned(),
                variant: variant.name.to_owned(),
                failure: outcome.err().map(|failure| failure.to_string()),
            });
        }
    }
    report
}

/// Runs the scenarios that need no clock, no user administration and no signing key against
/// a running server at `base_url` (`http://127.0.0.1:8000`), logging in as
/// `username`/`password`. The server is assumed to run with default settings, except that
/// its cookies may be `Secure` on plain HTTP (the suite's client sends them anyway).
///
/// The server must serve the four endpoints at their default paths and `GET /whoami/`
/// answering `200` with `"user": "<sub>"` in a JSON object, or docs/PROTOCOL.md's `401`.
pub async fn run_over_tcp(base_url: &str, username: &str, password: &str) -> Report {
    run_over_tcp_trusting(base_url, username, password, &[]).await
}

/// [`run_over_tcp`] against a server whose `JWT_TRUSTED_ORIGINS` names `trusted_origins`
/// (otherwise at its defaults), so that the scenarios about trusted origins run too.
pub async fn run_over_tcp_trusting(
    base_url: &str,
    username: &str,
    password: &str,
    trusted_origins: &[&str],
) -> Report {
    let mut report = Report::default();
    let transport = match OverTcp::new(base_url) {
        Ok(transport) => transport,
        Err(failure) => {
            report.record(setup_failure("tcp", failure));
            return report;
        }
    };
    let config = match variant::remote_defaults(trusted_origins) {
        Ok(config) => config,
        Err(error) => {
            report.record(setup_failure("tcp", Failure::new(error)));
            return report;
        }
    };
    let account = Account {
        name: username.to_owned(),
        password: password.to_owned(),
    };
    let scenarios = scenarios::all();
    let remote = scenarios
        .iter()
        .filter(|s| s.reach == Reach::Anywhere && (s.applies)(&config));
    for scenario in remote {
        let ctx = Ctx::new(&transport, &config, &account, transport.authority(), None);
        let outcome = guarded((scenario.run)(&ctx)).await;
        report.record(ScenarioResult {
            scenario: scenario.name.to_owned(),
            variant: "tcp".to_owned(),
            failure: outcome.err().map(|failure| failure.to_string()),
        });
    }
    report
}

/// One scenario against a fresh app: new users, store and clock, so scenarios cannot
/// disturb each other.
async fn run_one<H: Harness>(
    harness: &H,
    configured: &Configured,
    hasher: &PasswordHasher,
    scenario: &Scenario,
) -> Outcome {
    let first = Account {
        name: "alice".to_owned(),
        password: "alice-password-1".to_owned(),
    };
    let second = Account {
        name: "bob".to_owned(),
        password: "bob-password-2".to_owned(),
    };
    let users = Arc::new(MemoryAuthenticator::with_hasher(hasher.clone()));
    for account in [&first, &second] {
        users
            .add_user(&account.name, &account.password, NoClaims)
            .map_err(|error| Failure::new(format!("suite error: cannot add a user: {error}")))?;
    }
    // Django primary keys, for the migration mode's scenarios.
    users.map_django_user(DJANGO_PK_FIRST, &first.name);
    users.map_django_user(DJANGO_PK_SECOND, &second.name);
    let clock = ManualClock::at_unix(CLOCK_START);
    let store_down = Arc::new(AtomicBool::new(false));
    let users_down = Arc::new(AtomicBool::new(false));
    let suite_users = SuiteUsers {
        users: Arc::clone(&users),
        down: Arc::clone(&users_down),
    };
    let store = SuiteStore {
        sessions: MemoryStore::new(),
        down: Arc::clone(&store_down),
    };
    let auth = JwtAuth::builder(configured.config.clone(), suite_users)
        .store(store)
        .clock(clock.clone())
        .build();
    let app = harness.build(auth).await;
    let transport = InProcess { harness, app };
    let controls = Controls {
        clock: &clock,
        users: &users,
        signing_key: &configured.signing_key,
        second_user: &second,
        store_down: &store_down,
        users_down: &users_down,
    };
    let ctx = Ctx::new(
        &transport,
        &configured.config,
        &first,
        IN_PROCESS_HOST,
        Some(controls),
    );
    (scenario.run)(&ctx).await
}

/// Runs a scenario, turning a panic (of the suite or of the server) into a failure.
async fn guarded<'a>(scenario: impl Future<Output = Outcome> + 'a) -> Outcome {
    match AssertUnwindSafe(scenario).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(panic) => Err(Failure::new(format!("panicked: {}", panic_text(&panic)))),
    }
}

fn panic_text(panic: &Box<dyn Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn setup_failure(variant: &str, failure: Failure) -> ScenarioResult {
    ScenarioResult {
        scenario: "setup".to_owned(),
        variant: variant.to_owned(),
        failure: Some(failure.to_string()),
    }
}

/// Argon2id at its lowest cost: the suite logs in thousands of times, and what it checks is
/// the protocol, not the hash's strength.
fn suite_hasher() -> Outcome<PasswordHasher> {
    let params = argon2::Params::new(argon2::Params::MIN_M_COST, 1, 1, None)
        .map_err(|error| Failure::new(format!("suite error: Argon2 parameters: {error}")))?;
    PasswordHasher::with_params(params)
        .map_err(|error| Failure::new(format!("suite error: password hasher: {error}")))
}

/// The suite's user table, shared with the engine so scenarios can deactivate a user, or make
/// the whole backend fail.
struct SuiteUsers {
    users: Arc<MemoryAuthenticator<NoClaims>>,
    down: Arc<AtomicBool>,
}

impl SuiteUsers {
    fn check(&self) -> Result<(), AuthenticatorError> {
        match self.down.load(Ordering::SeqCst) {
            true => Err(AuthenticatorError(
                "the suite switched the user backend off".into(),
            )),
            false => Ok(()),
        }
    }
}

#[async_trait]
impl Authenticator for SuiteUsers {
    type Claims = NoClaims;

    async fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        self.check()?;
        self.users.authenticate(credentials).await
    }

    async fn identity(
        &self,
        subject: &str,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        self.check()?;
        self.users.identity(subject).await
    }

    async fn migrated_identity(
        &self,
        django_user_id: &str,
    ) -> Result<Option<Identity<NoClaims>>, AuthenticatorError> {
        self.check()?;
        self.users.migrated_identity(django_user_id).await
    }
}

/// The in-memory store, with a switch that makes every call fail as an unreachable Redis
/// would.
struct SuiteStore {
    sessions: MemoryStore,
    down: Arc<AtomicBool>,
}

impl SuiteStore {
    fn check(&self) -> Result<(), StoreError> {
        match self.down.load(Ordering::SeqCst) {
            true => Err(StoreError::Unavailable(
                "the suite switched the store off".into(),
            )),
            false => Ok(()),
        }
    }
}

#[async_trait]
impl SessionStore for SuiteStore {
    async fn create(&self, session: NewSession) -> Result<(), StoreError> {
        self.check()?;
        self.sessions.create(session).await
    }

    async fn refresh(&self, attempt: RefreshAttempt) -> Result<Refresh, StoreError> {
        self.check()?;
        self.sessions.refresh(attempt).await
    }

    async fn revoke(&self, session_id: &SessionId, subject: &str) -> Result<bool, StoreError> {
        self.check()?;
        self.sessions.revoke(session_id, subject).await
    }

    async fn revoke_all(&self, subject: &str) -> Result<usize, StoreError> {
        self.check()?;
        self.sessions.revoke_all(subject).await
    }

    async fn is_active(
        &self,
        session_id: &SessionId,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.check()?;
        self.sessions.is_active(session_id, subject, now).await
    }

    async fn login_failures(
        &self,
        keys: &[String],
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        self.check()?;
        self.sessions.login_failures(keys, now).await
    }

    async fn record_login_failure(
        &self,
        keys: &[String],
        window: time::Duration,
        now: OffsetDateTime,
    ) -> Result<Vec<FailureCount>, StoreError> {
        self.check()?;
        self.sessions.record_login_failure(keys, window, now).await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        self.check()?;
        self.sessions.clear_login_failures(key).await
    }

    async fn claim_once(
        &self,
        key: &str,
        until: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.check()?;
        self.sessions.claim_once(key, until, now).await
    }
}
