//! Value-level helpers of the matcher: JSON equality by value, kind checks, lengths.
//!
//! Numbers compare by value (`1` equals `1.0`; integers exactly, else as `f64`); objects compare
//! regardless of key order. Kind checks are pure: `!unix_millis` takes "now" as a parameter.

use serde_json::{Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::pattern::Kind;

/// Ten years of 365.25 days, in milliseconds: the `!unix_millis` window around now.
pub const UNIX_MILLIS_WINDOW: i64 = 315_576_000_000;

/// JSON equality with numbers compared by value.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => number_eq(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn number_eq(x: &Number, y: &Number) -> bool {
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (x.as_u64(), y.as_u64()) {
        return a == b;
    }
    if (x.is_f64() || y.is_f64())
        && let (Some(a), Some(b)) = (x.as_f64(), y.as_f64())
    {
        return a == b;
    }
    false
}

/// An integer value: integral JSON number (`2.0` counts) that fits in `i64`.
pub fn as_integer(value: &Value) -> Option<i64> {
    let n = match value {
        Value::Number(n) => n,
        _ => return None,
    };
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n
        .as_f64()
        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)?;
    // Exact: the value is integral and within i64 range.
    Some(f as i64)
}

/// True if `value` is of `kind`; `now_ms` is used by [`Kind::UnixMillis`] only.
pub fn kind_matches(kind: Kind, value: &Value, now_ms: i64) -> bool {
    match kind {
        Kind::Any => true,
        Kind::Null => value.is_null(),
        Kind::String => value.is_string(),
        Kind::Number => value.is_number(),
        Kind::Integer => value.as_u64().is_some() || as_integer(value).is_some(),
        Kind::Boolean => value.is_boolean(),
        Kind::Object => value.is_object(),
        Kind::Array => value.is_array(),
        Kind::Uuid => value.as_str().is_some_and(is_uuid),
        Kind::Iso8601 => value
            .as_str()
            .is_some_and(|s| OffsetDateTime::parse(s, &Rfc3339).is_ok()),
        Kind::UnixMillis => as_integer(value)
            .is_some_and(|ms| ms.abs_diff(now_ms) <= UNIX_MILLIS_WINDOW.unsigned_abs()),
    }
}

/// A UUID in its hyphenated 8-4-4-4-12 form (any version, either case).
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

/// The length of a string (in characters), array or object.
pub fn length(value: &Value) -> Option<usize> {
    match value {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(items) => Some(items.len()),
        Value::Object(map) => Some(map.len()),
        _ => None,
    }
}
