//! What every browser test needs: chromedriver and Chromium as child processes, a WebDriver
//! session, and what the browser holds and sends (cookies, requests, answers) read through
//! chromedriver's DevTools endpoints.

use std::collections::HashMap;
use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use url::{ParseError, Url};

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const INSTALL_HINT: &str = "Debian's chromium and chromium-driver packages are needed: run the \
     README's test command, which installs them (apt-get install -y chromium chromium-driver)";

/// How long one step (a page load, an answer shown on the page) may take.
pub(crate) const STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// On two cores, several Chromium instances at once only make each one slow enough to time out.
pub(crate) static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A name the browser maps to 127.0.0.1 (`--host-resolver-rules`), so no lookup leaves the
/// machine.
pub(crate) const OTHER_HOST: &str = "demo.test";

/// Names under `localhost` that the browser maps to 127.0.0.1 too: two sites
/// (`example.localhost` and `elsewhere.localhost`) whose subdomains are sibling origins.
/// Browsers treat every `*.localhost` as a secure context, so `Secure` cookies work there over
/// plain http.
pub(crate) const LOCALHOST_NAMES: &str = "*.localhost";

pub(crate) async fn save_screenshot(client: &Client, framework: &str) -> String {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-{framework}.png"));
    match client.screenshot().await {
        Ok(png) => match std::fs::write(&path, png) {
            Ok(()) => path.display().to_string(),
            Err(error) => format!("not saved: {error}"),
        },
        Err(error) => format!("not taken: {error}"),
    }
}

// ----- What the browser holds and sends --------------------------------------------------

/// The cookies the browser would send to `url` (DevTools `Network.getCookies`, which matches
/// domain, path and the Secure flag against that URL), as DevTools describes them.
pub(crate) async fn cookies_for(client: &Client, url: &str) -> Result<Vec<Value>, String> {
    let answer = step(
        "ask DevTools for cookies",
        client
            .issue_cmd(ChromeCommand::devtools(
                "Network.getCookies",
                json!({ "urls": [url] }),
            ))
            .await,
    )?;
    answer["cookies"]
        .as_array()
        .cloned()
        .ok_or_else(|| format!("unexpected Network.getCookies answer: {answer}"))
}

pub(crate) fn named<'a>(cookies: &'a [Value], name: &str) -> Option<&'a Value> {
    cookies.iter().find(|cookie| cookie["name"] == name)
}

/// A request the browser sent, with the names of the cookies in its `Cookie` header as sent.
#[derive(Debug)]
pub(crate) struct SentRequest {
    pub(crate) method: String,
    pub(crate) url: String,
    pub(crate) cookies: Vec<String>,
    /// The `Sec-Fetch-Site` the browser sent, if any.
    pub(crate) fetch_site: Option<String>,
    /// The status of the answer, if one arrived.
    pub(crate) status: Option<u64>,
}

