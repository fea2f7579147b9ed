//! YAML nodes to [`Pattern`]s: literal values and the tags of the README's pattern table.
//!
//! Untagged values become literal patterns (objects partial, arrays exact). Tags make typed
//! matchers; `!capture name` is `Typed { kind: Any, capture: Some(name) }`. Does not check
//! `${refs}` (see [`super::checks`]). Invariant: a capture name is an identifier
//! (`[A-Za-z_][A-Za-z0-9_]*`), so it can be referenced as `${name}`.

use std::path::Path;

use regex::Regex;
use serde_json::Value;

use super::error::{ScenarioError, did_you_mean};
use super::values::resolve_scalar;
use super::yaml::{Content, Node, NodeTag};
use crate::matcher::{Kind, Pattern, TextPattern};

const KINDS: [Kind; 11] = [
    Kind::Any,
    Kind::Null,
    Kind::String,
    Kind::Number,
    Kind::Integer,
    Kind::Boolean,
    Kind::Object,
    Kind::Array,
    Kind::Uuid,
    Kind::Iso8601,
    Kind::UnixMillis,
];

const OTHER_TAGS: [&str; 11] = [
    "absent", "regex", "one_of", "range", "len", "contains", "exact", "capture", "binary",
    "mentions", "lacks",
];

/// What a `!binary` pattern may say about a binary value's view ([`crate::binary`]).
const BINARY_KEYS: [&str; 7] = [
    "length",
    "hex",
    "truncated",
    "fields",
    "header",
    "payload_length",
    "malformed",
];

/// Every pattern tag name, without `!`.
pub fn tag_names() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|k| k.tag()).chain(OTHER_TAGS)
}

/// True if `name` can be captured and referenced.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The pattern a node stands for.
pub fn to_pattern(node: &Node, file: &Path) -> Result<Pattern, ScenarioError> {
    match &node.tag {
        Some(NodeTag::Local(name)) => tagged(node, name, file),
        Some(NodeTag::Other(tag)) => Err(err(node, file, format!("unknown tag {tag}"))),
        Some(NodeTag::Core(_)) | None => literal(node, file),
    }
}

fn err(node: &Node, file: &Path, message: impl Into<String>) -> ScenarioError {
    ScenarioError::new(node.location(file), message)
}

fn literal(node: &Node, file: &Path) -> Result<Pattern, ScenarioError> {
    match &node.content {
        Content::Scalar { text, plain } => Ok(match resolve_scalar(node, text, *plain, file)? {
            Value::Null => Pattern::Null,
            Value::Bool(b) => Pattern::Bool(b),
            Value::Number(n) => Pattern::Number(n),
            Value::String(s) => Pattern::String(s),
            Value::Array(_) | Value::Object(_) => Pattern::Null,
        }),
        Content::Seq(items) => Ok(Pattern::Array(list(items, file)?)),
        Content::Map(entries) => object(entries, false, file),
    }
}

fn list(items: &[Node], file: &Path) -> Result<Vec<Pattern>, ScenarioError> {
    items.iter().map(|item| to_pattern(item, file)).collect()
}

fn object(entries: &[(Node, Node)], exact: bool, file: &Path) -> Result<Pattern, ScenarioError> {
    let fields = entries
        .iter()
        .map(|(k, v)| {
            Ok((
                k.scalar().unwrap_or_default().to_owned(),
                to_pattern(v, file)?,
            ))
        })
        .collect::<Result<_, ScenarioError>>()?;
    Ok(Pattern::Object { fields, exact })
}

fn tagged(node: &Node, name: &str, file: &Path) -> Result<Pattern, ScenarioError> {
    if let Some(kind) = KINDS.iter().find(|k| k.tag() == name) {
        let capture = capture_name(node, name, false, file)?;
        return Ok(Pattern::Typed {
            kind: *kind,
            capture,
        });
    }
    match (name, &node.content) {
        ("capture", _) => Ok(Pattern::Typed {
            kind: Kind::Any,
            capture: capture_name(node, name, true, file)?,
        }),
        ("absent", _) => match capture_name(node, name, false, file)? {
            None => Ok(Pattern::Absent),
            Some(_) => Err(err(node, file, "!absent takes no value")),
        },
        ("regex", Content::Scalar { text, .. }) => Regex::new(text)
            .map(|re| Pattern::Regex(TextPattern(re)))
            .map_err(|e| err(node, file, format!("invalid regular expression: {e}"))),
        ("one_of", Content::Seq(items)) if !items.is_empty() => {
            Ok(Pattern::OneOf(list(items, file)?))
        }
        ("contains", Content::Seq(items)) => Ok(Pattern::Contains(list(items, file)?)),
        ("exact", Content::Map(entries)) => object(entries, true, file),
        ("mentions" | "lacks", _) => mentions(node, name == "mentions", file),
        ("binary", _) => binary_pattern(node, file),
        ("range", Content::Map(entries)) => {
            let [min, max] = bounds(node, entries, file, |v| v.as_f64())?;
            Ok(Pattern::Range { min, max })
        }
        ("len", Content::Map(entries)) => {
            let [min, max] = bounds(node, entries, file, |v| {
                v.as_u64().and_then(|n| usize::try_from(n).ok())
            })?;
            Ok(Pattern::Len { min, max })
        }
        ("regex" | "one_of" | "contains" | "exact" | "range" | "len", _) => Err(err(
            node,
            file,
            format!("!{name} takes {}", expected_shape(name)),
        )),
        _ => Err(err(node, file, format!("unknown tag !{name}"))
            .with_hint(did_you_mean(name, tag_names()))),
    }
}

