//! `wsconform load`: pick the scenarios and the target, run the plan with live progress, print
//! the summary, write the reports, and choose the exit code (3 unreachable, 4 conformance
//! failures without `--max-failures`, 5 a gate missed).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use harness::embedded::EmbeddedFactory;
use harness::exec::unmet::Cause;
use harness::exec::{RunOptions, ScenarioPlan, Target, TranscriptLimit};
use harness::load::plan::{Gates, Weighted};
use harness::load::report::{MixEntry, ProcessFigures, ReportContext};
use harness::load::{LoadPlan, LoadReport, LoadSetup, Model, Shard, gates, process, render, run};
use harness::runner::{ProtocolSuite, RunningTarget, TargetFactory};
use harness::scenario::model::Scenario;
use harness::scenario::parse_duration;

use super::Exit;
use super::args::{GateArgs, LoadArgs};
use super::options::{parse_targets, parse_vars, write_text};
use super::progress::Progress;
use super::suite_dir;

/// The tag of the scenarios a load runs when none is named.
const LOAD_TAG: &str = "load";

/// Runs a load.
pub fn load(args: LoadArgs) -> anyhow::Result<Exit> {
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        bail!("--time-scale must be a positive number");
    }
    let mut plan = plan_of(&args)?;
    plan.gates = gates_of(&args.gates, plan.gates)?;
    if let Some(shard) = &args.shard {
        plan.shard = shard.parse::<Shard>().map_err(anyhow::Error::msg)?;
    }
    let outputs = parse_outputs(&args.reports)?;
    let external = parse_targets(&args.targets, &args.capabilities)?;
    let (mix, protocol) = match select(&args, &plan, &external) {
        Ok(selected) => selected,
        Err(SelectError::Files(errors)) => {
            for error in &errors {
                eprintln!("{error}");
            }
            return Ok(Exit::ScenarioFiles);
        }
        Err(SelectError::Usage(message)) => bail!(message),
    };
    let suites = suite_dir::protocols(&args.suite, &[mix[0].0.clone()])?;
    let suite = suites
        .get(&protocol)
        .cloned()
        .context("the protocol's fixtures")?;
    let options = Arc::new(RunOptions {
        time_scale: args.time_scale,
        vars: parse_vars(&args.vars)?,
        transcript: TranscriptLimit::Tail(plan.limits.transcript_tail),
        ..RunOptions::default()
    });
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = runtime.block_on(run_load(
        plan.clone(),
        mix,
        suite,
        options,
        external.get(&protocol).cloned(),
        args.quiet,
    ))?;
    print!("{}", render::summary(&report));
    write_outputs(&outputs, &report)?;
    Ok(exit_code(&report, &plan.gates))
}

/// The plan: the file's, or one built from `--users`/`--rate`, `--duration` and `--ramp`.
fn plan_of(args: &LoadArgs) -> anyhow::Result<LoadPlan> {
    if let Some(file) = &args.plan {
        return Ok(LoadPlan::load(file)?);
    }
    let hold = duration("--duration", &args.duration)?;
    let ramp = args
        .ramp
        .as_deref()
        .map(|r| duration("--ramp", r))
        .transpose()?;
    Ok(match &args.rate {
        Some(rate) => {
            let rate = harness::load::plan::parse_rate(rate).map_err(anyhow::Error::msg)?;
            LoadPlan::simple(Model::Open, rate, hold, ramp)
        }
        None => LoadPlan::simple(
            Model::Closed,
            f64::from(args.users.unwrap_or(10)),
            hold,
            ramp,
        ),
    })
}

fn duration(flag: &str, text: &str) -> anyhow::Result<Duration> {
    parse_duration(text)
        .ok_or_else(|| anyhow::anyhow!("{flag} {text:?} is not a duration (e.g. 500ms, 10s, 1m)"))
}

