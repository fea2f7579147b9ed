//! Walks one JSON Schema document and lists what a message of it can hold: its field paths,
//! the enums at them and the option objects they belong to.
//!
//! Follows `$ref`s between the protocol's schema files (`defs.json#/$defs/Job`,
//! `../defs.json#…`, `#/$defs/x`), `properties`, `prefixItems`, `items`, `allOf` / `anyOf` /
//! `oneOf` and `if` / `then` / `else`; ignores `not` (what a message must not hold is no field).
//! A field is every named property at its path; array positions are not fields. What the document
//! defines once counts once: a field of an object reached through a `$ref` to a `$defs` entry is
//! named by that entry (`Job.startedAt`, exercised by any message carrying a `Job`), and so is an
//! enum (`jobState`); other fields and enums are named by their message kind and path. Recursion
//! is bounded by [`MAX_SCHEMA_DEPTH`].

use std::collections::BTreeMap;

use serde_json::Value;

/// How deep the walk follows nested schemas and references (a recursive schema stops here).
pub const MAX_SCHEMA_DEPTH: usize = 24;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// A fixed array position (`prefixItems`).
    Index(usize),
    /// Every array element (`items`).
    Each,
}

/// A field a message kind can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Where, from the message (or payload) root.
    pub path: Vec<Segment>,
    /// The key of the enum its values come from, if any.
    pub enum_key: Option<String>,
    /// Its name when it belongs to a shared definition (`Job.startedAt`): then it is counted
    /// once, under that name, for every message kind.
    pub shared: Option<String>,
    /// It is a key of a declared option object (its `shared` name is the option's name).
    pub option: bool,
}

/// What the walk of one schema found.
#[derive(Debug, Default)]
pub struct Walked {
    /// Fields in the order first met, one per path.
    pub fields: Vec<FieldSpec>,
    /// Enums met: key → values (as JSON text for non-strings).
    pub enums: BTreeMap<String, Vec<String>>,
}

/// Renders a path as reports show it: `$.args[0].state`, `$.jobs[*].name`.
pub fn render_path(path: &[Segment]) -> String {
    let mut out = String::from("$");
    for segment in path {
        match segment {
            Segment::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
            Segment::Each => out.push_str("[*]"),
        }
    }
    out
}

/// The text of an enum value: a string as is, anything else as JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Walks the schema document `file` (a path relative to `schemas/`) of `docs`; `kind` names
/// inline enums; `options` are the `$defs` names whose properties are options.
pub fn walk(docs: &BTreeMap<String, Value>, file: &str, kind: &str, options: &[String]) -> Walked {
    let mut walker = Walker {
        docs,
        kind,
        options,
        out: Walked::default(),
    };
    if let Some(root) = docs.get(file) {
        let at = Place {
            file: file.to_owned(),
            path: Vec::new(),
            def: None,
            owner: None,
        };
        walker.node(root, &at, 0);
    }
    walker.out
}

struct Walker<'a> {
    docs: &'a BTreeMap<String, Value>,
    kind: &'a str,
    options: &'a [String],
    out: Walked,
}

/// Where the walk is: the document, the path in the message, the `$defs` entry the node came
/// from (if it is one's root), and the shared name of the node (`Job`, `Job.data`), if it is in a
/// shared definition.
#[derive(Clone)]
struct Place {
    file: String,
    path: Vec<Segment>,
    def: Option<String>,
    owner: Option<String>,
}

