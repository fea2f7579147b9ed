//! Runs a list of scenarios, several at a time, each against its protocol's target.
//!
//! A protocol's target is either an external server the user named or the embedded reference
//! server; embedded targets are started fresh for every scenario (so scenarios never see each
//! other's events) and stopped after it. Results come back in scenario order.

use std::collections::HashMap;

use futures_util::StreamExt;

use super::noise::Markers;
use super::verdict;
use super::{ProtocolSuite, RunOptions, Target, run_scenario};
use crate::embedded;
use crate::report::model::ScenarioResult;
use crate::scenario::model::Scenario;

/// Where one protocol's scenarios run.
#[derive(Debug, Clone)]
pub enum TargetSource {
    /// A server the user runs.
    External(Target),
    /// A fresh embedded reference server per scenario.
    Embedded,
}

/// Everything a suite run needs.
pub struct SuitePlan<'a> {
    /// The scenarios, in run order.
    pub scenarios: &'a [Scenario],
    /// Profiles and schemas, by protocol.
    pub suites: &'a HashMap<String, ProtocolSuite>,
    /// Targets, by protocol.
    pub targets: &'a HashMap<String, TargetSource>,
    /// Scenarios run at once.
    pub jobs: usize,
    /// Run options.
    pub options: &'a RunOptions,
    /// The command that re-runs one scenario.
    pub rerun: &'a (dyn Fn(&Scenario) -> String + Sync),
}

/// Runs every scenario; `on_result` sees each result as soon as it is known, in order.
pub async fn run_all(
    plan: &SuitePlan<'_>,
    mut on_result: impl FnMut(&ScenarioResult),
) -> Vec<ScenarioResult> {
    let mut results = Vec::with_capacity(plan.scenarios.len());
    let markers = Markers::default();
    let mut stream = futures_util::stream::iter(plan.scenarios)
        .map(|scenario| run_one(plan, scenario, &markers))
        .buffered(plan.jobs.max(1));
    while let Some(result) = stream.next().await {
        on_result(&result);
        results.push(result);
    }
    results
}

async fn run_one(plan: &SuitePlan<'_>, scenario: &Scenario, markers: &Markers) -> ScenarioResult {
    let rerun = (plan.rerun)(scenario);
    let (Some(suite), Some(source)) = (
        plan.suites.get(&scenario.protocol),
        plan.targets.get(&scenario.protocol),
    ) else {
        return verdict::error(
            scenario,
            format!("no target or fixtures for protocol {:?}", scenario.protocol),
            rerun,
        );
    };
    match source {
        TargetSource::External(target) => {
            run_scenario(scenario, suite, target, plan.options, markers, rerun).await
        }
        TargetSource::Embedded => match embedded::start(&scenario.protocol).await {
            Ok(server) => {
                let result = run_scenario(
                    scenario,
                    suite,
                    server.target(),
                    plan.options,
                    markers,
                    rerun,
                )
                .await;
                server.stop().await;
                result
            }
            Err(error) => verdict::error(
                scenario,
                format!("cannot start the embedded reference server: {error}"),
                rerun,
            ),
        },
    }
}
