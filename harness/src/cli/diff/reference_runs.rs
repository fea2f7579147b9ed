//! The reference side of `wsconform diff`: runs the reference server as the target was run,
//! again for the scenarios that differ, and judges each scenario from both sides' normalised
//! transcripts (`harness::report::diff`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use anyhow::Context;
use harness::embedded::EmbeddedFactory;
use harness::report::diff;
use harness::report::diff::model::{ScenarioDiff, Status};
use harness::report::golden::Connection;
use harness::report::model::{ScenarioResult, Verdict};
use harness::runner::suite::{FRESH_STATE, SuitePlan, TargetSource, run_all};
use harness::runner::{RunOptions, RunningTarget, TargetFactory};
use harness::scenario::model::Scenario;

use super::{DiffArgs, Selection};
use crate::cli::arg_groups::TargetArgs;

/// Scenarios run at once on a reference that is a fresh server per scenario.
const REFERENCE_JOBS: usize = 4;

/// Runs the reference for every scenario the target could run (again, for those that differ)
/// and judges each.
pub(super) fn compare(
    runtime: &tokio::runtime::Runtime,
    args: &DiffArgs,
    target_jobs: usize,
    selection: &Selection,
    on_target: &[ScenarioResult],
    vars: &BTreeMap<String, String>,
) -> anyhow::Result<Vec<ScenarioDiff>> {
    let mut to_run: Vec<Scenario> = selection
        .scenarios
        .iter()
        .zip(on_target)
        .filter(|(_, result)| result.verdict != Verdict::Unsupported)
        .map(|(scenario, _)| scenario.clone())
        .collect();
    let reference = runtime.block_on(Reference::start(selection, &args.target))?;
    let jobs = reference.jobs.unwrap_or(target_jobs);
    let mut references: HashMap<String, Vec<ScenarioResult>> = HashMap::new();
    for round in 0..=args.reference_reruns {
        let targets = reference.targets.clone();
        let results = runtime.block_on(run(
            selection,
            to_run,
            targets,
            jobs,
            // The reference runs with its profile defaults: the tokens it was set up to accept.
            options(&args.target, BTreeMap::new()),
        ));
        for result in results {
            references
                .entry(result.id.clone())
                .or_default()
                .push(result);
        }
        to_run = still_differing(selection, on_target, &references, vars);
        if to_run.is_empty() || round == args.reference_reruns {
            break;
        }
    }
    runtime.block_on(reference.stop());
    Ok(on_target
        .iter()
        .map(|target| {
            let runs = references.remove(&target.id).unwrap_or_default();
            judge(target, &runs, selection, vars, args.context)
        })
        .collect())
}

/// The reference server, set up as the target is run. Against a target without `fresh_state`
/// (a shared server holding what earlier scenarios left) one embedded server for the whole
/// diff, run with the target's parallelism, so a scenario that reads server-wide state (a
/// queue's size) sees a history like the target's, and its re-runs — on a server that has
/// seen more — vary where its transcript depends on that state. Against a fresh target, a
/// fresh server per scenario.
struct Reference {
    targets: HashMap<String, TargetSource>,
    /// Scenarios at once, if not the target's.
    jobs: Option<usize>,
    shared: Option<Box<dyn RunningTarget>>,
}

impl Reference {
    async fn start(selection: &Selection, target: &TargetArgs) -> anyhow::Result<Reference> {
        let protocols: Vec<String> = selection.suites.keys().cloned().collect();
        let factory: Arc<dyn TargetFactory> = Arc::new(EmbeddedFactory);
        if target.capabilities.iter().any(|c| c == FRESH_STATE) {
            let targets = protocols
                .into_iter()
                .map(|p| (p, TargetSource::Fresh(Arc::clone(&factory))))
                .collect();
            return Ok(Reference {
                targets,
                jobs: Some(REFERENCE_JOBS),
                shared: None,
            });
        }
        let shared = factory
            .start(protocols.clone(), target.capabilities.clone())
            .await
            .context("starting the embedded reference server")?;
        let targets = protocols
            .iter()
            .filter_map(|p| Some((p.clone(), TargetSource::External(shared.target(p)?))))
            .collect();
        Ok(Reference {
            targets,
            jobs: None,
            shared: Some(shared),
        })
    }

