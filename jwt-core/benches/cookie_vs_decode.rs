//! Cookie → principal against the bare `jsonwebtoken::decode` of the same token, as one ratio.
//!
//! The two are measured in alternating batches of many calls (the order flips every round),
//! so that a change of load on the machine hits both alike; each round gives one ratio, and
//! the median round is reported. The target is HS256 within 1.15× of the bare decode: with
//! the cheapest signature, the engine's own work (reading the request, checking the header
//! and the claims strictly) weighs the most.
//!
//! `cargo bench -p jwt-core --bench cookie_vs_decode [-- HS256 EdDSA ES256]`: with names, only
//! those algorithms run (under a profiler, say).

mod scenario;

use std::hint::black_box;
use std::time::{Duration, Instant};

use jsonwebtoken::Algorithm;

use scenario::{ALGORITHMS, CookieScenario, algorithm_name};

/// How long one batch of calls runs: long against the clock's resolution, short against
/// the drift of the machine's load.
const BATCH: Duration = Duration::from_millis(20);
/// Batches per side; odd, so the median is one round.
const ROUNDS: usize = 41;
/// The HS256 target of the project's issue 10.
const TARGET: f64 = 1.15;

struct Comparison {
    engine_ns: f64,
    bare_ns: f64,
    ratio: f64,
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    println!("load average before: {}", load_average());
    println!(
        "cookie -> principal (jwt_core) vs bare jsonwebtoken::decode, median of {ROUNDS} alternating rounds of ~{} ms",
        BATCH.as_millis()
    );
    // `cargo bench` passes `--bench`; any other word names an algorithm to run.
    let chosen: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let mut hs256 = None;
    for algorithm in ALGORITHMS {
        let name = algorithm_name(algorithm);
        if !chosen.is_empty() && !chosen.iter().any(|word| word.eq_ignore_ascii_case(name)) {
            continue;
        }
        let scenario = runtime.block_on(CookieScenario::new(algorithm, false));
        let comparison = compare(&scenario);
        println!(
            "{:<6} jwt_core {:>9.0} ns   bare_decode {:>9.0} ns   ratio {:.3}   (full verification)",
            name, comparison.engine_ns, comparison.bare_ns, comparison.ratio
        );
        let cached = runtime.block_on(CookieScenario::new(algorithm, true));
        let with_cache = compare(&cached);
        println!(
            "{:<6} jwt_core {:>9.0} ns   bare_decode {:>9.0} ns   ratio {:.3}   (token seen before: verified-token cache)",
            name, with_cache.engine_ns, with_cache.bare_ns, with_cache.ratio
        );
        if algorithm == Algorithm::HS256 {
            hs256 = Some(comparison.ratio);
        }
    }
    println!("load average after: {}", load_average());
    if let Some(ratio) = hs256 {
        let verdict = if ratio <= TARGET { "PASS" } else { "FAIL" };
        println!(
            "ratio = {ratio:.2} (HS256 cookie -> principal / bare decode; target <= {TARGET}: {verdict})"
        );
    }
}

fn compare(scenario: &CookieScenario) -> Comparison {
    let engine = || {
        black_box(scenario.cookie_to_principal());
    };
    let bare = || {
        black_box(scenario.bare_decode());
    };
    // Warm both paths (caches, allocator, lazily built keys), then size the batches on the
    // slower one.
    let calls = calls_per_batch(&engine).min(calls_per_batch(&bare));

    let mut engine_ns = Vec::with_capacity(ROUNDS);
    let mut bare_ns = Vec::with_capacity(ROUNDS);
    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (e, b) = if round % 2 == 0 {
            let e = time_batch(&engine, calls);
            (e, time_batch(&bare, calls))
        } else {
            let b = time_batch(&bare, calls);
            (time_batch(&engine, calls), b)
        };
        engine_ns.push(e);
        bare_ns.push(b);
        ratios.push(e / b);
    }
    Comparison {
        engine_ns: median(engine_ns),
        bare_ns: median(bare_ns),
        ratio: median(ratios),
    }
}

/// How many calls fill one batch.
fn calls_per_batch(call: &impl Fn()) -> u32 {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < BATCH {
        call();
        calls += 1;
    }
    calls.max(1)
}

/// Nanoseconds per call over one batch.
fn time_batch(call: &impl Fn(), calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        call();
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The 1-, 5- and 15-minute load averages, to judge how quiet the machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}
