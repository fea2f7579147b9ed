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
use harness::runner::preflight::{self, Problem, ProblemKind};
use harness::runner::suite::{SuitePlan, TargetSource, run_all};
use harness::runner::{OnDeviation, RunOptions, Target, TargetFactory};
use harness::scenario::model::Scenario;

use super::Exit;
use super::args::RunArgs;
use super::options::{
    check_time_scale, parse_reports, parse_targets, parse_vars, write_report, write_text,
};
use super::{profile, suite_dir};

/// Runs the selected scenarios and writes the reports.
pub fn run(mut args: RunArgs) -> anyhow::Result<Exit> {
    let rerun_args = (args.target.targets.clone(), args.target.vars.clone());
    let applied = match profile::apply(&mut args) {
        Ok(applied) => applied,
        Err(exit) => return Ok(exit),
    };
    check_time_scale(args.target.time_scale)?;
    let reports = parse_reports(&args.reports)?;
    let mut external = parse_targets(&args.target.targets, &args.target.capabilities)?;
    for (protocol, capabilities) in &applied.capabilities {
        if let Some(target) = external.get_mut(protocol) {
            target.capabilities.extend(capabilities.iter().cloned());
        }
    }
    let mut suite_args = args.suite;
    if suite_args.protocols.is_empty() {
        suite_args.protocols = external.keys().cloned().collect();
    }
    let (scenarios, errors) = suite_dir::scenarios(&suite_args);
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        eprintln!(
            "wsconform: {} error(s) in scenario files; nothing was run",
            errors.len()
        );
        return Ok(Exit::ScenarioFiles);
    }
    if scenarios.is_empty() {
        bail!("no scenario matches the selection");
    }
    let suites = match suite_dir::protocols(&suite_args, &scenarios) {
        Ok(suites) => suites,
        Err(error) => {
            eprintln!("wsconform: {error:#}");
            return Ok(Exit::ScenarioFiles);
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
        time_scale: args.target.time_scale,
        vars: parse_vars(&args.target.vars)?,
        on_deviation: if args.stop_at_first_failure {
            OnDeviation::Stop
        } else {
            OnDeviation::GoOn
        },
        dialects: applied.dialects,
        ..RunOptions::default()
    };
    let rerun = rerun_command(
        &RerunFlags {
            profile: args.profile.as_deref(),
            targets: &rerun_args.0,
            vars: &rerun_args.1,
            capabilities: &args.target.capabilities,
            time_scale: args.target.time_scale,
        },
        suite_args.suite.as_deref(),
        args.no_preflight,
    );
    let jobs = args
        .jobs
        .unwrap_or_else(|| default_jobs(&suites, &external));
    let plan = SuitePlan {
        scenarios,
        suites,
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
    if !args.no_preflight {
        let fixtures = suite_dir::root(&suite_args).join("fixtures");
        let checks = preflight::Checks {
            fixtures: &fixtures,
            suites: &plan.suites,
            targets: &plan.targets,
            options: &plan.options,
            limits: preflight::Limits::default(),
        };
        if let Some(exit) = preflight_exit(&runtime.block_on(preflight::check(checks))) {
            return Ok(exit);
        }
    }
    let results = runtime.block_on(run_all(plan, |result| {
        println!("{}", human::line(result, colour));
        let _ = std::io::stdout().flush();
    }));
    let report = RunReport {
        tool: format!("wsconform {}", env!("CARGO_PKG_VERSION")),
        targets: target_names,
        summary: Summary::of(&results),
        scenarios: results,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
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

/// Prints the problems found before the run, one line each; the exit code if there are any.
fn preflight_exit(problems: &[Problem]) -> Option<Exit> {
    if problems.is_empty() {
        return None;
    }
    for problem in problems {
        println!("wsconform: {problem}");
    }
    println!("nothing was run");
    let file = problems
        .iter()
        .any(|p| p.kind == ProblemKind::PreflightFile);
    Some(if file {
        Exit::ScenarioFiles
    } else {
        Exit::Unreachable
    })
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

/// The flags a re-run repeats: the profile, and what the command line added to it.
struct RerunFlags<'a> {
    profile: Option<&'a std::path::Path>,
    targets: &'a [String],
    vars: &'a [String],
    capabilities: &'a [String],
    time_scale: f64,
}

fn rerun_command(
    flags: &RerunFlags<'_>,
    suite: Option<&std::path::Path>,
    no_preflight: bool,
) -> impl Fn(&Scenario) -> String + Send + Sync + use<> {
    let RerunFlags {
        profile,
        targets,
        vars,
        capabilities,
        time_scale,
    } = *flags;
    let mut common = String::new();
    if let Some(profile) = profile {
        common.push_str(&format!(" --profile {}", profile.display()));
    }
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
    if no_preflight {
        common.push_str(" --no-preflight");
    }
    move |scenario: &Scenario| format!("wsconform run --scenario {}{common}", scenario.id)
}
