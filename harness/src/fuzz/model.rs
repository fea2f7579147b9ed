//! A protocol's fuzzing model, as data (`fixtures/<protocol>/fuzz.yaml`): who the actors are,
//! what they can do, what answers each request, which values belong to whom.
//!
//! The model speaks the scenario format: each operation is a scenario step written as YAML
//! text with placeholders (`{{actor}}`, `{{n}}`, `{{pool:job}}`, …, see [`crate::fuzz::render`]),
//! and its answer a pattern. So a generated session is a scenario file, runs on the executor
//! every `wsconform run` uses, and a failure is written out as the file that reproduces it. No
//! protocol is named here: the harness learns each from its file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The protocol has no model.
    #[error("{0} has no fuzzing model (fuzz.yaml)")]
    Missing(PathBuf),
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a model.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A protocol's fuzzing model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FuzzModel {
    /// Parties whose values must not reach each other, by name (short: actor names are the
    /// role's name and a number, `a1`).
    pub roles: BTreeMap<String, Role>,
    /// Most actors in one session (at least one per role).
    #[serde(default = "default_max_actors")]
    pub max_actors: usize,
    /// Most operations in one session.
    #[serde(default = "default_max_operations")]
    pub max_operations: usize,
    /// Steps (YAML text, `{{actor}}` for the actor) each actor takes right after it connects.
    #[serde(default)]
    pub on_connect: String,
    /// Patterns (YAML text of a list) of messages the scenario may receive unasked: the
    /// generated file's `ignore:`.
    #[serde(default)]
    pub ignore: String,
    /// What actors can do, by name.
    pub operations: BTreeMap<String, Operation>,
    /// The operation every actor ends with, to show its connection still answers (after bad
    /// input the document says the connection stays up).
    pub probe: String,
    /// Properties checked on every session besides the scenario's own checks.
    #[serde(default)]
    pub invariants: Invariants,
}

/// How an actor of a role connects.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The actor's `auth` (socket.io), `${var_…}` allowed.
    #[serde(default)]
    pub auth: Option<serde_json::Value>,
    /// The actor's `query`.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
}

/// One thing an actor can do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// The request: one step (YAML text). A socket.io emit names its ack `op{{n}}`, which its
    /// answer is matched with. An `http:` step checks its own `status` and `response`, whose
    /// `{{keep:pool}}` keeps a value as an answer's does.
    pub request: String,
    /// The answer's pattern (YAML text): socket.io, the ack's argument list; otherwise the
    /// message that answers, expected `eventually`. `{{keep:pool}}` in it captures a value
    /// into the actor's role's pool. None: the protocol answers nothing.
    #[serde(default)]
    pub answer: Option<String>,
    /// The request's invalid variant (YAML text, `{{bad:kind}}` where a value of another type goes), if any.
    #[serde(default)]
    pub invalid: Option<String>,
    /// The answer to the invalid variant (as `answer`).
    #[serde(default)]
    pub invalid_answer: Option<String>,
    /// How often it is chosen, relative to the others.
    #[serde(default = "default_weight")]
    pub weight: u32,
}

/// Properties over the whole session.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invariants {
    /// Pools whose values one role's actors receive must never reach another role's actors
    /// (no cross-customer or cross-tenant leak).
    #[serde(default)]
    pub isolated_pools: Vec<String>,
    /// The scenario format's `properties:` (YAML text of its map: `transitions`, `one_holder`),
    /// written into every generated session, so a file written out checks them again: a key's
    /// state only moves forward, a job is with one worker at a time.
    #[serde(default)]
    pub properties: String,
}

fn default_max_actors() -> usize {
    3
}

fn default_max_operations() -> usize {
    12
}

fn default_weight() -> u32 {
    1
}

/// Only the names of the declared properties (the scenario parser reads the rest).
#[derive(Debug, Default, Deserialize)]
struct PropertyNames {
    #[serde(default)]
    transitions: Vec<Named>,
    #[serde(default)]
    one_holder: Vec<Named>,
}

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
}

impl FuzzModel {
    /// The names of the properties the model declares (`invariants.properties`), as written;
    /// none when it declares none or they cannot be read (the generated scenario then says why).
    pub fn property_names(&self) -> Vec<String> {
        let text = &self.invariants.properties;
        if text.trim().is_empty() {
            return Vec::new();
        }
        let names: PropertyNames = serde_saphyr::from_str(text).unwrap_or_default();
        names
            .transitions
            .into_iter()
            .chain(names.one_holder)
            .map(|n| n.name)
            .collect()
    }

    /// The model of `protocol` under `fixtures`.
    pub fn load(fixtures: &Path, protocol: &str) -> Result<FuzzModel, ModelError> {
        let path = fixtures.join(protocol).join("fuzz.yaml");
        if !path.exists() {
            return Err(ModelError::Missing(path));
        }
        let text = std::fs::read_to_string(&path).map_err(|source| ModelError::Read {
            path: path.clone(),
            source,
        })?;
        FuzzModel::parse(&text).map_err(|message| ModelError::Invalid { path, message })
    }

    /// A model from its YAML text.
    pub fn parse(text: &str) -> Result<FuzzModel, String> {
        let model: FuzzModel = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        if model.roles.is_empty() || model.operations.is_empty() {
            return Err("a model needs at least one role and one operation".into());
        }
        if model.max_actors < model.roles.len() {
            return Err("max_actors is smaller than the number of roles".into());
        }
        Ok(model)
    }

    /// The role of actor `index` (0-based): the roles in turn (none in a model without roles,
    /// which [`FuzzModel::parse`] refuses).
    pub fn role_of(&self, index: usize) -> Option<(&str, &Role)> {
        let count = self.roles.len().max(1);
        let (name, role) = self.roles.iter().nth(index % count)?;
        Some((name.as_str(), role))
    }

    /// The name of actor `index`: its role's name and its number within the role (`a1`).
    pub fn actor_name(&self, index: usize) -> String {
        let role = self.role_of(index).map_or("actor", |(name, _)| name);
        format!("{role}{}", index / self.roles.len().max(1) + 1)
    }
}
