//! The human report: one line per scenario, then every non-passing scenario in detail (the
//! failing step's file:line, the JSON path, expected and actual, findings, the transcript, the
//! command that re-runs it), then the summary.

use std::fmt::Write;

use super::model::{Direction, RunReport, ScenarioResult, Summary, Verdict};

/// ANSI colours, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn verdict(self, verdict: Verdict) -> String {
        let (text, code) = match verdict {
            Verdict::Pass => ("PASS", "32"),
            Verdict::Fail => ("FAIL", "31"),
            Verdict::Unsupported => ("UNSP", "33"),
            Verdict::Error => ("ERR ", "35"),
        };
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn dim(self, text: &str) -> String {
        if self.0 {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The one-line verdict of a scenario, printed as results arrive.
pub fn line(result: &ScenarioResult, colour: bool) -> String {
    let paint = Paint(colour);
    format!(
        "  {}  {:<44} {:<6} {}",
        paint.verdict(result.verdict),
        result.id,
        result.level,
        paint.dim(&result.title)
    )
}

/// The whole report.
pub fn render(report: &RunReport, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} against {}", report.tool, report.targets.join(", "));
    for result in &report.scenarios {
        let _ = writeln!(out, "{}", line(result, colour));
    }
    out.push_str(&details(report, colour));
    out.push_str(&summary_line(&report.summary, report.duration_ms));
    out
}

/// Every scenario that did not pass, in detail.
pub fn details(report: &RunReport, colour: bool) -> String {
    let mut out = String::new();
    for result in report
        .scenarios
        .iter()
        .filter(|r| r.verdict != Verdict::Pass)
    {
        out.push('\n');
        scenario_detail(&mut out, result, Paint(colour));
    }
    out
}

/// `N passed, N failed, ...`.
pub fn summary_line(summary: &Summary, duration_ms: u64) -> String {
    format!(
        "\n{} passed, {} failed, {} unsupported, {} errors ({} scenarios in {:.1} s)\n",
        summary.passed,
        summary.failed,
        summary.unsupported,
        summary.errors,
        summary.total,
        duration_ms as f64 / 1000.0
    )
}

fn scenario_detail(out: &mut String, result: &ScenarioResult, paint: Paint) {
    let _ = writeln!(
        out,
        "{} {} — {}",
        paint.verdict(result.verdict),
        result.id,
        result.title
    );
    let _ = writeln!(
        out,
        "  clause: {} ({})  scenario: {}",
        result.clause, result.level, result.file
    );
    if let Some(failure) = &result.failure {
        if let Some(at) = &failure.at {
            let step = failure
                .step
                .map_or_else(String::new, |s| format!(" (step {s}"));
            let actor = failure
                .actor
                .as_ref()
                .map_or_else(String::new, |a| format!(", {a}"));
            let close = if step.is_empty() { "" } else { ")" };
            let _ = writeln!(out, "  at {at}{step}{actor}{close}");
        }
        let _ = writeln!(out, "  {}", failure.message);
        if let Some(path) = &failure.path {
            let _ = writeln!(out, "    path:     {path}");
        }
        if let Some(expected) = &failure.expected {
            let _ = writeln!(out, "    expected: {expected}");
        }
        if failure.expected.is_some() || failure.actual.is_some() {
            let actual = failure
                .actual
                .as_ref()
                .map_or_else(|| "(missing)".to_owned(), |v| v.to_string());
            let _ = writeln!(out, "    actual:   {actual}");
        }
    }
    if !result.findings.is_empty() {
        let _ = writeln!(out, "  findings:");
        for finding in &result.findings {
            let _ = writeln!(
                out,
                "    message #{} to {}: {}",
                finding.message_index + 1,
                finding.actor,
                finding.message
            );
        }
    }
    if !result.transcript.is_empty() {
        let _ = writeln!(out, "  transcript:");
        for (index, entry) in result.transcript.iter().enumerate() {
            let arrow = match entry.direction {
                Direction::Sent => "→",
                Direction::Received => "←",
            };
            let mark = if entry.foreign {
                " (another session's)"
            } else if entry.direction == Direction::Received
                && !entry.matched
                && entry.actor != "http"
            {
                " (unmatched)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    #{:<3} {:>6}ms {:<8} {arrow} {}{mark}",
                index + 1,
                entry.at_ms,
                entry.actor,
                shorten(&entry.text, 400)
            );
        }
    }
    let _ = writeln!(out, "  re-run: {}", result.rerun);
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}… ({} bytes)", text.len())
}
