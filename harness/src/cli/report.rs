//! `wsconform report merge`: the shards of a load run, merged exactly, judged by the gates.

use anyhow::Context;
use harness::load::merge::merge;
use harness::load::{LoadReport, gates, render};

use super::Exit;
use super::args::{ReportArgs, ReportCommand};
use harness::load::plan::Gates;
use harness::load::report::GateLimits;

use super::load::gates_of;
use super::load_output::{exit_code, parse_outputs, write_outputs};

/// Runs a `report` command.
pub fn report(args: ReportArgs) -> anyhow::Result<Exit> {
    let ReportCommand::Merge(args) = args.command;
    let outputs = parse_outputs(&args.reports)?;
    let mut reports = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let report: LoadReport = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a wsconform load report", file.display()))?;
        reports.push(report);
    }
    let mut merged = merge(reports)?;
    // The run's own gates, as the shards' reports keep them, unless flags say otherwise.
    let wanted = gates_of(&args.gates, Gates::from(&merged.limits))?;
    merged.limits = GateLimits::from(&wanted);
    merged.gates = gates::judge(&merged, &wanted);
    print!("{}", render::summary(&merged));
    write_outputs(&outputs, &merged)?;
    Ok(exit_code(&merged, &wanted))
}
