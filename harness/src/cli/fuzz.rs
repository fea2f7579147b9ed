//! `wsconform fuzz`: hostile input, each kind a case with the reaction
//! `fixtures/<protocol>/hostile.yaml` requires (`harness::hostile`), then generated sessions
//! (`harness::fuzz`, [`super::fuzz_sessions`]: sessions from `fixtures/<protocol>/fuzz.yaml`,
//! the first failure shrunk and written out), against the embedded reference server (a fresh one per case) or a
//! server named with `--target`.
//!
//! Prints the sessions' cases, properties, seed and time, one verdict line per hostile case and
//! a summary per protocol; exit 0 when every property held and every MUST case passed, 4 when
//! not (3: a target could not be reached, 2: the fuzzing or hostile data is wrong).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;
use harness::embedded::EmbeddedFactory;
use harness::hostile::run::{prepare, run_cases};
use harness::hostile::{self, Case, HostileSpec};
use harness::report::model::{RunReport, ScenarioResult, Summary, Verdict};
use harness::runner::suite::TargetSource;
use harness::runner::{RunOptions, TargetFactory};

use super::Exit;
use super::arg_groups::{SuiteArgs, TargetArgs};
use super::fuzz_sessions::{SessionArgs, SessionsRun, run_sessions, show};
use super::options::{
    check_time_scale, exit_code, parse_reports, parse_targets, parse_vars, write_report,
};
use super::suite_dir;

/// `wsconform fuzz`.
#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// The folder holding `scenarios/` and `fixtures/` (as for `run`).
    #[arg(long, env = "WSCONFORM_SUITE")]
    pub suite: Option<PathBuf>,
    /// The protocols (repeatable; default: those with a --target, else every protocol with a
    /// `fixtures/<id>/hostile.yaml`).
    #[arg(long = "protocol", value_name = "ID")]
    pub protocols: Vec<String>,
    /// The servers and what they need (as for `run`).
    #[command(flatten)]
    pub target: TargetArgs,
    /// The generated sessions.
    #[command(flatten)]
    pub sessions: SessionArgs,
    /// The hostile-input cases.
    #[command(flatten)]
    pub hostile: HostileArgs,
    /// Hostile cases run at once (default 4, each against its own fresh server when embedded;
    /// 1 against a target of a protocol that pushes messages to every client, whose parallel
    /// cases would see each other's, as for `run`).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Write a report: `json=<path>`, `junit=<path>`, `human=<path>`, `markdown=<path>` or
    /// `html=<path>` (as for `run`); repeatable.
    #[arg(long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,
}

/// The hostile-input options.
#[derive(Debug, Clone, Args)]
pub struct HostileArgs {
    /// Only these cases: an id, a prefix ending in `*`, or a family (`invalid_json`,
    /// `wrong_type`, …); repeatable.
    #[arg(long = "hostile", value_name = "FILTER")]
    pub filters: Vec<String>,
    /// The CI subset: the first case of every family.
    #[arg(long)]
    pub fast: bool,
    /// List the cases (id, kind, reaction required) without running them.
    #[arg(long)]
    pub list: bool,
}

/// Runs the generated sessions, then the hostile cases, and reports them.
pub fn fuzz(args: FuzzArgs) -> anyhow::Result<Exit> {
    check_time_scale(args.target.time_scale)?;
    let reports = parse_reports(&args.reports)?;
    let started = Instant::now();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    // Hostile cases first: on a shared target, what generated sessions leave behind (an ark
    // agent going offline later) would reach the hostile cases' bystanders, while the
    // sessions' own files tolerate the server's other traffic (their `ignore:`).
    let results = match args.sessions.no_hostile {
        true => Vec::new(),
        false => match runtime.block_on(run_hostile(&args))? {
            Ran::Results(results) => results,
            Ran::Stopped(exit) => return Ok(exit),
        },
    };
    let sessions_failed = match args.sessions.no_sessions || args.hostile.list {
        true => false,
        false => runtime.block_on(generated_sessions(&args))?,
    };
    if args.sessions.no_hostile {
        return Ok(if sessions_failed {
            Exit::Failures
        } else {
            Exit::Conformant
        });
    }
    let report = RunReport {
        tool: format!("wsconform {}", env!("CARGO_PKG_VERSION")),
        targets: target_names(&args),
        summary: Summary::of(&results),
        scenarios: results,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        coverage: None,
    };
    for (kind, path) in &reports {
        write_report(*kind, path, &report)?;
    }
    // As for `run`: 4 when a MUST case failed, 3 unreachable, 2 other errors.
    match exit_code(&report.scenarios, false) {
        Exit::Conformant if sessions_failed => Ok(Exit::Failures),
        exit => Ok(exit),
    }
}

