//! Templates: JSON values with `${refs}` in their strings, cut up once (when a plan is built) so
//! that filling them in for each send costs no parsing, and a value with no reference at all is
//! shared as it is, never copied.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::captures::{Captures, Segment, segments, value_text};
use super::eval::MatchError;

/// A JSON value to fill in with captures.
#[derive(Debug, Clone)]
pub enum Template {
    /// No reference anywhere inside: the value itself.
    Fixed(Value),
    /// A string that is one reference alone: the captured value, whatever its type.
    Whole(String),
    /// A string with references inside: its pieces.
    Text(Vec<Piece>),
    /// An array with references inside.
    Array(Vec<Template>),
    /// An object with references inside (keys are taken as written).
    Object(Vec<(String, Template)>),
}

/// A piece of a string template.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// A reference's name.
    Reference(String),
}

impl Template {
    /// The template of `value`.
    pub fn new(value: &Value) -> Template {
        match value {
            Value::String(text) => string(text),
            Value::Array(items) => {
                let items: Vec<Template> = items.iter().map(Template::new).collect();
                if items.iter().all(|t| matches!(t, Template::Fixed(_))) {
                    Template::Fixed(value.clone())
                } else {
                    Template::Array(items)
                }
            }
            Value::Object(map) => {
                let fields: Vec<(String, Template)> = map
                    .iter()
                    .map(|(k, v)| (k.clone(), Template::new(v)))
                    .collect();
                if fields.iter().all(|(_, t)| matches!(t, Template::Fixed(_))) {
                    Template::Fixed(value.clone())
                } else {
                    Template::Object(fields)
                }
            }
            other => Template::Fixed(other.clone()),
        }
    }

    /// The value with every reference filled in from `captures`.
    pub fn fill(&self, captures: &Captures) -> Result<Value, MatchError> {
        Ok(match self {
            Template::Fixed(value) => value.clone(),
            Template::Whole(name) => lookup(name, captures)?.clone(),
            Template::Text(pieces) => {
                let mut out = String::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(text) => out.push_str(text),
                        Piece::Reference(name) => {
                            out.push_str(&value_text(lookup(name, captures)?))
                        }
                    }
                }
                Value::String(out)
            }
            Template::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|t| t.fill(captures))
                    .collect::<Result<_, _>>()?,
            ),
            Template::Object(fields) => {
                let mut map = Map::with_capacity(fields.len());
                for (key, template) in fields {
                    map.insert(key.clone(), template.fill(captures)?);
                }
                Value::Object(map)
            }
        })
    }
}

/// A list of values to fill in, shared as it is when nothing in it refers to a capture.
#[derive(Debug, Clone)]
pub enum ListTemplate {
    /// No reference: the values, shared.
    Fixed(Arc<[Value]>),
    /// Values with references.
    Filled(Vec<Template>),
}

impl ListTemplate {
    /// The template of `values`.
    pub fn new(values: &[Value]) -> ListTemplate {
        let templates: Vec<Template> = values.iter().map(Template::new).collect();
        if templates.iter().all(|t| matches!(t, Template::Fixed(_))) {
            ListTemplate::Fixed(values.into())
        } else {
            ListTemplate::Filled(templates)
        }
    }

    /// The values with every reference filled in.
    pub fn fill(&self, captures: &Captures) -> Result<Arc<[Value]>, MatchError> {
        match self {
            ListTemplate::Fixed(values) => Ok(Arc::clone(values)),
            ListTemplate::Filled(templates) => templates
                .iter()
                .map(|t| t.fill(captures))
                .collect::<Result<Vec<Value>, _>>()
                .map(Into::into),
        }
    }
}

fn string(text: &str) -> Template {
    let pieces = segments(text);
    match pieces.as_slice() {
        [Segment::Reference(name)] => Template::Whole((*name).to_owned()),
        parts if parts.iter().all(|p| matches!(p, Segment::Text(_))) => {
            Template::Fixed(Value::String(text.to_owned()))
        }
        parts => Template::Text(
            parts
                .iter()
                .map(|p| match p {
                    Segment::Text(t) => Piece::Text((*t).to_owned()),
                    Segment::Reference(name) => Piece::Reference((*name).to_owned()),
                })
                .collect(),
        ),
    }
}

fn lookup<'c>(name: &str, captures: &'c Captures) -> Result<&'c Value, MatchError> {
    captures
        .get(name)
        .ok_or_else(|| MatchError::UnknownReference(name.to_owned()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::matcher::resolve_value;
    use serde_json::json;

    #[test]
    fn a_template_fills_in_exactly_as_resolving_the_value_does() {
        let mut captures = Captures::new();
        captures.insert("job", json!("j-1"));
        captures.insert("n", json!(3));
        let value = json!({"id": "${n}", "path": "x-${job}", "list": ["${job}", 1], "fixed": {"a": "b"}, "${n}": "$5"});
        let filled = Template::new(&value).fill(&captures).unwrap();
        assert_eq!(filled, resolve_value(&value, &captures).unwrap());
        assert!(Template::new(&json!("${nope}")).fill(&captures).is_err());
    }

    #[test]
    fn a_list_without_references_is_shared_not_copied() {
        let list = ListTemplate::new(&[json!({"a": 1}), json!("b")]);
        let (one, two) = (
            list.fill(&Captures::new()).unwrap(),
            list.fill(&Captures::new()).unwrap(),
        );
        assert!(Arc::ptr_eq(&one, &two));
    }
}
