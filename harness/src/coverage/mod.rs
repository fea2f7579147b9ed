//! Coverage of the specification: which parts of a protocol's document a run exercised, and
//! which never.
//!
//! Protocol-neutral: everything comes from `fixtures/<protocol>/` — the schemas (message types
//! in both directions, their fields, enum values), the profile (type pointer, envelope) and the
//! optional `coverage.yaml` ([`declared`]: error codes, options, HTTP endpoints, and the items the
//! suite cannot reach with the reason). [`model`] builds the inventory, [`measure`] walks a
//! run's transcripts against it, [`summary`] gives the figures reports show. All pure except
//! [`load_inventory`], which reads the files. Coverage never judges a target: it is information
//! about the suite (and the run), never a verdict.

pub mod declared;
pub mod measure;
pub mod model;
pub mod summary;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use model::{Category, Inventory, Item};
pub use summary::{CategoryCoverage, ProtocolCoverage};

use crate::profile::Profile;
use crate::report::model::ScenarioResult;

/// Why a protocol's inventory could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CoverageError {
    /// A schema file could not be read or is not JSON.
    #[error("cannot read schema {path}: {message}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// `coverage.yaml` could not be read.
    #[error(transparent)]
    Declared(#[from] declared::DeclaredError),
    /// `coverage.yaml` does not fit the schemas.
    #[error("{protocol}: {source}")]
    Inventory {
        /// The protocol.
        protocol: String,
        /// What does not fit.
        source: model::InventoryError,
    },
}

/// Reads `<protocol_dir>/schemas/**.json` and `<protocol_dir>/coverage.yaml` and builds the
/// inventory of the protocol's document.
pub fn load_inventory(protocol_dir: &Path, profile: &Profile) -> Result<Inventory, CoverageError> {
    let schemas = protocol_dir.join("schemas");
    let mut docs = BTreeMap::new();
    read_schemas(&schemas, &schemas, &mut docs)?;
    let declared = declared::Declared::load(protocol_dir)?;
    Inventory::build(
        &docs,
        profile.envelope.as_deref(),
        &profile.type_pointer,
        &declared,
    )
    .map_err(|source| CoverageError::Inventory {
        protocol: profile.protocol.clone(),
        source,
    })
}

/// The coverage of `protocol` by the transcripts of `results` (those of other protocols are
/// ignored).
pub fn of_results(
    protocol: &str,
    inventory: &Inventory,
    profile: &Profile,
    results: &[ScenarioResult],
) -> ProtocolCoverage {
    let transcripts = results
        .iter()
        .filter(|r| r.protocol == protocol)
        .map(|r| r.transcript.as_slice());
    let seen = measure::measure(inventory, &profile.type_pointer, transcripts);
    ProtocolCoverage::of(protocol, inventory, &seen)
}

/// The coverage of each protocol of `profiles` (sorted by protocol id) by `results`, from the
/// declarations in `fixtures/<protocol>/`.
pub fn of_run<'a>(
    fixtures: &Path,
    profiles: impl IntoIterator<Item = (&'a str, &'a Profile)>,
    results: &[ScenarioResult],
) -> Result<Vec<ProtocolCoverage>, CoverageError> {
    let mut profiles: Vec<(&str, &Profile)> = profiles.into_iter().collect();
    profiles.sort_by_key(|(protocol, _)| *protocol);
    profiles
        .into_iter()
        .map(|(protocol, profile)| {
            let inventory = load_inventory(&fixtures.join(protocol), profile)?;
            Ok(of_results(protocol, &inventory, profile, results))
        })
        .collect()
}

fn read_schemas(
    root: &Path,
    dir: &Path,
    docs: &mut BTreeMap<String, Value>,
) -> Result<(), CoverageError> {
    let failed = |path: &Path, message: String| CoverageError::Schema {
        path: path.to_owned(),
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| failed(dir, e.to_string()))?;
    for entry in entries {
        let path = entry.map_err(|e| failed(dir, e.to_string()))?.path();
        if path.is_dir() {
            read_schemas(root, &path, docs)?;
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| failed(&path, e.to_string()))?;
        let doc = serde_json::from_str(&text).map_err(|e| failed(&path, e.to_string()))?;
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let key: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        docs.insert(key.join("/"), doc);
    }
    Ok(())
}
