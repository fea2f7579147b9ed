//! Helpers of `format_schemas.rs`: the shipped JSON Schemas of the file formats (`schemas/`),
//! loaded and checked against their meta-schema, YAML files turned into the JSON they see, and
//! every schema error of a file collected as `path: message` lines.
//!
//! Format-neutral on purpose: the scenario test and the profile test share all of it. A file that
//! is not valid YAML counts as failing (its one error says why).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod yaml_json;

use std::path::{Path, PathBuf};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::Value;

pub use yaml_json::yaml_to_json;

/// The repository's root (the workspace holding `harness/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness/ has a parent")
        .to_path_buf()
}

/// The schema at `path` (relative to the repository root), checked against the draft 2020-12
/// meta-schema, compiled. Panics with the reason: a broken schema fails every test using it.
pub fn load_schema(path: &str) -> Validator {
    let path = repo_root().join(path);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    if let Err(error) = jsonschema::meta::validate(&schema) {
        panic!("{} breaks its meta-schema: {error}", path.display());
    }
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{} does not compile: {e}", path.display()))
}

/// The schema document itself at `path` (relative to the repository root), for tests that read
/// it (which keys it names).
pub fn schema_document(path: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(path)).expect("schema readable");
    serde_json::from_str(&text).expect("schema is JSON")
}

/// Every `*.yaml` / `*.yml` under `dir`, recursively, sorted.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Why the YAML file at `path` does not pass `schema`: one line per error (empty: it passes).
pub fn file_errors(schema: &Validator, path: &Path) -> Vec<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return vec![format!("cannot read the file: {e}")],
    };
    match yaml_to_json(&text) {
        Ok(value) => schema_errors(schema, &value),
        Err(e) => vec![format!("not YAML the schema can see: {e}")],
    }
}

/// Every error of `value` against `schema`, as `<instance path>: <message> [schema <path>]`.
pub fn schema_errors(schema: &Validator, value: &Value) -> Vec<String> {
    schema.iter_errors(value).map(|e| describe(&e)).collect()
}

/// The files among `files` that fail `schema`, each with its errors, as one readable block
/// (empty when all pass).
pub fn failures_report(schema: &Validator, files: &[PathBuf]) -> String {
    let root = repo_root();
    let mut report = String::new();
    for file in files {
        let errors = file_errors(schema, file);
        if errors.is_empty() {
            continue;
        }
        let shown = file.strip_prefix(&root).unwrap_or(file);
        report.push_str(&format!("\n{}:\n", shown.display()));
        for error in errors {
            report.push_str(&format!("  {error}\n"));
        }
    }
    report
}

/// One line for `error`. A `oneOf`/`anyOf` no branch matched is described by the branch with the
/// fewest errors (the step kind the author most likely meant), down to the key it trips on.
fn describe(error: &ValidationError<'_>) -> String {
    let at = match error.instance_path().as_str() {
        "" => "/".to_owned(),
        path => path.to_owned(),
    };
    let branches = match error.kind() {
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            context
        }
        _ => return format!("{at}: {error} [schema {}]", error.schema_path().as_str()),
    };
    let closest = branches
        .iter()
        .filter(|errors| !errors.is_empty())
        .min_by_key(|errors| errors.len());
    match closest {
        Some(errors) => format!(
            "{at}: no variant fits; the closest: {}",
            describe(&errors[0])
        ),
        None => format!("{at}: {error}"),
    }
}
