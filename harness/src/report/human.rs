//! The human report: one line per scenario, then every non-passing scenario in detail (the
//! failing step's file:line, the JSON path, expected and actual, findings, the transcript, the
//! command that re-runs it), then the summary.

use std::fmt::Write;

use super::model::{Direction, RunReport, ScenarioResult, Summary, Verdict};
use super::root_causes::root_causes;
use super::text::at_path;

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
    let declared = match result.deviations.as_slice() {
        [] => String::new(),
        uses => format!(
            " [declared: {}]",
            uses.iter()
                .map(|u| format!("{} ×{}", u.id, u.count))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!(
        "  {}  {:<44} {:<6} {}{declared}",
        paint.verdict(result.verdict),
        result.id,
        result.level,
        paint.dim(&result.title)
    )
}

/// The target's declared deviations the run met: each with its reason, how many messages and
/// scenarios it concerned. Empty when none.
pub fn deviation_lines(report: &RunReport) -> String {
    let mut totals: Vec<(&str, &str, u64, usize)> = Vec::new();
    for result in &report.scenarios {
        for used in &result.deviations {
            match totals.iter_mut().find(|t| t.0 == used.id) {
                Some(total) => {
                    total.2 += used.count;
                    total.3 += 1;
                }
                None => totals.push((&used.id, &used.reason, used.count, 1)),
            }
        }
    }
    let mut out = String::new();
    if totals.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "
declared deviations (accepted as the target profile says, not the document):"
    );
    for (id, reason, messages, scenarios) in totals {
        let _ = writeln!(
            out,
            "  {id}: {messages} message(s) in {scenarios} scenario(s) — {reason}"
        );
    }
    out
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

/// Root causes listed at most, and scenarios named per cause.
const MAX_CAUSES: usize = 10;
const MAX_CAUSE_SCENARIOS: usize = 3;

/// When two or more scenarios did not pass: their root causes, most frequent first, so one
/// deviation repeated in many scenarios reads as one line.
pub fn root_cause_lines(report: &RunReport) -> String {
    let failing = report
        .scenarios
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail | Verdict::Error))
        .count();
    let causes = root_causes(report);
    if failing < 2 || causes.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nroot causes, most frequent first:\n");
    for cause in causes.iter().take(MAX_CAUSES) {
        let path = at_path(cause.path.as_deref());
        let names: Vec<&str> = cause
            .scenarios
            .iter()
            .take(MAX_CAUSE_SCENARIOS)
            .map(String::as_str)
            .collect();
        let more = cause.scenarios.len().saturating_sub(MAX_CAUSE_SCENARIOS);
        let more = if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        };
        let schema = if cause.finding { "schema: " } else { "" };
        let _ = writeln!(
            out,
            "  {:>4}×  {schema}{}{path}  ({}{more})",
            cause.count,
            shorten(&cause.headline, 200),
            names.join(", ")
        );
    }
    if causes.len() > MAX_CAUSES {
        let _ = writeln!(out, "  … {} more causes", causes.len() - MAX_CAUSES);
    }
    out
}

/// Every scenario that did not pass, in detail, after their root causes.
pub fn details(report: &RunReport, colour: bool) -> String {
    let mut out = deviation_lines(report);
    out.push_str(&root_cause_lines(report));
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
    let declared = match summary.passed_with_deviations {
        0 => String::new(),
        n => format!(" ({n} with declared deviations)"),
    };
    format!(
        "\n{} passed{declared}, {} failed, {} unsupported, {} errors ({} scenarios in {:.1} s)\n",
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
    let points = result.failure_points();
    if points.len() > 1 {
        let _ = writeln!(
            out,
            "  further failed checks (the scenario went on past the first):"
        );
        for point in &points[1..] {
            let at = point.at.unwrap_or(&result.file);
            let step = point
                .step
                .map_or_else(String::new, |s| format!(" (step {s})"));
            let _ = writeln!(out, "    at {at}{step}: {}", shorten(point.message, 400));
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
    for leak in &result.leaks {
        let _ = writeln!(
            out,
            "  also received by {}: {}",
            leak.heard_by.join(", "),
            shorten(&leak.text, 300)
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::Failure;
    use crate::report::test_support::{extra_status_key, report, result};

    #[test]
    fn root_causes_come_before_the_details_one_line_each() {
        let mut scenarios: Vec<ScenarioResult> = (0..6)
            .map(|i| {
                let job = format!("job-{i}");
                result(
                    &format!("jobber.s{i}"),
                    Verdict::Fail,
                    Some(extra_status_key(&job)),
                )
            })
            .collect();
        let refused = Failure::new("the target refused the connection".into());
        scenarios.push(result("jobber.c", Verdict::Error, Some(refused)));
        let text = details(&report(scenarios), false);
        let causes = text
            .find("root causes, most frequent first:")
            .expect("causes");
        assert!(causes < text.find("FAIL jobber.s0").expect("details"));
        assert!(
            text.contains("6×  ack of send_job: unexpected key \"status\" beside jobId job-0 at $.args[0]  (jobber.s0, jobber.s1, jobber.s2, and 3 more)"),
            "{text}"
        );
        assert!(text.contains("1×  the target refused the connection  (jobber.c)"));
    }

    #[test]
    fn a_single_failure_needs_no_grouping() {
        let failure = Failure::new("late".into());
        let text = details(
            &report(vec![result("p.x", Verdict::Fail, Some(failure))]),
            false,
        );
        assert!(!text.contains("root causes"), "{text}");
    }
}
