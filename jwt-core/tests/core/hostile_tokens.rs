//! Tokens shaped to cost the verifier: what a stranger can send is bounded before parsing.

use serde_json::json;

use crate::fixture::{Fixture, forge, kid, settings};

#[tokio::test]
async fn a_header_longer_than_any_this_crate_writes_is_refused_before_decoding() {
    let fixture = Fixture::with(settings().max_token_bytes(65_536));
    // Extra members are fine while the header stays short...
    let short = forge(
        &fixture,
        json!({ "cty": "JWT", "x5t#S256": "a".repeat(43) }),
        json!({}),
    );
    assert!(fixture.bearer(&short).await.require().is_ok());
    // ...but a correctly signed token whose header segment passes 1024 characters is refused,
    // however its bulk is shaped.
    let members: serde_json::Map<String, serde_json::Value> =
        (0..200).map(|n| (format!("m{n}"), json!(0))).collect();
    let many = forge(&fixture, serde_json::Value::Object(members), json!({}));
    let long = forge(&fixture, json!({ "pad": "p".repeat(800) }), json!({}));
    for token in [&many, &long] {
        let header = token.split('.').next().expect("a header segment");
        assert!(header.len() > 1024, "{} characters", header.len());
        assert!(fixture.bearer(token).await.require().is_err());
    }
    assert_eq!(kid(&fixture).len(), 43, "the thumbprint key id fits easily");
}
