//! The inventory of a protocol's document: every item a run can exercise, built from its schemas
//! and its `coverage.yaml` ([`Declared`]). Pure: it takes the schema documents as JSON.
//!
//! - Messages received: every schema file directly in `schemas/` except the profile's envelope
//!   and files of shared definitions only (no `properties`, `type` or combinator at the root).
//! - Messages sent: every schema file in `schemas/<sent_folder>/` (each validates what the client
//!   sends: a socket.io emit's first argument, or a whole frame).
//! - Fields: every property path of those schemas and of the HTTP body schemas, per kind, or
//!   once per shared definition (`Job.startedAt`; see [`walk`](super::walk)).
//! - Enum values: every value of every enum, per enum (see [`walk`](super::walk)).
//! - Options: the keys of the declared option objects (`JobOptions.priority`), not also fields.
//! - Error codes: as declared; HTTP: each declared endpoint × status.
//!
//! Invariant: an exclusion names an item of the inventory (else [`Inventory::build`] fails), so
//! a renamed item cannot leave a stale exclusion behind.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use crate::report::coverage::Category;

use super::declared::{Declared, Endpoint};
use super::walk::{FieldSpec, render_path, walk};

/// One thing of the document a run can exercise: its category and how reports show it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    /// The category.
    pub category: Category,
    /// The item as reports show it (`← work_request $.args[0].startedAt`, `jobState = retry`).
    pub text: String,
}

/// One message kind (a schema) and its fields.
#[derive(Debug, Clone)]
pub struct Kind {
    /// How reports name it: the type its schema fixes at the type pointer, else its stem.
    pub name: String,
    /// Its fields.
    pub fields: Vec<FieldSpec>,
}

/// A compiled place where error codes are read.
#[derive(Debug, Clone)]
pub struct CodeSite {
    /// The kind (stem), or a prefix when it ended in `*`.
    pub kind: String,
    /// Whether `kind` is a prefix.
    pub prefix: bool,
    /// JSON pointer to the string.
    pub pointer: String,
    /// Its first group is the code; `None`: the whole string.
    pub pattern: Option<regex::Regex>,
}

/// Everything of one protocol's document a run can exercise.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Received kinds by schema stem.
    pub received: BTreeMap<String, Kind>,
    /// Sent kinds by type name (the stem in the sent folder).
    pub sent: BTreeMap<String, Kind>,
    /// HTTP body kinds by stem (`rest/job`).
    pub bodies: BTreeMap<String, Kind>,
    /// Enum values by enum key (error codes' enum excluded).
    pub enums: BTreeMap<String, Vec<String>>,
    /// The error codes.
    pub codes: BTreeSet<String>,
    /// Where codes are read.
    pub code_sites: Vec<CodeSite>,
    /// The HTTP endpoints.
    pub endpoints: Vec<Endpoint>,
    /// The schema of non-2xx HTTP bodies.
    pub error_body: Option<String>,
    /// Every item.
    pub items: BTreeSet<Item>,
    /// Items the suite cannot reach, with the reason.
    pub excluded: BTreeMap<Item, String>,
}

/// Why an inventory could not be built.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// A declared schema does not exist.
    #[error("coverage.yaml names the schema {0:?}, which does not exist")]
    NoSchema(String),
    /// A declared `$defs` enum does not exist.
    #[error("coverage.yaml names the error-code enum {0:?}, which no schema uses")]
    NoEnum(String),
    /// An error-code pattern is not a regular expression.
    #[error("coverage.yaml: error-code pattern {0:?}: {1}")]
    Pattern(String, String),
    /// An exclusion names no item.
    #[error("coverage.yaml excludes {category}: {item:?}, which is not an item of the document")]
    Stale {
        /// Its category.
        category: String,
        /// Its text.
        item: String,
    },
}

impl Inventory {
    /// Builds the inventory from `docs` (every schema file, keyed by its path relative to
    /// `schemas/`), the profile's envelope schema file and type pointer, and `declared`.
    pub fn build(
        docs: &BTreeMap<String, Value>,
        envelope: Option<&str>,
        type_pointer: &str,
        declared: &Declared,
    ) -> Result<Inventory, InventoryError> {
        let mut inventory = Inventory {
            endpoints: declared
                .http
                .as_ref()
                .map_or_else(Vec::new, |h| h.endpoints.clone()),
            error_body: declared.http.as_ref().and_then(|h| h.error_body.clone()),
            ..Inventory::default()
        };
        let sent_prefix = format!("{}/", declared.sent_folder);
        for (file, doc) in docs {
            let Some(stem) = file.strip_suffix(".json") else {
                continue;
            };
            if Some(file.as_str()) == envelope || !is_message(doc) {
                continue;
            }
            if let Some(name) = stem.strip_prefix(&sent_prefix) {
                let kind = inventory.kind(docs, file, name, type_pointer, declared);
                inventory.sent.insert(name.to_owned(), kind);
            } else if !stem.contains('/') {
                let kind = inventory.kind(docs, file, stem, type_pointer, declared);
                inventory.received.insert(stem.to_owned(), kind);
            }
        }
        for stem in body_stems(declared) {
            let file = format!("{stem}.json");
            if !docs.contains_key(&file) {
                return Err(InventoryError::NoSchema(stem));
            }
            let kind = inventory.kind(docs, &file, &stem, type_pointer, declared);
            inventory.bodies.insert(stem, kind);
        }
        inventory.error_codes(declared)?;
        inventory.list_items();
        inventory.exclusions(declared)?;
        Ok(inventory)
    }