/// Every selected protocol's generated sessions; whether one broke a property.
async fn generated_sessions(args: &FuzzArgs) -> anyhow::Result<bool> {
    let root = suite_dir::root(&suite_args(args))?;
    let fixtures = root.join("fixtures");
    let external = parse_targets(&args.target.targets, &args.target.capabilities)?;
    let options = Arc::new(RunOptions {
        time_scale: args.target.time_scale,
        vars: parse_vars(&args.target.vars)?,
        ..RunOptions::default()
    });
    let mut failed = false;
    for protocol in protocols(args, &fixtures, &external)? {
        let target = external.get(&protocol);
        let run = run_sessions(
            &args.sessions,
            &fixtures,
            &protocol,
            target,
            Arc::clone(&options),
        );
        match run.await? {
            SessionsRun::NoModel => {
                println!("{protocol}: no fuzzing model (fuzz.yaml): no generated sessions");
            }
            SessionsRun::Ran(report) => {
                let flags = target_flags(args);
                let write_to = &args.sessions.write_to;
                failed |= show(&report, &protocol, &fixtures, write_to, &flags)?;
            }
        }
    }
    Ok(failed)
}

fn suite_args(args: &FuzzArgs) -> SuiteArgs {
    SuiteArgs {
        suite: args.suite.clone(),
        protocols: args.protocols.clone(),
        scenarios: Vec::new(),
        tags: Vec::new(),
    }
}

/// What the hostile run came to.
pub enum Ran {
    /// The results of every protocol's cases, in order.
    Results(Vec<ScenarioResult>),
    /// Nothing (more) was run, for this reason.
    Stopped(Exit),
}

/// Selects, prints and runs every protocol's hostile cases.
pub async fn run_hostile(args: &FuzzArgs) -> anyhow::Result<Ran> {
    let root = suite_dir::root(&suite_args(args))?;
    let fixtures = root.join("fixtures");
    let external = parse_targets(&args.target.targets, &args.target.capabilities)?;
    let protocols = protocols(args, &fixtures, &external)?;
    let options = Arc::new(RunOptions {
        time_scale: args.target.time_scale,
        vars: parse_vars(&args.target.vars)?,
        ..RunOptions::default()
    });
    let colour = std::io::stdout().is_terminal();
    let mut all = Vec::new();
    for protocol in &protocols {
        let started = Instant::now();
        let suite = harness::runner::protocol::load_protocol(&fixtures, protocol)
            .with_context(|| format!("loading the {protocol} fixtures"))?;
        let spec = match HostileSpec::load(&fixtures, protocol) {
            Ok(spec) => spec,
            Err(error) => {
                eprintln!("wsconform: {error}");
                return Ok(Ran::Stopped(Exit::ScenarioFiles));
            }
        };
        let generated = hostile::generate(
            &spec,
            &suite.profile,
            &fixtures,
            &hostile::fields::Files,
            &options.vars,
        );
        let mut cases: Vec<Case> = generated
            .cases
            .into_iter()
            .filter(|c| {
                args.hostile.filters.is_empty()
                    || args.hostile.filters.iter().any(|f| c.selected_by(f))
            })
            .collect();
        if args.hostile.fast {
            cases = hostile::fast(cases);
        }
        if args.hostile.list {
            for case in &cases {
                println!("{}  {}  {}", case.id, case.kind, case.reaction(&spec));
            }
            continue;
        }
        let broadcast = suite.profile.broadcast.any();
        let file = fixtures.join(protocol).join("hostile.yaml");
        let spec = Arc::new(spec);
        let prepared = match prepare(Arc::clone(&spec), Arc::new(suite), cases, file) {
            Ok(prepared) => prepared,
            Err(error) => {
                eprintln!("wsconform: {error}");
                return Ok(Ran::Stopped(Exit::ScenarioFiles));
            }
        };
        let count = prepared.cases.len();
        let source = match external.get(protocol) {
            Some(target) => TargetSource::External(target.clone()),
            None => TargetSource::Fresh(Arc::new(EmbeddedFactory) as Arc<dyn TargetFactory>),
        };
        println!(
            "wsconform {} fuzz {protocol}: {count} hostile case(s) against {}",
            env!("CARGO_PKG_VERSION"),
            match &source {
                TargetSource::External(t) => t.url.clone(),
                TargetSource::Fresh(f) => f.name(),
            }
        );
        let rerun = rerun_command(args, protocol);
        let results = run_cases(
            prepared,
            source,
            Arc::clone(&options),
            jobs(args.jobs, broadcast && external.contains_key(protocol)),
            rerun,
            |case, result| {
                println!("{}", line(case, result, &case.reaction(&spec), colour));
                let _ = std::io::stdout().flush();
            },
        )
        .await;
        let failed = results
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .count();
        let errors = results
            .iter()
            .filter(|r| r.verdict == Verdict::Error)
            .count();
        let unsupported = results
            .iter()
            .filter(|r| r.verdict == Verdict::Unsupported)
            .count();
        println!(
            "{protocol}: {} case(s) run, {failed} failed, {errors} error(s), {unsupported} unsupported, in {:.1}s",
            results.len(),
            started.elapsed().as_secs_f64()
        );
        for (family, n) in &generated.without_rule {
            println!(
                "{protocol}: {n} case(s) of family {family} left out: no reaction in hostile.yaml"
            );
        }
        for result in results
            .iter()
            .filter(|r| r.verdict != Verdict::Pass && r.verdict != Verdict::Unsupported)
        {
            print!("{}", failure_detail(result));
        }
        all.extend(results);
    }
    Ok(Ran::Results(all))
}

