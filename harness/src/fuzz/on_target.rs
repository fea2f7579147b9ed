//! Running generated cases against a real target: a fresh server from a factory for every case
//! (the embedded reference server) or the one target the user named. The search calls this
//! from a blocking thread; each case runs on the tokio runtime whose handle it was given.

use std::sync::Arc;

use tokio::runtime::Handle;

use super::search::CaseRunner;
use crate::report::model::ScenarioResult;
use crate::runner::suite::{SuitePlan, TargetSource, run_all};
use crate::runner::{ProtocolSuite, RunOptions};
use crate::scenario::model::Scenario;

/// Runs each case as a one-scenario suite against `source`.
pub struct TargetCases {
    /// The protocol's profile and schemas.
    pub suite: Arc<ProtocolSuite>,
    /// Where cases run.
    pub source: TargetSource,
    /// Run options (variables, time scale, limits).
    pub options: Arc<RunOptions>,
    /// The runtime cases run on.
    pub handle: Handle,
}

impl CaseRunner for TargetCases {
    fn run(&self, scenario: &Scenario) -> ScenarioResult {
        let protocol = scenario.protocol.clone();
        let plan = SuitePlan {
            scenarios: vec![scenario.clone()],
            suites: [(protocol.clone(), Arc::clone(&self.suite))].into(),
            targets: [(protocol, self.source.clone())].into(),
            jobs: 1,
            options: Arc::clone(&self.options),
            rerun: Arc::new(|s: &Scenario| format!("wsconform run --scenario {}", s.id)),
        };
        let mut results = self.handle.block_on(run_all(plan, |_| {}));
        results.pop().unwrap_or_else(|| {
            crate::runner::verdict::error(scenario, "the case did not run".into(), String::new())
        })
    }
}
