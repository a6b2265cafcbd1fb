//! The `rocket` demo binary, started on a loopback port, passes every TCP scenario of the
//! conformance suite.

#[tokio::test]
async fn the_rocket_demo_passes_the_conformance_suite_over_tcp() {
    jwt_conformance::check_demo_binary_over_tcp(env!("CARGO_BIN_EXE_rocket")).await;
}