/// Cases at once: as given, else 4, or 1 on a shared target that pushes to every client.
fn jobs(given: Option<usize>, shared_broadcast: bool) -> usize {
    given.unwrap_or(if shared_broadcast { 1 } else { 4 })
}

fn protocols(
    args: &FuzzArgs,
    fixtures: &std::path::Path,
    external: &std::collections::HashMap<String, harness::runner::Target>,
) -> anyhow::Result<Vec<String>> {
    if !args.protocols.is_empty() {
        return Ok(args.protocols.clone());
    }
    if !external.is_empty() {
        let mut named: Vec<String> = external.keys().cloned().collect();
        named.sort();
        return Ok(named);
    }
    let mut found: Vec<String> = std::fs::read_dir(fixtures)
        .with_context(|| format!("reading {}", fixtures.display()))?
        .flatten()
        .filter(|e| e.path().join("hostile.yaml").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    found.sort();
    if found.is_empty() {
        bail!(
            "no fixtures/<protocol>/hostile.yaml under {}",
            fixtures.display()
        );
    }
    Ok(found)
}

/// `PASS  <case id>  <kind>  <reaction expected>`.
fn line(case: &Case, result: &ScenarioResult, reaction: &str, colour: bool) -> String {
    let verdict = match result.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Unsupported => "UNSUPPORTED",
        Verdict::Error => "ERROR",
    };
    let painted = match (colour, result.verdict) {
        (false, _) => verdict.to_owned(),
        (true, Verdict::Pass) => format!("\x1b[32m{verdict}\x1b[0m"),
        (true, Verdict::Fail | Verdict::Error) => format!("\x1b[31m{verdict}\x1b[0m"),
        (true, Verdict::Unsupported) => format!("\x1b[33m{verdict}\x1b[0m"),
    };
    format!("{painted:<4}  {}  {}  {reaction}", case.id, case.kind)
}

/// What went wrong in a case, for the terminal: the first failed check and the re-run command.
fn failure_detail(result: &ScenarioResult) -> String {
    let mut out = format!("--- {} ({:?})\n", result.id, result.verdict);
    for point in result.failure_points().iter().take(3) {
        out.push_str(&format!("    {}", point.message));
        if let Some(at) = point.at {
            out.push_str(&format!(" at step {} ({at})", point.step.unwrap_or(0)));
        }
        out.push('\n');
        if let Some(expected) = point.expected {
            out.push_str(&format!("    expected: {expected}\n"));
        }
        if let Some(actual) = point.actual {
            let text = actual.to_string();
            let shown: String = text.chars().take(300).collect();
            out.push_str(&format!("    actual:   {shown}\n"));
        }
    }
    for finding in result.findings.iter().take(3) {
        out.push_str(&format!(
            "    finding ({}): {}\n",
            finding.actor, finding.message
        ));
    }
    out.push_str(&format!("    re-run: {}\n", result.rerun));
    out
}

fn rerun_command(args: &FuzzArgs, protocol: &str) -> Arc<dyn Fn(&Case) -> String + Send + Sync> {
    let common = common_flags(args);
    let protocol = protocol.to_owned();
    Arc::new(move |case: &Case| {
        format!(
            "wsconform fuzz --protocol {protocol} --hostile {}{common}",
            case.id
        )
    })
}

/// The flags a re-run repeats: the suite, then [`target_flags`].
fn common_flags(args: &FuzzArgs) -> String {
    let mut common = String::new();
    if let Some(suite) = &args.suite {
        common.push_str(&format!(" --suite {}", suite.display()));
    }
    common + &target_flags(args)
}

/// The targets, variables, capabilities and time scale, as flags.
fn target_flags(args: &FuzzArgs) -> String {
    let mut common = String::new();
    for target in &args.target.targets {
        common.push_str(&format!(" --target {target}"));
    }
    for var in &args.target.vars {
        common.push_str(&format!(" --var {var}"));
    }
    for capability in &args.target.capabilities {
        common.push_str(&format!(" --capability {capability}"));
    }
    if args.target.time_scale != 1.0 {
        common.push_str(&format!(" --time-scale {}", args.target.time_scale));
    }
    common
}

fn target_names(args: &FuzzArgs) -> Vec<String> {
    if args.target.targets.is_empty() {
        return vec!["embedded reference server".to_owned()];
    }
    args.target.targets.clone()
}
