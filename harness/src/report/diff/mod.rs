//! Differential runs: where a target's transcript of a scenario first departs from the
//! reference server's, per connection, for people ([`render`]) and as JSON ([`model`]).
//!
//! Pure: it compares results the runner produced; it runs nothing and decides no verdict.
//!
//! What counts as the same (the decisions, each because a reference run against itself must
//! come out `same`):
//! - **Per connection.** Each actor's (and `http`'s) entries are compared in that connection's
//!   own order; how entries of different connections interleave is scheduling, not behaviour.
//! - **Golden normalisation** ([`super::golden`]): UUIDs → `<id-N>` by first appearance (so a
//!   target that reuses an id where the reference makes a new one still differs), ISO-8601
//!   times → `<time>`, the run id, socket.io socket ids, loopback ports.
//! - **Run variables** → `<var:name>` on each side with that side's values (the target's
//!   `--var` tokens, the reference's profile defaults). Values shorter than
//!   [`MIN_VAR_LENGTH`] are left alone: they would replace parts of unrelated text.
//! - **Unix-millisecond times** (13-digit integers from `1000000000000` to `2999999999999`,
//!   2001–2065) → `<unix-ms>`: wall-clock stamps, which the golden files never needed to hide.
//!   `at_ms` and durations are not in the compared text at all.
//! - **Foreign traffic** (another session's events on a shared broadcast target) is dropped: it
//!   belongs to the scenario that caused it.
//! - **Trailing traffic**: what a connection received after its last sent or matched entry, no
//!   step having asked for it, is dropped: whether it arrives before the session ends is timing
//!   (a `job_cancelled` that lands a millisecond after the last step on one side only).
//! - **JSON by value**: two lines with the same text before equal JSON are the same whatever
//!   their key order or spacing; when they differ, the first JSON path where they part is named.
//!
//! Not normalised, on purpose: counts of messages, their order within a connection, values
//! (numbers, strings, `retryCount`, error texts). A scenario whose reference transcript varies
//! from run to run — with timing, or with the state a shared server has accumulated (jobber's
//! `get_queue_size` counts every customer's jobs left by earlier scenarios) — is found by
//! running the reference again ([`judge`]) and reported as `nondeterministic` with what varied,
//! rather than blamed on the target.

pub mod json;
pub mod model;
pub mod render;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::golden::{self, Connection, Volatile};
use super::model::{Direction, ScenarioResult, TranscriptEntry};
pub use json::Change;
use model::{Divergence, Status};

/// Run-variable values shorter than this are not replaced by `<var:name>`.
pub const MIN_VAR_LENGTH: usize = 3;

/// Entries of context shown before a divergence, unless the caller says otherwise.
pub const DEFAULT_CONTEXT: usize = 3;

static UNIX_MS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[12]\d{12}\b").unwrap_or_else(|_| unreachable!()));

/// `result`'s transcript per connection, normalised for comparison; `vars` are the run
/// variables that side ran with (profile defaults with its overrides).
pub fn normalise(result: &ScenarioResult, vars: &BTreeMap<String, String>) -> Vec<Connection> {
    let last = last_asked(&result.transcript);
    let entries: Vec<TranscriptEntry> = result
        .transcript
        .iter()
        .enumerate()
        .filter(|(index, e)| {
            // HTTP answers are always asked for: only pushed messages can trail.
            let asked = e.matched || e.direction == Direction::Sent || e.actor == "http";
            let trailing = !asked && last.get(e.actor.as_str()).is_none_or(|l| index > l);
            !e.foreign && !trailing
        })
        .map(|(_, e)| e.clone())
        .collect();
    let literals: Vec<(String, String)> = vars
        .iter()
        .filter(|(_, value)| value.chars().count() >= MIN_VAR_LENGTH)
        .map(|(name, value)| (value.clone(), format!("<var:{name}>")))
        .collect();
    let volatile = Volatile {
        run_id: result.run_id.as_deref(),
        socket_ids: &result.socket_ids,
        literals: &literals,
    };
    let mut connections = golden::connections(&entries, &volatile);
    for connection in &mut connections {
        for line in &mut connection.lines {
            if UNIX_MS.is_match(line) {
                *line = UNIX_MS.replace_all(line, "<unix-ms>").into_owned();
            }
        }
    }
    connections
}

/// Per connection, the index of its last sent or matched entry.
fn last_asked(transcript: &[TranscriptEntry]) -> BTreeMap<&str, usize> {
    let mut last = BTreeMap::new();
    for (index, entry) in transcript.iter().enumerate() {
        if entry.matched || entry.direction == Direction::Sent {
            last.insert(entry.actor.as_str(), index);
        }
    }
    last
}

/// The first divergence of each connection, in the reference's connection order (then the
/// target's own connections); `context` entries before each are kept (equal on both sides).
pub fn first_divergences(
    reference: &[Connection],
    target: &[Connection],
    context: usize,
) -> Vec<Divergence> {
    let actors = reference.iter().map(|c| &c.actor).chain(
        target
            .iter()
            .map(|c| &c.actor)
            .filter(|a| !reference.iter().any(|c| &c.actor == *a)),
    );
    actors
        .filter_map(|actor| {
            first_divergence(
                actor,
                lines_of(reference, actor),
                lines_of(target, actor),
                context,
            )
        })
        .collect()
}

/// The lines of `actor`'s connection, none if it has none.
fn lines_of<'a>(side: &'a [Connection], actor: &str) -> &'a [String] {
    side.iter()
        .find(|c| c.actor == actor)
        .map_or(&[], |c| c.lines.as_slice())
}

fn first_divergence(
    actor: &str,
    reference: &[String],
    target: &[String],
    context: usize,
) -> Option<Divergence> {
    (0..reference.len().max(target.len())).find_map(|index| {
        let (r, t) = (reference.get(index), target.get(index));
        let (path, change) = match (r, t) {
            (Some(r), Some(t)) => match json::compare_lines(r, t)? {
                Some((path, change)) => (Some(path), change),
                None => (None, Change::Changed),
            },
            (Some(_), None) => (None, Change::OnlyInReference),
            (None, _) => (None, Change::OnlyInTarget),
        };
        Some(Divergence {
            actor: actor.to_owned(),
            index: index + 1,
            reference: r.cloned(),
            target: t.cloned(),
            path,
            change,
            context: reference[index.saturating_sub(context)..index].to_vec(),
        })
    })
}

/// The status of a scenario from the target's transcript and one or more runs of the
/// reference (`references[0]` first; later ones are re-runs made because the first differed):
/// `same` when the target equals any reference run (it behaves as the reference can);
/// `nondeterministic` when the reference runs differ among themselves; else `diverge`. The
/// divergences are always against the first reference run; the second list says where the
/// reference varied.
pub fn judge(
    target: &[Connection],
    references: &[Vec<Connection>],
    context: usize,
) -> (Status, Vec<Divergence>, Vec<Divergence>) {
    let Some(first) = references.first() else {
        return (Status::Diverge, Vec::new(), Vec::new());
    };
    let divergences = first_divergences(first, target, context);
    if divergences.is_empty()
        || references[1..]
            .iter()
            .any(|r| first_divergences(r, target, 0).is_empty())
    {
        return (Status::Same, Vec::new(), Vec::new());
    }
    let varied = references[1..]
        .iter()
        .map(|r| first_divergences(first, r, context))
        .find(|d| !d.is_empty())
        .unwrap_or_default();
    let status = if varied.is_empty() {
        Status::Diverge
    } else {
        Status::Nondeterministic
    };
    (status, divergences, varied)
}
