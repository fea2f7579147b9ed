//! The whole `ark` suite against the embedded reference server (a fresh one per scenario, on
//! ephemeral loopback ports): every scenario must pass, and each one's normalised transcript
//! must equal its golden file in `fixtures/ark/transcripts/`.

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ark_scenario_passes_against_the_reference_server() {
    let results = support::run_embedded_suite("ark", 40).await;
    support::assert_all_pass(&results, &[]);
    support::assert_golden_transcripts("ark", &results, &[]);
}
