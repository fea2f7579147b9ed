//! The whole `dnaforge` suite against the embedded reference server (a fresh server per
//! scenario, on ephemeral loopback ports): every scenario passes, and each one's normalised
//! transcript equals its golden file in `fixtures/dnaforge/transcripts/`.

use crate::support;

/// Transcripts not kept as golden files: the 1 MiB frame of the oversize scenario.
const NOT_GOLDEN: [&str; 1] = ["dnaforge.limits.oversize_frame"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dnaforge_scenario_passes_against_the_reference_server() {
    let results = support::run_embedded_suite("dnaforge", 30).await;
    support::assert_all_pass(&results, &[]);
    support::assert_golden_transcripts("dnaforge", &results, &NOT_GOLDEN);
}
