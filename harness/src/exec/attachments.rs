//! socket.io binary attachments in and out of the scenario machine: received placeholders become
//! the views of [`crate::binary`]; `{"$binary": {"hex": …}}` arguments of an emit become
//! attachments and placeholders. Only emits that mention `$binary` pay for the walk.

use serde_json::Value;

use crate::binary::{KEY, Layout, unhex, view};
use crate::transport::socketio::{placeholder, resolve_placeholders};

/// Replaces every socket.io placeholder in `args` by the view of its attachment.
pub(super) fn resolve(args: &mut [Value], attachments: &[Vec<u8>], layout: &Layout) {
    let mut render = |bytes: &[u8]| view(bytes, layout);
    for arg in args {
        resolve_placeholders(arg, attachments, &mut render);
    }
}

/// Takes every `{"$binary": {"hex": …}}` out of `args`, leaving socket.io placeholders, and
/// returns the attachments in placeholder order (none: `args` is left as it was).
pub(super) fn take_attachments(args: &mut [Value]) -> Result<Vec<Vec<u8>>, String> {
    let mut attachments = Vec::new();
    for arg in args {
        take(arg, &mut attachments)?;
    }
    Ok(attachments)
}

fn take(value: &mut Value, out: &mut Vec<Vec<u8>>) -> Result<(), String> {
    match value {
        Value::Array(items) => items.iter_mut().try_for_each(|v| take(v, out)),
        Value::Object(map) => match map.get(KEY) {
            Some(inner) if map.len() == 1 => {
                let text = inner.get("hex").and_then(Value::as_str).ok_or_else(|| {
                    format!("a binary value to send needs {{\"{KEY}\": {{\"hex\": \"…\"}}}}")
                })?;
                out.push(unhex(text)?);
                *value = placeholder(out.len() - 1);
                Ok(())
            }
            _ => map.values_mut().try_for_each(|v| take(v, out)),
        },
        _ => Ok(()),
    }
}

/// True if `values` hold a `$binary` object anywhere (decided once, when the emit is planned).
pub(super) fn mentions_binary(values: &[Value]) -> bool {
    values.iter().any(|value| match value {
        Value::Array(items) => mentions_binary(items),
        Value::Object(map) => {
            map.contains_key(KEY)
                || map
                    .values()
                    .any(|v| mentions_binary(std::slice::from_ref(v)))
        }
        _ => false,
    })
}
