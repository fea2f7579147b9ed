//! Evaluating a [`Pattern`] against a JSON value.
//!
//! Walks pattern and value together, depth first in field order, and stops at the first
//! mismatch, which is therefore the deepest, most specific one on the first failing path.
//! Captures: a match returns only the NEW bindings it made; the caller merges them if it takes
//! the message. A name already bound (earlier, or earlier in the same match) is not rebound:
//! the value must equal the bound one, so `!capture x` twice is an equality check. Bindings made
//! inside a failed `!one_of` branch or `!contains` attempt are dropped.
//! `!unix_millis` compares with a "now" given by the caller ([`matches_at`]); [`matches`] reads
//! the system clock for it and nothing else.

use serde_json::Value;

use super::captures::{Captures, Segment, Segments, resolve_string, whole_reference};
use super::describe::describe;
pub use super::error::{MatchError, Mismatch};
use super::pattern::Pattern;
use super::types::{json_eq, kind_matches, length};

/// Matches `actual` against `pattern` with "now" from the system clock (for `!unix_millis`).
///
/// On success returns the new bindings made by this match (not merged into `captures`).
pub fn matches(
    pattern: &Pattern,
    actual: &Value,
    captures: &Captures,
) -> Result<Captures, MatchError> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    matches_at(pattern, actual, captures, now_ms)
}

/// Like [`matches`], with "now" given as milliseconds since the Unix epoch.
pub fn matches_at(
    pattern: &Pattern,
    actual: &Value,
    captures: &Captures,
    now_ms: i64,
) -> Result<Captures, MatchError> {
    let mut ctx = Ctx {
        known: captures,
        new: Captures::new(),
        now_ms,
    };
    ctx.eval(pattern, Some(actual), &mut "$".to_owned())?;
    Ok(ctx.new)
}

pub(super) struct Ctx<'c> {
    known: &'c Captures,
    new: Captures,
    pub(super) now_ms: i64,
}

fn mismatch(path: &str, expected: String, actual: Option<&Value>) -> MatchError {
    MatchError::Mismatch(Mismatch {
        path: path.to_owned(),
        expected,
        actual: actual.cloned(),
    })
}

