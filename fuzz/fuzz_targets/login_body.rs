//! The login endpoint: content type × body, JSON, form and multipart.
//!
//! The input is a request as text (see `TextRequest`): its `Content-Type` and
//! `Content-Length` lines and its body reach the login endpoint as an adapter would pass them.
//!
//! Invariants: no panic, no 5xx, every reply a JSON message; a 200 sets both cookies, and its
//! access token authenticates one of the known users.
#![no_main]

use jwt_fuzz::{TextRequest, USERS, access_token_of, check_reply, engine, runtime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(request) = TextRequest::parse(data) else {
        return;
    };
    let (auth, _clock) = engine();
    let head = request.head(auth.config());
    let reply = runtime().block_on(auth.login(&head, request.request_body()));
    check_reply(&reply);
    if reply.status() == 200 {
        assert_eq!(reply.headers().get_all("set-cookie").iter().count(), 2);
        let token = access_token_of(&reply).expect("an access cookie");
        let principal = auth
            .verify_access_token(&token)
            .expect("a fresh access token authenticates");
        assert!(USERS.iter().any(|(name, _)| *name == principal.subject));
    }
});
