//! `wsconform run`: load the suite, pick targets, run, report, and choose the exit code.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context, bail};
use harness::report::baseline::{Baseline, Changes};
use harness::report::human;
use harness::report::model::{RunReport, ScenarioResult, Summary, Verdict};
use std::sync::Arc;

use harness::embedded::EmbeddedFactory;
use harness::runner::preflight::{Unreachable, unreachable_targets};
use harness::runner::suite::{SuitePlan, TargetSource, run_all};
use harness::runner::{RunOptions, Target, TargetFactory};
use harness::scenario::model::Scenario;

use super::Exit;
use super::args::{RunArgs, SuiteArgs, TargetArgs};
use super::options::{
    check_time_scale, parse_reports, parse_targets, parse_vars, write_report, write_text,
};
use super::suite_dir;

/// Runs the selected scenarios and writes the reports.
pub fn run(args: RunArgs) -> anyhow::Result<Exit> {
    let reports = parse_reports(&args.reports)?;
    let colour = std::io::stdout().is_terminal();
    let ran = match execute(args.suite, &args.target, args.jobs, Echo::Lines)? {
        Executed::Ran(ran) => ran,
        Executed::Stopped(exit) => return Ok(exit),
    };
    if let Some(error) = &ran.coverage_error {
        eprintln!("wsconform: no coverage in the report: {error}");
    }
    let report = ran.report;
    print!("{}", human::details(&report, colour));
    print!(
        "{}",
        human::summary_line(&report.summary, report.duration_ms)
    );
    for (kind, path) in &reports {
        write_report(*kind, path, &report)?;
    }
    if let Some(path) = &args.write_baseline {
        let text = serde_json::to_string_pretty(&Baseline::of(&report))?;
        write_text(&path.display().to_string(), &text)?;
    }
    let Some(path) = &args.baseline else {
        return Ok(exit_code(&report.scenarios, args.strict));
    };
    let baseline = read_baseline(path)?;
    let changes = baseline.compare(&report);
    print!("{}", baseline_lines(&changes));
    if !changes.unchanged() {
        return Ok(Exit::Failures);
    }
    let unknown: Vec<ScenarioResult> = report
        .scenarios
        .into_iter()
        .filter(|r| !changes.known.contains(&r.id))
        .collect();
    Ok(exit_code(&unknown, args.strict))
}

/// What `execute` prints while the suite runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Echo {
    /// One line per scenario as its result comes in.
    Lines,
    /// Nothing.
    Quiet,
}

/// A suite run: its report (with coverage, unless it could not be measured: then why).
pub(super) struct Ran {
    /// The report.
    pub report: RunReport,
    /// Why the report has no coverage.
    pub coverage_error: Option<String>,
}

/// What `execute` came to.
pub(super) enum Executed {
    /// The suite ran.
    Ran(Ran),
    /// Nothing was run, for this reason.
    Stopped(Exit),
}

