//! What hostile input and cache pressure cost, with criterion.
//!
//! - `token_shape/*`: `JwtAuth::verify_access_token` on tokens of one shape each, with
//!   `JWT_MAX_TOKEN_BYTES=65536`. `normal`: a token as login mints it (about 300 bytes,
//!   accepted). `plain_64k`: a valid token of 64 KiB whose bulk is one long claim, the normal
//!   token of that size. What a stranger can send, each 64 KiB with a spoilt signature:
//!   `worst_64k`, a header as long as verification reads (1024 characters) made of as many
//!   members as fit, then a payload that fills the rest (hashed for the signature check, never
//!   parsed); `header_members_64k`, the shape that made the duplicate-name check quadratic,
//!   thousands of distinct header members. For information, `claims_members_64k`: thousands
//!   of claims in a validly signed token, which only the key's holder can make. The ratios to
//!   `plain_64k` are printed at the end; what a stranger can send must stay within 2×.
//! - `cache/*`: `JwtAuth::verify_request` on a bearer token, per request, with the
//!   verified-token cache at 10,000 entries (`cached`) and off (`uncached`): one token sent
//!   again and again; 100,000 distinct valid tokens cycled in a random order; one hot token
//!   sent every other request among 10,000 cold ones cycled in a random order.
//!
//! `cargo bench -p jwt-core --bench hostile_input`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::Criterion;
use jsonwebtoken::{Algorithm, EncodingKey};
use jwt_core::{JwtAuth, JwtConfig, ManualClock, MemoryAuthenticator, NoClaims, RequestHead};

const SECRET: &str = "benchmark secret: 0123456789abcdef0123456789abcdef";
const START: i64 = 1_800_000_000;
const BIG: usize = 64 * 1024;

fn config() -> JwtConfig {
    JwtConfig::builder()
        .secret(SECRET)
        .max_token_bytes(BIG)
        .build()
        .expect("benchmark settings are valid")
}

fn engine(config: &JwtConfig, cache: usize) -> JwtAuth<NoClaims> {
    JwtAuth::builder(
        config.clone(),
        Arc::new(MemoryAuthenticator::<NoClaims>::new()),
    )
    .clock(ManualClock::at_unix(START))
    .verified_token_cache(cache)
    .build()
}

fn sign(header: &str, claims: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let key = EncodingKey::from_secret(SECRET.as_bytes()).expect("HMAC key");
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256).expect("signs");
    format!("{input}.{signature}")
}

