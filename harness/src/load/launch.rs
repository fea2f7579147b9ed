//! One load from start to judged report, against a target already running: plans the weighted
//! scenarios the target can run, runs the plan ([`super::run`]), measures the process (CPU, RSS)
//! around it, builds the report and judges its gates. The CLI and the benchmarks call this;
//! starting a target (embedded or not) and showing progress are theirs.

use std::sync::Arc;

use super::metrics::Metrics;
use super::report::{MixEntry, ProcessFigures, ReportContext};
use super::{LoadPlan, LoadReport, LoadSetup, Tick, gates, process, run};
use crate::exec::{ProtocolSuite, RunOptions, ScenarioPlan, Target};
use crate::scenario::model::Scenario;
use crate::transport;

/// A load ready to run.
pub struct LoadJob {
    /// The plan (gates included).
    pub plan: LoadPlan,
    /// The scenarios and their weights.
    pub mix: Vec<(Scenario, u32)>,
    /// Their protocol.
    pub suite: Arc<ProtocolSuite>,
    /// Options shared by every session.
    pub options: Arc<RunOptions>,
    /// The running target.
    pub target: Target,
    /// How the report names the target (`jobber=http://… (embedded)`).
    pub shown: String,
}

/// A scenario of the mix the target cannot run, and the capabilities it lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The scenario.
    pub id: String,
    /// What the target does not declare.
    pub missing: Vec<String>,
}

/// Why a load could not run.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// Every scenario of the mix needs a capability the target lacks.
    #[error("no selected scenario can run against this target (capabilities missing)")]
    NothingRunnable(Vec<LeftOut>),
}

/// A finished load: its judged report and what was left out of the mix.
pub struct Launched {
    /// The report, gates judged.
    pub report: LoadReport,
    /// Scenarios not run.
    pub left_out: Vec<LeftOut>,
}

/// Runs `job`, calling `on_tick` about once a second while it runs.
pub async fn launch(
    job: LoadJob,
    on_tick: impl FnMut(&Tick, &Metrics),
) -> Result<Launched, LaunchError> {
    let (scenarios, entries, left_out) = plan_mix(&job);
    if scenarios.is_empty() {
        return Err(LaunchError::NothingRunnable(left_out));
    }
    let profile = &job.suite.profile;
    let setup = LoadSetup {
        plan: job.plan.clone(),
        scenarios,
        connector: transport::connector(profile.transport),
        broadcast: profile.broadcast.any(),
    };
    let cpu_before = process::cpu_seconds();
    let (rss_start, _) = process::memory_kib();
    let finished = run::run(setup, on_tick).await;
    let cpu_after = process::cpu_seconds();
    let (_, rss_peak) = process::memory_kib();
    let plan = &job.plan;
    let context = ReportContext {
        protocol: &profile.protocol,
        target: &job.shown,
        model: plan.model,
        shard: plan.shard,
        phases: &plan.phases,
        scenarios: entries,
        duration_s: finished.elapsed.as_secs_f64(),
        process: ProcessFigures {
            cpu_user_s: cpu_after.0 - cpu_before.0,
            cpu_system_s: cpu_after.1 - cpu_before.1,
            rss_start_kib: rss_start,
            rss_peak_kib: rss_peak,
            peak_users: finished.peak_active,
        },
    };
    let mut report = LoadReport::build(context, &finished.metrics);
    report.limits = (&plan.gates).into();
    report.gates = gates::judge(&report, &plan.gates);
    Ok(Launched { report, left_out })
}

/// The scenarios the target can run, planned; their report entries; the ones left out.
#[allow(clippy::type_complexity)]
fn plan_mix(job: &LoadJob) -> (Vec<(Arc<ScenarioPlan>, u32)>, Vec<MixEntry>, Vec<LeftOut>) {
    let mut scenarios = Vec::new();
    let mut entries = Vec::new();
    let mut left_out = Vec::new();
    for (scenario, weight) in &job.mix {
        let missing: Vec<String> = scenario
            .requires
            .iter()
            .filter(|c| !job.target.capabilities.contains(*c))
            .cloned()
            .collect();
        if !missing.is_empty() {
            left_out.push(LeftOut {
                id: scenario.id.clone(),
                missing,
            });
            continue;
        }
        entries.push(MixEntry {
            id: scenario.id.clone(),
            weight: *weight,
            file: scenario.location.file.display().to_string(),
        });
        let planned = ScenarioPlan::new(
            scenario.clone(),
            Arc::clone(&job.suite),
            job.target.url.clone(),
            Arc::clone(&job.options),
        );
        scenarios.push((Arc::new(planned), *weight));
    }
    (scenarios, entries, left_out)
}
