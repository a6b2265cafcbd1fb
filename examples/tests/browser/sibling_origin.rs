//! A single-page app on a sibling origin, the most common shape of cookie-JWT auth: a page on
//! `http://app.example.localhost:PAGE` calls the demo API on
//! `http://api.example.localhost:API` with `credentials: "include"`. The browser calls these
//! requests `same-site`; with the page's origin in `JWT_TRUSTED_ORIGINS` the API's
//! cross-origin check lets them through and its CORS layer lets the page read the answers.
//! Pages elsewhere (an untrusted sibling, another site) are refused.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::Command;

use bytes::Bytes;
use fantoccini::Client;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::support::{
    CHROMEDRIVER, CHROMIUM, INSTALL_HINT, ONE_BROWSER_AT_A_TIME, Process, check, cookies_for,
    free_loopback_port, last_request, named, save_screenshot, sent_requests, start_browser, step,
};

#[tokio::test]
async fn sibling_origin_app_uses_the_api_axum() {
    sibling_origin("axum", option_env!("CARGO_BIN_EXE_axum")).await;
}

#[tokio::test]
async fn sibling_origin_app_uses_the_api_actix() {
    sibling_origin("actix", option_env!("CARGO_BIN_EXE_actix")).await;
}

#[tokio::test]
async fn sibling_origin_app_uses_the_api_rocket() {
    sibling_origin("rocket", option_env!("CARGO_BIN_EXE_rocket")).await;
}

#[tokio::test]
async fn sibling_origin_app_uses_the_api_warp() {
    sibling_origin("warp", option_env!("CARGO_BIN_EXE_warp")).await;
}

#[tokio::test]
async fn sibling_origin_app_uses_the_api_hyper() {
    sibling_origin("hyper", option_env!("CARGO_BIN_EXE_hyper")).await;
}

/// The app's page: it calls the API named in its `?api=` parameter, and reports what came
/// back (or that the browser kept the answer from it).
const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>sibling app</title></head>
<body><p>An app on a sibling origin of its API.</p>
<script>
const API = new URLSearchParams(location.search).get("api");
async function call(method, path, contentType, body) {
  const init = { method, credentials: "include", headers: {} };
  if (contentType) {
    init.headers["Content-Type"] = contentType;
    init.body = body;
  }
  try {
    const response = await fetch(API + path, init);
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: String(error) };
  }
}
</script></body></html>
"#;

/// Serves [`PAGE`] on a loopback port for every path and host name, until dropped.
struct PageServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl PageServer {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let addr = listener.local_addr().expect("a bound address");
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let service = service_fn(|_request| async {
                        let mut response = http::Response::new(Full::new(Bytes::from(PAGE)));
                        response.headers_mut().insert(
                            http::header::CONTENT_TYPE,
                            http::HeaderValue::from_static("text/html; charset=utf-8"),
                        );
                        Ok::<_, Infallible>(response)
                    });
                    let _closed = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, task }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn sibling_origin(framework: &str, binary: Option<&str>) {
    let binary = binary.unwrap_or_else(|| {
        panic!("the {framework} demo binary (examples/src/bin/{framework}.rs) does not exist")
    });
    for needed in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            std::path::Path::new(needed).exists(),
            "{needed} is missing. {INSTALL_HINT}"
        );
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let pages = PageServer::start().await;
    let app_origin = format!("http://app.example.localhost:{}", pages.addr.port());

    let api_addr = free_loopback_port();
    let api = Process::start_listening(
        Command::new(binary)
            .arg("--addr")
            .arg(api_addr.to_string())
            .arg("--db")
            .arg(scratch.path().join("users.sqlite"))
            .env_clear()
            .env("JWT_SECRET", "a browser-test secret of at least 32 bytes")
            .env("JWT_DEMO_USERS", "alice:password1")
            .env("JWT_TRUSTED_ORIGINS", &app_origin)
            .env("RUST_LOG", "info"),
        api_addr,
        &scratch.path().join("api.log"),
    )
    .unwrap_or_else(|failure| panic!("{framework} demo: {failure}"));

    let (_driver, client) = start_browser(scratch.path()).await;

    let origins = Origins {
        api: format!("http://api.example.localhost:{}", api.addr.port()),
        app: app_origin,
        untrusted_sibling: format!("http://other.example.localhost:{}", pages.addr.port()),
        other_site: format!("http://elsewhere.localhost:{}", pages.addr.port()),
    };
    let outcome = match tokio::time::timeout(crate::FLOW_TIMEOUT, flow(&client, &origins)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(format!(
            "the flow took longer than {:?}",
            crate::FLOW_TIMEOUT
        )),
    };
    if let Err(failure) = &outcome {
        let screenshot = save_screenshot(&client, &format!("sibling-{framework}")).await;
        let closed = client.close().await;
        panic!(
            "{framework}: {failure}\n(screenshot: {screenshot}; browser closed: {closed:?})\n\
             --- api log ---\n{}",
            api.log()
        );
    }
    client.close().await.expect("the browser session closes");
}

