//! A differential run for people: one line per scenario (`SAME`, `DIVERGE`, …) and, under each
//! divergence, the reference and the target side by side — a few entries of context, then the
//! diverging entry marked `>`, wrapped (never cut) so the difference is always visible.
//!
//! Pure string functions; no colour (the output is meant to be pasted into issues).

use super::model::{DiffReport, DiffSummary, Divergence, ScenarioDiff, Status};
use crate::report::model::Verdict;
use crate::report::text::shorten;

/// Characters per column of the side-by-side view, unless the caller says otherwise.
pub const DEFAULT_COLUMN_WIDTH: usize = 72;

/// The fewest characters a column may have (narrower is unreadable).
pub const MIN_COLUMN_WIDTH: usize = 20;

/// What stands in a column where one side has no entry.
const NO_ENTRY: &str = "(no entry)";

/// Every scenario's block and the summary line.
pub fn report(report: &DiffReport, width: usize) -> String {
    let mut out: String = report
        .scenarios
        .iter()
        .map(|s| scenario(s, width))
        .collect();
    out.push_str(&summary_line(&report.summary, report.duration_ms));
    out
}

/// One scenario: its status line, and for a divergence each connection's side-by-side view.
pub fn scenario(diff: &ScenarioDiff, width: usize) -> String {
    let label = match diff.status {
        Status::Same => "SAME",
        Status::Diverge => "DIVERGE",
        Status::Nondeterministic => "NONDETERMINISTIC",
        Status::Unsupported => "UNSUPPORTED",
    };
    let mut out = format!("{label:<8} {}", diff.id);
    if let Some(reason) = &diff.reason {
        out.push_str(&format!(" — {reason}"));
    }
    out.push('\n');
    if !diff.divergences.is_empty() {
        out.push_str(&format!(
            "  {} — verdicts: reference {}, target {}\n",
            diff.title,
            verdict(diff.reference_verdict),
            verdict(Some(diff.target_verdict))
        ));
    }
    for divergence in &diff.divergences {
        out.push_str(&side_by_side(divergence, ("reference", "target"), width));
    }
    if !diff.reference_varies.is_empty() {
        out.push_str("  the reference's own runs differ, so the difference is not the target's:\n");
        for divergence in &diff.reference_varies {
            out.push_str(&side_by_side(
                divergence,
                ("reference, run 1", "reference, a re-run"),
                width,
            ));
        }
    }
    out
}

/// `diff: 40 same, 2 diverge, …`.
pub fn summary_line(summary: &DiffSummary, duration_ms: u64) -> String {
    format!(
        "diff: {} scenarios: {} same, {} diverge, {} nondeterministic, {} unsupported ({:.1} s)\n",
        summary.total,
        summary.same,
        summary.diverge,
        summary.nondeterministic,
        summary.unsupported,
        duration_ms as f64 / 1000.0
    )
}

fn verdict(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Pass) => "pass",
        Some(Verdict::Fail) => "fail",
        Some(Verdict::Unsupported) => "unsupported",
        Some(Verdict::Error) => "error",
        None => "not run",
    }
}

/// One connection's divergence: a headline, the context, the marked entry in two columns.
pub fn side_by_side(divergence: &Divergence, labels: (&str, &str), width: usize) -> String {
    let width = width.max(MIN_COLUMN_WIDTH);
    let at = divergence
        .path
        .as_ref()
        .map_or_else(String::new, |p| format!(" at {p}"));
    let mut out = format!(
        "  [{}] entry {} differs{at}: {}\n",
        divergence.actor,
        divergence.index,
        divergence.change.describe()
    );
    out.push_str(&row("", &pad(labels.0, width), labels.1));
    let first_context = divergence.index - divergence.context.len();
    for (offset, line) in divergence.context.iter().enumerate() {
        let shown = pad(&shorten(line, width), width);
        let number = (first_context + offset).to_string();
        out.push_str(&row(&number, &shown, &shorten(line, width)));
    }
    let reference = wrap(divergence.reference.as_deref().unwrap_or(NO_ENTRY), width);
    let target = wrap(divergence.target.as_deref().unwrap_or(NO_ENTRY), width);
    for n in 0..reference.len().max(target.len()) {
        let number = if n == 0 {
            format!("> {}", divergence.index)
        } else {
            String::new()
        };
        let left = pad(reference.get(n).map_or("", String::as_str), width);
        out.push_str(&row(
            &number,
            &left,
            target.get(n).map_or("", String::as_str),
        ));
    }
    out
}

fn row(number: &str, left: &str, right: &str) -> String {
    format!("  {number:>6} {left} │ {right}\n").replace(" \n", "\n")
}

fn pad(text: &str, width: usize) -> String {
    let missing = width.saturating_sub(text.chars().count());
    format!("{text}{}", " ".repeat(missing))
}

/// `text` in pieces of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars
        .chunks(width.max(1))
        .map(|piece| piece.iter().collect())
        .collect()
}
