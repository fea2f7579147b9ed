//! Loading one protocol's suite data from `fixtures/<protocol>/`: its profile, its message
//! schemas and, when its `coverage.yaml` declares an HTTP API, the schemas of the API's bodies
//! (so that HTTP answers are checked like frames).

use std::path::Path;

use crate::coverage::declared::{Declared, DeclaredError};
use crate::exec::ProtocolSuite;
use crate::exec::http_bodies::{Endpoint, HttpBodies};
use crate::profile::{Profile, ProfileError};
use crate::schema::{SchemaError, SchemaSet};

/// Why a protocol's suite data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The profile.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// A schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The coverage declarations (which hold the HTTP API).
    #[error(transparent)]
    Declared(#[from] DeclaredError),
}

/// The suite data of `protocol` under `fixtures`.
pub fn load_protocol(fixtures: &Path, protocol: &str) -> Result<ProtocolSuite, LoadError> {
    let dir = fixtures.join(protocol);
    let profile = Profile::load(fixtures, protocol)?;
    let schemas = SchemaSet::load(&dir, &profile)?;
    let http = http_bodies(&dir, &profile)?;
    Ok(ProtocolSuite {
        profile,
        schemas,
        http,
    })
}

/// The HTTP API's body schemas: every stem it names lives in one folder under `schemas/`
/// (`rest/agent`, `rest/error`), compiled together.
fn http_bodies(dir: &Path, profile: &Profile) -> Result<Option<HttpBodies>, LoadError> {
    let Some(api) = Declared::load(dir)?.http else {
        return Ok(None);
    };
    let stems = api
        .error_body
        .iter()
        .chain(api.endpoints.iter().filter_map(|e| e.body.as_ref()));
    let Some(folder) = stems
        .filter_map(|s| s.rsplit_once('/'))
        .map(|(f, _)| f)
        .next()
    else {
        return Ok(None);
    };
    let last = |stem: &str| stem.rsplit_once('/').map_or(stem, |(_, s)| s).to_owned();
    Ok(Some(HttpBodies {
        schemas: SchemaSet::load_folder(dir, folder, profile)?,
        error_body: api.error_body.as_deref().map(last),
        endpoints: api
            .endpoints
            .iter()
            .filter_map(|e| Endpoint::new(&e.request, &last(e.body.as_deref()?)))
            .collect(),
    }))
}
