//! `wsconform load`: pick the scenarios and the target, run the plan with live progress, print
//! the summary, write the reports, and choose the exit code (3 unreachable, 4 conformance
//! failures without `--max-failures`, 5 a gate missed).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use harness::embedded::EmbeddedFactory;
use harness::exec::{RunOptions, Target, TranscriptLimit};
use harness::load::launch::{LaunchError, LeftOut, LoadJob, launch};
use harness::load::plan::Gates;
use harness::load::{LoadPlan, LoadReport, Model, Shard, render};
use harness::runner::{ProtocolSuite, TargetFactory};
use harness::scenario::model::Scenario;
use harness::scenario::parse_duration;

use super::Exit;
use super::args::{GateArgs, LoadArgs};
use super::load_mix::{SelectError, select};
use super::load_output::{exit_code, parse_outputs, write_outputs};
use super::options::{check_time_scale, parse_targets, parse_vars};
use super::progress::Progress;
use super::suite_dir;

/// Runs a load.
pub fn load(args: LoadArgs) -> anyhow::Result<Exit> {
    check_time_scale(args.target.time_scale)?;
    let mut plan = plan_of(&args)?;
    plan.gates = gates_of(&args.gates, plan.gates)?;
    if let Some(shard) = &args.shard {
        plan.shard = shard.parse::<Shard>().map_err(anyhow::Error::msg)?;
    }
    let outputs = parse_outputs(&args.reports)?;
    let external = parse_targets(&args.target.targets, &args.target.capabilities)?;
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
        time_scale: args.target.time_scale,
        vars: parse_vars(&args.target.vars)?,
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
    let hold = duration("--duration", args.duration.as_deref().unwrap_or("10s"))?;
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
    let phases: Vec<String> = plan.phases.iter().map(|p| p.name.clone()).collect();
    let mut progress = Progress::new(plan.duration(), phases, quiet);
    let job = LoadJob {
        plan,
        mix,
        suite,
        options,
        target,
        shown,
    };
    let launched = launch(job, |tick, metrics| progress.update(tick, metrics)).await;
    progress.finish();
    if let Some(running) = embedded {
        running.stop().await;
    }
    let left_out = match &launched {
        Ok(launched) => &launched.left_out,
        Err(LaunchError::NothingRunnable(left_out)) => left_out,
    };
    for LeftOut { id, missing } in left_out {
        let missing = missing.join(", ");
        eprintln!("wsconform: {id} is left out: the target does not declare {missing}");
    }
    Ok(launched?.report)
}