struct Origins {
    api: String,
    app: String,
    untrusted_sibling: String,
    other_site: String,
}

/// What the page's `call` reported: a status and body, or the browser's refusal to show one.
#[derive(Debug)]
struct Called {
    status: Option<u64>,
    body: String,
}

/// Runs `call(...)` on the open page.
async fn call(
    client: &Client,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> Result<Called, String> {
    let (content_type, body) = body.map_or((Value::Null, Value::Null), |(kind, body)| {
        (json!(kind), json!(body))
    });
    let script = "const [method, path, contentType, body, done] = arguments; \
                  call(method, path, contentType, body).then(done);";
    let answer = step(
        &format!("{method} {path} from the page"),
        client
            .execute_async(script, vec![json!(method), json!(path), content_type, body])
            .await,
    )?;
    Ok(Called {
        status: answer["status"].as_u64(),
        body: answer["body"]
            .as_str()
            .or(answer["error"].as_str())
            .unwrap_or_default()
            .to_owned(),
    })
}

fn expect_status(called: &Called, status: u64, what: &str) -> Result<(), String> {
    check(
        called.status == Some(status),
        format!("{what}: expected {status}, the page saw {called:?}"),
    )
}

const JSON_LOGIN: (&str, &str) = (
    "application/json",
    r#"{"username": "alice", "password": "password1"}"#,
);
/// A form post needs no preflight: exactly what a forged cross-site login would send.
const FORM_LOGIN: (&str, &str) = (
    "application/x-www-form-urlencoded",
    "username=alice&password=password1",
);

async fn open(client: &Client, page_origin: &str, api: &str) -> Result<(), String> {
    let url = format!("{page_origin}/?api={api}");
    step(&format!("open {url}"), client.goto(&url).await)
}

async fn flow(client: &Client, origins: &Origins) -> Result<(), String> {
    let api = &origins.api;
    let login_url = format!("{api}/jwt/login/");

    // The trusted app: log in, ask who I am, refresh, log out.
    open(client, &origins.app, api).await?;
    let login = call(client, "POST", "/jwt/login/", Some(JSON_LOGIN)).await?;
    expect_status(&login, 200, "login from the trusted sibling")?;
    let cookies = cookies_for(client, &format!("{api}/")).await?;
    check(
        named(&cookies, "Authorization").is_some(),
        format!("the API's access cookie after login: {cookies:?}"),
    )?;
    let sent = sent_requests(client).await?;
    let request = last_request(&sent, "POST", &login_url)?;
    check(
        request.fetch_site.as_deref() == Some("same-site"),
        format!("the browser should call the sibling API same-site: {request:?}"),
    )?;

    let whoami = call(client, "GET", "/whoami/", None).await?;
    expect_status(&whoami, 200, "whoami from the trusted sibling")?;
    check(
        whoami.body.contains("\"alice\""),
        format!("whoami names the user: {whoami:?}"),
    )?;
    let refresh = call(client, "POST", "/jwt/refresh/", None).await?;
    expect_status(&refresh, 200, "refresh from the trusted sibling")?;
    let sent = sent_requests(client).await?;
    let request = last_request(&sent, "POST", &format!("{api}/jwt/refresh/"))?;
    check(
        request
            .cookies
            .iter()
            .any(|name| name == "RefreshAuthorization"),
        format!("the refresh cookie goes to the refresh endpoint: {request:?}"),
    )?;
    expect_status(
        &call(client, "GET", "/whoami/", None).await?,
        200,
        "whoami after the refresh",
    )?;
    let logout = call(client, "POST", "/jwt/logout/", None).await?;
    expect_status(&logout, 200, "logout from the trusted sibling")?;
    expect_status(
        &call(client, "GET", "/whoami/", None).await?,
        401,
        "whoami after logout",
    )?;

    // Pages the API does not trust: a sibling nobody named, and another site. Their form
    // logins reach the API (no preflight), which refuses them; the page reads nothing.
    for (page, site) in [
        (&origins.untrusted_sibling, "same-site"),
        (&origins.other_site, "cross-site"),
    ] {
        open(client, page, api).await?;
        let login = call(client, "POST", "/jwt/login/", Some(FORM_LOGIN)).await?;
        check(
            login.status.is_none(),
            format!("a page on {page} must not read the API's answers: {login:?}"),
        )?;
        let sent = sent_requests(client).await?;
        let request = last_request(&sent, "POST", &login_url)?;
        check(
            request.fetch_site.as_deref() == Some(site) && request.status == Some(403),
            format!("the login from {page} ({site}) is refused with 403: {request:?}"),
        )?;
        let cookies = cookies_for(client, &format!("{api}/")).await?;
        check(
            named(&cookies, "Authorization").is_none(),
            format!("no session for {page}: {cookies:?}"),
        )?;
    }
    Ok(())
}
