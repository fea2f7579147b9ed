//! What a load run leaves: its reports (JSON, the human summary) and its exit code.

use harness::exec::unmet::Cause;
use harness::load::plan::Gates;
use harness::load::{LoadReport, render};

use super::Exit;
use super::options::write_text;

/// The kinds of load report: `json` and `human`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The report as JSON (mergeable).
    Json,
    /// The human summary.
    Human,
}

/// `--report <kind>=<path>` values of `load` and `report merge`.
pub fn parse_outputs(reports: &[String]) -> anyhow::Result<Vec<(Output, String)>> {
    reports
        .iter()
        .map(|report| {
            let parsed = report.split_once('=').and_then(|(kind, path)| {
                let kind = match kind {
                    "json" => Output::Json,
                    "human" => Output::Human,
                    _ => return None,
                };
                Some((kind, path.to_owned()))
            });
            parsed.ok_or_else(|| {
                anyhow::anyhow!("--report {report:?} is not json=<path> or human=<path>")
            })
        })
        .collect()
}

/// Writes every report asked for.
pub fn write_outputs(outputs: &[(Output, String)], report: &LoadReport) -> anyhow::Result<()> {
    for (kind, path) in outputs {
        let text = match kind {
            Output::Json => serde_json::to_string_pretty(report)?,
            Output::Human => render::summary(report),
        };
        write_text(path, &text)?;
    }
    Ok(())
}

/// 3 when no run could reach the target, 5 when a gate was missed, 4 when the target broke a
/// requirement and no `--max-failures` gate was given, or when every run was cut off (none
/// ended, so nothing was checked to its end: a target that stops answering is not conformant),
/// else 0.
pub fn exit_code(report: &LoadReport, gates: &Gates) -> Exit {
    let runs = &report.total.runs;
    let unreachable = report.total.causes.keys().all(|c| *c == Cause::Unreachable);
    if runs.passed + runs.failed == 0 && runs.errors > 0 && unreachable {
        return Exit::Unreachable;
    }
    if report.gates.iter().any(|g| !g.passed) {
        return Exit::GateMissed;
    }
    if gates.max_failures.is_none() && report.failures() > 0 {
        return Exit::Failures;
    }
    Exit::Conformant
}
