//! Binary data as patterns and schemas see it, and as scenarios write it.
//!
//! Every received binary value (a raw binary frame, a socket.io attachment) becomes one JSON
//! object, its *view*: `{"$binary": {"length": n, "hex": "…"}}`, plus, when the protocol's
//! profile declares a [`Layout`], the decoded `fields` (big-endian unsigned integers at the
//! start), the JSON `header` that follows them and `payload_length`, or `malformed` saying why
//! the bytes do not fit the layout. Patterns match the view (`!binary {length: 42}`) and
//! schemas check it like any other value.
//!
//! On the way out, a scenario writes a binary argument as `{"$binary": {"hex": "…"}}`; the
//! executor takes such objects out of an emit's arguments as attachments
//! (`exec::attachments`). Nothing here knows a transport.
//!
//! Invariants: a view is built only for binary data, so text traffic pays nothing; `hex` never
//! shows more than the layout's `hex_limit` bytes (`truncated: true` says it was cut).

use serde::Deserialize;
use serde_json::{Map, Value};

/// The key of a binary value's view.
pub const KEY: &str = "$binary";

/// Bytes shown as `hex` when the profile says nothing.
pub const DEFAULT_HEX_LIMIT: usize = 4096;

/// How a protocol frames its binary values, from its profile (`binary:`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Unsigned big-endian integers at the start of every value, in order.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The field that holds the byte length of a UTF-8 JSON header right after the fields.
    #[serde(default)]
    pub json_header: Option<String>,
    /// At most this many bytes are shown as `hex`.
    #[serde(default = "default_hex_limit")]
    pub hex_limit: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            fields: Vec::new(),
            json_header: None,
            hex_limit: DEFAULT_HEX_LIMIT,
        }
    }
}

fn default_hex_limit() -> usize {
    DEFAULT_HEX_LIMIT
}

/// One integer field of a [`Layout`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Its name in the view's `fields`.
    pub name: String,
    /// Its size in bytes: 1, 2, 4 or 8.
    pub size: u8,
}

/// The view of `bytes` under `layout`.
pub fn view(bytes: &[u8], layout: &Layout) -> Value {
    let mut inner = Map::with_capacity(6);
    inner.insert("length".into(), Value::from(bytes.len()));
    let shown = &bytes[..bytes.len().min(layout.hex_limit)];
    inner.insert("hex".into(), Value::String(hex(shown)));
    if shown.len() < bytes.len() {
        inner.insert("truncated".into(), Value::Bool(true));
    }
    let framed = !layout.fields.is_empty() || layout.json_header.is_some();
    if let Some(Err(reason)) = framed.then(|| decode(bytes, layout, &mut inner)) {
        inner.insert("malformed".into(), Value::String(reason));
    }
    let mut outer = Map::with_capacity(1);
    outer.insert(KEY.into(), Value::Object(inner));
    Value::Object(outer)
}

/// Decodes `layout`'s fields and JSON header of `bytes` into `into`.
fn decode(bytes: &[u8], layout: &Layout, into: &mut Map<String, Value>) -> Result<(), String> {
    let mut fields = Map::with_capacity(layout.fields.len());
    let mut at = 0;
    for field in &layout.fields {
        let size = usize::from(field.size);
        let Some(slice) = bytes.get(at..at + size) else {
            return Err(format!(
                "{} bytes end before field {} (bytes {at}..{})",
                bytes.len(),
                field.name,
                at + size
            ));
        };
        let value = slice.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
        fields.insert(field.name.clone(), Value::from(value));
        at += size;
    }
    let header_length = match &layout.json_header {
        Some(name) => fields.get(name).and_then(Value::as_u64),
        None => None,
    };
    into.insert("fields".into(), Value::Object(fields));
    if let Some(length) = header_length {
        let end = usize::try_from(length)
            .ok()
            .and_then(|l| at.checked_add(l))
            .filter(|end| *end <= bytes.len())
            .ok_or_else(|| format!("the JSON header ({length} bytes) runs past the end"))?;
        let header = serde_json::from_slice::<Value>(&bytes[at..end])
            .map_err(|e| format!("the header is not JSON: {e}"))?;
        into.insert("header".into(), header);
        at = end;
    }
    into.insert("payload_length".into(), Value::from(bytes.len() - at));
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// The bytes of a hex string (spaces allowed between bytes, for readability).
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("hex \"{text}\" has an odd number of digits"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| format!("\"{text}\" is not hex"))
        })
        .collect()
}

#[cfg(test)]
mod tests;
