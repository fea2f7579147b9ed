//! The runner: carries out scenarios against targets and turns what happened into results.
//!
//! [`run_scenario`] runs one scenario against one target URL; [`suite::run_all`] runs many, each
//! against an external target or a fresh embedded reference server. The expectation logic is
//! sans-IO in [`inbox`]; [`session`] is the I/O shell; [`verdict`] turns a session into a
//! [`ScenarioResult`].

mod http_step;
pub mod inbox;
pub mod noise;
mod session;
pub mod suite;
pub mod target;
mod unmet;
mod verdict;

use std::collections::{BTreeMap, BTreeSet};

use crate::profile::Profile;
use crate::report::model::ScenarioResult;
use crate::scenario::model::Scenario;
use crate::schema::SchemaSet;
use crate::transport::Limits;
use inbox::Unmet;
use session::Session;

/// What the harness knows of one protocol: its profile and compiled schemas.
pub struct ProtocolSuite {
    /// How to talk to it.
    pub profile: Profile,
    /// Its message schemas.
    pub schemas: SchemaSet,
}

/// Options of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Every timeout, window and sleep is multiplied by this (slow CI machines stretch it).
    pub time_scale: f64,
    /// Transport limits.
    pub limits: Limits,
    /// Run variables (`--var name=value`), overriding the profile's defaults.
    pub vars: BTreeMap<String, String>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            time_scale: 1.0,
            limits: Limits::default(),
            vars: BTreeMap::new(),
        }
    }
}

/// A server to run scenarios against.
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL (`http://host:port`).
    pub url: String,
    /// Optional capabilities it declares.
    pub capabilities: BTreeSet<String>,
}

/// Why a step stopped the scenario.
#[derive(Debug, Clone)]
pub struct StepFailure {
    /// The connection (or `http`) concerned.
    pub actor: String,
    /// What went wrong.
    pub unmet: Unmet,
    /// The target could not be reached.
    pub unreachable: bool,
}

impl StepFailure {
    fn unmet(actor: &str, unmet: Unmet) -> StepFailure {
        StepFailure {
            actor: actor.to_owned(),
            unmet,
            unreachable: false,
        }
    }

    fn unreachable(actor: &str, message: String) -> StepFailure {
        StepFailure {
            actor: actor.to_owned(),
            unmet: Unmet::new(message),
            unreachable: true,
        }
    }

    fn scenario(actor: &str, message: String) -> StepFailure {
        StepFailure {
            actor: actor.to_owned(),
            unmet: Unmet::scenario(message),
            unreachable: false,
        }
    }
}

/// Runs one scenario against `target`; `markers` are shared by every scenario of the run (see
/// [`noise`]); `rerun` is the command that repeats exactly this run.
pub async fn run_scenario(
    scenario: &Scenario,
    suite: &ProtocolSuite,
    target: &Target,
    options: &RunOptions,
    markers: &noise::Markers,
    rerun: String,
) -> ScenarioResult {
    let missing: Vec<&String> = scenario
        .requires
        .iter()
        .filter(|c| !target.capabilities.contains(*c))
        .collect();
    if !missing.is_empty() {
        return verdict::unsupported(scenario, &missing, rerun);
    }
    let mut session = Session::new(scenario, suite, options, &target.url, markers.clone());
    let mut current = 0;
    let steps = async {
        for (index, step) in scenario.steps.iter().enumerate() {
            current = index;
            if let Err(stopped) = session.step(step).await {
                return Some((index, stopped));
            }
        }
        None
    };
    // Every wait is bounded step by step; this bound catches a transport that hangs anyway.
    let budget = budget(scenario, options.time_scale);
    let failure = match tokio::time::timeout(budget, steps).await {
        Ok(failure) => failure,
        Err(_) => Some((
            current,
            StepFailure::unreachable(
                "harness",
                format!(
                    "the scenario did not finish within its budget of {budget:?}: a send or close to the target hung"
                ),
            ),
        )),
    };
    session.finish();
    verdict::judge(session, failure, rerun)
}

/// The longest a scenario may take: each step's own bound (its timeout, window or sleep, else
/// the scenario's timeout) scaled, plus a margin for connects and closes.
fn budget(scenario: &Scenario, time_scale: f64) -> std::time::Duration {
    use crate::scenario::model::{Action, Expectation};
    let steps: std::time::Duration = scenario
        .steps
        .iter()
        .map(|step| match &step.action {
            Action::Sleep(duration) => *duration,
            Action::Expect {
                expectation: Expectation::Absent { within, .. },
                ..
            } => *within,
            Action::Expect { timeout, .. } | Action::ExpectClose { timeout, .. } => {
                timeout.unwrap_or(scenario.timeout)
            }
            _ => scenario.timeout,
        })
        .sum();
    steps.mul_f64(time_scale) + std::time::Duration::from_secs(10)
}
