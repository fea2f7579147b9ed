//! The run shared by `run` and `coverage`: select the scenarios, pick the targets (the
//! embedded reference server for protocols without one), check them before anything runs, run
//! the suite, and measure its coverage. Printing verdict lines is the only output here; reports
//! and exit codes are the callers'.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use harness::dialect::Dialect;
use harness::embedded::EmbeddedFactory;
use harness::report::human;
use harness::report::model::{RunReport, Summary};
use harness::runner::preflight::{self, Problem, ProblemKind};
use harness::runner::suite::{SuitePlan, TargetSource, run_all};
use harness::runner::{OnDeviation, RunOptions, Target, TargetFactory};
use harness::scenario::model::Scenario;

use super::Exit;
use super::arg_groups::{SuiteArgs, TargetArgs};
use super::options::{check_time_scale, parse_targets, parse_vars};
use super::suite_dir;

/// What `execute` prints while the suite runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Echo {
    /// One line per scenario as its result comes in.
    Lines,
    /// Nothing.
    Quiet,
}

/// How to run the suite: what the command line (and a target profile) said.
pub(super) struct Setup<'a> {
    /// Which scenarios (protocols default to those with a target).
    pub suite: SuiteArgs,
    /// Targets, run variables, capabilities, time scale.
    pub target: &'a TargetArgs,
    /// Scenarios at once (default: see [`default_jobs`]).
    pub jobs: Option<usize>,
    /// Verdict lines or nothing.
    pub echo: Echo,
    /// Go on past deviations, or stop.
    pub on_deviation: OnDeviation,
    /// Per protocol, the target's declared deviations.
    pub dialects: BTreeMap<String, Arc<Dialect>>,
    /// Per protocol, capabilities its target declares besides `--capability`.
    pub capabilities: BTreeMap<String, Vec<String>>,
    /// Skip the checks before the run.
    pub no_preflight: bool,
    /// The profile a re-run repeats, if one was used.
    pub profile: Option<&'a std::path::Path>,
    /// `--target` and `--var` as given on the command line (a re-run repeats these, not what
    /// the profile added).
    pub given: (&'a [String], &'a [String]),
}

impl<'a> Setup<'a> {
    /// A plain setup from the command line's suite and target flags.
    pub fn plain(
        suite: SuiteArgs,
        target: &'a TargetArgs,
        jobs: Option<usize>,
        echo: Echo,
    ) -> Self {
        Setup {
            suite,
            target,
            jobs,
            echo,
            on_deviation: OnDeviation::GoOn,
            dialects: BTreeMap::new(),
            capabilities: BTreeMap::new(),
            no_preflight: false,
            profile: None,
            given: (&target.targets, &target.vars),
        }
    }
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

/// Selects and runs the suite against the targets and measures its coverage.
pub(super) fn execute(setup: Setup<'_>) -> anyhow::Result<Executed> {
    let target = setup.target;
    check_time_scale(target.time_scale)?;
    let mut external = parse_targets(&target.targets, &target.capabilities)?;
    for (protocol, capabilities) in &setup.capabilities {
        if let Some(target) = external.get_mut(protocol) {
            target.capabilities.extend(capabilities.iter().cloned());
        }
    }
    let mut suite_args = setup.suite;
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
        on_deviation: setup.on_deviation,
        dialects: setup.dialects,
        ..RunOptions::default()
    };
    let rerun = rerun_command(
        &RerunFlags {
            profile: setup.profile,
            targets: setup.given.0,
            vars: setup.given.1,
            capabilities: &target.capabilities,
            time_scale: target.time_scale,
            no_preflight: setup.no_preflight,
        },
        suite_args.suite.as_deref(),
    );
    let jobs = setup
        .jobs
        .unwrap_or_else(|| default_jobs(&suites, &external));
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
    if setup.echo == Echo::Lines {
        println!(
            "wsconform {} against {} ({})",
            env!("CARGO_PKG_VERSION"),
            target_names.join(", "),
            suite_dir::describe(&suite_args)
        );
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let fixtures = suite_dir::root(&suite_args)?.join("fixtures");
    if !setup.no_preflight {
        let checks = preflight::Checks {
            fixtures: &fixtures,
            suites: &plan.suites,
            targets: &plan.targets,
            options: &plan.options,
            limits: preflight::Limits::default(),
        };
        if let Some(exit) = preflight_exit(&runtime.block_on(preflight::check(checks))) {
            return Ok(Executed::Stopped(exit));
        }
    }
    let echo = setup.echo;
    let results = runtime.block_on(run_all(plan, |result| {
        if echo == Echo::Lines {
            println!("{}", human::line(result, colour));
            let _ = std::io::stdout().flush();
        }
    }));
    let profiles = suites.iter().map(|(p, suite)| (p.as_str(), &suite.profile));
    let (coverage, coverage_error) = match harness::coverage::of_run(&fixtures, profiles, &results)
    {
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

/// Scenarios at once: 4, except 1 when a broadcast protocol runs against a shared target (its
/// parallel sessions would see each other's events before they can tell them apart).
fn default_jobs(
    suites: &HashMap<String, Arc<harness::runner::ProtocolSuite>>,
    external: &HashMap<String, Target>,
) -> usize {
    let shared_broadcast = suites
        .iter()
        .any(|(protocol, suite)| suite.profile.broadcast.any() && external.contains_key(protocol));
    if shared_broadcast { 1 } else { 4 }
}

/// The flags a re-run repeats: the profile, and what the command line added to it.
struct RerunFlags<'a> {
    profile: Option<&'a std::path::Path>,
    targets: &'a [String],
    vars: &'a [String],
    capabilities: &'a [String],
    time_scale: f64,
    no_preflight: bool,
}

fn rerun_command(
    flags: &RerunFlags<'_>,
    suite: Option<&std::path::Path>,
) -> impl Fn(&Scenario) -> String + Send + Sync + use<> {
    let RerunFlags {
        profile,
        targets,
        vars,
        capabilities,
        time_scale,
        no_preflight,
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
