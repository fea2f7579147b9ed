//! YAML text to the JSON value a JSON Schema sees, tags dropped.
//!
//! Built on `saphyr-parser` events, the same library the scenario parser reads, and resolving
//! plain scalars by the YAML 1.2 core schema as the scenario parser does (`yes` stays a string,
//! `0x1F` is 31). A tagged node becomes its untagged value: `!uuid job` → `"job"`,
//! `!exact {…}` → `{…}`, `!absent` → `null`. `serde-saphyr` does not fit: it reads `!binary`
//! as base64 (`!binary "00 01"` fails) and refuses `!binary { … }`, and it takes YAML 1.1
//! booleans (`yes` → `true`).
//!
//! Invariants, as the scenario parser's: one document; map keys are scalars, kept as written
//! (`0x1F:` is the key `"0x1F"`);
//! aliases are copies of their anchored node; `.inf`, `.nan` (any case) and out-of-range integers
//! are errors.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

/// A collection being built, with its anchor and (for maps) the key waiting for its value.
enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, usize, Option<String>),
}

/// The JSON value of a one-document YAML text, or why there is none (with line and column).
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Value> = HashMap::new();
    let mut root = None;
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| format!("YAML syntax error: {}", e.info()))?;
        let at = format!("line {} column {}", span.start.line(), span.start.col() + 1);
        let (value, anchor) = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(format!("{at}: more than one YAML document"));
                }
                continue;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let is_key = matches!(stack.last(), Some(Frame::Map(_, _, None)));
                let value = match is_key {
                    true => Value::String(text.into_owned()),
                    false => {
                        scalar(&text, style, tag.as_deref()).map_err(|e| format!("{at}: {e}"))?
                    }
                };
                (value, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(Map::new(), anchor, None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor)) => (Value::Array(items), anchor),
                Some(Frame::Map(map, anchor, _)) => (Value::Object(map), anchor),
                None => continue,
            },
            Event::Alias(id) => {
                let value = anchors.get(&id).cloned();
                (value.ok_or_else(|| format!("{at}: unknown alias"))?, 0)
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, _, pending)) => match pending.take() {
                Some(key) => {
                    map.insert(key, value);
                }
                None => match value {
                    Value::String(key) => *pending = Some(key),
                    _ => return Err(format!("{at}: a map key must be a scalar")),
                },
            },
        }
    }
    root.ok_or_else(|| "the file is empty".to_owned())
}

/// A scalar's value: quoted, block and `!!str` scalars are strings, plain ones resolved.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let core_str = tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str");
    if style != ScalarStyle::Plain || core_str {
        return Ok(Value::String(text.to_owned()));
    }
    resolve_plain(text)
}

static INTEGER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$").expect("regex"));
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$").expect("regex")
});

/// A plain scalar under the YAML 1.2 core schema (null, bool, int, float, else a string).
fn resolve_plain(text: &str) -> Result<Value, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    let out_of_range = || format!("{text} is not a JSON number");
    if INTEGER.is_match(text) {
        let (digits, radix) = match (text.strip_prefix("0x"), text.strip_prefix("0o")) {
            (Some(hex), _) => (hex, 16),
            (None, Some(octal)) => (octal, 8),
            (None, None) => (text.strip_prefix('+').unwrap_or(text), 10),
        };
        return match (u64::from_str_radix(digits, radix), digits.parse::<i64>()) {
            (Ok(n), _) => Ok(Value::from(n)),
            (Err(_), Ok(n)) => Ok(Value::from(n)),
            (Err(_), Err(_)) => Err(out_of_range()),
        };
    }
    let unsigned = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if unsigned == ".inf" || unsigned == ".nan" {
        return Err(out_of_range());
    }
    if FLOAT.is_match(text) {
        let number = text.parse::<f64>().ok().and_then(Number::from_f64);
        return number.map(Value::Number).ok_or_else(out_of_range);
    }
    Ok(Value::String(text.to_owned()))
}
