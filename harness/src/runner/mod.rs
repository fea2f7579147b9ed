//! The conformance runner: carries out scenarios against targets and turns each session's
//! [`Outcome`](crate::exec::Outcome) into a [`ScenarioResult`].
//!
//! [`run_scenario`] runs one scenario against one target; [`suite::run_all`] runs many, each as
//! its own task, against an external target or a fresh server from a [`TargetFactory`]. The
//! scenario machine is [`crate::exec`]; its I/O is [`crate::drive`]; [`verdict`] judges.

pub mod factory;
mod leaks;
pub mod preflight;
pub mod protocol;
pub mod suite;
pub(crate) mod verdict;

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use crate::exec::{OnDeviation, ProtocolSuite, RunOptions, Target};
pub use factory::{FactoryError, RunningTarget, TargetFactory};

use crate::drive::Driver;
use crate::exec::markers::MarkerIndex;
use crate::exec::{ScenarioPlan, Session, Unobserved};
use crate::report::model::ScenarioResult;
use crate::scenario::model::Scenario;
use crate::transport;

/// Runs one scenario against `target`; `markers` are shared by every scenario of the run (see
/// [`crate::exec::markers`]); `rerun` is the command that repeats exactly this run.
pub async fn run_scenario(
    scenario: &Scenario,
    suite: &Arc<ProtocolSuite>,
    target: &Target,
    options: &Arc<RunOptions>,
    markers: &Arc<MarkerIndex>,
    rerun: String,
) -> ScenarioResult {
    run_scenario_holding(scenario, suite, target, options, markers, rerun, None).await
}

/// Something to do in the middle of a scenario: before its step `step` (1-based) starts, the
/// session waits for `work` to end (see [`crate::exec::Session::hold_before`]).
pub struct Hold<'a> {
    /// The step held before.
    pub step: usize,
    /// What to do meanwhile; it bounds itself.
    pub work: futures_util::future::BoxFuture<'a, ()>,
}

/// [`run_scenario`], held once as `hold` says.
pub async fn run_scenario_holding(
    scenario: &Scenario,
    suite: &Arc<ProtocolSuite>,
    target: &Target,
    options: &Arc<RunOptions>,
    markers: &Arc<MarkerIndex>,
    rerun: String,
    hold: Option<Hold<'_>>,
) -> ScenarioResult {
    let missing: Vec<&String> = scenario
        .requires
        .iter()
        .filter(|c| !target.capabilities.contains(*c))
        .collect();
    if !missing.is_empty() {
        return verdict::unsupported(scenario, &missing, rerun);
    }
    let plan = Arc::new(ScenarioPlan::new(
        scenario.clone(),
        Arc::clone(suite),
        target.url.clone(),
        Arc::clone(options),
    ));
    // On a server other sessions share, any protocol's messages may be another session's: a
    // broadcast protocol's by design, another's by a deviation (a server that broadcasts what it
    // should not). A server of this scenario's own (fresh state) has no such traffic.
    let shared = !target.capabilities.contains(suite::FRESH_STATE);
    let own =
        (suite.profile.broadcast.any() || shared).then(|| markers.session_labelled(&scenario.id));
    let session_id = own.as_ref().map(|m| m.id());
    let mut session = Session::new(plan, Instant::now(), unix_now_ms(), own);
    let mut driver = Driver::new(transport::connector(suite.profile.transport));
    let work = hold.map(|hold| {
        session.hold_before(hold.step);
        hold.work
    });
    driver
        .run_holding(&mut session, &mut Unobserved, work)
        .await;
    let outcome = session.finish(Instant::now());
    let result = verdict::judge(scenario, &suite.profile, outcome, rerun);
    if let Some(session_id) = session_id {
        let dialect = options.dialects.get(&scenario.protocol).map(AsRef::as_ref);
        leaks::record(&result, &suite.profile, dialect, markers, session_id);
    }
    result
}

/// Adds to each result of a finished run the messages of its scenario that other scenarios'
/// connections received on a protocol that does not broadcast (see [`leaks`]).
pub fn attribute_leaks(results: &mut [ScenarioResult], markers: &MarkerIndex) {
    leaks::attribute(results, markers.take_overheard());
}

/// The result of a scenario the harness could not carry out (no target, no server): verdict
/// error with `message`.
pub fn error_result(scenario: &Scenario, message: String, rerun: String) -> ScenarioResult {
    verdict::error(scenario, message, rerun)
}

/// The wall clock in Unix milliseconds.
pub fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