/// The requests sent since the last call, from Chromium's performance log: the network events
/// `requestWillBeSent` (method and URL) and `requestWillBeSentExtraInfo` (the headers as they
/// went on the wire, `Cookie` included).
pub(crate) async fn sent_requests(client: &Client) -> Result<Vec<SentRequest>, String> {
    let entries = step(
        "read the performance log",
        client.issue_cmd(ChromeCommand::performance_log()).await,
    )?;
    let entries = entries
        .as_array()
        .ok_or_else(|| format!("unexpected performance log: {entries}"))?;
    let mut order = Vec::new();
    let mut requests: HashMap<String, (String, String)> = HashMap::new();
    let mut cookie_headers: HashMap<String, String> = HashMap::new();
    let mut fetch_sites: HashMap<String, String> = HashMap::new();
    let mut statuses: HashMap<String, u64> = HashMap::new();
    for entry in entries {
        let Some(text) = entry["message"].as_str() else {
            continue;
        };
        let event: Value = serde_json::from_str(text)
            .map_err(|error| format!("unreadable performance log entry: {error}"))?;
        let params = &event["message"]["params"];
        let Some(id) = params["requestId"].as_str() else {
            continue;
        };
        match event["message"]["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                let method = params["request"]["method"].as_str().unwrap_or_default();
                let url = params["request"]["url"].as_str().unwrap_or_default();
                if requests
                    .insert(id.to_owned(), (method.to_owned(), url.to_owned()))
                    .is_none()
                {
                    order.push(id.to_owned());
                }
            }
            Some("Network.requestWillBeSentExtraInfo") => {
                let header = |wanted: &str| {
                    params["headers"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
                        .and_then(|(_, value)| value.as_str())
                        .map(str::to_owned)
                };
                if let Some(cookie) = header("cookie") {
                    cookie_headers.insert(id.to_owned(), cookie);
                }
                if let Some(site) = header("sec-fetch-site") {
                    fetch_sites.insert(id.to_owned(), site);
                }
            }
            // The status as it came off the wire, even for an answer CORS keeps from the page.
            Some("Network.responseReceivedExtraInfo") => {
                if let Some(status) = params["statusCode"].as_u64() {
                    statuses.insert(id.to_owned(), status);
                }
            }
            Some("Network.responseReceived") => {
                if let Some(status) = params["response"]["status"].as_u64() {
                    statuses.entry(id.to_owned()).or_insert(status);
                }
            }
            _ => {}
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| {
            let (method, url) = requests.remove(&id)?;
            let cookies = cookie_headers
                .get(&id)
                .map(|header| {
                    header
                        .split(';')
                        .filter_map(|pair| pair.split_once('='))
                        .map(|(name, _)| name.trim().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            Some(SentRequest {
                method,
                url,
                cookies,
                fetch_site: fetch_sites.remove(&id),
                status: statuses.remove(&id),
            })
        })
        .collect())
}

/// The last `method` request to `url` among `sent`.
pub(crate) fn last_request<'a>(
    sent: &'a [SentRequest],
    method: &str,
    url: &str,
) -> Result<&'a SentRequest, String> {
    sent.iter()
        .rev()
        .find(|request| request.method == method && request.url == url)
        .ok_or_else(|| format!("the browser sent no {method} {url}: {sent:?}"))
}

/// chromedriver's own endpoints, beside the W3C ones: a DevTools command, and the browser's
/// logs.
#[derive(Debug)]
pub(crate) struct ChromeCommand {
    endpoint: &'static str,
    body: Value,
}

impl ChromeCommand {
    pub(crate) fn devtools(command: &str, params: Value) -> Self {
        Self {
            endpoint: "goog/cdp/execute",
            body: json!({ "cmd": command, "params": params }),
        }
    }

    pub(crate) fn performance_log() -> Self {
        Self {
            endpoint: "se/log",
            body: json!({ "type": "performance" }),
        }
    }
}

impl WebDriverCompatibleCommand for ChromeCommand {
    fn endpoint(&self, base_url: &Url, session_id: Option<&str>) -> Result<Url, ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/{}", self.endpoint))
    }

    fn method_and_body(&self, _request_url: &Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

// ----- Processes ------------------------------------------------------------------------

pub(crate) async fn browser_session(driver: SocketAddr, profile: &Path) -> Result<Client, String> {
    let profile = profile.display();
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                // Root on a test machine has no user namespace for the sandbox.
                "--no-sandbox",
                "--disable-gpu",
                // With no network beyond loopback, these background services keep
                // Chromium waiting.
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!(
                    "--host-resolver-rules=MAP {OTHER_HOST} 127.0.0.1, MAP {LOCALHOST_NAMES} 127.0.0.1"
                ),
                format!("--user-data-dir={profile}"),
            ],
        },
        "goog:loggingPrefs": { "performance": "ALL" },
    });
    let Value::Object(capabilities) = capabilities else {
        return Err("capabilities are a JSON object".to_owned());
    };
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://{driver}"))
        .await
        .map_err(|error| error.to_string())
}

/// Starts chromedriver on a free port, with its log and the browser's profile in `scratch`,
/// and opens a browser session through it; panics with chromedriver's log when either fails.
/// The driver process lives as long as the returned handle.
pub(crate) async fn start_browser(scratch: &Path) -> (Process, Client) {
    let driver_addr = free_loopback_port();
    let driver = Process::start_listening(
        Command::new(CHROMEDRIVER).arg(format!("--port={}", driver_addr.port())),
        driver_addr,
        &scratch.join("chromedriver.log"),
    )
    .unwrap_or_else(|failure| panic!("chromedriver: {failure}. {INSTALL_HINT}"));
    let client = browser_session(driver.addr, &scratch.join("profile"))
        .await
        .unwrap_or_else(|failure| {
            panic!(
                "no browser session: {failure}\n--- chromedriver log ---\n{}",
                driver.log()
            )
        });
    (driver, client)
}

/// A child process listening on a loopback port, killed when dropped.
pub(crate) struct Process {
    child: Child,
    pub(crate) addr: SocketAddr,
    log: PathBuf,
}

impl Process {
    /// Spawns `command`, told to listen on `addr`, with its output in `log`, and waits until
    /// it accepts connections there.
    pub(crate) fn start_listening(
        command: &mut Command,
        addr: SocketAddr,
        log: &Path,
    ) -> Result<Self, String> {
        let output = File::create(log).map_err(|error| error.to_string())?;
        let errors = output.try_clone().map_err(|error| error.to_string())?;
        let child = command
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .map_err(|error| format!("cannot start {:?}: {error}", command.get_program()))?;
        let mut process = Self {
            child,
            addr,
            log: log.to_owned(),
        };
        let deadline = Instant::now() + STEP_TIMEOUT;
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = process.child.try_wait() {
                return Err(format!("exited with {status}:\n{}", process.log()));
            }
            if Instant::now() > deadline {
                return Err(format!("not listening on {addr}:\n{}", process.log()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(process)
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Only this process, by its own handle.
        let _already_gone = self.child.kill();
        let _status = self.child.wait();
    }
}

/// A loopback port nobody listens on right now.
pub(crate) fn free_loopback_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("the loopback interface has a free port")
}

// ----- Checks ---------------------------------------------------------------------------

pub(crate) fn step<T, E: std::fmt::Display>(what: &str, result: Result<T, E>) -> Result<T, String> {
    result.map_err(|error| format!("{what}: {error}"))
}

pub(crate) fn check(holds: bool, failure: String) -> Result<(), String> {
    if holds { Ok(()) } else { Err(failure) }
}
