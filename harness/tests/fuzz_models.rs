//! Every protocol's fuzzing model (`fixtures/<protocol>/fuzz.yaml`) against the embedded
//! reference server: the sessions generated from a fixed seed all pass, every property held.
//! The reference is correct, so a failure here is a model that asks for something the
//! protocol's documents do not say (or a reference bug the model found): the shrunk file is in
//! the message.
//!
//! Each protocol's cases run in turn against one server started for it (as `wsconform fuzz
//! --target` does), not a fresh one per case: that keeps the test within seconds (an emprops
//! server takes its `close_grace`, 1 s, to stop), and each session's ids carry its own run id.

use crate::support;

use harness::runner::suite::TargetSource;

const CASES: u32 = 40;
const SEED: u64 = 20_261_202;

async fn every_generated_session_passes(protocol: &'static str) {
    let server = support::embedded(protocol).await;
    let source = TargetSource::External(server.target(protocol).unwrap());
    let report = support::fuzzing::search_on(protocol, source, CASES, SEED).await;
    server.stop().await;
    assert_eq!(report.error, None, "{protocol}");
    if let Some(failure) = &report.failure {
        panic!("{protocol}: {}\n{}", failure.broken, failure.yaml);
    }
    assert_eq!(report.cases, CASES, "{protocol}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobber_sessions_pass() {
    every_generated_session_passes("jobber").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caas_sessions_pass() {
    every_generated_session_passes("caas").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emprops_sessions_pass() {
    every_generated_session_passes("emprops").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dnaforge_sessions_pass() {
    every_generated_session_passes("dnaforge").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ark_sessions_pass() {
    every_generated_session_passes("ark").await;
}
