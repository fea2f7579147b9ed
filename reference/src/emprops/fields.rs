//! Reading a message's fields with the checks of the notes: each reader takes the object, the
//! key and the field's dotted path, and refuses a wrong value with `INVALID_PARAMETERS` naming
//! that path and the value given (emprops-N5).
//!
//! A field given as `null` counts as absent (the document's own `worker_status` sends
//! `"current_job_id": null`).

use super::HubError;
use serde_json::{Map, Number, Value};

/// The object a message or nested field is.
pub(super) type Obj = Map<String, Value>;

/// The value of `key`, `None` when absent or `null`.
pub(super) fn get<'a>(obj: &'a Obj, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// An optional string.
pub(super) fn opt_str(obj: &Obj, key: &str, path: &str) -> Result<Option<String>, HubError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(HubError::invalid(path, "Must be a string", Some(other))),
    }
}

/// A required non-empty string.
pub(super) fn req_str(obj: &Obj, key: &str, path: &str) -> Result<String, HubError> {
    match get(obj, key) {
        None => Err(HubError::invalid(path, "Is required", None)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(other) => Err(HubError::invalid(
            path,
            "Must be a non-empty string",
            Some(other),
        )),
    }
}

/// An optional boolean.
pub(super) fn opt_bool(obj: &Obj, key: &str, path: &str) -> Result<Option<bool>, HubError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(HubError::invalid(path, "Must be a boolean", Some(other))),
    }
}

/// An optional number in `min..=max` (`max` `None`: unbounded), kept as given.
pub(super) fn opt_number(
    obj: &Obj,
    key: &str,
    path: &str,
    min: f64,
    max: Option<f64>,
) -> Result<Option<Number>, HubError> {
    let Some(value) = get(obj, key) else {
        return Ok(None);
    };
    let in_range = |n: f64| n >= min && max.is_none_or(|m| n <= m);
    match value {
        Value::Number(n) if n.as_f64().is_some_and(in_range) => Ok(Some(n.clone())),
        _ => {
            let message = match max {
                Some(max) => format!("Must be a number from {min} to {max}"),
                None if min > 0.0 => "Must be a positive number".to_owned(),
                None => format!("Must be a number of at least {min}"),
            };
            Err(HubError::invalid(path, &message, Some(value)))
        }
    }
}

/// An optional integer in `min..=max`.
pub(super) fn opt_int(
    obj: &Obj,
    key: &str,
    path: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, HubError> {
    let Some(value) = get(obj, key) else {
        return Ok(None);
    };
    match value.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => {
            let message = if max == u64::MAX {
                format!("Must be an integer of at least {min}")
            } else {
                format!("Must be an integer from {min} to {max}")
            };
            Err(HubError::invalid(path, &message, Some(value)))
        }
    }
}

/// An optional object.
pub(super) fn opt_obj<'a>(
    obj: &'a Obj,
    key: &str,
    path: &str,
) -> Result<Option<&'a Obj>, HubError> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(HubError::invalid(path, "Must be an object", Some(other))),
    }
}

/// An optional array of strings.
pub(super) fn opt_strings(
    obj: &Obj,
    key: &str,
    path: &str,
) -> Result<Option<Vec<String>>, HubError> {
    let Some(value) = get(obj, key) else {
        return Ok(None);
    };
    let strings = value.as_array().and_then(|items| {
        items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
    });
    strings
        .map(Some)
        .ok_or_else(|| HubError::invalid(path, "Must be an array of strings", Some(value)))
}

/// A required array of strings.
pub(super) fn req_strings(obj: &Obj, key: &str, path: &str) -> Result<Vec<String>, HubError> {
    opt_strings(obj, key, path)?.ok_or_else(|| HubError::invalid(path, "Is required", None))
}
