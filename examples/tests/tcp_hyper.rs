//! The `hyper` demo binary passes the conformance suite over real TCP.

#[tokio::test]
async fn hyper_demo_passes_the_suite_over_tcp() {
    jwt_conformance::check_demo_binary_over_tcp(env!("CARGO_BIN_EXE_hyper")).await;
}
