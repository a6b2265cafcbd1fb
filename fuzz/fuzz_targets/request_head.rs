//! A request head (method, cookie and authorization headers, origins) through everything that
//! reads one: the middleware's authentication and the three endpoints that read no body.
//!
//! The input is a request as text (see `TextRequest`); the seeds are the conformance suite's
//! requests. Every ninth byte of a header may be anything, so cookie parsing, the Bearer
//! scheme and the origin checks all meet bytes no browser sends.
//!
//! Invariants: no panic, no 5xx, every reply a JSON message.
#![no_main]

use jwt_fuzz::{TextRequest, check_reply, engine, runtime};
use jwt_core::Endpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(request) = TextRequest::parse(data) else {
        return;
    };
    let (auth, _clock) = engine();
    let head = request.head(auth.config());
    runtime().block_on(async {
        let _ = auth.verify_request(&head);
        let _ = auth.authenticate(&head).await;
        for endpoint in [Endpoint::Refresh, Endpoint::Logout, Endpoint::LogoutAll] {
            check_reply(&auth.handle(endpoint, &head, request.request_body()).await);
        }
    });
});
