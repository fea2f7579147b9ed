//! Normalised transcripts for golden files: what a scenario exchanged, without what changes
//! from run to run.
//!
//! Each connection's frames are listed in their own order (the order across connections depends
//! on scheduling, within one it does not). UUIDs become `<id-N>` (numbered by first appearance,
//! so sameness stays visible), ISO-8601 times become `<time>`, Unix-millisecond times of the
//! run (13-digit numbers within a day of the wall clock) become `<ms>`, the run id becomes `<run_id>`,
//! socket.io socket ids become `<socket-N>` (in connection order), and ephemeral ports `<port>`.
//! [`connections`] gives the same per connection, with literal values of the caller's (run
//! variables) replaced first; differential runs (`report::diff`) compare those.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::model::{Direction, ScenarioResult, TranscriptEntry};

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        .unwrap_or_else(|_| unreachable!())
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
        .unwrap_or_else(|_| unreachable!())
});
static MILLIS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{13}\b").unwrap_or_else(|_| unreachable!()));
static PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):\d+").unwrap_or_else(|_| unreachable!())
});

/// One connection's normalised entries, in its own order: `→ text` sent, `← text` received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The actor (or `http`).
    pub actor: String,
    /// Its entries, normalised.
    pub lines: Vec<String>,
}

/// What a run's entries hold that changes from run to run, besides ids, times and ports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Volatile<'a> {
    /// The value of `${run_id}` in that run.
    pub run_id: Option<&'a str>,
    /// The socket ids the target gave the run's socket.io connections, in connection order.
    pub socket_ids: &'a [String],
    /// Literal values and what to show instead (run variables: `tok-a` → `<var:token_a>`),
    /// replaced before anything else, longest first.
    pub literals: &'a [(String, String)],
}

/// The normalised transcript of `result`; `run_id` is the value of `${run_id}` in that run.
pub fn normalise(result: &ScenarioResult, run_id: Option<&str>) -> String {
    let volatile = Volatile {
        run_id,
        socket_ids: &result.socket_ids,
        literals: &[],
    };
    let mut out = format!("{} — {}\n", result.id, result.title);
    for connection in connections(&result.transcript, &volatile) {
        out.push_str(&format!("\n[{}]\n", connection.actor));
        for line in &connection.lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `entries` per connection (in order of each connection's first entry), normalised. UUIDs are
/// numbered across all connections, so an id one actor sees is the same `<id-N>` for another.
pub fn connections(entries: &[TranscriptEntry], volatile: &Volatile<'_>) -> Vec<Connection> {
    let mut actors: Vec<&str> = Vec::new();
    for entry in entries {
        if !actors.contains(&entry.actor.as_str()) {
            actors.push(&entry.actor);
        }
    }
    let mut literals: Vec<&(String, String)> = volatile
        .literals
        .iter()
        .filter(|(value, _)| !value.is_empty())
        .collect();
    literals.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    let mut ids = HashMap::new();
    actors
        .into_iter()
        .map(|actor| {
            let lines = entries
                .iter()
                .filter(|e| e.actor == actor)
                .map(|entry| {
                    let arrow = match entry.direction {
                        Direction::Sent => "→",
                        Direction::Received => "←",
                    };
                    let mut text = entry.text.clone();
                    for (value, shown) in &literals {
                        text = text.replace(value.as_str(), shown);
                    }
                    for (n, sid) in volatile.socket_ids.iter().enumerate() {
                        text = text.replace(sid.as_str(), &format!("<socket-{}>", n + 1));
                    }
                    format!("{arrow} {}", redact(&text, volatile.run_id, &mut ids))
                })
                .collect();
            Connection {
                actor: actor.to_owned(),
                lines,
            }
        })
        .collect()
}

fn redact(text: &str, run_id: Option<&str>, ids: &mut HashMap<String, usize>) -> String {
    let text = match run_id {
        Some(run_id) if !run_id.is_empty() => text.replace(run_id, "<run_id>"),
        _ => text.to_owned(),
    };
    let text = UUID.replace_all(&text, |found: &regex::Captures<'_>| {
        let next = ids.len() + 1;
        let number = *ids.entry(found[0].to_lowercase()).or_insert(next);
        format!("<id-{number}>")
    });
    let text = TIME.replace_all(&text, "<time>");
    let text = redact_millis(&text, wall_clock_ms());
    PORT.replace_all(&text, "$1:<port>").into_owned()
}

/// How far from the wall clock a Unix-millisecond time still counts as the run's own: a fixed
/// time a scenario sends (the document's 1705312345000) stays as it is.
const RUN_MILLIS_WINDOW: i64 = 86_400_000;

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `text` with the Unix-millisecond times within [`RUN_MILLIS_WINDOW`] of `now_ms` as `<ms>`.
fn redact_millis(text: &str, now_ms: i64) -> String {
    MILLIS
        .replace_all(text, |found: &regex::Captures<'_>| {
            match found[0].parse::<i64>() {
                Ok(ms) if (ms - now_ms).abs() <= RUN_MILLIS_WINDOW => "<ms>".to_owned(),
                _ => found[0].to_owned(),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runs_unix_millisecond_times_are_hidden_and_fixed_ones_kept() {
        let now = 1_796_205_784_819;
        let text = r#"{"timestamp":1796205784819,"next":1796205814819,"sent":1705312345000,"n":12345678901234}"#;
        assert_eq!(
            redact_millis(text, now),
            r#"{"timestamp":<ms>,"next":<ms>,"sent":1705312345000,"n":12345678901234}"#
        );
    }

    #[test]
    fn ids_are_numbered_by_first_appearance_and_times_hidden() {
        let mut ids = HashMap::new();
        let a = "11111111-1111-4111-8111-111111111111";
        let b = "22222222-2222-4222-8222-222222222222";
        let text = format!("{b} {a} {b} 2024-01-15T10:30:00.000Z agent-r1 ws://127.0.0.1:4567/ws");
        assert_eq!(
            redact(&text, Some("r1"), &mut ids),
            "<id-1> <id-2> <id-1> <time> agent-<run_id> ws://127.0.0.1:<port>/ws"
        );
    }
}
