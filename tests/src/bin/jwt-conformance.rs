//! Checks a running server from outside: runs every scenario that works over TCP against
//! `JWT_CONFORMANCE_URL`, logging in as `JWT_CONFORMANCE_USERNAME` /
//! `JWT_CONFORMANCE_PASSWORD`. The server must run with default settings, except that
//! `JWT_CONFORMANCE_TRUSTED_ORIGINS` may name the origins of its `JWT_TRUSTED_ORIGINS`
//! (comma-separated), which adds the scenarios about trusted origins.
//!
//! Exit status: 0 when every scenario passed, 1 when one failed, 2 when not configured.

use std::process::ExitCode;

const USAGE: &str = "usage: JWT_CONFORMANCE_URL=http://127.0.0.1:8000 \
JWT_CONFORMANCE_USERNAME=<user> JWT_CONFORMANCE_PASSWORD=<password> jwt-conformance";

fn main() -> ExitCode {
    let Ok(url) = std::env::var("JWT_CONFORMANCE_URL") else {
        eprintln!("JWT_CONFORMANCE_URL is not set: no server to check, nothing was run.\n{USAGE}");
        return ExitCode::from(2);
    };
    let (Ok(username), Ok(password)) = (
        std::env::var("JWT_CONFORMANCE_USERNAME"),
        std::env::var("JWT_CONFORMANCE_PASSWORD"),
    ) else {
        eprintln!(
            "JWT_CONFORMANCE_USERNAME and JWT_CONFORMANCE_PASSWORD must name a user of the server.\n{USAGE}"
        );
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start a runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let trusted = std::env::var("JWT_CONFORMANCE_TRUSTED_ORIGINS").unwrap_or_default();
    let trusted: Vec<&str> = trusted
        .split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .collect();
    let report = runtime.block_on(jwt_conformance::run_over_tcp_trusting(
        &url, &username, &password, &trusted,
    ));
    println!("{}", report.summary());
    if report.failed() == 0 && report.passed() > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
