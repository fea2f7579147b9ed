//! The fields of a client message, read from its JSON Schema, and the faults each one allows.
//!
//! A field is a property of the message (or of an object-valued property, one level down) with
//! the JSON types its schema allows and whether it is required. `$ref` (within the file or to a
//! sibling file), `allOf`, `oneOf`/`anyOf`, `const` and `enum` are followed; other keywords do
//! not change a field's type and are not read. Pure: the caller reads the files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// One field of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its path from the message's root (`data.content`).
    pub path: Vec<String>,
    /// Whether the message must have it.
    pub required: bool,
    /// The JSON types it may have (`string`, `number`, `integer`, `boolean`, `object`, `array`,
    /// `null`); `None`: any value.
    pub types: Option<BTreeSet<String>>,
    /// The value of a `const`, when the schema pins one.
    pub constant: Option<Value>,
}

impl Field {
    /// The dotted path.
    pub fn dotted(&self) -> String {
        self.path.join(".")
    }
}

/// A fault to plant in one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A value of a JSON type the field does not allow.
    WrongType,
    /// The field left out (required fields only).
    Missing,
    /// `null` where the schema does not allow it.
    Null,
}

impl Fault {
    /// The reaction family of the fault on a field.
    pub fn family(self, required: bool) -> &'static str {
        match (self, required) {
            (Fault::WrongType, _) => "wrong_type",
            (Fault::Missing, _) => "missing_field",
            (Fault::Null, true) => "null_required",
            (Fault::Null, false) => "null_optional",
        }
    }

    /// Its name in case ids.
    pub fn name(self) -> &'static str {
        match self {
            Fault::WrongType => "wrong_type",
            Fault::Missing => "missing",
            Fault::Null => "null",
        }
    }
}

/// Reads schema documents by path (tests pass a map, the harness the file system).
pub trait Documents {
    /// The JSON document at `path`.
    fn read(&self, path: &Path) -> Option<Value>;
}

/// The file system.
pub struct Files;

