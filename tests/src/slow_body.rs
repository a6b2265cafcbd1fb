//! A login body that trickles in: the server must cut it off with `408` rather than hold the
//! request open. Only a real socket can send half a body and then nothing, so this runs
//! against servers reached over TCP.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::failure::{Failure, Outcome};

/// How long the server may take to answer past `JWT_LOGIN_BODY_TIMEOUT`'s default (5 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// Sends a login request whose body stops after a few bytes of the announced length, then
/// waits: the answer must be `408 {"message": "Request timeout."}` with `no-store`.
pub(crate) async fn slow_login_body_answers_408(addr: SocketAddr, login_path: &str) -> Outcome {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|error| Failure::new(format!("cannot connect to {addr}: {error}")))?;
    // The first 28 bytes arrive: Rocket peeks at the first 14 bytes of every body before it
    // routes the request (for a `_method` field), and a body stalled before those hangs in
    // Rocket itself, where no adapter can answer; past them, every server's login must.
    let head = format!(
        "POST {login_path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 64\r\n\r\n{{\"username\": \"conformance\","
    );
    stream
        .write_all(head.as_bytes())
        .await
        .map_err(|error| Failure::new(format!("cannot send the request: {error}")))?;
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(ANSWER_WITHIN, async {
        let mut buffer = [0_u8; 4096];
        // Read until the JSON body has arrived (or the server closes).
        while !answer.ends_with(b"}") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    if read.is_err() {
        return Err(Failure::new(format!(
            "no answer within {ANSWER_WITHIN:?} to a login body that stopped half-way"
        )));
    }
    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    if !text.starts_with("http/1.1 408") {
        return Err(Failure::new(format!(
            "a login body that stopped half-way got, after {:?}: {text:?}",
            started.elapsed()
        )));
    }
    if !text.contains("cache-control: no-store") || !text.contains("request timeout.") {
        return Err(Failure::new(format!(
            "the 408 lacks no-store or its message: {text:?}"
        )));
    }
    Ok(())
}
