//! The pattern language of scenario expectations, as data.
//!
//! A [`Pattern`] is built by the scenario parser and evaluated by [`super::matches`]. It knows
//! nothing of any protocol. Strings may hold `${name}` references to earlier captures; they are
//! resolved when the pattern is evaluated, not when it is parsed.

use regex::Regex;

/// JSON value kinds a type matcher can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any value (the key must be present).
    Any,
    /// `null`.
    Null,
    /// A string.
    String,
    /// Any number.
    Number,
    /// A number with no fractional part.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// A string holding a UUID.
    Uuid,
    /// A string holding an RFC 3339 / ISO-8601 date-time.
    Iso8601,
    /// An integer of milliseconds since the Unix epoch within ±10 years of now.
    UnixMillis,
}

impl Kind {
    /// The tag name used in scenario files (without `!`).
    pub fn tag(self) -> &'static str {
        match self {
            Kind::Any => "any",
            Kind::Null => "null",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Integer => "integer",
            Kind::Boolean => "boolean",
            Kind::Object => "object",
            Kind::Array => "array",
            Kind::Uuid => "uuid",
            Kind::Iso8601 => "iso8601",
            Kind::UnixMillis => "unix_millis",
        }
    }
}

/// A compiled regular expression that compares by its source text.
#[derive(Debug, Clone)]
pub struct TextPattern(pub Regex);

impl PartialEq for TextPattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// What a value must look like.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `null` literally.
    Null,
    /// A boolean, by equality.
    Bool(bool),
    /// A number, by value (`1` equals `1.0`).
    Number(serde_json::Number),
    /// A string, by equality after resolving `${refs}`; a string that is exactly `${name}`
    /// stands for the captured value itself, whatever its type.
    String(String),
    /// An array of the same length, element by element.
    Array(Vec<Pattern>),
    /// An object holding at least these keys (all of them, and only them, if `exact`).
    Object {
        /// The keys and their patterns, in file order.
        fields: Vec<(String, Pattern)>,
        /// No other keys allowed.
        exact: bool,
    },
    /// A value of a kind, optionally captured under a name.
    Typed {
        /// The kind required.
        kind: Kind,
        /// Keep the value under this name.
        capture: Option<String>,
    },
    /// The key must not be present (only meaningful as an object field).
    Absent,
    /// A string matching the expression.
    Regex(TextPattern),
    /// Any one of these.
    OneOf(Vec<Pattern>),
    /// A number within inclusive bounds.
    Range {
        /// Lower bound, if any.
        min: Option<f64>,
        /// Upper bound, if any.
        max: Option<f64>,
    },
    /// A string, array or object whose length is within inclusive bounds.
    Len {
        /// Lower bound, if any.
        min: Option<usize>,
        /// Upper bound, if any.
        max: Option<usize>,
    },
    /// An array with, for each pattern, a distinct matching element.
    Contains(Vec<Pattern>),
    /// `!mentions` (`present`) or `!lacks`: some value anywhere inside (the value itself, an
    /// element, a field's value, at any depth) matches `inner`, or none does. For a value one
    /// party must never see (another tenant's id), wherever a message might carry it.
    Mentions {
        /// What a mentioned value matches (captures are not allowed in it).
        inner: Box<Pattern>,
        /// `true`: some value must match; `false`: none may.
        present: bool,
    },
}

impl Pattern {
    /// The literal pattern of a JSON value: objects partial, arrays exact, scalars by equality.
    ///
    /// Strings stay subject to `${name}` resolution when matched, as in scenario files.
    pub fn literal(value: &serde_json::Value) -> Pattern {
        use serde_json::Value;
        match value {
            Value::Null => Pattern::Null,
            Value::Bool(b) => Pattern::Bool(*b),
            Value::Number(n) => Pattern::Number(n.clone()),
            Value::String(s) => Pattern::String(s.clone()),
            Value::Array(items) => Pattern::Array(items.iter().map(Pattern::literal).collect()),
            Value::Object(map) => Pattern::Object {
                fields: map
                    .iter()
                    .map(|(k, v)| (k.clone(), Pattern::literal(v)))
                    .collect(),
                exact: false,
            },
        }
    }
}
