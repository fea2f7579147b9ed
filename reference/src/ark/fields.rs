//! Field-level validation of a JSON object body (ark-N5): each accessor returns the field's
//! typed value or a `VALIDATION_FAILED` error naming the field.
//!
//! Rules: strings that must be present are non-empty; absent optional fields are `None`;
//! `null` counts as a wrong type, not as absent.

use super::error::ApiError;
use serde_json::{Map, Value};

/// A JSON object body being validated.
pub(super) struct Body<'a>(&'a Map<String, Value>);

impl<'a> Body<'a> {
    pub(super) fn new(value: &'a Value) -> Result<Self, ApiError> {
        value
            .as_object()
            .map(Body)
            .ok_or_else(|| ApiError::Validation {
                field: None,
                message: "the body must be a JSON object".to_owned(),
            })
    }

    pub(super) fn opt(&self, field: &str) -> Option<&'a Value> {
        self.0.get(field)
    }

    pub(super) fn text(&self, field: &str) -> Result<String, ApiError> {
        match self.opt_text(field)? {
            Some(s) => Ok(s),
            None => Err(ApiError::field(field, format!("{field} is required"))),
        }
    }

    pub(super) fn opt_text(&self, field: &str) -> Result<Option<String>, ApiError> {
        match self.opt(field) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::field(
                field,
                format!("{field} must be a non-empty string"),
            )),
        }
    }

    pub(super) fn strings(&self, field: &str) -> Result<Vec<String>, ApiError> {
        let bad = || ApiError::field(field, format!("{field} must be an array of strings"));
        match self.opt(field) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
                .collect(),
            Some(_) => Err(bad()),
        }
    }

    pub(super) fn object(&self, field: &str) -> Result<Map<String, Value>, ApiError> {
        self.opt_object(field)?
            .ok_or_else(|| ApiError::field(field, format!("{field} is required")))
    }

    pub(super) fn opt_object(&self, field: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.opt(field) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map.clone())),
            Some(_) => Err(ApiError::field(
                field,
                format!("{field} must be a JSON object"),
            )),
        }
    }

    pub(super) fn choice<T: Copy>(
        &self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Result<T, ApiError> {
        self.opt_choice(field, parse, all, name)?
            .ok_or_else(|| ApiError::field(field, format!("{field} is required")))
    }

    pub(super) fn opt_choice<T: Copy>(
        &self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Result<Option<T>, ApiError> {
        match self.opt(field) {
            None => Ok(None),
            Some(v) => v.as_str().and_then(parse).map(Some).ok_or_else(|| {
                let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
                ApiError::field(
                    field,
                    format!("{field} must be one of {}", names.join(", ")),
                )
            }),
        }
    }
}
