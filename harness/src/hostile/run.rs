//! Running hostile cases: each case's scenario through the ordinary runner
//! ([`crate::runner::run_scenario`]), against a fresh server per case or a server the user
//! names, several at a time. A raw kind's driver starts its bad input in the middle of the
//! case's scenario, which is held there ([`crate::runner::Hold`]): after the bystander is
//! connected, before the newcomer connects and both are probed; it is judged after the
//! scenario. Results come back in case order as ordinary [`ScenarioResult`]s.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;

use super::build;
use super::case::{Case, Input};
use super::raw::{self, Endpoint, Held};
use super::spec::HostileSpec;
use crate::exec::markers::MarkerIndex;
use crate::report::model::{Failure, ScenarioResult, Verdict};
use crate::runner::suite::{FRESH_STATE, TargetSource};
use crate::runner::{
    Hold, ProtocolSuite, RunOptions, Target, error_result, run_scenario, run_scenario_holding,
};
use crate::scenario::model::Scenario;

/// One protocol's cases, ready to run.
pub struct Prepared {
    /// The protocol's hostile data.
    pub spec: Arc<HostileSpec>,
    /// Its profile and schemas.
    pub suite: Arc<ProtocolSuite>,
    /// The cases with their scenarios, in order.
    pub cases: Vec<(Case, Scenario)>,
}

/// Builds every case's scenario; the first case whose scenario cannot be written stops it.
pub fn prepare(
    spec: Arc<HostileSpec>,
    suite: Arc<ProtocolSuite>,
    cases: Vec<Case>,
    file: PathBuf,
) -> Result<Prepared, build::BuildError> {
    let socketio = suite.profile.transport == crate::profile::TransportKind::Socketio;
    let mut built = Vec::with_capacity(cases.len());
    for case in cases {
        let scenario = build::scenario(&case, &spec, socketio, &file)?;
        built.push((case, scenario));
    }
    Ok(Prepared {
        spec,
        suite,
        cases: built,
    })
}

/// Runs the cases `jobs` at a time; `on_result` sees each result in order as it comes.
pub async fn run_cases(
    prepared: Prepared,
    source: TargetSource,
    options: Arc<RunOptions>,
    jobs: usize,
    rerun: Arc<dyn Fn(&Case) -> String + Send + Sync>,
    mut on_result: impl FnMut(&Case, &ScenarioResult),
) -> Vec<ScenarioResult> {
    let prepared = Arc::new(prepared);
    let markers = Arc::new(MarkerIndex::default());
    let tasks = (0..prepared.cases.len()).map(|index| {
        let prepared = Arc::clone(&prepared);
        let source = source.clone();
        let options = Arc::clone(&options);
        let markers = Arc::clone(&markers);
        let rerun = Arc::clone(&rerun);
        tokio::spawn(async move {
            let (case, scenario) = &prepared.cases[index];
            let rerun = rerun(case);
            one(
                &prepared, case, scenario, &source, &options, &markers, rerun,
            )
            .await
        })
    });
    let mut stream = futures_util::stream::iter(tasks).buffered(jobs.max(1));
    let mut results = Vec::with_capacity(prepared.cases.len());
    let mut index = 0;
    while let Some(joined) = stream.next().await {
        let (case, scenario) = &prepared.cases[index];
        index += 1;
        let result = joined.unwrap_or_else(|error| {
            error_result(
                scenario,
                format!("the case's task failed: {error}"),
                rerun(case),
            )
        });
        on_result(case, &result);
        results.push(result);
    }
    results
}

async fn one(
    prepared: &Prepared,
    case: &Case,
    scenario: &Scenario,
    source: &TargetSource,
    options: &Arc<RunOptions>,
    markers: &Arc<MarkerIndex>,
    rerun: String,
) -> ScenarioResult {
    match source {
        TargetSource::External(target) => {
            on_target(prepared, case, scenario, target, options, markers, rerun).await
        }
        TargetSource::Fresh(factory) => {
            let protocol = prepared.spec.protocol.clone();
            let running = match factory
                .start(vec![protocol.clone()], case.requires.clone())
                .await
            {
                Ok(running) => running,
                Err(error) => return error_result(scenario, error.to_string(), rerun),
            };
            let result = match running.target(&protocol) {
                Some(mut target) => {
                    target.capabilities.insert(FRESH_STATE.to_owned());
                    on_target(prepared, case, scenario, &target, options, markers, rerun).await
                }
                None => error_result(
                    scenario,
                    format!("{} does not serve {protocol}", factory.name()),
                    rerun,
                ),
            };
            running.stop().await;
            result
        }
    }
}

async fn on_target(
    prepared: &Prepared,
    case: &Case,
    scenario: &Scenario,
    target: &Target,
    options: &Arc<RunOptions>,
    markers: &Arc<MarkerIndex>,
    rerun: String,
) -> ScenarioResult {
    let Input::Raw(kind) = case.input else {
        return run_scenario(scenario, &prepared.suite, target, options, markers, rerun).await;
    };
    let endpoint = match Endpoint::of(&target.url, &prepared.suite.profile) {
        Ok(endpoint) => endpoint,
        Err(error) => return error_result(scenario, error, rerun),
    };
    let vars = vars(prepared, options);
    let Some(step) = build::raw_hold(case, &prepared.spec) else {
        return error_result(scenario, "a raw kind without a hold step".to_owned(), rerun);
    };
    let mut started = None;
    let work = async {
        started = Some(raw::start(kind, &endpoint, &prepared.spec.raw, &vars).await);
    };
    let hold = Hold {
        step,
        work: Box::pin(work),
    };
    let mut result = run_scenario_holding(
        scenario,
        &prepared.suite,
        target,
        options,
        markers,
        rerun,
        Some(hold),
    )
    .await;
    // A scenario that ended before its bystander was connected never started the raw input;
    // its own failure says why.
    let held = match started {
        Some(held) => held,
        None if result.verdict != Verdict::Pass => return result,
        None => Held::Failed(format!("the scenario never reached step {step}")),
    };
    match raw::judge(kind, held, &prepared.spec.raw).await {
        Ok(seen) => result.unmatched.push(note(&result, seen)),
        Err(why) => {
            if result.verdict == Verdict::Pass {
                result.verdict = Verdict::Fail;
            }
            result.failure.get_or_insert_with(|| Failure::new(why));
        }
    }
    result
}

/// The profile's run variables with the run's overrides.
fn vars(prepared: &Prepared, options: &RunOptions) -> BTreeMap<String, String> {
    let mut vars = prepared.suite.profile.vars.clone();
    vars.extend(options.vars.clone());
    vars
}

/// What the raw driver saw, as an information line of the result.
fn note(result: &ScenarioResult, seen: String) -> crate::report::model::TranscriptEntry {
    crate::report::model::TranscriptEntry {
        at_ms: result.duration_ms,
        actor: "raw".to_owned(),
        direction: crate::report::model::Direction::Received,
        text: seen,
        raw: None,
        matched: false,
        foreign: false,
    }
}
