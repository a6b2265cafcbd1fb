//! Bad tokens never reach a response body or a log line, nor does a parser's error text.

use std::io::Write;
use std::sync::{Arc, Mutex};

use jwt_core::Endpoint;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

use crate::fixture::{Fixture, forge};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn no_error_body_or_log_line_contains_the_token_or_a_parser_message() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fixture = Fixture::new();
    let tokens = fixture.login().await;
    let marker = "SECRETMARKER";
    let bad_tokens = [
        forge(&fixture, json!({}), json!({ "exp": 1, "note": marker })),
        forge(&fixture, json!({ "kid": marker }), json!({})),
        format!("{marker}.{marker}.{marker}"),
        format!("eyJ{marker}"),
        tokens.refresh.clone(),
    ];
    let mut bodies = Vec::new();
    for token in &bad_tokens {
        let bearer = format!("Bearer {token}");
        let rejection = fixture
            .authenticate("GET", &[("authorization", &bearer)])
            .await
            .require();
        bodies.push(rejection.expect_err("rejected").reply().body().clone());
        let cookie = fixture.access_cookie(token);
        bodies.push(
            fixture
                .post(Endpoint::Logout, &[("cookie", &cookie)])
                .await
                .body()
                .clone(),
        );
        let refresh = format!("RefreshAuthorization={token}");
        bodies.push(
            fixture
                .post(Endpoint::Refresh, &[("cookie", &refresh)])
                .await
                .body()
                .clone(),
        );
    }
    let body = br#"{"username": "alice", "password": SECRETMARKER"#;
    bodies.push(
        fixture
            .call(
                Endpoint::Login,
                "POST",
                &[("content-type", "application/json")],
                body,
            )
            .await
            .body()
            .clone(),
    );
    let wrong_password = br#"{"username": "alice", "password": "SECRETMARKER"}"#;
    bodies.push(
        fixture
            .call(
                Endpoint::Login,
                "POST",
                &[("content-type", "application/json")],
                wrong_password,
            )
            .await
            .body()
            .clone(),
    );

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8 logs");
    assert!(
        logs.contains("access token rejected"),
        "rejections are logged: {logs}"
    );
    for text in bodies
        .iter()
        .map(|body| String::from_utf8_lossy(body).into_owned())
        .chain([logs])
    {
        assert!(!text.contains(marker), "{text}");
        assert!(!text.contains(&tokens.refresh), "{text}");
        for parser_phrase in [
            "expected",
            "line 1",
            "column",
            "invalid type",
            "EOF",
            "Base64",
        ] {
            assert!(!text.contains(parser_phrase), "{parser_phrase:?} in {text}");
        }
    }
}
