//! No byte string, as a token, a cookie header or a login body, makes the engine panic or
//! answer with a server error.

use bytes::Bytes;
use jwt_core::{Endpoint, RequestBody, RequestHead};
use proptest::prelude::*;

use crate::fixture::Fixture;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn run_everything(
    fixture: &Fixture,
    runtime: &tokio::runtime::Runtime,
    headers: &[(&str, &[u8])],
    body: &[u8],
) {
    let config = fixture.auth.config();
    runtime.block_on(async {
        for method in ["GET", "POST"] {
            let head = RequestHead::from_pairs(config, method, headers.iter().copied());
            let outcome = fixture.auth.authenticate(&head).await;
            if let Err(rejection) = outcome.require() {
                assert!(rejection.status().is_client_error());
            }
            for endpoint in Endpoint::ALL {
                let reply = fixture
                    .auth
                    .handle(
                        endpoint,
                        &head,
                        RequestBody::Complete(Bytes::copy_from_slice(body)),
                    )
                    .await;
                assert!(
                    reply.status().as_u16() < 500,
                    "{endpoint:?} answered {}",
                    reply.status()
                );
            }
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_as_a_token_are_refused_without_a_server_error(token in proptest::collection::vec(any::<u8>(), 0..600)) {
        let fixture = Fixture::new();
        let runtime = runtime();
        let mut bearer = b"Bearer ".to_vec();
        bearer.extend_from_slice(&token);
        let mut cookie = b"Authorization=".to_vec();
        cookie.extend_from_slice(&token);
        let mut refresh = b"RefreshAuthorization=".to_vec();
        refresh.extend_from_slice(&token);
        run_everything(&fixture, &runtime, &[("authorization", &bearer)], b"");
        run_everything(&fixture, &runtime, &[("cookie", &cookie), ("cookie", &refresh)], b"");
        run_everything(&fixture, &runtime, &[("RefreshAuthorization", &token)], b"");
    }

    #[test]
    fn token_shaped_strings_are_refused_without_a_server_error(token in "[A-Za-z0-9_=+/.-]{0,40}\\.[A-Za-z0-9_-]{0,300}\\.[A-Za-z0-9_=.-]{0,100}") {
        let fixture = Fixture::new();
        let runtime = runtime();
        let bearer = format!("Bearer {token}");
        run_everything(&fixture, &runtime, &[("authorization", bearer.as_bytes())], b"");
    }

    #[test]
    fn any_cookie_header_is_survived(cookie in proptest::collection::vec(any::<u8>(), 0..400)) {
        let fixture = Fixture::new();
        let runtime = runtime();
        run_everything(&fixture, &runtime, &[("cookie", &cookie), ("origin", &cookie), ("sec-fetch-site", &cookie)], b"");
    }

    #[test]
    fn any_login_body_is_survived(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        content_type in prop::sample::select(vec![
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=b",
            "multipart/form-data",
            "text/plain",
        ]),
    ) {
        let fixture = Fixture::new();
        let runtime = runtime();
        run_everything(&fixture, &runtime, &[("content-type", content_type.as_bytes())], &body);
    }
}
