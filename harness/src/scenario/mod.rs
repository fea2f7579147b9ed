//! Scenario files: the model and the parser.
//!
//! [`parse_str`] turns one file's text into a [`model::Scenario`]: YAML events to a node tree
//! with places (`yaml.rs`), nodes to values and patterns (`values.rs`, `patterns.rs`), the
//! scenario and its steps (`parse.rs`, `steps.rs`), then static checks (`checks.rs`). Every error
//! is a [`ScenarioError`] at `file:line:col`, with a "did you mean" hint where one helps.

pub mod checks;
mod error;
mod fields;
pub mod model;
mod parse;
mod parse_properties;
mod patterns;
pub mod properties;
mod sio_steps;
mod steps;
mod values;
mod yaml;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use checks::BUILTINS;
pub use error::{ScenarioError, did_you_mean};
pub use parse::DEFAULT_TIMEOUT;
pub use steps::{ACTIONS, METHODS};

use crate::matcher::Pattern;
use model::{Location, Scenario};

/// Parses and checks one scenario file's text; `file` is used in locations only. The first
/// error ([`parse_str_all`] gives them all).
pub fn parse_str(text: &str, file: &Path) -> Result<Scenario, ScenarioError> {
    parse_str_all(text, file).map_err(first)
}

/// Parses and checks one scenario file's text: the scenario, or every error found (never
/// empty). A YAML syntax error stops at itself; after it, every unknown top-level key, every
/// broken step and every failed static check is its own error.
pub fn parse_str_all(text: &str, file: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let root = yaml::load(text, file).map_err(|e| vec![e])?;
    let parsed = parse::scenario(&root, file);
    let mut errors = parsed.errors;
    if let Some(scenario) = &parsed.scenario {
        errors.extend(checks::check(scenario, &parsed.maybe_captured));
    }
    match parsed.scenario {
        Some(scenario) if errors.is_empty() => Ok(scenario),
        _ => Err(errors),
    }
}

/// Reads and parses one scenario file (the first error).
pub fn parse_file(path: &Path) -> Result<Scenario, ScenarioError> {
    parse_file_all(path).map_err(first)
}

/// Reads and parses one scenario file: the scenario, or every error found (never empty).
pub fn parse_file_all(path: &Path) -> Result<Scenario, Vec<ScenarioError>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let at = Location {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
        };
        vec![ScenarioError::new(at, format!("cannot read the file: {e}"))]
    })?;
    parse_str_all(&text, path)
}

/// The first of a non-empty list of errors.
fn first(mut errors: Vec<ScenarioError>) -> ScenarioError {
    if errors.is_empty() {
        // `parse_str_all` never fails without an error; say so rather than panic.
        return ScenarioError::new(Location::default(), "the scenario did not parse");
    }
    errors.swap_remove(0)
}

/// Parses a pattern written alone as a YAML document (for tests and tools).
pub fn parse_pattern_str(text: &str, file: &Path) -> Result<Pattern, ScenarioError> {
    patterns::to_pattern(&yaml::load(text, file)?, file)
}

/// All `*.yaml` / `*.yml` under `dir` recursively, sorted by path; every file parsed, every
/// error of every file collected (an unreadable directory is an error too).
pub fn load_dir(dir: &Path) -> (Vec<Scenario>, Vec<ScenarioError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    collect(dir, &mut files, &mut errors);
    files.sort();
    let mut scenarios = Vec::new();
    for file in files {
        match parse_file_all(&file) {
            Ok(s) => scenarios.push(s),
            Err(e) => errors.extend(e),
        }
    }
    (scenarios, errors)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<ScenarioError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let at = Location {
                file: dir.to_path_buf(),
                line: 0,
                column: 0,
            };
            errors.push(ScenarioError::new(
                at,
                format!("cannot read the directory: {e}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files, errors);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
}

/// A duration: a non-negative decimal number and a unit, `ms`, `s` or `m` (`250ms`, `1.5s`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        return None;
    };
    let well_formed = !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && number.bytes().filter(|&b| b == b'.').count() <= 1
        && number.bytes().any(|b| b.is_ascii_digit());
    if !well_formed {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    Duration::try_from_secs_f64(value * scale).ok()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_connect;
#[cfg(test)]
mod tests_several;