/// The gates of the flags, over `gates` (the plan file's).
pub fn gates_of(args: &GateArgs, mut gates: Gates) -> anyhow::Result<Gates> {
    if let Some(p99) = &args.max_p99 {
        gates.max_p99 = Some(duration("--max-p99", p99)?);
    }
    if args.min_rate.is_some() {
        gates.min_rate = args.min_rate;
    }
    if args.max_failures.is_some() {
        gates.max_failures = args.max_failures;
    }
    Ok(gates)
}

/// Why no scenario mix could be chosen.
enum SelectError {
    Files(Vec<harness::scenario::ScenarioError>),
    Usage(String),
}

/// The scenarios of the load with their weights, and their protocol.
fn select(
    args: &LoadArgs,
    plan: &LoadPlan,
    external: &HashMap<String, Target>,
) -> Result<(Vec<(Scenario, u32)>, String), SelectError> {
    let mut suite = args.suite.clone();
    if suite.protocols.is_empty() {
        suite.protocols = external.keys().cloned().collect();
    }
    let named = !args.suite.scenarios.is_empty() || !args.suite.tags.is_empty();
    if !plan.scenarios.is_empty() || !named {
        suite.scenarios.clear();
        suite.tags.clear();
    }
    let (all, errors) = suite_dir::scenarios(&suite);
    if !errors.is_empty() {
        return Err(SelectError::Files(errors));
    }
    let mix: Vec<(Scenario, u32)> = if !plan.scenarios.is_empty() {
        weighted(&all, &plan.scenarios)
    } else if named {
        all.into_iter().map(|s| (s, 1)).collect()
    } else {
        all.into_iter()
            .filter(|s| s.tags.iter().any(|t| t == LOAD_TAG))
            .map(|s| (s, 1))
            .collect()
    };
    let mut protocols: Vec<&str> = mix.iter().map(|(s, _)| s.protocol.as_str()).collect();
    protocols.sort_unstable();
    protocols.dedup();
    match protocols.as_slice() {
        [] => Err(SelectError::Usage(
            "no scenario matches the selection".into(),
        )),
        [one] => {
            let protocol = (*one).to_owned();
            Ok((mix, protocol))
        }
        many => Err(SelectError::Usage(format!(
            "a load runs one protocol at a time; the selection has {}: add --protocol",
            many.join(", ")
        ))),
    }
}

fn weighted(all: &[Scenario], wanted: &[Weighted]) -> Vec<(Scenario, u32)> {
    let mut mix = Vec::new();
    for want in wanted {
        for scenario in all {
            let hit = match want.selector.strip_suffix('*') {
                Some(prefix) => scenario.id.starts_with(prefix),
                None => scenario.id == want.selector,
            };
            if hit
                && !mix
                    .iter()
                    .any(|(s, _): &(Scenario, u32)| s.id == scenario.id)
            {
                mix.push((scenario.clone(), want.weight));
            }
        }
    }
    mix
}