impl Walker<'_> {
    fn node(&mut self, schema: &Value, at: &Place, depth: usize) {
        let Value::Object(map) = schema else { return };
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        if let Some(Value::String(reference)) = map.get("$ref") {
            self.reference(reference, at, depth);
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            self.enumeration(values, at);
        }
        if let Some(Value::Object(properties)) = map.get("properties") {
            let option = at.def.as_ref().is_some_and(|d| self.options.contains(d));
            for (key, sub) in properties {
                let mut path = at.path.clone();
                path.push(Segment::Key(key.clone()));
                let owner = at.owner.as_ref().map(|o| format!("{o}.{key}"));
                self.field(&path, owner.clone(), option);
                let next = Place {
                    file: at.file.clone(),
                    path,
                    def: None,
                    owner,
                };
                self.node(sub, &next, depth + 1);
            }
        }
        if let Some(Value::Array(items)) = map.get("prefixItems") {
            for (index, sub) in items.iter().enumerate() {
                self.child(sub, at, Segment::Index(index), depth);
            }
        }
        if let Some(items @ Value::Object(_)) = map.get("items") {
            self.child(items, at, Segment::Each, depth);
        }
        for keyword in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = map.get(keyword) {
                for branch in branches {
                    self.node(branch, at, depth + 1);
                }
            }
        }
        for keyword in ["then", "else"] {
            if let Some(branch) = map.get(keyword) {
                self.node(branch, at, depth + 1);
            }
        }
    }

    fn child(&mut self, schema: &Value, at: &Place, segment: Segment, depth: usize) {
        let owner = at.owner.as_ref().map(|o| match &segment {
            Segment::Index(index) => format!("{o}[{index}]"),
            _ => format!("{o}[*]"),
        });
        let mut path = at.path.clone();
        path.push(segment);
        let next = Place {
            file: at.file.clone(),
            path,
            def: None,
            owner,
        };
        self.node(schema, &next, depth + 1);
    }

    fn reference(&mut self, reference: &str, at: &Place, depth: usize) {
        let (file_part, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let file = if file_part.is_empty() {
            at.file.clone()
        } else {
            join(&at.file, file_part)
        };
        let Some(target) = self.docs.get(&file).and_then(|doc| doc.pointer(pointer)) else {
            return;
        };
        let def = pointer
            .strip_prefix("/$defs/")
            .filter(|name| !name.contains('/'))
            .map(str::to_owned);
        let next = Place {
            file,
            path: at.path.clone(),
            owner: def.clone().or_else(|| at.owner.clone()),
            def: def.or_else(|| at.def.clone()),
        };
        self.node(target, &next, depth + 1);
    }

    fn field(&mut self, path: &[Segment], shared: Option<String>, option: bool) {
        match self.out.fields.iter_mut().find(|f| f.path == path) {
            // The first name met wins (a field seen inline and through a definition is one field).
            Some(known) => known.option |= option,
            None => self.out.fields.push(FieldSpec {
                path: path.to_vec(),
                enum_key: None,
                shared,
                option,
            }),
        }
    }

    fn enumeration(&mut self, values: &[Value], at: &Place) {
        let key = at
            .def
            .clone()
            .unwrap_or_else(|| format!("{} {}", self.kind, render_path(&at.path)));
        let texts = self.out.enums.entry(key.clone()).or_default();
        for value in values {
            let text = value_text(value);
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
        if let Some(field) = self.out.fields.iter_mut().find(|f| f.path == at.path) {
            field.enum_key = Some(key);
        }
    }
}

/// The path of `relative` seen from the document `from` (both relative to `schemas/`).
fn join(from: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs() -> BTreeMap<String, Value> {
        let mut docs = BTreeMap::new();
        docs.insert(
            "defs.json".to_owned(),
            json!({"$defs": {
                "state": {"enum": ["on", "off"]},
                "Opts": {"type": "object", "properties": {"fast": {"type": "boolean"}}},
                "Thing": {"properties": {"state": {"$ref": "#/$defs/state"}}}
            }}),
        );
        docs.insert(
            "client/go.json".to_owned(),
            json!({"properties": {
                "thing": {"$ref": "../defs.json#/$defs/Thing"},
                "options": {"$ref": "../defs.json#/$defs/Opts"},
                "level": {"enum": ["low", 2]},
                "list": {"items": {"properties": {"name": {}}}},
                "args": {"prefixItems": [{"oneOf": [{"properties": {"error": {}}}, {"not": {"properties": {"never": {}}}}]}]}
            }}),
        );
        docs
    }

    /// The field paths, sorted (the walk keeps the documents' key order).
    fn paths(walked: &Walked) -> Vec<String> {
        let mut paths: Vec<String> = walked.fields.iter().map(|f| render_path(&f.path)).collect();
        paths.sort();
        paths
    }

    #[test]
    fn fields_follow_references_arrays_and_branches_but_not_negations() {
        let walked = walk(&docs(), "client/go.json", "go", &[]);
        assert_eq!(
            paths(&walked),
            [
                "$.args",
                "$.args[0].error",
                "$.level",
                "$.list",
                "$.list[*].name",
                "$.options",
                "$.options.fast",
                "$.thing",
                "$.thing.state",
            ]
        );
    }

    #[test]
    fn shared_enums_are_keyed_by_their_definition_and_inline_ones_by_kind_and_path() {
        let walked = walk(&docs(), "client/go.json", "go", &[]);
        assert_eq!(walked.enums["state"], ["on", "off"]);
        assert_eq!(walked.enums["go $.level"], ["low", "2"]);
        let state = walked
            .fields
            .iter()
            .find(|f| render_path(&f.path) == "$.thing.state");
        assert_eq!(state.and_then(|f| f.enum_key.as_deref()), Some("state"));
    }

    #[test]
    fn fields_of_a_shared_definition_are_named_by_it_and_option_keys_are_options() {
        let walked = walk(&docs(), "client/go.json", "go", &["Opts".to_owned()]);
        let mut shared: Vec<_> = walked
            .fields
            .iter()
            .filter_map(|f| f.shared.clone().map(|name| (name, f.option)))
            .collect();
        shared.sort();
        assert_eq!(
            shared,
            [
                ("Opts.fast".to_owned(), true),
                ("Thing.state".to_owned(), false)
            ]
        );
    }

    #[test]
    fn a_recursive_schema_stops_at_the_depth_limit() {
        let mut docs = BTreeMap::new();
        docs.insert(
            "r.json".to_owned(),
            json!({"properties": {"next": {"$ref": "#"}}}),
        );
        let walked = walk(&docs, "r.json", "r", &[]);
        assert!(!walked.fields.is_empty());
        assert!(walked.fields.len() <= MAX_SCHEMA_DEPTH);
    }
}
