//! `wsconform coverage`: runs the suite (like `run`) and prints, per protocol, what of its
//! document the run exercised and what never (`harness::coverage`).
//!
//! Coverage is information: the command exits 0 when the suite ran, whatever the verdicts and
//! the figures, unless `--min` is given and a protocol's category falls below it (exit 5, like a
//! missed gate). It runs the same scenarios against the same targets as `run` would.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use harness::coverage::{self, CoverageError, ProtocolCoverage};
use harness::report::ReportKind;
use harness::report::model::ScenarioResult;
use harness::runner::ProtocolSuite;

use super::Exit;
use super::args::{SuiteArgs, TargetArgs};
use super::execute::{Echo, Executed, Setup, execute};
use super::options::write_report;

/// `wsconform coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Which scenarios (fewer scenarios, less coverage).
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// The servers and what they need.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Write the run's report with its coverage: `json=<path>` (`-` is stdout).
    #[arg(long = "report", value_name = "json=PATH")]
    pub reports: Vec<String>,
    /// Scenarios run at once (as for `run`).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Every category of every protocol must reach this percentage, else exit 5.
    #[arg(long, value_name = "PERCENT")]
    pub min: Option<f64>,
}

/// Runs the suite and prints its coverage.
pub fn coverage(args: CoverageArgs) -> anyhow::Result<Exit> {
    let reports = json_reports(&args.reports)?;
    if let Some(min) = args.min.filter(|m| !(0.0..=100.0).contains(m)) {
        bail!("--min {min}: a percentage from 0 to 100");
    }
    let ran = match execute(Setup::plain(
        args.suite,
        &args.target,
        args.jobs,
        Echo::Quiet,
    ))? {
        Executed::Ran(ran) => ran,
        Executed::Stopped(exit) => return Ok(exit),
    };
    if let Some(error) = ran.coverage_error {
        eprintln!("wsconform: {error}");
        return Ok(Exit::ScenarioFiles);
    }
    let report = ran.report;
    let summary = &report.summary;
    println!(
        "ran {} scenario(s): {} passed, {} failed, {} unsupported, {} error(s)",
        summary.total, summary.passed, summary.failed, summary.unsupported, summary.errors
    );
    let figures = report.coverage.as_deref().unwrap_or_default();
    print!("{}", coverage::summary::render(figures));
    for path in &reports {
        write_report(ReportKind::Json, path, &report)?;
    }
    let Some(min) = args.min else {
        return Ok(Exit::Conformant);
    };
    let below: Vec<&ProtocolCoverage> = figures
        .iter()
        .filter(|p| p.lowest_percent() < min)
        .collect();
    for protocol in &below {
        println!(
            "coverage gate missed: {} has a category at {:.1} % (< {min} %)",
            protocol.protocol,
            protocol.lowest_percent()
        );
    }
    Ok(if below.is_empty() {
        Exit::Conformant
    } else {
        Exit::GateMissed
    })
}

/// The coverage of each protocol of `suites` by `results`, from `fixtures/<protocol>/`.
pub fn measure(
    fixtures: &std::path::Path,
    suites: &HashMap<String, Arc<ProtocolSuite>>,
    results: &[ScenarioResult],
) -> Result<Vec<ProtocolCoverage>, CoverageError> {
    let mut protocols: Vec<&String> = suites.keys().collect();
    protocols.sort();
    protocols
        .into_iter()
        .map(|protocol| {
            let profile = &suites[protocol].profile;
            let dir: PathBuf = fixtures.join(protocol);
            let inventory = coverage::load_inventory(&dir, profile)?;
            Ok(coverage::of_results(protocol, &inventory, profile, results))
        })
        .collect()
}

/// `--report json=<path>` values (the only kind: the figures are in the JSON report).
fn json_reports(reports: &[String]) -> anyhow::Result<Vec<String>> {
    reports
        .iter()
        .map(|report| match report.split_once('=') {
            Some(("json", path)) => Ok(path.to_owned()),
            _ => bail!("--report {report:?}: coverage writes json=<path>"),
        })
        .collect()
}
