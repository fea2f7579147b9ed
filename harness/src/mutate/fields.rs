//! Field-level mutations of a JSON body: where they can happen ([`walk`], [`applies`]) and what
//! they do ([`mutate`]). Pure; sites are JSON pointers (RFC 6901).

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::operator::Operator;

/// The JSON type of a site's value, as the operators care about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string; `timestamp` when it parses as RFC 3339.
    String {
        /// It parses as RFC 3339.
        timestamp: bool,
    },
    /// A number.
    Number,
    /// A boolean.
    Bool,
    /// `null`.
    Null,
    /// An object.
    Object,
    /// An array.
    Array,
}

/// One value inside a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSite {
    /// Its JSON pointer.
    pub pointer: String,
    /// Its value's shape.
    pub shape: Shape,
    /// Whether it is an object member (it has a key to rename).
    pub member: bool,
}

/// Every value below the root of `body`, depth first in document order, except those at `skip`
/// (and below them). Recursion is bounded by the body's nesting, which serde_json's parser caps
/// at 128 levels.
pub fn walk(body: &Value, skip: &[&str]) -> Vec<FieldSite> {
    let mut out = Vec::new();
    walk_into(body, "", skip, &mut out);
    out
}

fn walk_into(value: &Value, pointer: &str, skip: &[&str], out: &mut Vec<FieldSite>) {
    let children: Vec<(String, &Value, bool)> = match value {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (format!("{pointer}/{}", escape(k)), v, true))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("{pointer}/{i}"), v, false))
            .collect(),
        _ => return,
    };
    for (child, v, member) in children {
        if skip.contains(&child.as_str()) {
            continue;
        }
        out.push(FieldSite {
            pointer: child.clone(),
            shape: shape(v),
            member,
        });
        walk_into(v, &child, skip, out);
    }
}

fn shape(value: &Value) -> Shape {
    match value {
        Value::String(s) => Shape::String {
            timestamp: is_timestamp(s),
        },
        Value::Number(_) => Shape::Number,
        Value::Bool(_) => Shape::Bool,
        Value::Null => Shape::Null,
        Value::Object(_) => Shape::Object,
        Value::Array(_) => Shape::Array,
    }
}

/// Whether `text` is an RFC 3339 date-time.
pub fn is_timestamp(text: &str) -> bool {
    OffsetDateTime::parse(text, &Rfc3339).is_ok()
}

/// Whether `operator` can mutate `site`.
pub fn applies(operator: Operator, site: &FieldSite) -> bool {
    match operator {
        Operator::DropField | Operator::RetypeField => true,
        Operator::RenameField => site.member,
        Operator::NullField => site.shape != Shape::Null,
        Operator::ChangeValue => matches!(
            site.shape,
            Shape::String { .. } | Shape::Number | Shape::Bool
        ),
        Operator::BreakTimestamp => site.shape == Shape::String { timestamp: true },
        _ => false,
    }
}

/// Applies a field operator at `pointer`; `None` when the site is not there or does not fit.
pub fn mutate(operator: Operator, body: &mut Value, pointer: &str) -> Option<()> {
    match operator {
        Operator::DropField | Operator::RenameField => {
            let (parent, key) = split(pointer)?;
            match (body.pointer_mut(&parent)?, operator) {
                (Value::Object(map), Operator::DropField) => map.shift_remove(&key).map(drop),
                (Value::Object(map), _) => rename(map, &key),
                (Value::Array(items), Operator::DropField) => {
                    let index: usize = key.parse().ok()?;
                    (index < items.len()).then(|| drop(items.remove(index)))
                }
                _ => None,
            }
        }
        Operator::RetypeField => {
            let value = body.pointer_mut(pointer)?;
            *value = retyped(value);
            Some(())
        }
        Operator::NullField => {
            let value = body.pointer_mut(pointer)?;
            (!value.is_null()).then(|| *value = Value::Null)
        }
        Operator::ChangeValue => {
            let value = body.pointer_mut(pointer)?;
            *value = changed(value)?;
            Some(())
        }
        Operator::BreakTimestamp => {
            let value = body.pointer_mut(pointer)?;
            *value = Value::String(broken_timestamp(value.as_str()?)?);
            Some(())
        }
        _ => None,
    }
}

fn rename(map: &mut Map<String, Value>, key: &str) -> Option<()> {
    if !map.contains_key(key) {
        return None;
    }
    let renamed = format!("{key}_x");
    // Rebuilt in order, so only the key differs.
    *map = std::mem::take(map)
        .into_iter()
        .map(|(k, v)| {
            if k == key {
                (renamed.clone(), v)
            } else {
                (k, v)
            }
        })
        .collect();
    Some(())
}

/// The value in another JSON type.
pub fn retyped(value: &Value) -> Value {
    match value {
        Value::String(_) => Value::from(1),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Null => Value::from(0),
        Value::Object(map) => Value::Array(map.values().cloned().collect()),
        Value::Array(items) => Value::Object(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v.clone()))
                .collect(),
        ),
    }
}

/// The scalar changed but of the same type and format; `None` for objects, arrays and null.
pub fn changed(value: &Value) -> Option<Value> {
    Some(match value {
        Value::Bool(b) => Value::Bool(!b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::from(i.checked_add(1).unwrap_or(i - 1)),
            (None, Some(u), _) => Value::from(u - 1),
            (_, _, Some(f)) => Value::from(f + 1.0),
            _ => return None,
        },
        Value::String(s) => Value::String(changed_string(s)),
        _ => return None,
    })
}

/// A timestamp one hour later; any other string with its last letter or digit moved on by one
/// (within its class: `9`→`0`, `f`→`a`, `z`→`a`), so ids keep their format; else `x` appended.
fn changed_string(text: &str) -> String {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339)
        && let Ok(later) = (at + time::Duration::hours(1)).format(&Rfc3339)
    {
        return later;
    }
    let Some((index, last)) = text
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_ascii_alphanumeric())
    else {
        return format!("{text}x");
    };
    let next = |c: char, first: char, count: u8| {
        char::from(first as u8 + ((c as u8 - first as u8 + 1) % count))
    };
    let moved = match last {
        '0'..='9' => next(last, '0', 10),
        'a'..='f' => next(last, 'a', 6),
        'A'..='F' => next(last, 'A', 6),
        'g'..='z' => next(last, 'g', 20),
        _ => next(last, 'G', 20),
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..index]);
    out.push(moved);
    out.push_str(&text[index + last.len_utf8()..]);
    out
}

/// The same instant without the `T` and the offset (`2024-05-01 10:00:00`): not RFC 3339.
pub fn broken_timestamp(text: &str) -> Option<String> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    at.format(&format).ok()
}

/// Splits a pointer into its parent's pointer and its last token (unescaped).
fn split(pointer: &str) -> Option<(String, String)> {
    let at = pointer.rfind('/')?;
    let key = pointer[at + 1..].replace("~1", "/").replace("~0", "~");
    Some((pointer[..at].to_owned(), key))
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
