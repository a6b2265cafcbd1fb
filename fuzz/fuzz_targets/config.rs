//! Settings from an environment map and from TOML. The first byte picks the form: even, the
//! rest is `NAME=value` lines handed to `JwtConfigBuilder::from_vars`; odd, the rest is TOML.
//!
//! Invariants: no panic; and a configuration that builds works: alice can log in (unless the
//! settings make login unusable on purpose, such as an asymmetric key the target lacks,
//! which cannot build), and her access token authenticates, so that no setting can make
//! login hand out a cookie that never authenticates.
#![no_main]

use bytes::Bytes;
use jwt_core::{JwtConfigBuilder, RequestBody, RequestHead};
use jwt_fuzz::{access_token_of, engine_with, runtime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let builder = if mode % 2 == 0 {
        let vars = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .filter(|(name, _)| !name.contains('\0'))
            .filter(|(name, _)| !name.ends_with("_FILE") && !name.ends_with("_FILES"))
            .map(|(name, value)| (name.to_owned(), value.replace('\0', "")));
        JwtConfigBuilder::from_vars(vars.collect::<Vec<_>>())
    } else {
        if text.contains("key_file") {
            // Key files are checked by their own tests; the fuzzer must not read the disk.
            return;
        }
        JwtConfigBuilder::from_toml_str(text)
    };
    let Ok(builder) = builder else {
        return;
    };
    let Ok(config) = builder.build() else {
        return;
    };
    let _ = format!("{config:?}");
    let (auth, _clock) = engine_with(config);
    let headers = [("content-type", &b"application/json"[..])];
    let head = RequestHead::from_pairs(auth.config(), "POST", headers);
    let body = RequestBody::Complete(Bytes::from_static(
        br#"{"username":"alice","password":"password1"}"#,
    ));
    let reply = runtime().block_on(auth.login(&head, body));
    assert_eq!(reply.status(), 200, "{reply:?}");
    let token = access_token_of(&reply).expect("an access cookie");
    if let Err(error) = auth.verify_access_token(&token) {
        panic!("a fresh access token does not authenticate ({error}): {} bytes", token.len());
    }
});
