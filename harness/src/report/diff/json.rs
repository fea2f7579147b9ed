//! Where two transcript lines differ inside their JSON: a line is split into the text before
//! its JSON (`← `, `→ POST /jobs `, `← 201 `, `→ connect … auth `) and the JSON value after it,
//! and two values are walked in step to the first path where they part.
//!
//! Pure. Object keys are compared as a set (the order of keys carries no meaning in JSON), in
//! the reference's key order first so the path named is the first one a reader meets.

use serde_json::Value;

/// The most places a line's JSON is tried from (each `{` or `[`, left to right): a line whose
/// JSON does not start within them is compared as text.
pub const MAX_JSON_STARTS: usize = 8;

/// How a line, or the value at a path, differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Both sides have it, with different values.
    Changed,
    /// Only the target has it (an extra key, element or message).
    OnlyInTarget,
    /// Only the reference has it (a key, element or message the target left out).
    OnlyInReference,
}

impl Change {
    /// A few words for people.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Changed => "changed",
            Change::OnlyInTarget => "only in the target",
            Change::OnlyInReference => "only in the reference",
        }
    }
}

/// `line` as the text before its JSON and the JSON value, if some `{` or `[` (among the first
/// [`MAX_JSON_STARTS`]) starts JSON that runs to the end of the line.
pub fn split(line: &str) -> Option<(&str, Value)> {
    line.char_indices()
        .filter(|(_, c)| *c == '{' || *c == '[')
        .take(MAX_JSON_STARTS)
        .find_map(|(at, _)| {
            let value = serde_json::from_str(&line[at..]).ok()?;
            Some((&line[..at], value))
        })
}

/// How two lines differ: `None` when they say the same (equal text, or equal text before equal
/// JSON); else the JSON path of the first difference when both carry JSON after the same text.
pub fn compare_lines(reference: &str, target: &str) -> Option<Option<(String, Change)>> {
    if reference == target {
        return None;
    }
    match (split(reference), split(target)) {
        (Some((before_r, value_r)), Some((before_t, value_t))) if before_r == before_t => {
            first_difference(&value_r, &value_t).map(Some)
        }
        _ => Some(None),
    }
}

/// The first path (`$.args[0].status`) where `reference` and `target` differ, if they do.
pub fn first_difference(reference: &Value, target: &Value) -> Option<(String, Change)> {
    let mut path = "$".to_owned();
    let mut found = None;
    descend(reference, target, &mut path, &mut found);
    found
}

/// Walks both values in step; leaves the first difference in `found` (and stops there).
fn descend(
    reference: &Value,
    target: &Value,
    path: &mut String,
    found: &mut Option<(String, Change)>,
) {
    match (reference, target) {
        (Value::Object(r), Value::Object(t)) => {
            let keys = r.keys().chain(t.keys().filter(|k| !r.contains_key(*k)));
            for key in keys {
                let length = path.len();
                push_key(path, key);
                pair(r.get(key), t.get(key), path, found);
                path.truncate(length);
                if found.is_some() {
                    return;
                }
            }
        }
        (Value::Array(r), Value::Array(t)) => {
            for index in 0..r.len().max(t.len()) {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                pair(r.get(index), t.get(index), path, found);
                path.truncate(length);
                if found.is_some() {
                    return;
                }
            }
        }
        (r, t) if r == t => {}
        _ => *found = Some((path.clone(), Change::Changed)),
    }
}

/// One key's or element's values, either of which may be missing.
fn pair(
    reference: Option<&Value>,
    target: Option<&Value>,
    path: &mut String,
    found: &mut Option<(String, Change)>,
) {
    match (reference, target) {
        (Some(r), Some(t)) => descend(r, t, path, found),
        (Some(_), None) => *found = Some((path.clone(), Change::OnlyInReference)),
        (None, Some(_)) => *found = Some((path.clone(), Change::OnlyInTarget)),
        (None, None) => {}
    }
}

/// `.key`, or `["key"]` when the key is not a plain name (as the matcher writes paths).
fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str(&format!("[{}]", Value::String(key.to_owned())));
    }
}
