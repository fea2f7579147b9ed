//! `wsconform coverage`: runs the suite (like `run`) and prints, per protocol, what of its
//! document the run exercised and what never (`harness::coverage`).
//!
//! Coverage is information: the command exits 0 when the suite ran, whatever the verdicts and
//! the figures, unless `--min` is given and a protocol's category falls below it (exit 5, like a
//! missed gate). It runs the same scenarios against the same targets as `run` would.

use anyhow::bail;
use clap::Args;
use harness::coverage::{self, ProtocolCoverage};
use harness::report::ReportKind;

use super::Exit;
use super::arg_groups::{SuiteArgs, TargetArgs};
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
