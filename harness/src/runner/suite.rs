//! Runs a list of scenarios, several at a time (each as its own task), each against its
//! protocol's target.
//!
//! A protocol's target is either an external server the user named or a fresh server from a
//! [`TargetFactory`] for every scenario (so scenarios never see each other's events; such a
//! target also has the capability `fresh_state`), stopped after it. Results come back in
//! scenario order.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::StreamExt;

use super::verdict;
use super::{ProtocolSuite, RunOptions, Target, TargetFactory, attribute_leaks, run_scenario};
use crate::exec::markers::MarkerIndex;
use crate::report::model::ScenarioResult;
use crate::scenario::model::Scenario;

/// The capability of a target started afresh for one scenario: it holds nothing but what the
/// scenario does.
pub const FRESH_STATE: &str = "fresh_state";

/// Where one protocol's scenarios run.
#[derive(Clone)]
pub enum TargetSource {
    /// A server the user runs.
    External(Target),
    /// A fresh server per scenario.
    Fresh(Arc<dyn TargetFactory>),
}

/// Everything a suite run needs.
pub struct SuitePlan {
    /// The scenarios, in run order.
    pub scenarios: Vec<Scenario>,
    /// Profiles and schemas, by protocol.
    pub suites: HashMap<String, Arc<ProtocolSuite>>,
    /// Targets, by protocol.
    pub targets: HashMap<String, TargetSource>,
    /// Scenarios run at once.
    pub jobs: usize,
    /// Run options.
    pub options: Arc<RunOptions>,
    /// The command that re-runs one scenario.
    pub rerun: Arc<dyn Fn(&Scenario) -> String + Send + Sync>,
}

/// Runs every scenario; `on_result` sees each result as soon as it is known, in order. The
/// results returned also hold what only the whole run shows: a scenario's messages that reached
/// other scenarios (see [`attribute_leaks`]), so a verdict there may differ from the one
/// `on_result` saw.
pub async fn run_all(
    plan: SuitePlan,
    mut on_result: impl FnMut(&ScenarioResult),
) -> Vec<ScenarioResult> {
    let plan = Arc::new(plan);
    let markers = Arc::new(MarkerIndex::default());
    let mut results = Vec::with_capacity(plan.scenarios.len());
    let tasks = (0..plan.scenarios.len()).map(|index| {
        let plan = Arc::clone(&plan);
        let markers = Arc::clone(&markers);
        tokio::spawn(async move { run_one(&plan, index, &markers).await })
    });
    let mut stream = futures_util::stream::iter(tasks).buffered(plan.jobs.max(1));
    let mut index = 0;
    while let Some(joined) = stream.next().await {
        let scenario = &plan.scenarios[index];
        index += 1;
        let result = joined.unwrap_or_else(|error| {
            verdict::error(
                scenario,
                format!("the scenario's task failed: {error}"),
                (plan.rerun)(scenario),
            )
        });
        on_result(&result);
        results.push(result);
    }
    attribute_leaks(&mut results, &markers);
    results
}

async fn run_one(plan: &SuitePlan, index: usize, markers: &Arc<MarkerIndex>) -> ScenarioResult {
    let scenario = &plan.scenarios[index];
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
            run_scenario(scenario, suite, target, &plan.options, markers, rerun).await
        }
        TargetSource::Fresh(factory) => {
            let wanted = scenario.requires.clone();
            let running = match factory.start(vec![scenario.protocol.clone()], wanted).await {
                Ok(running) => running,
                Err(error) => return verdict::error(scenario, error.to_string(), rerun),
            };
            let result = match running.target(&scenario.protocol) {
                Some(mut target) => {
                    target.capabilities.insert(FRESH_STATE.to_owned());
                    run_scenario(scenario, suite, &target, &plan.options, markers, rerun).await
                }
                None => verdict::error(
                    scenario,
                    format!("{} does not serve {:?}", factory.name(), scenario.protocol),
                    rerun,
                ),
            };
            running.stop().await;
            result
        }
    }
}
