//! The whole `emprops` suite against the embedded reference server (a fresh hub per scenario, on
//! ephemeral loopback ports): every scenario passes, and each one's normalised transcript equals
//! its golden file in `fixtures/emprops/transcripts/`.

use crate::support;

/// Transcripts not kept as golden files: hundreds of rounds of one submit.
const NOT_GOLDEN: [&str; 1] = ["emprops.limits.queue_full"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_emprops_scenario_passes_against_the_reference_server() {
    let results = support::run_embedded_suite("emprops", 60).await;
    support::assert_all_pass(&results, &[]);
    support::assert_golden_transcripts("emprops", &results, &NOT_GOLDEN);
}
