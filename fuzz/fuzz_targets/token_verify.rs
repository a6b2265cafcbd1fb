//! Token verification with a real key ring. The first byte picks how the rest is used:
//! - even: the rest is a token as sent, verified as is;
//! - odd: the rest is a header and a claims object separated by a 0xFF byte, which the target
//!   signs with the engine's own key, so that the fuzzer explores the header and claims
//!   checks behind the signature and not only the parsing in front of it.
//!
//! Invariants: no panic; the same answer twice; a token the engine accepts carries a valid
//! HS256 signature by the engine's secret (checked here on its own), `typ` `at+jwt` and a
//! non-empty `sub`.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_fuzz::{SECRET, engine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (auth, _clock) = engine();
    let token = if mode % 2 == 0 {
        match std::str::from_utf8(rest) {
            Ok(token) => token.to_owned(),
            Err(_) => return,
        }
    } else {
        let (header, claims) = match rest.iter().position(|&b| b == 0xff) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &b"{}"[..]),
        };
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).expect("key");
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
                .expect("HMAC signs anything");
        format!("{input}.{signature}")
    };
    let first = auth.verify_access_token(&token);
    let again = auth.verify_access_token(&token);
    assert_eq!(first.is_ok(), again.is_ok());
    if let Ok(principal) = first {
        let (input, signature) = token.rsplit_once('.').expect("accepted, so three segments");
        let key = jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes()).expect("key");
        let genuine = jsonwebtoken::crypto::verify(
            signature,
            input.as_bytes(),
            &key,
            jsonwebtoken::Algorithm::HS256,
        );
        assert!(matches!(genuine, Ok(true)), "a forged token was accepted: {token}");
        assert!(!principal.subject.is_empty());
        let header = token.split('.').next().unwrap_or_default();
        let header = URL_SAFE_NO_PAD.decode(header).expect("accepted, so base64url");
        let header: serde_json::Value =
            serde_json::from_slice(&header).expect("accepted, so JSON");
        let typ = header["typ"].as_str().unwrap_or_default().to_ascii_lowercase();
        assert!(typ.ends_with("at+jwt"), "typ {typ}");
    }
});
