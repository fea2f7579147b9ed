//! Target profiles: a YAML file (`wsconform run --profile FILE`) that declares a team's server —
//! its URL per protocol, capabilities, run variables, dialect — and how runs against it are
//! made (time scale, jobs) and reported (baseline, report paths).
//!
//! A profile is checked like a scenario: against its JSON Schema (`schemas/
//! target-profile.schema.json`, shipped for editor completion and built in here), every mistake
//! at once, each with its path and, for an unknown key, the nearest known one. What a profile
//! names that only the suite knows (protocols, capabilities) is checked by [`TargetProfile::
//! check`]. Relative paths are resolved against the profile's folder. No I/O besides reading
//! the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

use crate::dialect::{Deviation, Dialect};
use crate::scenario::did_you_mean;

/// The JSON Schema of the profile format.
pub const SCHEMA: &str = include_str!("../../../schemas/target-profile.schema.json");

static SCHEMA_VALUE: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(SCHEMA).unwrap_or(Value::Bool(false)));

/// A team's server, as its profile declares it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TargetProfile {
    /// Per protocol id.
    pub targets: BTreeMap<String, ProfileTarget>,
    /// Multiply every timeout, window and sleep.
    pub time_scale: Option<f64>,
    /// Scenarios run at once.
    pub jobs: Option<usize>,
    /// SHOULD failures break the run too.
    #[serde(default)]
    pub strict: bool,
    /// Stop each scenario at its first failed check.
    #[serde(default)]
    pub stop_at_first_failure: bool,
    /// The known-failure baseline.
    pub baseline: Option<PathBuf>,
    /// Reports to write: kind → path.
    #[serde(default)]
    pub reports: BTreeMap<String, PathBuf>,
}

/// One protocol's server.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileTarget {
    /// Its base URL.
    pub url: String,
    /// Optional behaviours it declares.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Run variables.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Its known deviations.
    #[serde(default)]
    pub dialect: Vec<Deviation>,
}

/// A mistake in a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {path}: {message}{}", hint.as_ref().map_or_else(String::new, |h| format!(" ({h})")))]
pub struct ProfileError {
    /// The profile file.
    pub file: String,
    /// Where in the profile (`$.targets.jobber.dialect[0]`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// `did you mean …?`, where a near name exists.
    pub hint: Option<String>,
}

impl TargetProfile {
    /// Reads and checks the profile at `path`; every mistake the format check finds.
    pub fn load(path: &Path) -> Result<TargetProfile, Vec<ProfileError>> {
        let file = path.display().to_string();
        let error = |message: String| ProfileError {
            file: file.clone(),
            path: "$".to_owned(),
            message,
            hint: None,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![error(format!("cannot be read: {e}"))])?;
        let mut profile = TargetProfile::parse(&text, &file)?;
        let folder = path.parent().unwrap_or(Path::new(""));
        profile.resolve_paths(folder);
        Ok(profile)
    }

    /// Parses and checks profile `text` (`file` names it in errors); paths stay as written.
    pub fn parse(text: &str, file: &str) -> Result<TargetProfile, Vec<ProfileError>> {
        let error = |path: String, message: String, hint: Option<String>| ProfileError {
            file: file.to_owned(),
            path,
            message,
            hint,
        };
        let value: Value = serde_saphyr::from_str(text)
            .map_err(|e| vec![error("$".into(), format!("is not YAML: {e}"), None)])?;
        let errors = format_errors(&value);
        if !errors.is_empty() {
            return Err(errors
                .into_iter()
                .map(|(path, message, hint)| error(path, message, hint))
                .collect());
        }
        serde_json::from_value(value).map_err(|e| vec![error("$".into(), e.to_string(), None)])
    }

    /// The mistakes only the suite can tell: protocols it does not have, capabilities none of
    /// its scenarios know. `capabilities`: per protocol, the names its scenarios require.
    pub fn check(
        &self,
        file: &str,
        capabilities: &BTreeMap<String, Vec<String>>,
    ) -> Vec<ProfileError> {
        let mut errors = Vec::new();
        for (protocol, target) in &self.targets {
            let Some(known) = capabilities.get(protocol) else {
                errors.push(ProfileError {
                    file: file.to_owned(),
                    path: format!("$.targets.{protocol}"),
                    message: format!("the suite has no protocol {protocol}"),
                    hint: did_you_mean(protocol, capabilities.keys().map(String::as_str)),
                });
                continue;
            };
            for (index, capability) in target.capabilities.iter().enumerate() {
                if !known.contains(capability) {
                    errors.push(ProfileError {
                        file: file.to_owned(),
                        path: format!("$.targets.{protocol}.capabilities[{index}]"),
                        message: format!(
                            "no {protocol} scenario knows the capability {capability}"
                        ),
                        hint: did_you_mean(capability, known.iter().map(String::as_str)),
                    });
                }
            }
        }
        errors
    }

    /// The dialects, per protocol (only those that declare one).
    pub fn dialects(&self) -> BTreeMap<String, Dialect> {
        self.targets
            .iter()
            .filter(|(_, t)| !t.dialect.is_empty())
            .map(|(protocol, target)| {
                let deviations = target.dialect.clone();
                (protocol.clone(), Dialect { deviations })
            })
            .collect()
    }

    fn resolve_paths(&mut self, folder: &Path) {
        if let Some(baseline) = self.baseline.as_mut() {
            *baseline = folder.join(&*baseline);
        }
        for path in self.reports.values_mut() {
            *path = folder.join(&*path);
        }
    }
}

/// Every format mistake: (path, message, hint).
fn format_errors(value: &Value) -> Vec<(String, String, Option<String>)> {
    let validator = match jsonschema::validator_for(&SCHEMA_VALUE) {
        Ok(validator) => validator,
        Err(e) => {
            return vec![(
                "$".into(),
                format!("the profile schema is broken: {e}"),
                None,
            )];
        }
    };
    validator
        .iter_errors(value)
        .map(|error| {
            use jsonschema::error::ValidationErrorKind;
            if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
                let here = crate::schema::pointer_to_path(error.instance_path().as_str());
                let known = known_keys(error.schema_path().as_str());
                let key = unexpected.first().cloned().unwrap_or_default();
                let hint = did_you_mean(&key, known.iter().map(String::as_str));
                let message = format!("unknown key {}", quoted(unexpected));
                return (here, message, hint);
            }
            let (message, path) = crate::schema::describe(&error);
            (path, message, None)
        })
        .collect()
}

/// The keys the schema object holding `schema_path` (ending in `/additionalProperties`) knows.
fn known_keys(schema_path: &str) -> Vec<String> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    SCHEMA_VALUE
        .pointer(&format!("{parent}/properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

fn quoted(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