    async fn stop(self) {
        if let Some(shared) = self.shared {
            shared.stop().await;
        }
    }
}

/// The scenarios whose target transcript differs from every reference run so far.
fn still_differing(
    selection: &Selection,
    on_target: &[ScenarioResult],
    references: &HashMap<String, Vec<ScenarioResult>>,
    vars: &BTreeMap<String, String>,
) -> Vec<Scenario> {
    selection
        .scenarios
        .iter()
        .zip(on_target)
        .filter(|(scenario, target)| {
            references.get(&scenario.id).is_some_and(|runs| {
                let target = side(target, selection, vars);
                runs.iter().all(|r| {
                    let reference = side(r, selection, &BTreeMap::new());
                    !diff::first_divergences(&reference, &target, 0).is_empty()
                })
            })
        })
        .map(|(scenario, _)| scenario.clone())
        .collect()
}

/// One scenario's status from its target result and its reference runs.
fn judge(
    target: &ScenarioResult,
    references: &[ScenarioResult],
    selection: &Selection,
    vars: &BTreeMap<String, String>,
    context: usize,
) -> ScenarioDiff {
    let mut diff = ScenarioDiff {
        id: target.id.clone(),
        title: target.title.clone(),
        protocol: target.protocol.clone(),
        status: Status::Unsupported,
        target_verdict: target.verdict,
        reference_verdict: references.first().map(|r| r.verdict),
        reason: None,
        divergences: Vec::new(),
        reference_varies: Vec::new(),
    };
    let why = |result: &ScenarioResult| {
        result
            .failure
            .as_ref()
            .map_or_else(String::new, |f| f.message.clone())
    };
    if target.verdict == Verdict::Unsupported {
        diff.reason = Some(format!("not compared: {}", why(target)));
        return diff;
    }
    match references.first() {
        None => diff.reason = Some("not compared: the reference was not run".to_owned()),
        Some(first) if first.verdict == Verdict::Unsupported => {
            diff.reason = Some(format!(
                "not compared: the reference server cannot run it ({})",
                why(first)
            ));
        }
        Some(_) => {
            let runs: Vec<Vec<Connection>> = references
                .iter()
                .map(|r| side(r, selection, &BTreeMap::new()))
                .collect();
            let ours = side(target, selection, vars);
            (diff.status, diff.divergences, diff.reference_varies) =
                diff::judge(&ours, &runs, context);
        }
    }
    diff
}

/// A result's normalised connections; `overrides` are the `--var` values that side ran with,
/// over its profile's defaults.
fn side(
    result: &ScenarioResult,
    selection: &Selection,
    overrides: &BTreeMap<String, String>,
) -> Vec<Connection> {
    let mut vars = selection
        .suites
        .get(&result.protocol)
        .map(|s| s.profile.vars.clone())
        .unwrap_or_default();
    vars.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
    diff::normalise(result, &vars)
}

pub(super) async fn run(
    selection: &Selection,
    scenarios: Vec<Scenario>,
    targets: HashMap<String, TargetSource>,
    jobs: usize,
    options: RunOptions,
) -> Vec<ScenarioResult> {
    let plan = SuitePlan {
        scenarios,
        suites: selection.suites.clone(),
        targets,
        jobs,
        options: Arc::new(options),
        rerun: Arc::new(|s: &Scenario| format!("wsconform diff --scenario {}", s.id)),
    };
    run_all(plan, |_| {}).await
}

pub(super) fn options(target: &TargetArgs, vars: BTreeMap<String, String>) -> RunOptions {
    RunOptions {
        time_scale: target.time_scale,
        vars,
        ..RunOptions::default()
    }
}
