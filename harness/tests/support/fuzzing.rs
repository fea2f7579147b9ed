//! Generated-session searches for the tests: a protocol's model and suite, a search against a
//! server, and the verdicts of a written-out failure on a double and on the reference.

use std::path::Path;
use std::sync::Arc;

use harness::embedded::EmbeddedFactory;
use harness::fuzz::on_target::TargetCases;
use harness::fuzz::{CaseRunner, FuzzModel, SearchConfig, SearchReport, search};
use harness::profile::TransportKind;
use harness::report::model::Verdict;
use harness::runner::RunOptions;
use harness::runner::suite::TargetSource;

/// `protocol`'s fuzzing model (`fixtures/<protocol>/fuzz.yaml`).
pub fn model(protocol: &str) -> FuzzModel {
    FuzzModel::load(&super::root().join("fixtures"), protocol).unwrap()
}

/// A search of `cases` sessions from `seed`.
pub fn config(protocol: &str, cases: u32, seed: u64) -> SearchConfig {
    SearchConfig {
        protocol: protocol.into(),
        socketio: super::suite(protocol).profile.transport == TransportKind::Socketio,
        cases,
        seed,
        time: None,
        max_shrink_runs: 256,
    }
}

/// A server already running at `url`.
pub fn external(url: &str) -> TargetSource {
    TargetSource::External(harness::exec::Target {
        url: url.to_owned(),
        capabilities: Default::default(),
    })
}

/// Cases of `protocol` run against `source`.
pub fn cases(protocol: &str, source: TargetSource) -> TargetCases {
    TargetCases {
        suite: Arc::new(super::suite(protocol)),
        source,
        options: Arc::new(RunOptions::default()),
        handle: tokio::runtime::Handle::current(),
    }
}

/// Searches `protocol`'s model against `source` (from a blocking thread, as the command does).
pub async fn search_on(
    protocol: &str,
    source: TargetSource,
    cases_: u32,
    seed: u64,
) -> SearchReport {
    let (model, config, runner) = (
        model(protocol),
        config(protocol, cases_, seed),
        cases(protocol, source),
    );
    tokio::task::spawn_blocking(move || search(&model, &config, &runner))
        .await
        .unwrap()
}

/// The verdicts of the scenario file `yaml` on the server at `double_url` and on a fresh
/// embedded reference server.
pub async fn verdicts_on_double_and_reference(
    protocol: &str,
    yaml: &str,
    double_url: &str,
) -> (Verdict, Verdict) {
    let scenario = harness::scenario::parse_str(yaml, Path::new("f.yaml")).unwrap();
    let on_double = cases(protocol, external(double_url));
    let on_reference = cases(protocol, TargetSource::Fresh(Arc::new(EmbeddedFactory)));
    tokio::task::spawn_blocking(move || {
        (
            on_double.run(&scenario).verdict,
            on_reference.run(&scenario).verdict,
        )
    })
    .await
    .unwrap()
}
