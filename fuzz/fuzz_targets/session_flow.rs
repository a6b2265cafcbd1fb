//! End to end: a sequence of requests against one engine (`MemoryStore`, strict logout, a
//! clock the sequence moves), read from the input with `arbitrary`, one byte per choice.
//!
//! Invariants, checked after every step for the tokens it touched, and at the end for all:
//! - no panic, and no 5xx (these engines have no outage, so not even 503);
//! - a session that was logged out (or logged out everywhere) never authenticates again, by
//!   its access token or by a refresh;
//! - a refresh token never works as an access token, in a header or in the access cookie.
#![no_main]

use std::collections::HashSet;

use arbitrary::Unstructured;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use jwt_core::{Endpoint, JwtAuth, NoClaims, RequestBody, RequestHead};
use jwt_fuzz::{USERS, access_token_of, check_reply, engine, refresh_token_of, runtime};
use libfuzzer_sys::fuzz_target;

/// What a login or refresh handed out.
struct Issued {
    access: String,
    refresh: String,
    session: String,
    subject: String,
}

fuzz_target!(|data: &[u8]| {
    let mut input = Unstructured::new(data);
    let (auth, clock) = engine();
    let mut issued: Vec<Issued> = Vec::new();
    let mut revoked: HashSet<String> = HashSet::new();
    runtime().block_on(async {
        for _ in 0..48 {
            let Ok(step) = input.arbitrary::<u8>() else {
                break;
            };
            let pick = input.arbitrary::<u8>().unwrap_or(0) as usize;
            let chosen = (!issued.is_empty()).then(|| &issued[pick % issued.len()]);
            match step % 8 {
                0 => {
                    let (name, password) = USERS[pick % USERS.len()];
                    let password = if pick & 0x80 == 0 { password } else { "wrong" };
                    let body = format!(r#"{{"username":"{name}","password":"{password}"}}"#);
                    let reply = send(&auth, Endpoint::Login, &[], Some(body)).await;
                    if reply.status() == 200 {
                        issued.push(issued_by(&auth, &reply, None).expect("login sets both"));
                    }
                }
                1 => {
                    let Some(chosen) = chosen else { continue };
                    let cookie = format!("{}={}", auth.config().refresh_cookie(), chosen.refresh);
                    let reply =
                        send(&auth, Endpoint::Refresh, &[("cookie", &cookie)], None).await;
                    if reply.status() == 200 {
                        assert!(
                            !revoked.contains(&chosen.session),
                            "a revoked session refreshed"
                        );
                        let next = issued_by(&auth, &reply, Some(&chosen.refresh))
                            .expect("refresh sets an access token");
                        issued.push(next);
                    }
                }
                2 | 3 => {
                    let Some(chosen) = chosen else { continue };
                    let everywhere = step % 8 == 3;
                    let cookie = format!("{}={}", auth.config().access_cookie(), chosen.access);
                    let endpoint = if everywhere {
                        Endpoint::LogoutAll
                    } else {
                        Endpoint::Logout
                    };
                    let reply = send(&auth, endpoint, &[("cookie", &cookie)], None).await;
                    if reply.status() == 200 {
                        if everywhere {
                            revoked.extend(
                                issued
                                    .iter()
                                    .filter(|i| i.subject == chosen.subject)
                                    .map(|i| i.session.clone()),
                            );
                        } else {
                            revoked.insert(chosen.session.clone());
                        }
                    }
                }
                4 => {
                    // Forwards up to about a day, or back up to about two minutes.
                    let seconds = match pick {
                        0..=199 => pick as i64 * 30,
                        _ => -((pick as i64 - 199) * 2),
                    };
                    clock.advance(time::Duration::seconds(seconds));
                }
                _ => {}
            }
            // After every step, the token the step touched; at the end, every token.
            if let Some(token) = issued.get(pick % issued.len().max(1)) {
                check(&auth, token, &revoked, pick).await;
            }
            if let Some(token) = issued.last() {
                check(&auth, token, &revoked, pick).await;
            }
        }
        for token in &issued {
            check(&auth, token, &revoked, 0).await;
            check(&auth, token, &revoked, 1).await;
        }
    });
});

/// What must never authenticate: a revoked session's access token, or any refresh token.
async fn check(auth: &JwtAuth<NoClaims>, token: &Issued, revoked: &HashSet<String>, pick: usize) {
    if authenticated(auth, &token.access, pick).await {
        assert!(!revoked.contains(&token.session), "a revoked session authenticated");
    }
    assert!(
        !authenticated(auth, &token.refresh, pick).await,
        "a refresh token authenticated as an access token"
    );
}

/// Sends a POST to an endpoint with the given headers (and a JSON body for login).
async fn send(
    auth: &JwtAuth<NoClaims>,
    endpoint: Endpoint,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> jwt_core::Reply {
    let mut fields: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(name, value)| (*name, value.as_bytes()))
        .collect();
    if body.is_some() {
        fields.push(("content-type", b"application/json"));
    }
    let head = RequestHead::from_pairs(auth.config(), "POST", fields);
    let body = RequestBody::Complete(body.map(Bytes::from).unwrap_or_default());
    let reply = auth.handle(endpoint, &head, body).await;
    check_reply(&reply);
    reply
}

/// Whether the token authenticates a GET, sent as Bearer or as the access cookie.
async fn authenticated(auth: &JwtAuth<NoClaims>, token: &str, pick: usize) -> bool {
    let bearer = format!("Bearer {token}");
    let cookie = format!("{}={token}", auth.config().access_cookie());
    let field: (&str, &[u8]) = if pick % 2 == 0 {
        ("authorization", bearer.as_bytes())
    } else {
        ("cookie", cookie.as_bytes())
    };
    let head = RequestHead::from_pairs(auth.config(), "GET", [field]);
    auth.authenticate(&head).await.require().is_ok()
}

/// The tokens a successful login or refresh set, and the session they belong to.
fn issued_by(
    auth: &JwtAuth<NoClaims>,
    reply: &jwt_core::Reply,
    previous_refresh: Option<&str>,
) -> Option<Issued> {
    let access = access_token_of(reply)?;
    let refresh = refresh_token_of(reply, auth.config())
        .or_else(|| previous_refresh.map(str::to_owned))?;
    let claims = access.split('.').nth(1)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
    Some(Issued {
        session: claims["sid"].as_str()?.to_owned(),
        subject: claims["sub"].as_str()?.to_owned(),
        access,
        refresh,
    })
}
