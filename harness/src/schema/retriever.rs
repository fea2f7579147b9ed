//! Resolves `$ref`s between the schema files of one protocol, offline.
//!
//! Every `*.json` under a protocol's `schemas/` folder (subfolders included) is loaded once and
//! known both by its `$id` and by its `file://` URI, so a relative reference resolves whichever
//! base the referencing schema has. Any other URI is an error: nothing is fetched.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::{Retrieve, Uri};
use serde_json::Value;

use super::SchemaError;

/// The schema documents of one protocol, by URI.
#[derive(Clone)]
pub struct LocalSchemas {
    files: Arc<Vec<(PathBuf, Value)>>,
    by_uri: Arc<HashMap<String, Value>>,
}

impl LocalSchemas {
    /// Loads every `*.json` under `dir`, recursively.
    pub fn load(dir: &Path) -> Result<LocalSchemas, SchemaError> {
        let mut files = Vec::new();
        collect(dir, &mut files)?;
        files.sort_by(|a, b| a.0.cmp(&b.0));
        let mut by_uri = HashMap::new();
        for (path, document) in &files {
            by_uri.insert(file_uri(path), document.clone());
            if let Some(id) = document.get("$id").and_then(Value::as_str) {
                by_uri.insert(id.trim_end_matches('#').to_owned(), document.clone());
            }
        }
        Ok(LocalSchemas {
            files: Arc::new(files),
            by_uri: Arc::new(by_uri),
        })
    }

    /// The documents directly in `dir` (not in its subfolders).
    pub fn files_in<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = (&'a Path, &'a Value)> {
        self.files
            .iter()
            .filter(move |(path, _)| path.parent() == Some(dir))
            .map(|(path, document)| (path.as_path(), document))
    }

    /// The base URI of a file: its `$id` if it has one, else its `file://` URI.
    pub fn base_uri_of(&self, path: &Path) -> String {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, document)| document.get("$id").and_then(Value::as_str))
            .map_or_else(|| file_uri(path), str::to_owned)
    }
}

impl Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let key = uri.as_str().split('#').next().unwrap_or_default();
        self.by_uri
            .get(key)
            .cloned()
            .ok_or_else(|| format!("no local schema has the URI {key}").into())
    }
}

fn collect(dir: &Path, files: &mut Vec<(PathBuf, Value)>) -> Result<(), SchemaError> {
    let read = |source| SchemaError::Read {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).map_err(|source| SchemaError::Read {
                path: path.clone(),
                source,
            })?;
            let document = serde_json::from_str(&text).map_err(|source| SchemaError::Json {
                path: path.clone(),
                source,
            })?;
            files.push((path, document));
        }
    }
    Ok(())
}

fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    format!("file://{}", absolute.display())
}
