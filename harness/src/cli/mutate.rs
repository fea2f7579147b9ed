//! `wsconform mutate`: run one protocol's suite through a mutating proxy in front of the
//! embedded reference server, one corruption of one server message per run, and report the share
//! of mutants the suite catches and every survivor. Exit 0 when the share meets `--min`, else 4.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use harness::embedded::EmbeddedFactory;
use harness::mutate::allowed::AllowList;
use harness::mutate::run::{Progress, Selection, run_campaign};
use harness::mutate::summary::{MutationReport, describe, render};
use harness::mutate::{Campaign, Status, Timing};
use harness::runner::RunOptions;
use harness::scenario::parse_duration;

use super::Exit;
use super::arg_groups::SuiteArgs;
use super::options::{check_time_scale, parse_vars, write_text};
use super::suite_dir;

/// Scenarios with this tag are left out unless `--tag load` asks for them: they repeat one
/// round many times for `wsconform load`, so their mutants (thousands per scenario) would
/// measure the same checks over and over.
const LOAD_TAG: &str = "load";

/// `wsconform mutate`.
#[derive(Debug, Args)]
pub struct MutateArgs {
    /// Which scenarios (exactly one protocol: `--protocol ID`; scenarios tagged `load` only
    /// with `--tag load`).
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Run a deterministic sample of this many mutants instead of all of them.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// The sample's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Scenario runs at once (each against its own fresh server).
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// The share of mutants that must be caught (percent); below it, exit 4.
    #[arg(long, default_value_t = 95.0)]
    pub min: f64,
    /// How long the `delay` operator holds a message (later messages pass it).
    #[arg(long, default_value = "300ms", value_name = "DURATION")]
    pub delay: String,
    /// The longest the `reorder` operator holds a message when no next message comes.
    #[arg(long, default_value = "2s", value_name = "DURATION")]
    pub hold_limit: String,
    /// A run variable, `<name>=<value>` (as for `run`); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Multiply every timeout, window and sleep.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Write the report: `json=<path>` or `human=<path>` (`-` is stdout); repeatable.
    #[arg(long = "report", value_name = "KIND=PATH")]
    pub reports: Vec<String>,
}

/// Runs the campaign and reports it.
pub fn mutate(args: MutateArgs) -> anyhow::Result<Exit> {
    check_time_scale(args.time_scale)?;
    let [protocol] = args.suite.protocols.as_slice() else {
        bail!("name exactly one protocol: wsconform mutate --protocol <id>");
    };
    let reports = parse_reports(&args.reports)?;
    let timing = Timing {
        delay: duration(&args.delay, "--delay")?,
        hold_limit: duration(&args.hold_limit, "--hold-limit")?,
    };
    let (mut scenarios, errors) = suite_dir::scenarios(&args.suite);
    if !args.suite.tags.iter().any(|t| t == LOAD_TAG) {
        scenarios.retain(|s| !s.tags.iter().any(|t| t == LOAD_TAG));
    }
    if !errors.is_empty() {
        for error in &errors {
            eprintln!("{error}");
        }
        return Ok(Exit::ScenarioFiles);
    }
    if scenarios.is_empty() {
        bail!("no scenario matches the selection");
    }
    let suites = suite_dir::protocols(&args.suite, &scenarios)?;
    let suite = suites
        .get(protocol)
        .cloned()
        .with_context(|| format!("no fixtures for {protocol}"))?;
    let fixtures = suite_dir::root(&args.suite)?.join("fixtures");
    let allowed = AllowList::load(&fixtures, protocol)?;
    let campaign = Campaign {
        suite,
        factory: Arc::new(EmbeddedFactory),
        options: Arc::new(RunOptions {
            time_scale: args.time_scale,
            vars: parse_vars(&args.vars)?,
            ..RunOptions::default()
        }),
        timing,
        allowed: Arc::new(allowed),
    };
    let selection = Selection {
        sample: args.sample,
        seed: args.seed,
        jobs: args.jobs,
        min_share: args.min,
    };
    println!(
        "wsconform {} mutate {protocol}: {} scenario(s) against the embedded reference server",
        env!("CARGO_PKG_VERSION"),
        scenarios.len()
    );
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = runtime.block_on(run_campaign(campaign, scenarios, selection, show));
    print!("{}", render(&report));
    for (kind, path) in &reports {
        let text = match kind {
            ReportKind::Json => serde_json::to_string_pretty(&report)?,
            ReportKind::Human => render(&report),
        };
        write_text(path, &text)?;
    }
    Ok(exit(&report))
}

fn exit(report: &MutationReport) -> Exit {
    if report.meets_minimum() {
        Exit::Conformant
    } else {
        Exit::Failures
    }
}

/// How often (in runs) a progress line is printed.
const PROGRESS_EVERY: usize = 50;

fn show(progress: Progress<'_>) {
    match progress {
        Progress::Recorded {
            scenario,
            verdict,
            mutants,
        } => println!("recorded {scenario}: {verdict:?}, {mutants} mutant(s)"),
        Progress::Planned {
            enumerated,
            selected,
        } => println!("{enumerated} mutant(s) enumerated, {selected} to run"),
        Progress::Ran { done, total, run } => {
            if run.status == Status::Survived {
                println!("[{done}/{total}] survived: {}", describe(run));
            } else if done % PROGRESS_EVERY == 0 || done == total {
                println!("[{done}/{total}]");
            }
        }
    }
    let _ = std::io::stdout().flush();
}

fn duration(text: &str, flag: &str) -> anyhow::Result<Duration> {
    parse_duration(text).with_context(|| format!("{flag} {text:?} is not a duration like 300ms"))
}

#[derive(Debug, Clone, Copy)]
enum ReportKind {
    Json,
    Human,
}

fn parse_reports(reports: &[String]) -> anyhow::Result<Vec<(ReportKind, String)>> {
    reports
        .iter()
        .map(|report| match report.split_once('=') {
            Some(("json", path)) => Ok((ReportKind::Json, path.to_owned())),
            Some(("human", path)) => Ok((ReportKind::Human, path.to_owned())),
            _ => bail!("--report {report:?} is not json=<path> or human=<path>"),
        })
        .collect()
}
