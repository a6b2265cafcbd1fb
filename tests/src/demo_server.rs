//! Starting a demo binary of `jwt-examples` on a free loopback port, to run the suite against
//! it over TCP.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::report::Report;
use crate::suite::run_over_tcp_trusting;

/// The user every demo binary started by [`spawn_demo_binary`] knows.
pub const DEMO_USERNAME: &str = "conformance";
/// [`DEMO_USERNAME`]'s password.
pub const DEMO_PASSWORD: &str = "conformance-password-1";
/// `JWT_TRUSTED_ORIGINS` of the demo binaries started here: a sibling app's origin, so that
/// the scenarios about trusted origins run over TCP too.
pub const DEMO_TRUSTED_ORIGIN: &str = "https://trusted.example";
/// `JWT_SECRET` of the demo binaries started here (test-only).
const DEMO_SECRET: &str = "jwt-conformance demo secret: for loopback tests only, never deployed";

/// How long a demo binary may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A demo binary serving on a loopback port; killed when dropped.
#[derive(Debug)]
pub struct RunningServer {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    db: PathBuf,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the server wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _already_exited = self.child.kill();
        let _status = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut db = self.db.clone().into_os_string();
            db.push(suffix);
            let _ = std::fs::remove_file(db);
        }
    }
}

/// Starts the demo binary at `path` with `--addr 127.0.0.1:PORT` on a free port, a fixed
/// `JWT_SECRET`, the one user [`DEMO_USERNAME`] (`JWT_DEMO_USERS`), [`DEMO_TRUSTED_ORIGIN`] as
/// `JWT_TRUSTED_ORIGINS`, a user database of its own in the temporary directory (`--db`), and
/// no other `JWT_*` variable; waits until it accepts connections.
///
/// # Panics
///
/// When the binary cannot be started, exits, or does not accept connections within a minute;
/// the message carries what it printed.
pub fn spawn_demo_binary(path: impl AsRef<Path>) -> RunningServer {
    spawn_demo_binary_with(path, &[])
}

/// [`spawn_demo_binary`] with further `JWT_*` settings, for checks of a setting the suite's
/// TCP scenarios do not assume (`JWT_DJANGO_SECRET_KEY`, say).
///
/// # Panics
///
/// As [`spawn_demo_binary`].
pub fn spawn_demo_binary_with(path: impl AsRef<Path>, settings: &[(&str, &str)]) -> RunningServer {
    let path = path.as_ref();
    let mut last_log = String::new();
    // A port found free can be taken before the binary binds it; try a few.
    for _attempt in 0..3 {
        match try_spawn(path, settings) {
            Ok(server) => return server,
            Err(log) => last_log = log,
        }
    }
    panic!("{} did not start serving:\n{last_log}", path.display());
}

fn try_spawn(path: &Path, settings: &[(&str, &str)]) -> Result<RunningServer, String> {
    let addr = free_loopback_port().map_err(|error| format!("no free port: {error}"))?;
    let stem = format!(
        "jwt-conformance-{}-{}-{}",
        path.file_stem().and_then(|s| s.to_str()).unwrap_or("demo"),
        std::process::id(),
        addr.port()
    );
    let log = std::env::temp_dir().join(format!("{stem}.log"));
    let db = std::env::temp_dir().join(format!("{stem}.sqlite"));
    let log_file = std::fs::File::create(&log).map_err(|error| format!("log file: {error}"))?;
    let log_copy = log_file
        .try_clone()
        .map_err(|error| format!("log file: {error}"))?;
    let mut command = Command::new(path);
    command
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(log_copy);
    // The suite assumes default settings: nothing from the caller's environment may change them.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("JWT_") {
            command.env_remove(&name);
        }
    }
    command
        .env_remove("ADDR")
        .env("JWT_SECRET", DEMO_SECRET)
        .env("JWT_TRUSTED_ORIGINS", DEMO_TRUSTED_ORIGIN)
        .env("JWT_DEMO_USERS", format!("{DEMO_USERNAME}:{DEMO_PASSWORD}"));
    command.envs(settings.iter().copied());
    let child = command
        .spawn()
        .map_err(|error| format!("cannot run {}: {error}", path.display()))?;
    let mut server = RunningServer {
        child,
        addr,
        log,
        db,
    };
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("exited with {status}:\n{}", server.log()));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "not accepting connections on {addr} after {START_TIMEOUT:?}:\n{}",
                server.log()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn free_loopback_port() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    listener.local_addr()
}

/// Starts the demo binary at `path` ([`spawn_demo_binary`]), runs every TCP scenario against
/// it ([`run_over_tcp_trusting`]) and the one only a raw socket can send (a login body that
/// stops half-way must get `408` once `JWT_LOGIN_BODY_TIMEOUT` passes), stops it, and panics
/// unless every scenario passed. This is all a
/// demo binary's TCP test needs:
///
/// ```no_run
/// # async fn demo() {
/// jwt_conformance::check_demo_binary_over_tcp("target/debug/hyper").await;
/// # }
/// ```
///
/// # Panics
///
/// When the binary does not start, or any scenario fails (with the server's log).
pub async fn check_demo_binary_over_tcp(path: impl AsRef<Path>) -> Report {
    let server = spawn_demo_binary(path);
    let mut report = run_over_tcp_trusting(
        &server.base_url(),
        DEMO_USERNAME,
        DEMO_PASSWORD,
        &[DEMO_TRUSTED_ORIGIN],
    )
    .await;
    let slow = crate::slow_body::slow_login_body_answers_408(server.addr(), "/jwt/login/").await;
    report.record(crate::report::ScenarioResult {
        scenario: "slow_login_body_answers_408".to_owned(),
        variant: "tcp".to_owned(),
        failure: slow.err().map(|failure| failure.to_string()),
    });
    if report.failed() > 0 {
        println!("server log:\n{}", server.log());
    }
    drop(server);
    report.assert_all_passed();
    report
}