impl Ctx<'_> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.new.get(name).or_else(|| self.known.get(name))
    }

    /// `actual` is `None` when the key is missing (only objects' fields can be missing).
    fn eval(
        &mut self,
        pattern: &Pattern,
        actual: Option<&Value>,
        path: &mut String,
    ) -> Result<(), MatchError> {
        let Some(value) = actual else {
            return match pattern {
                Pattern::Absent => Ok(()),
                Pattern::OneOf(options) => self.one_of(options, None, path),
                _ => Err(mismatch(path, describe(pattern), None)),
            };
        };
        let fail = || Err(mismatch(path, describe(pattern), Some(value)));
        match pattern {
            Pattern::Absent => Err(mismatch(path, "absent".into(), Some(value))),
            Pattern::Null | Pattern::Bool(_) | Pattern::Number(_) => {
                let literal = literal_value(pattern);
                if json_eq(&literal, value) {
                    Ok(())
                } else {
                    fail()
                }
            }
            Pattern::String(text) => self.string(text, value, path),
            Pattern::Array(items) => self.array(items, value, path),
            Pattern::Object { fields, exact } => self.object(fields, *exact, value, path),
            Pattern::Typed { kind, capture } => {
                if !kind_matches(*kind, value, self.now_ms) {
                    return fail();
                }
                match capture {
                    Some(name) => self.bind(name, value, path),
                    None => Ok(()),
                }
            }
            Pattern::Regex(re) => match value {
                Value::String(s) if re.0.is_match(s) => Ok(()),
                _ => fail(),
            },
            Pattern::OneOf(options) => self.one_of(options, Some(value), path),
            Pattern::Range { min, max } => match value.as_f64() {
                Some(n) if min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m) => Ok(()),
                _ => fail(),
            },
            Pattern::Len { min, max } => match length(value) {
                Some(n) if min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m) => Ok(()),
                _ => fail(),
            },
            Pattern::Contains(items) => self.contains(items, value, path),
            Pattern::Mentions { inner, present } => {
                self.mentions(pattern, inner, *present, value, path)
            }
        }
    }

    /// `!mentions` / `!lacks`: the first value inside `value` (itself first, then depth first)
    /// that matches `inner`; `!lacks` fails at that value's path, showing it.
    fn mentions(
        &mut self,
        pattern: &Pattern,
        inner: &Pattern,
        present: bool,
        value: &Value,
        path: &mut String,
    ) -> Result<(), MatchError> {
        let base = path.len();
        match (self.find_inside(inner, value, path), present) {
            (Some(_), true) | (None, false) => {
                path.truncate(base);
                Ok(())
            }
            (Some(found), false) => Err(mismatch(path, describe(pattern), Some(found))),
            (None, true) => Err(mismatch(path, describe(pattern), Some(value))),
        }
    }

    /// The first value inside `value` that matches `inner`; when there is one, `path` ends at it.
    fn find_inside<'v>(
        &mut self,
        inner: &Pattern,
        value: &'v Value,
        path: &mut String,
    ) -> Option<&'v Value> {
        let base = path.len();
        if self.eval(inner, Some(value), path).is_ok() {
            return Some(value);
        }
        path.truncate(base);
        match value {
            Value::Array(items) => items.iter().enumerate().find_map(|(i, child)| {
                push_index(path, i);
                let found = self.find_inside(inner, child, path);
                if found.is_none() {
                    path.truncate(base);
                }
                found
            }),
            Value::Object(map) => map.iter().find_map(|(key, child)| {
                push_key(path, key);
                let found = self.find_inside(inner, child, path);
                if found.is_none() {
                    path.truncate(base);
                }
                found
            }),
            _ => None,
        }
    }

    fn bind(&mut self, name: &str, value: &Value, path: &str) -> Result<(), MatchError> {
        match self.lookup(name) {
            Some(bound) if json_eq(bound, value) => Ok(()),
            Some(bound) => Err(mismatch(
                path,
                format!("{bound} (the value captured as {name})"),
                Some(value),
            )),
            None => {
                self.new.insert(name, value.clone());
                Ok(())
            }
        }
    }

    /// A string pattern, its `${refs}` compared in place: nothing is resolved or allocated
    /// unless it fails (then the resolved value is shown).
    fn string(&mut self, text: &str, value: &Value, path: &str) -> Result<(), MatchError> {
        if self.string_matches(text, value)? {
            return Ok(());
        }
        let expected = match (self.new.is_empty(), resolve_string(text, self.known)) {
            (true, resolved) => resolved?,
            (false, _) => {
                let mut all = self.known.clone();
                all.extend(self.new.clone());
                resolve_string(text, &all)?
            }
        };
        Err(mismatch(
            path,
            describe(&Pattern::String(text.to_owned())),
            Some(value),
        )
        .with_resolved(&expected, text))
    }

    fn string_matches(&self, text: &str, value: &Value) -> Result<bool, MatchError> {
        if let Some(name) = whole_reference(text) {
            let bound = self
                .lookup(name)
                .ok_or_else(|| MatchError::UnknownReference(name.to_owned()))?;
            return Ok(json_eq(bound, value));
        }
        let mut rest = value.as_str();
        for segment in Segments::new(text) {
            let part = match segment {
                Segment::Text(part) => part,
                Segment::Reference(name) => match self.lookup(name) {
                    Some(Value::String(bound)) => bound.as_str(),
                    Some(other) => {
                        let shown = other.to_string();
                        rest = rest.and_then(|r| r.strip_prefix(shown.as_str()));
                        continue;
                    }
                    None => return Err(MatchError::UnknownReference(name.to_owned())),
                },
            };
            rest = rest.and_then(|r| r.strip_prefix(part));
        }
        Ok(rest == Some(""))
    }

    fn array(
        &mut self,
        items: &[Pattern],
        value: &Value,
        path: &mut String,
    ) -> Result<(), MatchError> {
        let Value::Array(values) = value else {
            return Err(mismatch(
                path,
                format!("an array of {} elements", items.len()),
                Some(value),
            ));
        };
        let base = path.len();
        for (i, item) in items.iter().enumerate() {
            push_index(path, i);
            self.eval(item, values.get(i), path)?;
            path.truncate(base);
        }
        if let Some(extra) = values.get(items.len()) {
            push_index(path, items.len());
            return Err(mismatch(
                path,
                "no element (the array is longer)".into(),
                Some(extra),
            ));
        }
        Ok(())
    }

    fn object(
        &mut self,
        fields: &[(String, Pattern)],
        exact: bool,
        value: &Value,
        path: &mut String,
    ) -> Result<(), MatchError> {
        let Value::Object(map) = value else {
            let expected = describe(&Pattern::Object {
                fields: fields.to_vec(),
                exact,
            });
            return Err(mismatch(path, expected, Some(value)));
        };
        let base = path.len();
        for (key, pattern) in fields {
            push_key(path, key);
            self.eval(pattern, map.get(key), path)?;
            path.truncate(base);
        }
        if exact
            && let Some((key, extra)) = map
                .iter()
                .find(|(k, _)| !fields.iter().any(|(f, _)| f == *k))
        {
            push_key(path, key);
            return Err(mismatch(
                path,
                "no such key (the object is !exact)".into(),
                Some(extra),
            ));
        }
        Ok(())
    }

    fn one_of(
        &mut self,
        options: &[Pattern],
        value: Option<&Value>,
        path: &mut String,
    ) -> Result<(), MatchError> {
        for option in options {
            let saved = self.new.clone();
            match self.eval(option, value, path) {
                Ok(()) => return Ok(()),
                Err(MatchError::UnknownReference(name)) => {
                    return Err(MatchError::UnknownReference(name));
                }
                Err(MatchError::Mismatch(_)) => self.new = saved,
            }
        }
        Err(mismatch(
            path,
            describe(&Pattern::OneOf(options.to_vec())),
            value,
        ))
    }

    /// Tries `pattern` on `value` without keeping its bindings; returns them.
    pub(super) fn attempt(
        &mut self,
        pattern: &Pattern,
        value: &Value,
        path: &mut String,
    ) -> Result<Option<Captures>, MatchError> {
        let saved = self.new.clone();
        let result = self.eval(pattern, Some(value), path);
        let made = std::mem::replace(&mut self.new, saved);
        match result {
            Ok(()) => Ok(Some(made)),
            Err(MatchError::Mismatch(_)) => Ok(None),
            Err(reference) => Err(reference),
        }
    }

    /// Keeps bindings returned by [`Ctx::attempt`].
    pub(super) fn commit(&mut self, made: Captures) {
        self.new = made;
    }
}

/// Appends `[index]` to a path (without a temporary string: paths grow on every match).
pub(super) fn push_index(path: &mut String, index: usize) {
    use std::fmt::Write;
    let _ = write!(path, "[{index}]");
}

fn push_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str(&format!("[{}]", Value::String(key.to_owned())));
    }
}

fn literal_value(pattern: &Pattern) -> Value {
    match pattern {
        Pattern::Bool(b) => Value::Bool(*b),
        Pattern::Number(n) => Value::Number(n.clone()),
        _ => Value::Null,
    }
}
