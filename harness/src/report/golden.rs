//! Normalised transcripts for golden files: what a scenario exchanged, without what changes
//! from run to run.
//!
//! Each connection's frames are listed in their own order (the order across connections depends
//! on scheduling, within one it does not). UUIDs become `<id-N>` (numbered by first appearance,
//! so sameness stays visible), ISO-8601 times become `<time>`, the run id becomes `<run_id>`,
//! socket.io socket ids become `<socket-N>` (in connection order), and ephemeral ports `<port>`.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::model::{Direction, ScenarioResult};

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        .unwrap_or_else(|_| unreachable!())
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
        .unwrap_or_else(|_| unreachable!())
});
static PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(127\.0\.0\.1|localhost|\[::1\]):\d+").unwrap_or_else(|_| unreachable!())
});

/// The normalised transcript of `result`; `run_id` is the value of `${run_id}` in that run.
pub fn normalise(result: &ScenarioResult, run_id: Option<&str>) -> String {
    let mut actors: Vec<&str> = Vec::new();
    for entry in &result.transcript {
        if !actors.contains(&entry.actor.as_str()) {
            actors.push(&entry.actor);
        }
    }
    let mut ids = HashMap::new();
    let mut out = format!("{} — {}\n", result.id, result.title);
    for actor in actors {
        out.push_str(&format!("\n[{actor}]\n"));
        for entry in result.transcript.iter().filter(|e| e.actor == actor) {
            let arrow = match entry.direction {
                Direction::Sent => "→",
                Direction::Received => "←",
            };
            let mut text = entry.text.clone();
            for (n, sid) in result.socket_ids.iter().enumerate() {
                text = text.replace(sid.as_str(), &format!("<socket-{}>", n + 1));
            }
            out.push_str(&format!("{arrow} {}\n", redact(&text, run_id, &mut ids)));
        }
    }
    out
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
    PORT.replace_all(&text, "$1:<port>").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
