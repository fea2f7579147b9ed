//! Reading the fields of a client object (the frame, its `data`, a binary frame's JSON header)
//! with the errors of caas-N3: absent (or `null`) is `MISSING_FIELD`, present with the wrong
//! type or value is `INVALID_PAYLOAD`, both with the dotted field name in `details.field`.

use super::CaasError;
use serde_json::{Map, Value};

/// Longest client-chosen id (frame ids, conversation ids, `replyTo`), in characters
/// (caas-N6; the same bound for the others keeps what the server stores bounded, C4).
pub(super) const MAX_ID_CHARS: usize = 128;

/// A JSON object and the dotted prefix of its fields in errors (`""` for the frame itself).
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Fields<'a> {
    /// The fields of `map`, named `prefix.name` in errors.
    pub(super) fn new(map: &'a Map<String, Value>, prefix: &'a str) -> Self {
        Self { map, prefix }
    }

    /// The dotted name of field `name`.
    pub(super) fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// The field's value; `null` counts as absent (C6: clients omit rather than write null).
    pub(super) fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// A required field of any type.
    pub(super) fn required(&self, name: &str) -> Result<&'a Value, CaasError> {
        self.get(name)
            .ok_or_else(|| CaasError::missing(self.path(name)))
    }

    /// A required non-empty string.
    pub(super) fn text(&self, name: &str) -> Result<&'a str, CaasError> {
        let value = self.required(name)?;
        self.as_text(name, value)
    }

    /// A required id: a non-empty string of at most [`MAX_ID_CHARS`] characters.
    pub(super) fn id(&self, name: &str) -> Result<&'a str, CaasError> {
        let value = self.required(name)?;
        self.as_id(name, value)
    }

    /// An optional id, as [`Fields::id`].
    pub(super) fn optional_id(&self, name: &str) -> Result<Option<&'a str>, CaasError> {
        self.get(name).map(|v| self.as_id(name, v)).transpose()
    }

    /// A required string, one of `allowed`.
    pub(super) fn one_of<T: Copy>(
        &self,
        name: &str,
        allowed: &[(&str, T)],
    ) -> Result<T, CaasError> {
        let text = self.text(name)?;
        allowed
            .iter()
            .find(|(wire, _)| *wire == text)
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                let names: Vec<_> = allowed.iter().map(|(wire, _)| *wire).collect();
                self.invalid(name, format!("must be one of {}", names.join(", ")))
            })
    }

    /// A required non-negative integer.
    pub(super) fn count(&self, name: &str) -> Result<u64, CaasError> {
        self.required(name)?
            .as_u64()
            .ok_or_else(|| self.invalid(name, "must be a non-negative integer"))
    }

    /// Checks that an optional field, when present, has the type `is` accepts.
    pub(super) fn check(
        &self,
        name: &str,
        is: fn(&Value) -> bool,
        what: &str,
    ) -> Result<(), CaasError> {
        match self.get(name) {
            Some(v) if !is(v) => Err(self.invalid(name, format!("must be {what}"))),
            _ => Ok(()),
        }
    }

    /// `INVALID_PAYLOAD` about field `name`.
    pub(super) fn invalid(&self, name: &str, why: impl std::fmt::Display) -> CaasError {
        let path = self.path(name);
        CaasError::invalid(path.clone(), format!("{path} {why}"))
    }

    fn as_text(&self, name: &str, value: &'a Value) -> Result<&'a str, CaasError> {
        match value.as_str() {
            Some(text) if !text.is_empty() => Ok(text),
            Some(_) => Err(self.invalid(name, "must not be empty")),
            None => Err(self.invalid(name, "must be a string")),
        }
    }

    fn as_id(&self, name: &str, value: &'a Value) -> Result<&'a str, CaasError> {
        let id = self.as_text(name, value)?;
        if id.chars().nth(MAX_ID_CHARS).is_some() {
            return Err(self.invalid(name, format!("must be at most {MAX_ID_CHARS} characters")));
        }
        Ok(id)
    }
}
