//! The `axum` demo binary, started on a free loopback port and stopped at the end, passes
//! every TCP scenario of the conformance suite.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_axum_demo_binary_passes_the_conformance_suite_over_tcp() {
    let report = jwt_conformance::check_demo_binary_over_tcp(env!("CARGO_BIN_EXE_axum")).await;
    println!("{}", report.summary());
}