    fn kind(
        &mut self,
        docs: &BTreeMap<String, Value>,
        file: &str,
        stem: &str,
        type_pointer: &str,
        declared: &Declared,
    ) -> Kind {
        let name = fixed_type(&docs[file], type_pointer).unwrap_or_else(|| stem.to_owned());
        let walked = walk(docs, file, &name, &declared.options);
        for (key, values) in walked.enums {
            let known = self.enums.entry(key).or_default();
            for value in values {
                if !known.contains(&value) {
                    known.push(value);
                }
            }
        }
        Kind {
            name,
            fields: walked.fields,
        }
    }

    fn error_codes(&mut self, declared: &Declared) -> Result<(), InventoryError> {
        let Some(codes) = &declared.error_codes else {
            return Ok(());
        };
        self.codes.extend(codes.codes.iter().cloned());
        if let Some(def) = &codes.enum_def {
            let values = self
                .enums
                .remove(def)
                .ok_or_else(|| InventoryError::NoEnum(def.clone()))?;
            self.codes.extend(values);
        }
        for site in &codes.at {
            let pattern = match &site.pattern {
                Some(text) => Some(
                    regex::Regex::new(text)
                        .map_err(|e| InventoryError::Pattern(text.clone(), e.to_string()))?,
                ),
                None => None,
            };
            let (kind, prefix) = match site.kind.strip_suffix('*') {
                Some(prefix) => (prefix.to_owned(), true),
                None => (site.kind.clone(), false),
            };
            self.code_sites.push(CodeSite {
                kind,
                prefix,
                pointer: site.pointer.clone(),
                pattern,
            });
        }
        Ok(())
    }

    fn list_items(&mut self) {
        let mut items = BTreeSet::new();
        let mut add = |category, text: String| items.insert(Item { category, text });
        for kind in self.received.values() {
            add(Category::MessagesReceived, kind.name.clone());
        }
        for kind in self.sent.values() {
            add(Category::MessagesSent, kind.name.clone());
        }
        let directed = [
            ("←", &self.received),
            ("→", &self.sent),
            ("←", &self.bodies),
        ];
        for (arrow, kinds) in directed {
            for kind in kinds.values() {
                for field in &kind.fields {
                    add(field_category(field), field_text(arrow, &kind.name, field));
                }
            }
        }
        for (key, values) in &self.enums {
            for value in values {
                add(Category::EnumValues, enum_text(key, value));
            }
        }
        for code in &self.codes {
            add(Category::ErrorCodes, code.clone());
        }
        for endpoint in &self.endpoints {
            for status in &endpoint.statuses {
                add(Category::Http, http_text(&endpoint.request, *status));
            }
        }
        self.items = items;
    }

    fn exclusions(&mut self, declared: &Declared) -> Result<(), InventoryError> {
        for exclusion in &declared.excluded {
            let item = Category::ALL
                .into_iter()
                .find(|c| c.name() == exclusion.category)
                .map(|category| Item {
                    category,
                    text: exclusion.item.clone(),
                })
                .filter(|item| self.items.contains(item))
                .ok_or_else(|| InventoryError::Stale {
                    category: exclusion.category.clone(),
                    item: exclusion.item.clone(),
                })?;
            self.excluded.insert(item, exclusion.reason.clone());
        }
        Ok(())
    }
}

/// How reports show a field: `← work_request $.ackId`, or its shared name (`Job.startedAt`).
pub fn field_text(arrow: &str, kind: &str, field: &FieldSpec) -> String {
    match &field.shared {
        Some(name) => name.clone(),
        None => format!("{arrow} {kind} {}", render_path(&field.path)),
    }
}

/// A key of a declared option object is an option; any other field a field.
pub fn field_category(field: &FieldSpec) -> Category {
    if field.option {
        Category::Options
    } else {
        Category::Fields
    }
}

/// How reports show an enum value: `jobState = retry`.
pub fn enum_text(key: &str, value: &str) -> String {
    format!("{key} = {value}")
}

/// How reports show an endpoint's status: `POST /jobs → 201`.
pub fn http_text(request: &str, status: u16) -> String {
    format!("{request} → {status}")
}

/// A message schema has something at its root besides shared definitions.
fn is_message(doc: &Value) -> bool {
    ["properties", "type", "allOf", "oneOf", "anyOf", "$ref"]
        .iter()
        .any(|key| doc.get(key).is_some())
}

/// The type a schema fixes at the type pointer (`"event": {"const": "job:created"}`).
fn fixed_type(doc: &Value, type_pointer: &str) -> Option<String> {
    let mut at = doc;
    for token in type_pointer.split('/').skip(1) {
        at = at.get("properties")?.get(token)?;
    }
    at.get("const")?.as_str().map(str::to_owned)
}

fn body_stems(declared: &Declared) -> BTreeSet<String> {
    let Some(http) = &declared.http else {
        return BTreeSet::new();
    };
    http.endpoints
        .iter()
        .filter_map(|e| e.body.clone())
        .chain(http.error_body.clone())
        .collect()
}

#[cfg(test)]
#[path = "model_tests.rs"]
pub(super) mod tests;