impl Documents for Files {
    fn read(&self, path: &Path) -> Option<Value> {
        let text = std::fs::read_to_string(path).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// How deep `$ref` chains are followed before giving up (a cycle).
const MAX_REFS: usize = 16;

/// The fields of the message the schema at `file` describes: its properties and, one level
/// down, the properties of its object-valued properties.
pub fn fields(docs: &dyn Documents, file: &Path) -> Vec<Field> {
    let Some(root) = docs.read(file) else {
        return Vec::new();
    };
    let at = Place {
        file: file.to_path_buf(),
        doc: root.clone(),
    };
    let mut out = Vec::new();
    let (properties, required) = object_parts(docs, &at, &root, 0);
    for (name, (schema, place)) in properties {
        let types = types_of(docs, &place, &schema, 0);
        let constant = constant_of(docs, &place, &schema, 0);
        out.push(Field {
            path: vec![name.clone()],
            required: required.contains(&name),
            types: types.clone(),
            constant,
        });
        if types
            .as_ref()
            .is_some_and(|t| t.len() == 1 && t.contains("object"))
        {
            let (inner, inner_required) = object_parts(docs, &place, &schema, 0);
            for (child, (child_schema, child_place)) in inner {
                out.push(Field {
                    path: vec![name.clone(), child.clone()],
                    required: inner_required.contains(&child),
                    types: types_of(docs, &child_place, &child_schema, 0),
                    constant: constant_of(docs, &child_place, &child_schema, 0),
                });
            }
        }
    }
    out
}

/// A schema document and where it lives, to resolve `$ref`s against.
#[derive(Clone)]
struct Place {
    file: PathBuf,
    doc: Value,
}

type Properties = Vec<(String, (Value, Place))>;

/// The properties (first declaration wins; later `allOf` parts refine) and required names of
/// an object schema.
fn object_parts(
    docs: &dyn Documents,
    at: &Place,
    schema: &Value,
    depth: usize,
) -> (Properties, BTreeSet<String>) {
    let mut properties: Properties = Vec::new();
    let mut required = BTreeSet::new();
    if depth > MAX_REFS {
        return (properties, required);
    }
    if let Some((target, place)) = follow(docs, at, schema) {
        return object_parts(docs, &place, &target, depth + 1);
    }
    if let Some(names) = schema.get("required").and_then(Value::as_array) {
        required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(map) = schema.get("properties").and_then(Value::as_object) {
        for (name, value) in map {
            merge(&mut properties, name, value.clone(), at.clone());
        }
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (more, more_required) = object_parts(docs, at, part, depth + 1);
        required.extend(more_required);
        for (name, (value, place)) in more {
            merge(&mut properties, &name, value, place);
        }
    }
    (properties, required)
}

/// Adds a property; a later declaration with a type or const replaces an untyped earlier one.
fn merge(properties: &mut Properties, name: &str, value: Value, place: Place) {
    match properties.iter_mut().find(|(n, _)| n == name) {
        Some((_, slot)) => {
            let typed = |v: &Value| v.as_object().is_some_and(|o| !o.is_empty());
            if typed(&value) {
                *slot = (value, place);
            }
        }
        None => properties.push((name.to_owned(), (value, place))),
    }
}

/// The schema a `$ref` points at, with its document.
fn follow(docs: &dyn Documents, at: &Place, schema: &Value) -> Option<(Value, Place)> {
    let reference = schema.get("$ref")?.as_str()?;
    let (file_part, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    let place = if file_part.is_empty() {
        at.clone()
    } else {
        let file = at.file.parent().unwrap_or(Path::new("")).join(file_part);
        let doc = docs.read(&file)?;
        Place { file, doc }
    };
    let target = if pointer.is_empty() {
        place.doc.clone()
    } else {
        place.doc.pointer(pointer)?.clone()
    };
    Some((target, place))
}

/// The JSON types a schema allows; `None`: any.
fn types_of(
    docs: &dyn Documents,
    at: &Place,
    schema: &Value,
    depth: usize,
) -> Option<BTreeSet<String>> {
    if depth > MAX_REFS {
        return None;
    }
    if let Some((target, place)) = follow(docs, at, schema) {
        return types_of(docs, &place, &target, depth + 1);
    }
    match schema.get("type") {
        Some(Value::String(t)) => return Some(BTreeSet::from([t.clone()])),
        Some(Value::Array(ts)) => {
            return Some(
                ts.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            );
        }
        _ => {}
    }
    if let Some(value) = schema.get("const") {
        return Some(BTreeSet::from([json_type(value).to_owned()]));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(values.iter().map(|v| json_type(v).to_owned()).collect());
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let mut all = BTreeSet::new();
            for part in parts {
                all.extend(types_of(docs, at, part, depth + 1)?);
            }
            return Some(all);
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return parts.iter().find_map(|p| types_of(docs, at, p, depth + 1));
    }
    None
}

fn constant_of(docs: &dyn Documents, at: &Place, schema: &Value, depth: usize) -> Option<Value> {
    if depth > MAX_REFS {
        return None;
    }
    if let Some((target, place)) = follow(docs, at, schema) {
        return constant_of(docs, &place, &target, depth + 1);
    }
    schema.get("const").cloned()
}

/// The JSON type of a value (`integer` for whole numbers).
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value the field does not allow, of another JSON type; `None` when it allows every type.
pub fn wrong_value(types: &BTreeSet<String>) -> Option<Value> {
    let allows = |value: &Value| {
        let t = json_type(value);
        types.contains(t) || (t == "integer" && types.contains("number"))
    };
    [
        json!(12345),
        json!("not-a-number"),
        json!(true),
        json!({ "wrong": "type" }),
        json!([1, 2, 3]),
    ]
    .into_iter()
    .find(|v| !allows(v))
}

/// The faults a field allows, each with the value to put there (`None`: leave it out).
pub fn faults(field: &Field) -> Vec<(Fault, Option<Value>)> {
    let mut out = Vec::new();
    if let Some(types) = &field.types
        && let Some(value) = wrong_value(types)
    {
        out.push((Fault::WrongType, Some(value)));
    }
    if field.required {
        out.push((Fault::Missing, None));
    }
    let nullable = field.types.as_ref().is_none_or(|t| t.contains("null"));
    if !nullable {
        out.push((Fault::Null, Some(Value::Null)));
    }
    out
}

/// `base` with the field at `path` set to `value` (`None`: removed); missing parents are made.
pub fn plant(base: &Value, path: &[String], value: Option<Value>) -> Value {
    let mut out = base.clone();
    let Some((last, parents)) = path.split_last() else {
        return out;
    };
    let mut cursor = &mut out;
    for name in parents {
        if !cursor.get(name).is_some_and(Value::is_object) {
            if value.is_none() {
                return out;
            }
            if let Some(map) = cursor.as_object_mut() {
                map.insert(name.clone(), json!({}));
            }
        }
        let Some(next) = cursor.get_mut(name) else {
            return out;
        };
        cursor = next;
    }
    if let Some(map) = cursor.as_object_mut() {
        match value {
            Some(value) => {
                map.insert(last.clone(), value);
            }
            None => {
                map.remove(last);
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
