//! `wsconform run`: fold in the target profile, run the suite (`execute`), print and write the
//! reports, compare with the baseline, and choose the exit code.

use std::io::IsTerminal;

use anyhow::Context;
use harness::report::baseline::{Baseline, Changes};
use harness::report::human;
use harness::report::model::ScenarioResult;
use harness::runner::OnDeviation;

use super::Exit;
use super::args::RunArgs;
use super::execute::{Echo, Executed, Setup, execute};
use super::options::{exit_code, parse_reports, write_report, write_text};
use super::profile;

/// Runs the selected scenarios and writes the reports.
pub fn run(mut args: RunArgs) -> anyhow::Result<Exit> {
    let given = (args.target.targets.clone(), args.target.vars.clone());
    let applied = match profile::apply(&mut args) {
        Ok(applied) => applied,
        Err(exit) => return Ok(exit),
    };
    let reports = parse_reports(&args.reports)?;
    let colour = std::io::stdout().is_terminal();
    let setup = Setup {
        on_deviation: if args.stop_at_first_failure {
            OnDeviation::Stop
        } else {
            OnDeviation::GoOn
        },
        dialects: applied.dialects,
        capabilities: applied.capabilities,
        no_preflight: args.no_preflight,
        profile: args.profile.as_deref(),
        given: (&given.0, &given.1),
        ..Setup::plain(args.suite.clone(), &args.target, args.jobs, Echo::Lines)
    };
    let ran = match execute(setup)? {
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
