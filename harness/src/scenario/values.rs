//! YAML nodes to JSON values: the YAML 1.2 core schema, without pattern tags.
//!
//! Plain scalars resolve to null, bool, int or float as the core schema says; quoted and block
//! scalars are strings; integers stay integers (`serde_json::Number`). Used for `send` messages,
//! `http` bodies and actor `auth`, where pattern tags are errors. Does not know patterns
//! ([`super::patterns`] builds on [`resolve_scalar`]).

use std::path::Path;

use serde_json::{Map, Number, Value};

use super::error::ScenarioError;
use super::yaml::{Content, Node, NodeTag};
use crate::binary;

/// The JSON value of a plain (unquoted) scalar under the YAML 1.2 core schema.
///
/// Errors (as a message) for floats JSON cannot hold (`.inf`, `.nan`) and out-of-range integers.
pub fn resolve_plain(text: &str) -> Result<Value, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = resolve_int(text) {
        return n;
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.trim_start_matches(['+', '-']), ".inf" | ".nan") {
        return Err(format!("{text} is not a JSON number"));
    }
    if is_float(text) {
        return match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(format!("{text} is not a JSON number")),
        };
    }
    Ok(Value::String(text.to_owned()))
}

/// `Some` if `text` is a core-schema integer (decimal, `0o` octal, `0x` hex).
fn resolve_int(text: &str) -> Option<Result<Value, String>> {
    let (radix, digits, negative) = if let Some(d) = text.strip_prefix("0x") {
        (16, d, false)
    } else if let Some(d) = text.strip_prefix("0o") {
        (8, d, false)
    } else {
        let (negative, d) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        (10, d, negative)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let out_of_range = || format!("integer {text} is out of range");
    let value = match u64::from_str_radix(digits, radix) {
        Ok(v) if !negative => Ok(Value::from(v)),
        Ok(v) => i64::try_from(v).map(|v| Value::from(-v)).or_else(|_| {
            if v == 1 << 63 {
                Ok(Value::from(i64::MIN))
            } else {
                Err(out_of_range())
            }
        }),
        Err(_) => Err(out_of_range()),
    };
    Some(value)
}

/// The core schema's float syntax: `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && digits(frac)) || (digits(int) && (frac.is_empty() || digits(frac)))
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// The JSON value of a scalar node, honouring `!!str` and quoting.
pub fn resolve_scalar(
    node: &Node,
    text: &str,
    plain: bool,
    file: &Path,
) -> Result<Value, ScenarioError> {
    if !plain || node.tag == Some(NodeTag::Core("str".into())) {
        return Ok(Value::String(text.to_owned()));
    }
    resolve_plain(text).map_err(|m| ScenarioError::new(node.location(file), m))
}

/// A JSON value from a node; any tag other than a core schema tag or `!binary "<hex>"` (a binary
/// value, sent as a socket.io attachment: [`crate::binary`]) is an error.
pub fn to_json(node: &Node, file: &Path) -> Result<Value, ScenarioError> {
    if let Some(NodeTag::Local(name)) = &node.tag
        && name == "binary"
    {
        return binary_to_send(node, file);
    }
    if let Some(NodeTag::Local(_) | NodeTag::Other(_)) = &node.tag {
        return Err(ScenarioError::new(
            node.location(file),
            "pattern tags are not allowed in a value to send",
        ));
    }
    match &node.content {
        Content::Scalar { text, plain } => resolve_scalar(node, text, *plain, file),
        Content::Seq(items) => items
            .iter()
            .map(|item| to_json(item, file))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Content::Map(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                map.insert(
                    key.scalar().unwrap_or_default().to_owned(),
                    to_json(value, file)?,
                );
            }
            Ok(Value::Object(map))
        }
    }
}

/// `!binary "<hex>"` → `{"$binary": {"hex": "<hex>"}}`, its bytes checked now.
fn binary_to_send(node: &Node, file: &Path) -> Result<Value, ScenarioError> {
    let error = |m: String| ScenarioError::new(node.location(file), m);
    let Some(text) = node.scalar() else {
        return Err(error("!binary to send takes its bytes as hex text".into()));
    };
    binary::unhex(text).map_err(error)?;
    let mut inner = Map::with_capacity(1);
    inner.insert("hex".into(), Value::String(text.to_owned()));
    let mut outer = Map::with_capacity(1);
    outer.insert(binary::KEY.into(), Value::Object(inner));
    Ok(Value::Object(outer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let cases = [
            ("~", json!(null)),
            ("", json!(null)),
            ("True", json!(true)),
            ("false", json!(false)),
            ("12", json!(12)),
            ("-7", json!(-7)),
            ("+3", json!(3)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("1.5", json!(1.5)),
            ("1e3", json!(1000.0)),
            (".5", json!(0.5)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("18446744073709551615", json!(u64::MAX)),
            ("yes", json!("yes")),
            ("1.2.3", json!("1.2.3")),
            ("0x", json!("0x")),
            ("job:created", json!("job:created")),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve_plain(text), Ok(expected), "{text}");
        }
        assert!(resolve_plain("1.0").is_ok_and(|v| v.as_f64() == Some(1.0) && !v.is_i64()));
    }

    #[test]
    fn json_cannot_hold_every_yaml_number() {
        assert!(resolve_plain(".inf").is_err());
        assert!(resolve_plain("-.Inf").is_err());
        assert!(resolve_plain(".nan").is_err());
        assert!(resolve_plain("99999999999999999999").is_err());
    }
}
