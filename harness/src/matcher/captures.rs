//! Captured values and `${name}` references.
//!
//! [`Captures`] maps names to JSON values. [`references`] finds the `${name}` references in a
//! string; [`interpolate`] and [`resolve_value`] replace them. A reference is `${` followed by an
//! identifier (`[A-Za-z_][A-Za-z0-9_]*`) and `}`; any other `$` text is literal. A reference to a
//! name not in the captures is [`MatchError::UnknownReference`], never an empty string.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::MatchError;

/// Captured values by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Captures {
    values: BTreeMap<String, Value>,
}

impl Captures {
    /// No captures.
    pub fn new() -> Self {
        Captures::default()
    }

    /// Binds `name` to `value`, replacing any earlier value.
    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    /// The value bound to `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Adds (or replaces with) every binding of `other`.
    pub fn extend(&mut self, other: Captures) {
        self.values.extend(other.values);
    }

    /// Keeps only the names `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.values.retain(|name, _| keep(name));
    }

    /// The names bound.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// The bindings, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many names are bound.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True if nothing is bound.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A piece of a string: literal text or a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text as written.
    Text(&'a str),
    /// `${name}`: the name.
    Reference(&'a str),
}

/// The string cut into literal text and references, in order.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    Segments::new(text).collect()
}

/// The pieces of a string, literal text and references, in order, found without allocating.
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    rest: &'a str,
    /// A reference found after the text just returned.
    pending: Option<&'a str>,
}

impl<'a> Segments<'a> {
    /// The pieces of `text`.
    pub fn new(text: &'a str) -> Segments<'a> {
        Segments {
            rest: text,
            pending: None,
        }
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        if let Some(name) = self.pending.take() {
            return Some(Segment::Reference(name));
        }
        if self.rest.is_empty() {
            return None;
        }
        let mut searched = 0;
        while let Some(found) = self.rest[searched..].find("${") {
            let start = searched + found;
            let after = &self.rest[start + 2..];
            let name_len = after
                .char_indices()
                .take_while(|&(i, c)| {
                    c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
                })
                .count();
            if name_len > 0 && after[name_len..].starts_with('}') {
                let text = &self.rest[..start];
                let name = &after[..name_len];
                self.rest = &after[name_len + 1..];
                if text.is_empty() {
                    return Some(Segment::Reference(name));
                }
                self.pending = Some(name);
                return Some(Segment::Text(text));
            }
            searched = start + 2;
        }
        let text = self.rest;
        self.rest = "";
        Some(Segment::Text(text))
    }
}

/// The names referenced in `text`, in order.
pub fn references(text: &str) -> impl Iterator<Item = &str> {
    Segments::new(text).filter_map(|s| match s {
        Segment::Reference(name) => Some(name),
        Segment::Text(_) => None,
    })
}

/// The name, if `text` is exactly one reference `${name}`.
pub fn whole_reference(text: &str) -> Option<&str> {
    let mut pieces = Segments::new(text);
    match (pieces.next(), pieces.next()) {
        (Some(Segment::Reference(name)), None) => Some(name),
        _ => None,
    }
}

fn lookup<'c>(name: &str, captures: &'c Captures) -> Result<&'c Value, MatchError> {
    captures
        .get(name)
        .ok_or_else(|| MatchError::UnknownReference(name.to_owned()))
}

/// The text of a value inside a longer string: strings without quotes, others as JSON.
pub(super) fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `text` with each `${name}` replaced by the captured value's text.
pub fn interpolate(text: &str, captures: &Captures) -> Result<String, MatchError> {
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        match segment {
            Segment::Text(t) => out.push_str(t),
            Segment::Reference(name) => out.push_str(&value_text(lookup(name, captures)?)),
        }
    }
    Ok(out)
}

/// A string resolved: `"${name}"` alone is the captured value itself, else interpolated text.
pub fn resolve_string(text: &str, captures: &Captures) -> Result<Value, MatchError> {
    match whole_reference(text) {
        Some(name) => lookup(name, captures).cloned(),
        None => interpolate(text, captures).map(Value::String),
    }
}

/// Replaces `${name}` references in every string of a JSON value (keys are left as written).
pub fn resolve_value(value: &Value, captures: &Captures) -> Result<Value, MatchError> {
    Ok(match value {
        Value::String(s) => resolve_string(s, captures)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve_value(v, captures))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), resolve_value(v, captures)?)))
                .collect::<Result<_, MatchError>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn captures() -> Captures {
        let mut c = Captures::new();
        c.insert("job", json!("j-1"));
        c.insert("n", json!(3));
        c
    }

    #[test]
    fn finds_references_and_leaves_other_dollars() {
        let names: Vec<_> = references("a ${job} $x ${ bad} ${n}${1x} ${").collect();
        assert_eq!(names, ["job", "n"]);
        assert_eq!(whole_reference("${job}"), Some("job"));
        assert_eq!(whole_reference(" ${job}"), None);
    }

    #[test]
    fn interpolates_text_and_whole_values() {
        let c = captures();
        assert_eq!(
            interpolate("/jobs/${job}?n=${n}", &c),
            Ok("/jobs/j-1?n=3".into())
        );
        assert_eq!(interpolate("cost $5 ${", &c), Ok("cost $5 ${".into()));
        let sent = json!({"id": "${n}", "path": "x-${job}", "list": ["${job}"], "${n}": 1});
        assert_eq!(
            resolve_value(&sent, &c),
            Ok(json!({"id": 3, "path": "x-j-1", "list": ["j-1"], "${n}": 1}))
        );
    }

    #[test]
    fn unknown_references_are_errors() {
        let c = captures();
        assert_eq!(
            interpolate("${nope}", &c),
            Err(MatchError::UnknownReference("nope".into()))
        );
        assert!(resolve_value(&json!(["${nope}"]), &c).is_err());
    }

    #[test]
    fn extend_replaces_and_adds() {
        let mut c = captures();
        let mut more = Captures::new();
        more.insert("n", json!(4));
        more.insert("m", json!(null));
        c.extend(more);
        assert_eq!(c.get("n"), Some(&json!(4)));
        assert_eq!(c.len(), 3);
        assert_eq!(
            c.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            ["job", "m", "n"]
        );
    }
}
