//! `redis-server`s of the test's own, on free loopback ports, stopped when dropped: one
//! server, over plain TCP or TLS ([`tls`]), or a cluster of three ([`cluster`]).

pub(crate) mod cluster;
pub(crate) mod tls;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL_HINT: &str = "redis-server is not installed: run the README's test command, \
     which installs it (apt-get update && apt-get install -y redis-server redis-tools)";

/// How long a start or a stop may take before the fixture gives up.
const PATIENCE: Duration = Duration::from_secs(10);

/// One `redis-server` process with its own port and directory.
pub(crate) struct RedisServer {
    program: PathBuf,
    port: u16,
    dir: PathBuf,
    /// Arguments beyond the port, directory and persistence ones.
    extra: Vec<String>,
    /// Whether the port speaks TLS only.
    tls: bool,
    child: Option<Child>,
}

/// How clients must authenticate to a TLS server.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClientCertificates {
    /// Clients may present a certificate.
    Optional,
    /// Clients must present one the CA signed (mutual TLS).
    Required,
}

impl RedisServer {
    /// Starts a server on a free loopback port; panics (never skips) if `redis-server` is
    /// not installed.
    pub(crate) fn start() -> Self {
        Self::start_with(Vec::new(), false)
    }

    /// Starts a server that speaks only TLS, with the certificates of `files`.
    pub(crate) fn start_tls(files: &tls::TlsFiles, clients: ClientCertificates) -> Self {
        Self::start_with(tls_args(files, clients), true)
    }

    /// `redis-server` arguments that serve TLS on the port `--tls-port` will name.
    fn start_with(extra: Vec<String>, tls: bool) -> Self {
        let program = find_on_path("redis-server").unwrap_or_else(|| panic!("{INSTALL_HINT}"));
        let mut last_failure = String::new();
        // A free port can be taken by someone else between probing and binding: try a few.
        for _ in 0..5 {
            let port = free_port();
            let dir =
                std::env::temp_dir().join(format!("jwt-core-redis-{}-{port}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("the temporary directory is writable");
            let mut server = Self {
                program: program.clone(),
                port,
                dir,
                extra: extra.clone(),
                tls,
                child: None,
            };
            match server.spawn() {
                Ok(()) => return server,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("redis-server did not start: {last_failure}");
    }

    /// `redis://127.0.0.1:<port>/`, or `rediss://` for a TLS server.
    pub(crate) fn url(&self) -> String {
        let scheme = if self.tls { "rediss" } else { "redis" };
        format!("{scheme}://127.0.0.1:{}/", self.port)
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server as an outage would, keeping its data on disk (`SHUTDOWN SAVE`), so
    /// that [`RedisServer::start_again`] comes back with the same sessions.
    pub(crate) fn stop(&mut self) {
        assert!(!self.tls, "stop() speaks plain TCP to the server");
        let Some(mut child) = self.child.take() else {
            return;
        };
        // The server closes the connection as it shuts down; the reply does not matter.
        let _reply = command(self.port, "SHUTDOWN SAVE");
        let deadline = Instant::now() + PATIENCE;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    let _killed = child.kill();
                    let _status = child.wait();
                    panic!("redis-server did not shut down within {PATIENCE:?}");
                }
            }
        }
        assert!(
            command(self.port, "PING").is_err(),
            "the port still answers after shutdown"
        );
    }

    /// Kills the server as a crash would (no save, no goodbye to clients).
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _killed = child.kill();
            let _status = child.wait();
        }
    }

    pub(crate) fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Starts the server again on the same port, with the data saved by
    /// [`RedisServer::stop`].
    pub(crate) fn start_again(&mut self) {
        if let Err(failure) = self.spawn() {
            panic!("redis-server did not start again: {failure}");
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log = std::fs::File::create(self.dir.join("redis.log")).map_err(|e| e.to_string())?;
        let port = self.port.to_string();
        let ports: [&str; 4] = if self.tls {
            ["--port", "0", "--tls-port", &port]
        } else {
            ["--port", &port, "--tls-port", "0"]
        };
        let mut child = Command::new(&self.program)
            .args(ports)
            .args(&self.extra)
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("exited with {status}: {}", self.log()));
            }
            if self.is_ready() {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _killed = child.kill();
                let _status = child.wait();
                return Err(format!("no PONG within {PATIENCE:?}: {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A plain server answers `PING`; a TLS one says in its log that it is ready (and takes
    /// no plain connection to ask).
    fn is_ready(&self) -> bool {
        if self.tls {
            self.log().contains("Ready to accept connections")
        } else {
            command(self.port, "PING").is_ok_and(|reply| reply.starts_with("+PONG"))
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _killed = child.kill();
            let _status = child.wait();
        }
        let _removed = std::fs::remove_dir_all(&self.dir);
    }
}

fn tls_args(files: &tls::TlsFiles, clients: ClientCertificates) -> Vec<String> {
    let path = |name: &str| files.path(name).display().to_string();
    let auth = match clients {
        ClientCertificates::Optional => "optional",
        ClientCertificates::Required => "yes",
    };
    vec![
        "--tls-cert-file".to_owned(),
        path("server.pem"),
        "--tls-key-file".to_owned(),
        path("server.key"),
        "--tls-ca-cert-file".to_owned(),
        path("ca.pem"),
        "--tls-auth-clients".to_owned(),
        auth.to_owned(),
    ]
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(program))
        .find(|candidate| is_file(candidate))
}

fn is_file(path: &Path) -> bool {
    path.metadata().is_ok_and(|meta| meta.is_file())
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("loopback can bind");
    listener
        .local_addr()
        .expect("a bound socket has an address")
        .port()
}

/// Sends one inline command and returns the first reply line.
fn command(port: u16, line: &str) -> std::io::Result<String> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_millis(200))?;
    stream.set_read_timeout(Some(Duration::from_millis(500)))?;
    stream.write_all(format!("{line}\r\n").as_bytes())?;
    let mut buffer = [0u8; 64];
    let read = stream.read(&mut buffer)?;
    Ok(String::from_utf8_lossy(&buffer[..read]).into_owned())
}
