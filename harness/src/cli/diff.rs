//! `wsconform diff`: runs each selected scenario against the target and against the embedded
//! reference server, and shows per scenario `same` or where the target's transcript first
//! departs from the reference's, side by side (`harness::report::diff` compares and renders).
//!
//! The target runs with the user's run variables; the reference with its profile defaults (the
//! tokens it was set up to accept), each side's values normalised to `<var:name>`. The
//! reference is run as the target is (`reference_runs`): one shared server for the whole diff,
//! with the target's parallelism and declared capabilities, unless the target declares
//! `fresh_state` (then a fresh server per scenario). A scenario the target cannot run is not
//! run on the reference. A scenario whose first comparison differs is run again on the
//! reference (`--reference-reruns`), so a reference that varies by itself (time, server-wide
//! state) is told apart from a target that diverges. Exit: 0 nothing diverges, 4 a divergence,
//! 3 a target unreachable, 2 scenario files wrong, 1 usage.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use harness::report::ReportKind;
use harness::report::diff::DEFAULT_CONTEXT;
use harness::report::diff::model::{DiffReport, DiffSummary};
use harness::report::diff::render::{DEFAULT_COLUMN_WIDTH, report as render_report};
use harness::runner::ProtocolSuite;
use harness::runner::preflight::unreachable_targets;
use harness::runner::suite::TargetSource;
use harness::scenario::model::Scenario;

use super::Exit;
use super::arg_groups::{SuiteArgs, TargetArgs};
use super::options::{check_time_scale, parse_reports, parse_targets, parse_vars, write_text};
use super::suite_dir;
use reference_runs::{compare, options, run};

mod reference_runs;

/// `wsconform diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Which scenarios.
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// The servers to compare with the reference (at least one `--target`).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write the differences as JSON: `json=<path>` (`-` is stdout).
    #[arg(long = "report", value_name = "json=PATH")]
    pub reports: Vec<String>,
    /// Scenarios run at once on the target and on the shared reference (default 4; 1 when a
    /// broadcast protocol such as ark is selected).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Times a scenario whose transcripts differ is run again on the reference: a reference
    /// that varies by itself makes it `nondeterministic`, not a divergence (0: never).
    #[arg(long, default_value_t = 2)]
    pub reference_reruns: usize,
    /// Entries of context shown before each divergence.
    #[arg(long, default_value_t = DEFAULT_CONTEXT)]
    pub context: usize,
    /// Characters per column of the side-by-side view.
    #[arg(long, default_value_t = DEFAULT_COLUMN_WIDTH)]
    pub column_width: usize,
}

/// What both sides' runs share.
pub(super) struct Selection {
    pub(super) scenarios: Vec<Scenario>,
    pub(super) suites: HashMap<String, Arc<ProtocolSuite>>,
}

/// Runs the comparison and prints it.
pub fn diff(args: DiffArgs) -> anyhow::Result<Exit> {
    check_time_scale(args.target.time_scale)?;
    if args.target.targets.is_empty() {
        bail!("diff needs a target to compare with the reference: --target <protocol>=<url>");
    }
    let json_paths = json_reports(&args.reports)?;
    let external = parse_targets(&args.target.targets, &args.target.capabilities)?;
    let vars = parse_vars(&args.target.vars)?;
    let mut suite_args = args.suite.clone();
    if suite_args.protocols.is_empty() {
        suite_args.protocols = external.keys().cloned().collect();
    }
    if let Some(protocol) = suite_args
        .protocols
        .iter()
        .find(|p| !external.contains_key(*p))
    {
        bail!("--protocol {protocol}: diff needs --target {protocol}=<url>");
    }
    let selection = match select(&suite_args)? {
        Ok(selection) => selection,
        Err(exit) => return Ok(exit),
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let urls: Vec<(String, String)> = external
        .iter()
        .map(|(protocol, target)| (protocol.clone(), target.url.clone()))
        .collect();
    let unreachable = runtime.block_on(unreachable_targets(&urls));
    if !unreachable.is_empty() {
        for problem in &unreachable {
            println!("wsconform: {}: {}", problem.target, problem.reason);
        }
        println!("nothing was run");
        return Ok(Exit::Unreachable);
    }
    let started = Instant::now();
    let target_names: Vec<String> = args.target.targets.clone();
    println!(
        "wsconform {} diff: {} scenario(s), {} against the embedded reference server",
        env!("CARGO_PKG_VERSION"),
        selection.scenarios.len(),
        target_names.join(", ")
    );
    let jobs = args.jobs.unwrap_or_else(|| default_jobs(&selection.suites));
    let targets = external
        .into_iter()
        .map(|(protocol, target)| (protocol, TargetSource::External(target)))
        .collect();
    let on_target = runtime.block_on(run(
        &selection,
        selection.scenarios.clone(),
        targets,
        jobs,
        options(&args.target, vars.clone()),
    ));
    let scenarios = compare(&runtime, &args, jobs, &selection, &on_target, &vars)?;
    let report = DiffReport {
        tool: format!("wsconform {}", env!("CARGO_PKG_VERSION")),
        targets: target_names,
        summary: DiffSummary::of(&scenarios),
        scenarios,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    print!("{}", render_report(&report, args.column_width));
    for path in &json_paths {
        write_text(path, &serde_json::to_string_pretty(&report)?)?;
    }
    Ok(if report.summary.diverge > 0 {
        Exit::Failures
    } else {
        Exit::Conformant
    })
}

/// The selected scenarios and their protocols' suites, or the exit code of a broken suite
/// (its errors printed).
fn select(args: &SuiteArgs) -> anyhow::Result<Result<Selection, Exit>> {
    let (scenarios, errors) = suite_dir::scenarios(args);
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        eprintln!("wsconform: {} error(s) in scenario files", errors.len());
        return Ok(Err(Exit::ScenarioFiles));
    }
    if scenarios.is_empty() {
        bail!("no scenario matches the selection");
    }
    match suite_dir::protocols(args, &scenarios) {
        Ok(suites) => Ok(Ok(Selection { scenarios, suites })),
        Err(error) => {
            eprintln!("wsconform: {error:#}");
            Ok(Err(Exit::ScenarioFiles))
        }
    }
}

/// 1 when a broadcast protocol runs (its parallel sessions on one server see each other's
/// events), else 4 — as `run` does against a target.
fn default_jobs(suites: &HashMap<String, Arc<ProtocolSuite>>) -> usize {
    if suites.values().any(|s| s.profile.broadcast.any()) {
        1
    } else {
        4
    }
}

/// The paths of `--report json=PATH` (the only kind a diff writes).
fn json_reports(reports: &[String]) -> anyhow::Result<Vec<String>> {
    parse_reports(reports)?
        .into_iter()
        .map(|(kind, path)| match kind {
            ReportKind::Json => Ok(path),
            other => bail!("--report: diff writes only json=<path>, not {other:?}"),
        })
        .collect()
}