/// Selects and runs the suite against the targets (the embedded server for the protocols
/// without one) and measures its coverage; shared by `run` and `coverage`.
pub(super) fn execute(
    mut suite_args: SuiteArgs,
    target: &TargetArgs,
    jobs: Option<usize>,
    echo: Echo,
) -> anyhow::Result<Executed> {
    check_time_scale(target.time_scale)?;
    let external = parse_targets(&target.targets, &target.capabilities)?;
    if suite_args.protocols.is_empty() {
        suite_args.protocols = external.keys().cloned().collect();
    }
    let (scenarios, errors) = suite_dir::scenarios(&suite_args);
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        eprintln!(
            "wsconform: {} scenario file(s) have errors; nothing was run",
            errors.len()
        );
        return Ok(Executed::Stopped(Exit::ScenarioFiles));
    }
    if scenarios.is_empty() {
        bail!("no scenario matches the selection");
    }
    let suites = match suite_dir::protocols(&suite_args, &scenarios) {
        Ok(suites) => suites,
        Err(error) => {
            eprintln!("wsconform: {error:#}");
            return Ok(Executed::Stopped(Exit::ScenarioFiles));
        }
    };
    let embedded: Arc<dyn TargetFactory> = Arc::new(EmbeddedFactory);
    let targets: HashMap<String, TargetSource> = suites
        .keys()
        .map(|protocol| {
            let source = external.get(protocol).cloned().map_or_else(
                || TargetSource::Fresh(Arc::clone(&embedded)),
                TargetSource::External,
            );
            (protocol.clone(), source)
        })
        .collect();
    let target_names: Vec<String> = targets
        .iter()
        .map(|(p, t)| match t {
            TargetSource::External(target) => format!("{p}={}", target.url),
            TargetSource::Fresh(factory) => format!("{p}={}", factory.name()),
        })
        .collect();
    let options = RunOptions {
        time_scale: target.time_scale,
        vars: parse_vars(&target.vars)?,
        ..RunOptions::default()
    };
    let rerun = rerun_command(
        &target.targets,
        &target.vars,
        &target.capabilities,
        target.time_scale,
        suite_args.suite.as_deref(),
    );
    let jobs = jobs.unwrap_or_else(|| default_jobs(&suites, &external));
    let plan = SuitePlan {
        scenarios,
        suites: suites.clone(),
        targets,
        jobs,
        options: Arc::new(options),
        rerun: Arc::new(rerun),
    };
    let colour = std::io::stdout().is_terminal();
    let started = Instant::now();
    println!(
        "wsconform {} against {}",
        env!("CARGO_PKG_VERSION"),
        target_names.join(", ")
    );
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let external_urls: Vec<(String, String)> = external
        .iter()
        .map(|(protocol, target)| (protocol.clone(), target.url.clone()))
        .collect();
    let unreachable = runtime.block_on(unreachable_targets(&external_urls));
    if !unreachable.is_empty() {
        for Unreachable { target, reason } in &unreachable {
            println!("wsconform: {target}: {reason}");
        }
        println!("nothing was run");
        return Ok(Executed::Stopped(Exit::Unreachable));
    }
    let results = runtime.block_on(run_all(plan, |result| {
        if echo == Echo::Lines {
            println!("{}", human::line(result, colour));
            let _ = std::io::stdout().flush();
        }
    }));
    let fixtures = suite_dir::root(&suite_args).join("fixtures");
    let (coverage, coverage_error) = match super::coverage::measure(&fixtures, &suites, &results) {
        Ok(coverage) => (Some(coverage), None),
        Err(error) => (None, Some(error.to_string())),
    };
    let report = RunReport {
        tool: format!("wsconform {}", env!("CARGO_PKG_VERSION")),
        targets: target_names,
        summary: Summary::of(&results),
        scenarios: results,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        coverage,
    };
    Ok(Executed::Ran(Ran {
        report,
        coverage_error,
    }))
}

fn read_baseline(path: &std::path::Path) -> anyhow::Result<Baseline> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the baseline {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a wsconform baseline", path.display()))
}

/// What a run changed against its baseline, for the terminal.
fn baseline_lines(changes: &Changes) -> String {
    let mut out = format!(
        "baseline: {} known failure(s) still fail as known\n",
        changes.known.len()
    );
    for id in &changes.new {
        out.push_str(&format!("baseline: new failure: {id}\n"));
    }
    for entry in &changes.fixed {
        out.push_str(&format!(
            "baseline: fixed: {} now passes; remove it from the baseline\n",
            entry.scenario
        ));
    }
    out
}

/// 4 when a required scenario failed, 3 when the target could not be reached, 2 when a scenario
/// itself is wrong, else 0.
fn exit_code(results: &[ScenarioResult], strict: bool) -> Exit {
    let breaks = |r: &&ScenarioResult| r.verdict == Verdict::Fail && (r.level == "MUST" || strict);
    if results.iter().any(|r| breaks(&r)) {
        return Exit::Failures;
    }
    let errors: Vec<&ScenarioResult> = results
        .iter()
        .filter(|r| r.verdict == Verdict::Error)
        .collect();
    if errors
        .iter()
        .any(|r| r.failure.as_ref().is_some_and(|f| f.unreachable))
    {
        return Exit::Unreachable;
    }
    if !errors.is_empty() {
        return Exit::ScenarioFiles;
    }
    Exit::Conformant
}

/// Scenarios at once: 4, except 1 when a broadcast protocol runs against a shared target (its
/// parallel sessions would see each other's events before they can tell them apart).
fn default_jobs(
    suites: &HashMap<String, Arc<harness::runner::ProtocolSuite>>,
    external: &HashMap<String, Target>,
) -> usize {
    let shared_broadcast = suites
        .iter()
        .any(|(protocol, suite)| suite.profile.broadcast && external.contains_key(protocol));
    if shared_broadcast { 1 } else { 4 }
}

fn rerun_command(
    targets: &[String],
    vars: &[String],
    capabilities: &[String],
    time_scale: f64,
    suite: Option<&std::path::Path>,
) -> impl Fn(&Scenario) -> String + Send + Sync + use<> {
    let mut common = String::new();
    for target in targets {
        common.push_str(&format!(" --target {target}"));
    }
    for var in vars {
        common.push_str(&format!(" --var {var}"));
    }
    for capability in capabilities {
        common.push_str(&format!(" --capability {capability}"));
    }
    if time_scale != 1.0 {
        common.push_str(&format!(" --time-scale {time_scale}"));
    }
    if let Some(suite) = suite {
        common.push_str(&format!(" --suite {}", suite.display()));
    }
    move |scenario: &Scenario| format!("wsconform run --scenario {}{common}", scenario.id)
}
