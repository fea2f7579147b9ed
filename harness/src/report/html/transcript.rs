//! A scenario's transcript as a table: what was sent and received, in order, with the marks
//! (matched by a step, unmatched, another session's, the subject of a finding) and each raw
//! frame folded. Bounded by [`Limits::transcript_entries`]: the first and the last entries
//! are shown, the middle counted.

use std::fmt::Write;

use super::super::model::{Direction, ScenarioResult, TranscriptEntry, Verdict};
use super::super::text::shorten;
use super::{Limits, anchor, escape};

/// The anchor of the transcript entry at `index` (0-based) of scenario `id`.
pub fn entry_anchor(id: &str, index: usize) -> String {
    format!("{}-m{}", anchor(id), index + 1)
}

/// Writes the transcript of `result`, open when the scenario failed.
pub fn transcript(out: &mut String, result: &ScenarioResult, limits: &Limits) {
    let entries = &result.transcript;
    if entries.is_empty() {
        return;
    }
    let open = if matches!(result.verdict, Verdict::Fail | Verdict::Error) {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<details class=\"transcript\"{open}>\n<summary>Transcript ({} entries)</summary>\n\
         <table class=\"transcript\">\n<thead><tr><th>#</th><th>ms</th><th>actor</th><th></th>\
         <th>message</th><th></th></tr></thead>\n<tbody>",
        entries.len()
    );
    let limit = limits.transcript_entries;
    let (head, tail) = if entries.len() > limit {
        (limit / 2, limit - limit / 2)
    } else {
        (entries.len(), 0)
    };
    for (index, entry) in entries.iter().enumerate().take(head) {
        row(out, result, index, entry, limits);
    }
    if tail > 0 {
        let skipped = entries.len() - head - tail;
        let _ = writeln!(
            out,
            "<tr class=\"gap\"><td colspan=\"6\">… {skipped} entries not shown (at most {limit} per \
             scenario): the JSON report (<code>--report json=…</code>) has every one.</td></tr>"
        );
        let start = entries.len() - tail;
        for (index, entry) in entries.iter().enumerate().skip(start) {
            row(out, result, index, entry, limits);
        }
    }
    out.push_str("</tbody>\n</table>\n</details>\n");
}

fn row(
    out: &mut String,
    result: &ScenarioResult,
    index: usize,
    entry: &TranscriptEntry,
    limits: &Limits,
) {
    let (direction, arrow) = match entry.direction {
        Direction::Sent => ("sent", "→"),
        Direction::Received => ("received", "←"),
    };
    let mut classes = vec![direction];
    let mut marks = Vec::new();
    if entry.foreign {
        classes.push("foreign");
        marks.push("another session's");
    } else if entry.direction == Direction::Received && entry.actor != "http" {
        if entry.matched {
            classes.push("matched");
            marks.push("matched");
        } else {
            classes.push("unmatched");
            marks.push("unmatched");
        }
    }
    if result.findings.iter().any(|f| f.message_index == index) {
        classes.push("finding");
        marks.push("finding");
    }
    let raw = entry.raw.as_deref().map_or(String::new(), |raw| {
        format!(
            "<details class=\"raw\"><summary>raw frame</summary><pre>{}</pre></details>",
            escape(&shorten(raw, limits.text_chars))
        )
    });
    let _ = writeln!(
        out,
        "<tr id=\"{}\" class=\"{}\"><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>\
         <td class=\"arrow\" title=\"{direction}\">{arrow}</td><td><pre>{}</pre>{raw}</td><td class=\"marks\">{}</td></tr>",
        escape(&entry_anchor(&result.id, index)),
        classes.join(" "),
        index + 1,
        entry.at_ms,
        escape(&entry.actor),
        escape(&shorten(&entry.text, limits.text_chars)),
        marks.join(", ")
    );
}
