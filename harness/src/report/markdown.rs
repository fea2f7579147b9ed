//! The Markdown summary, sized for a pull-request comment or a CI job summary: the verdict
//! counts, the root causes with their counts and scenarios, then each scenario that did not pass
//! with its step's file:line, path, expected and actual, and the command that re-runs it.
//!
//! Invariant: the text never exceeds [`MAX_CHARS`] (GitHub refuses comments over 65,536
//! characters). Past the budget, the rest is counted and the reader is sent to the JSON report.

use std::fmt::Write;

use super::model::{RunReport, ScenarioResult, Verdict};
use super::root_causes::{RootCause, root_causes};
use super::text::shorten;

/// The most characters the summary may have.
pub const MAX_CHARS: usize = 60_000;

/// Root causes listed at most (the rest are counted).
const MAX_CAUSES: usize = 20;

/// Scenarios a cause lists by name at most.
const MAX_CAUSE_SCENARIOS: usize = 5;

/// Characters an actual value may take in the summary.
const MAX_ACTUAL: usize = 200;

/// Renders the summary of `report`.
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    head(&mut out, report);
    let declared = super::human::deviation_lines(report);
    if !declared.is_empty() {
        let _ = writeln!(out, "\n```text{declared}```");
    }
    let causes = root_causes(report);
    if !causes.is_empty() {
        causes_table(&mut out, &causes);
    }
    let failing: Vec<&ScenarioResult> = report
        .scenarios
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .collect();
    if !failing.is_empty() {
        out.push_str("\n### Scenarios that did not pass\n\n");
    }
    for (shown, result) in failing.iter().enumerate() {
        let block = scenario_block(result);
        let note_room = 200;
        if out.len() + block.len() + note_room > MAX_CHARS {
            let left = failing.len() - shown;
            let _ = writeln!(
                out,
                "\n… and {left} more: the JSON report (`--report json=…`) has every one."
            );
            break;
        }
        out.push_str(&block);
    }
    out
}

fn head(out: &mut String, report: &RunReport) {
    let s = &report.summary;
    let mark = if s.failed == 0 && s.errors == 0 {
        "✅"
    } else {
        "❌"
    };
    let _ = writeln!(
        out,
        "## {mark} wsconform: {} of {} passed\n",
        s.passed, s.total
    );
    let _ = writeln!(
        out,
        "| passed | failed | unsupported | errors | failed MUST | time |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| {} | {} | {} | {} | {} | {:.1} s |",
        s.passed,
        s.failed,
        s.unsupported,
        s.errors,
        s.failed_must,
        report.duration_ms as f64 / 1000.0
    );
    let targets: Vec<String> = report.targets.iter().map(|t| format!("`{t}`")).collect();
    let _ = writeln!(out, "\nTargets: {}", targets.join(", "));
}

fn causes_table(out: &mut String, causes: &[RootCause]) {
    out.push_str("\n### Root causes, most frequent first\n\n");
    out.push_str("| count | cause | path | scenarios |\n| ---: | --- | --- | --- |\n");
    for cause in causes.iter().take(MAX_CAUSES) {
        let mut names: Vec<String> = cause
            .scenarios
            .iter()
            .take(MAX_CAUSE_SCENARIOS)
            .map(|s| format!("`{s}`"))
            .collect();
        if cause.scenarios.len() > MAX_CAUSE_SCENARIOS {
            names.push(format!(
                "and {} more",
                cause.scenarios.len() - MAX_CAUSE_SCENARIOS
            ));
        }
        let kind = if cause.finding { "schema: " } else { "" };
        let _ = writeln!(
            out,
            "| {} | {kind}{} | {} | {} |",
            cause.count,
            cell(&cause.headline, 300),
            cause.path.as_deref().map_or(String::new(), |p| format!(
                "`{}`",
                code(p, 100).replace('|', "\\|")
            )),
            names.join(", ")
        );
    }
    if causes.len() > MAX_CAUSES {
        let _ = writeln!(out, "\n{} more causes.", causes.len() - MAX_CAUSES);
    }
}

fn scenario_block(result: &ScenarioResult) -> String {
    let mut out = String::new();
    let verdict = match result.verdict {
        Verdict::Error => "ERROR",
        _ => "FAIL",
    };
    let _ = writeln!(
        out,
        "<details><summary><b>{verdict}</b> <code>{}</code> ({}) — {}</summary>\n",
        result.id,
        result.level,
        html(&result.title)
    );
    if let Some(failure) = &result.failure {
        let at = failure.at.as_deref().unwrap_or(&result.file);
        let _ = writeln!(out, "- at `{at}`: {}", cell(&failure.message, 500));
        if let Some(path) = &failure.path {
            let _ = writeln!(out, "- path `{}`", code(path, MAX_ACTUAL));
        }
        if let Some(expected) = &failure.expected {
            let _ = writeln!(out, "- expected: {}", cell(expected, MAX_ACTUAL));
        }
        if let Some(actual) = &failure.actual {
            let _ = writeln!(out, "- actual: `{}`", code(&actual.to_string(), MAX_ACTUAL));
        }
    }
    let points = result.failure_points();
    for point in points.iter().skip(1).take(MORE_CHECKS) {
        let at = point.at.unwrap_or(&result.file);
        let path = point
            .path
            .map_or_else(String::new, |p| format!(" `{}`", code(p, 80)));
        let _ = writeln!(out, "- also at `{at}`{path}: {}", cell(point.message, 300));
    }
    if points.len() > MORE_CHECKS + 1 {
        let _ = writeln!(
            out,
            "- and {} more failed checks",
            points.len() - MORE_CHECKS - 1
        );
    }
    for finding in result.findings.iter().take(3) {
        let path = finding.path.as_deref().unwrap_or("");
        let _ = writeln!(out, "- schema {path}: {}", cell(&finding.message, 300));
    }
    for leak in result.leaks.iter().take(3) {
        let _ = writeln!(
            out,
            "- also received by {}: `{}`",
            cell(&leak.heard_by.join(", "), 200),
            code(&leak.text, MAX_ACTUAL)
        );
    }
    let _ = writeln!(out, "\n```sh\n{}\n```\n</details>\n", result.rerun);
    out
}

/// Failed checks listed after a scenario's first one (the rest are counted).
const MORE_CHECKS: usize = 3;

/// `text` on one line, fit for a table cell, cut to `max` characters.
fn cell(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    shorten(&html(&one_line.replace('|', "\\|").replace('`', "'")), max)
}

/// `text` on one line for a code span (shown as written), cut to `max` characters.
fn code(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '`' => '\'',
            c => c,
        })
        .collect();
    shorten(&one_line, max)
}

/// `text` with the characters HTML would read as markup escaped.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests;