async fn run_load(
    plan: LoadPlan,
    mix: Vec<(Scenario, u32)>,
    suite: Arc<ProtocolSuite>,
    options: Arc<RunOptions>,
    external: Option<Target>,
    quiet: bool,
) -> anyhow::Result<LoadReport> {
    let protocol = suite.profile.protocol.clone();
    let (target, shown, embedded) = match external {
        Some(target) => {
            let shown = format!("{protocol}={}", target.url);
            (target, shown, None)
        }
        None => {
            let factory = EmbeddedFactory;
            let running = factory.start(vec![protocol.clone()], Vec::new()).await?;
            let target = running
                .target(&protocol)
                .context("the embedded server serves the protocol")?;
            let shown = format!("{protocol}={} ({})", target.url, factory.name());
            (target, shown, Some(running))
        }
    };
    let mut scenarios = Vec::new();
    let mut entries = Vec::new();
    for (scenario, weight) in mix {
        let missing: Vec<&String> = scenario
            .requires
            .iter()
            .filter(|c| !target.capabilities.contains(*c))
            .collect();
        if !missing.is_empty() {
            eprintln!(
                "wsconform: {} is left out: the target does not declare {}",
                scenario.id,
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            continue;
        }
        entries.push(MixEntry {
            id: scenario.id.clone(),
            weight,
            file: scenario.location.file.display().to_string(),
        });
        let planned = ScenarioPlan::new(
            scenario,
            Arc::clone(&suite),
            target.url.clone(),
            Arc::clone(&options),
        );
        scenarios.push((Arc::new(planned), weight));
    }
    if scenarios.is_empty() {
        stop(embedded).await;
        bail!("no selected scenario can run against this target (capabilities missing)");
    }
    let phases: Vec<String> = plan.phases.iter().map(|p| p.name.clone()).collect();
    let mut progress = Progress::new(plan.duration(), phases, quiet);
    let cpu_before = process::cpu_seconds();
    let (rss_start, _) = process::memory_kib();
    let setup = LoadSetup {
        plan: plan.clone(),
        scenarios,
        connector: harness::transport::connector(suite.profile.transport),
        broadcast: suite.profile.broadcast,
    };
    let finished = run::run(setup, |tick, metrics| progress.update(tick, metrics)).await;
    progress.finish();
    stop(embedded).await;
    let cpu_after = process::cpu_seconds();
    let (_, rss_peak) = process::memory_kib();
    let context = ReportContext {
        protocol: &protocol,
        target: &shown,
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
    report.gates = gates::judge(&report, &plan.gates);
    Ok(report)
}

async fn stop(embedded: Option<Box<dyn RunningTarget>>) {
    if let Some(running) = embedded {
        running.stop().await;
    }
}

/// The kinds of load report: `json` and `human`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The report as JSON (mergeable).
    Json,
    /// The human summary.
    Human,
}

/// `--report <kind>=<path>` values of `load` and `report merge`.
pub fn parse_outputs(reports: &[String]) -> anyhow::Result<Vec<(Output, String)>> {
    reports
        .iter()
        .map(|report| {
            let parsed = report.split_once('=').and_then(|(kind, path)| {
                let kind = match kind {
                    "json" => Output::Json,
                    "human" => Output::Human,
                    _ => return None,
                };
                Some((kind, path.to_owned()))
            });
            parsed.ok_or_else(|| {
                anyhow::anyhow!("--report {report:?} is not json=<path> or human=<path>")
            })
        })
        .collect()
}

/// Writes every report asked for.
pub fn write_outputs(outputs: &[(Output, String)], report: &LoadReport) -> anyhow::Result<()> {
    for (kind, path) in outputs {
        let text = match kind {
            Output::Json => serde_json::to_string_pretty(report)?,
            Output::Human => render::summary(report),
        };
        write_text(path, &text)?;
    }
    Ok(())
}

/// 3 when no run could reach the target, 5 when a gate was missed, 4 when the target broke a
/// requirement and no `--max-failures` gate was given, or when every run was cut off (none
/// ended, so nothing was checked to its end: a target that stops answering is not conformant),
/// else 0.
pub fn exit_code(report: &LoadReport, gates: &Gates) -> Exit {
    let total = &report.total;
    let unreachable = total.errors.keys().all(|c| *c == Cause::Unreachable);
    if total.runs.passed + total.runs.failed == 0 && total.runs.errors > 0 && unreachable {
        return Exit::Unreachable;
    }
    if report.gates.iter().any(|g| !g.passed) {
        return Exit::GateMissed;
    }
    let ended = total.runs.passed + total.runs.failed + total.runs.errors;
    if ended == 0 && total.runs.interrupted > 0 {
        return Exit::Failures;
    }
    let failed = report.conformance_failures() > 0 || total.runs.failed > 0;
    if gates.max_failures.is_none() && failed {
        return Exit::Failures;
    }
    Exit::Conformant
}
