//! Short human descriptions of patterns, for reports and mismatches.
//!
//! `a UUID`, `"job:created"`, `one of ["A", "B"]`, `{event: "job:created", …}`. Descriptions are
//! bounded: objects show at most [`MAX_FIELDS`] fields, lists at most [`MAX_ITEMS`] items, and
//! nesting deeper than [`MAX_DEPTH`] is shown as `{…}` / `[…]`. Partial objects end with `…`.

use serde_json::Value;

use super::pattern::{Kind, Pattern};

/// Fields shown of an object pattern.
pub const MAX_FIELDS: usize = 3;
/// Items shown of a list.
pub const MAX_ITEMS: usize = 4;
/// Nesting levels shown.
pub const MAX_DEPTH: usize = 2;

/// A short human description of a pattern.
pub fn describe(pattern: &Pattern) -> String {
    at_depth(pattern, 0)
}

fn at_depth(pattern: &Pattern, depth: usize) -> String {
    match pattern {
        Pattern::Null => "null".into(),
        Pattern::Bool(b) => b.to_string(),
        Pattern::Number(n) => n.to_string(),
        Pattern::String(s) => Value::String(s.clone()).to_string(),
        Pattern::Array(items) if depth >= MAX_DEPTH && !items.is_empty() => "[…]".into(),
        Pattern::Array(items) => format!("[{}]", list(items, depth)),
        Pattern::Object { fields, .. } if depth >= MAX_DEPTH && !fields.is_empty() => "{…}".into(),
        Pattern::Object { fields, exact } => object(fields, *exact, depth),
        Pattern::Typed { kind, capture } => match capture {
            Some(name) => format!("{} (captured as {name})", kind_name(*kind)),
            None => kind_name(*kind).into(),
        },
        Pattern::Absent => "absent".into(),
        Pattern::Regex(re) => format!("a string matching /{}/", re.0.as_str()),
        Pattern::OneOf(options) => format!("one of [{}]", list(options, depth)),
        Pattern::Range { min, max } => format!("a number {}", bounds(min.as_ref(), max.as_ref())),
        Pattern::Len { min, max } => format!("a length {}", bounds(min.as_ref(), max.as_ref())),
        Pattern::Contains(items) => format!("an array containing [{}]", list(items, depth)),
        Pattern::Mentions { inner, present } => {
            let inner = at_depth(inner, depth + 1);
            if *present {
                format!("a value mentioning {inner} somewhere")
            } else {
                format!("no value {inner} anywhere")
            }
        }
    }
}

fn list(items: &[Pattern], depth: usize) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .take(MAX_ITEMS)
        .map(|p| at_depth(p, depth + 1))
        .collect();
    if items.len() > MAX_ITEMS {
        parts.push("…".into());
    }
    parts.join(", ")
}

fn object(fields: &[(String, Pattern)], exact: bool, depth: usize) -> String {
    let mut parts: Vec<String> = fields
        .iter()
        .take(MAX_FIELDS)
        .map(|(k, p)| format!("{k}: {}", at_depth(p, depth + 1)))
        .collect();
    if !exact || fields.len() > MAX_FIELDS {
        parts.push("…".into());
    }
    let prefix = if exact { "exactly " } else { "" };
    format!("{prefix}{{{}}}", parts.join(", "))
}

fn bounds<T: std::fmt::Display>(min: Option<&T>, max: Option<&T>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("from {lo} to {hi}"),
        (Some(lo), None) => format!("of at least {lo}"),
        (None, Some(hi)) => format!("of at most {hi}"),
        (None, None) => "(any)".into(),
    }
}

/// The description of a kind: `a UUID`, `an integer`.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Any => "any value",
        Kind::Null => "null",
        Kind::String => "a string",
        Kind::Number => "a number",
        Kind::Integer => "an integer",
        Kind::Boolean => "a boolean",
        Kind::Object => "an object",
        Kind::Array => "an array",
        Kind::Uuid => "a UUID",
        Kind::Iso8601 => "an ISO-8601 date-time",
        Kind::UnixMillis => "a Unix time in milliseconds (within 10 years of now)",
    }
}
