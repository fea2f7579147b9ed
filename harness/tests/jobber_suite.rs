//! The whole `jobber` suite against the embedded reference server (a fresh one per scenario, on
//! ephemeral loopback ports): every scenario passes except the known gap of jobber-N16, and each
//! one's normalised transcript equals its golden file in `fixtures/jobber/transcripts/`.

use crate::support;

/// Known gaps of the reference server (scenarios/jobber/NOTES.md jobber-N16).
const UNSUPPORTED: [&str; 1] = ["jobber.connect.refusal_data"];

/// Transcripts whose message count depends on timing (cron ticks within a window).
const TIMING_DEPENDENT: [&str; 0] = [];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_jobber_scenario_passes_against_the_reference_server() {
    let results = support::run_embedded_suite("jobber", 45).await;
    support::assert_all_pass(&results, &UNSUPPORTED);
    support::assert_golden_transcripts("jobber", &results, &TIMING_DEPENDENT);
}
