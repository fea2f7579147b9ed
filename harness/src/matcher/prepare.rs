//! Preparing a pattern for many matches: every `${ref}` whose name is already captured is
//! resolved once, so matching a stream of messages does not resolve it again per message.
//!
//! A string whose references are all known becomes [`Pattern::Resolved`] (it matches exactly as
//! the string would: `"${n}"` alone stands for the captured value, whatever its type; `${n}`
//! inside a longer string for its text). A reference to a name not yet known stays as written:
//! the pattern itself may capture it before the string is reached, and if nothing does, matching
//! reports the unknown reference as before. Patterns without references are not copied
//! ([`PreparedPattern::Shared`]).

use std::sync::Arc;

use super::captures::{Captures, references, resolve_string};
use super::pattern::Pattern;

/// A pattern ready to match: the scenario's own (no references) or a resolved copy.
#[derive(Debug, Clone)]
pub enum PreparedPattern {
    /// The scenario's pattern as written; it has no references.
    Shared(Arc<Pattern>),
    /// A copy with the known references resolved.
    Resolved(Pattern),
}

impl PreparedPattern {
    /// The pattern to match with.
    pub fn get(&self) -> &Pattern {
        match self {
            PreparedPattern::Shared(pattern) => pattern,
            PreparedPattern::Resolved(pattern) => pattern,
        }
    }
}

/// Whether a pattern holds any `${ref}` (decided once, when a plan is built).
pub fn has_references(pattern: &Pattern) -> bool {
    match pattern {
        Pattern::String(text) => references(text).next().is_some(),
        Pattern::Array(items) | Pattern::OneOf(items) | Pattern::Contains(items) => {
            items.iter().any(has_references)
        }
        Pattern::Object { fields, .. } => fields.iter().any(|(_, p)| has_references(p)),
        _ => false,
    }
}

/// `pattern` prepared against `captures`; `referencing` is [`has_references`] of it.
pub fn prepare(pattern: &Arc<Pattern>, referencing: bool, captures: &Captures) -> PreparedPattern {
    if referencing {
        PreparedPattern::Resolved(resolve(pattern, captures))
    } else {
        PreparedPattern::Shared(Arc::clone(pattern))
    }
}

fn resolve(pattern: &Pattern, captures: &Captures) -> Pattern {
    match pattern {
        Pattern::String(text) => {
            let known = references(text).all(|name| captures.get(name).is_some());
            match resolve_string(text, captures) {
                Ok(value) if known => Pattern::Resolved {
                    value,
                    source: text.clone(),
                },
                _ => pattern.clone(),
            }
        }
        Pattern::Array(items) => {
            Pattern::Array(items.iter().map(|p| resolve(p, captures)).collect())
        }
        Pattern::OneOf(items) => {
            Pattern::OneOf(items.iter().map(|p| resolve(p, captures)).collect())
        }
        Pattern::Contains(items) => {
            Pattern::Contains(items.iter().map(|p| resolve(p, captures)).collect())
        }
        Pattern::Object { fields, exact } => Pattern::Object {
            fields: fields
                .iter()
                .map(|(k, p)| (k.clone(), resolve(p, captures)))
                .collect(),
            exact: *exact,
        },
        other => other.clone(),
    }
}