/// `!binary {length: …, hex: …, fields: {…}, header: {…}}`: a binary value whose view has
/// these; `!binary` alone: any binary value.
fn binary_pattern(node: &Node, file: &Path) -> Result<Pattern, ScenarioError> {
    let inner = match &node.content {
        Content::Map(entries) => {
            for (key, _) in entries {
                let name = key.scalar().unwrap_or_default();
                if !BINARY_KEYS.contains(&name) {
                    return Err(err(key, file, format!("!binary has no \"{name}\""))
                        .with_hint(did_you_mean(name, BINARY_KEYS)));
                }
            }
            object(entries, false, file)?
        }
        Content::Scalar { text, .. } if text.trim().is_empty() => Pattern::Typed {
            kind: Kind::Object,
            capture: None,
        },
        _ => {
            return Err(err(
                node,
                file,
                "!binary takes a map of length, hex, fields, header, payload_length",
            ));
        }
    };
    Ok(Pattern::Object {
        fields: vec![(crate::binary::KEY.to_owned(), inner)],
        exact: true,
    })
}

/// `!mentions value` / `!lacks value`: the node's own content, untagged, is what some value
/// inside must (or must not) match; it captures nothing.
fn mentions(node: &Node, present: bool, file: &Path) -> Result<Pattern, ScenarioError> {
    let inner = literal(node, file)?;
    if crate::matcher::has_captures(&inner) {
        let tag = if present { "mentions" } else { "lacks" };
        return Err(err(node, file, format!("!{tag} cannot capture")));
    }
    Ok(Pattern::Mentions {
        inner: Box::new(inner),
        present,
    })
}

fn expected_shape(tag: &str) -> &'static str {
    match tag {
        "regex" => "a regular expression, as a string",
        "one_of" => "a non-empty list of patterns",
        "contains" => "a list of patterns",
        "exact" => "a map of patterns",
        "range" => "a map { min: number, max: number }",
        _ => "a map { min: count, max: count }",
    }
}

/// The capture name after a type tag (`!uuid job`); required for `!capture`.
fn capture_name(
    node: &Node,
    tag: &str,
    required: bool,
    file: &Path,
) -> Result<Option<String>, ScenarioError> {
    let Some(text) = node.scalar() else {
        return Err(err(
            node,
            file,
            format!("!{tag} takes a capture name, not {}", node.kind_name()),
        ));
    };
    let text = text.trim();
    if text.is_empty() {
        return match required {
            true => Err(err(node, file, format!("!{tag} needs a capture name"))),
            false => Ok(None),
        };
    }
    if !is_identifier(text) {
        return Err(err(
            node,
            file,
            format!("capture name \"{text}\" must be letters, digits and _"),
        ));
    }
    Ok(Some(text.to_owned()))
}

/// `min` and `max` of a `!range` or `!len` map, each optional, `min <= max`.
fn bounds<T: PartialOrd + Copy>(
    node: &Node,
    entries: &[(Node, Node)],
    file: &Path,
    convert: impl Fn(&Value) -> Option<T>,
) -> Result<[Option<T>; 2], ScenarioError> {
    let mut out = [None, None];
    for (key, value) in entries {
        let name = key.scalar().unwrap_or_default();
        let slot = match name {
            "min" => 0,
            "max" => 1,
            _ => {
                return Err(err(key, file, format!("unknown bound \"{name}\""))
                    .with_hint(did_you_mean(name, ["min", "max"])));
            }
        };
        let converted = match &value.content {
            Content::Scalar { text, plain } if value.tag.is_none() => {
                resolve_scalar(value, text, *plain, file)?
            }
            _ => Value::Null,
        };
        let Some(bound) = convert(&converted) else {
            return Err(err(
                value,
                file,
                format!("{name} must be a number (a count for !len)"),
            ));
        };
        out[slot] = Some(bound);
    }
    if let [Some(min), Some(max)] = out
        && min > max
    {
        return Err(err(node, file, "min is greater than max"));
    }
    Ok(out)
}