fn header(kid: &str) -> String {
    format!(r#"{{"alg":"HS256","typ":"at+jwt","kid":"{kid}"}}"#)
}

fn claims(n: usize) -> String {
    format!(
        r#"{{"sub":"user{n}","sid":"session{n}","jti":"token{n}","iat":{START},"exp":{}}}"#,
        START + 300
    )
}

/// `base` with `extra` members added before its closing brace.
fn with_members(base: &str, extra: &str) -> String {
    format!("{},{extra}}}", &base[..base.len() - 1])
}

/// Members that fill about `bytes` bytes of JSON: one long string, or many short distinct ones.
fn bulk(bytes: usize, many: bool) -> String {
    if !many {
        return format!(r#""pad":"{}""#, "a".repeat(bytes));
    }
    let mut members = Vec::new();
    let mut len = 0;
    let mut n = 0;
    while len < bytes {
        let member = format!(r#""m{n}":0"#);
        len += member.len() + 1;
        members.push(member);
        n += 1;
    }
    members.join(",")
}

/// Shortens or pads `bulk` until the whole token is exactly `BIG` bytes (or just under).
fn fit(make: impl Fn(usize) -> String) -> String {
    let mut target = BIG * 3 / 4 - 200;
    loop {
        let token = make(target);
        if token.len() <= BIG {
            return token;
        }
        target -= (token.len() - BIG) * 3 / 4 + 8;
    }
}

/// Spoils a token's signature, keeping its length: what a stranger, without the key, sends.
fn spoil(mut token: String) -> String {
    let last = token
        .pop()
        .map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
    token.push(last);
    token
}

/// A header of as many short members as fit in `segment` base64url characters.
fn header_of_members(kid: &str, segment: usize) -> String {
    let mut members = 0;
    loop {
        let next = with_members(&header(kid), &bulk_members(members + 1));
        if URL_SAFE_NO_PAD.encode(&next).len() > segment {
            return with_members(&header(kid), &bulk_members(members));
        }
        members += 1;
    }
}

fn bulk_members(count: usize) -> String {
    (0..count)
        .map(|n| format!(r#""m{n}":0"#))
        .collect::<Vec<_>>()
        .join(",")
}

fn token_shape(c: &mut Criterion) {
    let config = config();
    let kid = config.keys().signing_key_id().to_owned();
    let auth = engine(&config, 0);
    let worst_header = header_of_members(&kid, 1024);
    let shapes = [
        ("normal", sign(&header(&kid), &claims(0)), true),
        (
            "plain_64k",
            fit(|n| sign(&header(&kid), &with_members(&claims(0), &bulk(n, false)))),
            true,
        ),
        (
            "worst_64k",
            fit(|n| {
                spoil(sign(
                    &worst_header,
                    &with_members(&claims(0), &bulk(n, false)),
                ))
            }),
            false,
        ),
        (
            "header_members_64k",
            fit(|n| {
                spoil(sign(
                    &with_members(&header(&kid), &bulk(n, true)),
                    &claims(0),
                ))
            }),
            false,
        ),
        (
            "claims_members_64k",
            fit(|n| sign(&header(&kid), &with_members(&claims(0), &bulk(n, true)))),
            true,
        ),
    ];
    let mut group = c.benchmark_group("token_shape");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, token, accepted) in &shapes {
        assert_eq!(
            auth.verify_access_token(token).is_ok(),
            *accepted,
            "{name}: {} bytes",
            token.len()
        );
        group.bench_function(*name, |b| {
            b.iter(|| black_box(auth.verify_access_token(token)))
        });
    }
    group.finish();

    // The ratios, from a plain timing loop of each shape, alternating shapes in rounds so
    // that a change of load hits them alike; the median round of each.
    let mut rounds: Vec<Vec<Duration>> = vec![Vec::new(); shapes.len()];
    for _ in 0..15 {
        for (index, (_, token, _)) in shapes.iter().enumerate() {
            let calls = 40;
            let started = Instant::now();
            for _ in 0..calls {
                black_box(auth.verify_access_token(token)).ok();
            }
            rounds[index].push(started.elapsed() / calls);
        }
    }
    let medians: Vec<Duration> = rounds
        .iter_mut()
        .map(|times| {
            times.sort();
            times[times.len() / 2]
        })
        .collect();
    for ((name, token, _), time) in shapes.iter().zip(&medians) {
        let ratio = time.as_secs_f64() / medians[1].as_secs_f64();
        println!(
            "token_shape {name:<20} {:>6} bytes {time:>10.2?} per verification, {ratio:.2}x plain_64k",
            token.len()
        );
    }
}

/// A fixed-seed shuffle (xorshift), so every run sees the same order.
fn shuffle<T>(items: &mut [T]) {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        items.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

fn cache(c: &mut Criterion) {
    let config = config();
    let kid = config.keys().signing_key_id().to_owned();
    let header = header(&kid);
    let bearer = |n: usize| format!("Bearer {}", sign(&header, &claims(n)));
    let mut distinct: Vec<String> = (0..100_000).map(bearer).collect();
    shuffle(&mut distinct);
    let hot = bearer(1_000_000);
    let mut cold: Vec<String> = (0..10_000).map(|n| bearer(2_000_000 + n)).collect();
    shuffle(&mut cold);
    let hot_among_cold: Vec<String> = cold
        .iter()
        .flat_map(|token| [hot.clone(), token.clone()])
        .collect();
    let single = vec![bearer(3_000_000)];

    let mut group = c.benchmark_group("cache");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, sequence) in [
        ("single_token", &single),
        ("distinct_100k_random", &distinct),
        ("hot_among_10k_cold", &hot_among_cold),
    ] {
        for (label, capacity) in [("cached_10k", 10_000), ("uncached", 0)] {
            let auth = engine(&config, capacity);
            let mut next = 0;
            group.bench_function(format!("{name}/{label}"), |b| {
                b.iter(|| {
                    let value = sequence[next].as_bytes();
                    next = (next + 1) % sequence.len();
                    let head =
                        RequestHead::from_pairs(auth.config(), "GET", [("authorization", value)]);
                    let outcome = auth.verify_request(&head);
                    debug_assert!(outcome.principal().is_some());
                    black_box(outcome)
                })
            });
        }
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    token_shape(&mut criterion);
    cache(&mut criterion);
    criterion.final_summary();
}
