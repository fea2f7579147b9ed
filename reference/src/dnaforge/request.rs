//! Client messages, parsed and validated: text → [`Request`] or a [`ParseError`] (garbage, D7).
//!
//! No state: limits that depend on settings (`max_configs_per_job`) are the core's. Unknown
//! fields are ignored (C6). What each message and step config must contain is
//! dnaforge-N5, N12–N16.

use super::ParseError;
use serde_json::{Map, Value};

/// One valid client message.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `WebSocketAuth`; `None` when `bearerToken` is missing or not a string (answered `false`).
    WebSocketAuth(Option<String>),
    /// `JobNew`.
    JobNew(JobNew),
    /// `JobCancel {jobId}`.
    JobCancel(u64),
    /// `JobDelete {jobId}`.
    JobDelete(u64),
    /// `JobSubscribe {jobId}`; `None` unsubscribes.
    JobSubscribe(Option<u64>),
}

/// A valid `JobNew` (dnaforge-N12).
#[derive(Debug, Clone, PartialEq)]
pub struct JobNew {
    /// One step per entry, at least one.
    pub configs: Vec<StepConfig>,
    /// The topology file's text.
    pub top: String,
    /// The configuration file's text.
    pub dat: String,
    /// The forces file's text, if any.
    pub forces: Option<String>,
}

/// One step config (D4, dnaforge-N13).
#[derive(Debug, Clone, PartialEq)]
pub enum StepConfig {
    /// `FileConfig {content}`: an oxDNA input file's text.
    File(String),
    /// `ManualConfig {…}`.
    Manual(ManualConfig),
}

/// A `ManualConfig`'s fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualConfig {
    /// Simulation steps (≥ 1), unrelated to the job's steps.
    pub steps: u64,
    /// Time step (> 0).
    pub dt: f64,
    /// Temperature.
    pub temperature: f64,
    /// `maxBackboneForce`.
    pub max_backbone_force: f64,
    /// `maxBackboneForceFar`.
    pub max_backbone_force_far: f64,
    /// `verletSkin`.
    pub verlet_skin: f64,
    /// `externalForces`.
    pub external_forces: bool,
    /// `printInterval` (≥ 1).
    pub print_interval: u64,
    /// The simulation kind.
    pub sim_type: SimType,
}

/// A `ManualConfig`'s `simType`.
#[derive(Debug, Clone, PartialEq)]
pub enum SimType {
    /// `MinConfig {}`: energy minimisation.
    Min,
    /// `McConfig`: Monte Carlo.
    Mc {
        /// `deltaTranslation`.
        delta_translation: f64,
        /// `deltaRotation`.
        delta_rotation: f64,
        /// `interactionType`.
        interaction_type: String,
        /// `thermostat`.
        thermostat: String,
    },
    /// `MdConfig`: molecular dynamics.
    Md {
        /// `interactionType`.
        interaction_type: String,
        /// `thermostat`.
        thermostat: String,
    },
}

impl Request {
    /// Parses one WebSocket text.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let value: Value = serde_json::from_str(text).map_err(|_| ParseError::NotJson)?;
        let object = value.as_object().ok_or(ParseError::NotObject)?;
        let kind = object
            .get("type")
            .and_then(Value::as_str)
            .ok_or(ParseError::NoType)?;
        match kind {
            "WebSocketAuth" => Ok(Self::WebSocketAuth(
                object
                    .get("bearerToken")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )),
            "JobNew" => JobNew::from_json(object).map(Self::JobNew),
            "JobCancel" => job_id(object).map(Self::JobCancel),
            "JobDelete" => job_id(object).map(Self::JobDelete),
            "JobSubscribe" => match object.get("jobId") {
                Some(Value::Null) => Ok(Self::JobSubscribe(None)),
                _ => job_id(object).map(|id| Self::JobSubscribe(Some(id))),
            },
            other => Err(ParseError::UnknownType(other.to_owned())),
        }
    }
}

fn job_id(object: &Map<String, Value>) -> Result<u64, ParseError> {
    let value = object
        .get("jobId")
        .ok_or_else(|| ParseError::Missing("jobId".into()))?;
    value
        .as_u64()
        .ok_or_else(|| ParseError::Invalid("jobId".into()))
}

impl JobNew {
    fn from_json(object: &Map<String, Value>) -> Result<Self, ParseError> {
        let configs = field(object, "configs")?
            .as_array()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ParseError::Invalid("configs".into()))?;
        let configs = configs
            .iter()
            .enumerate()
            .map(|(i, c)| StepConfig::from_json(c).map_err(|e| e.within(&format!("configs[{i}]"))))
            .collect::<Result<Vec<_>, _>>()?;
        let forces = match field(object, "forces")? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            _ => return Err(ParseError::Invalid("forces".into())),
        };
        Ok(Self {
            configs,
            top: string(object, "top")?,
            dat: string(object, "dat")?,
            forces,
        })
    }
}

impl StepConfig {
    fn from_json(value: &Value) -> Result<Self, ParseError> {
        let object = value
            .as_object()
            .ok_or_else(|| ParseError::Invalid("type".into()))?;
        match string(object, "type")?.as_str() {
            "FileConfig" => Ok(Self::File(string(object, "content")?)),
            "ManualConfig" => ManualConfig::from_json(object).map(Self::Manual),
            _ => Err(ParseError::Invalid("type".into())),
        }
    }
}

impl ManualConfig {
    fn from_json(object: &Map<String, Value>) -> Result<Self, ParseError> {
        let sim_type = field(object, "simType")?
            .as_object()
            .ok_or_else(|| ParseError::Invalid("simType".into()))?;
        Ok(Self {
            steps: positive(object, "steps")?,
            dt: number(object, "dt").and_then(|dt| {
                if dt > 0.0 {
                    Ok(dt)
                } else {
                    Err(ParseError::Invalid("dt".into()))
                }
            })?,
            temperature: number(object, "temperature")?,
            max_backbone_force: number(object, "maxBackboneForce")?,
            max_backbone_force_far: number(object, "maxBackboneForceFar")?,
            verlet_skin: number(object, "verletSkin")?,
            external_forces: field(object, "externalForces")?
                .as_bool()
                .ok_or_else(|| ParseError::Invalid("externalForces".into()))?,
            print_interval: positive(object, "printInterval")?,
            sim_type: SimType::from_json(sim_type).map_err(|e| e.within("simType"))?,
        })
    }
}

impl SimType {
    fn from_json(object: &Map<String, Value>) -> Result<Self, ParseError> {
        match string(object, "type")?.as_str() {
            "MinConfig" => Ok(Self::Min),
            "McConfig" => Ok(Self::Mc {
                delta_translation: number(object, "deltaTranslation")?,
                delta_rotation: number(object, "deltaRotation")?,
                interaction_type: string(object, "interactionType")?,
                thermostat: string(object, "thermostat")?,
            }),
            "MdConfig" => Ok(Self::Md {
                interaction_type: string(object, "interactionType")?,
                thermostat: string(object, "thermostat")?,
            }),
            _ => Err(ParseError::Invalid("type".into())),
        }
    }
}

fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Result<&'a Value, ParseError> {
    object
        .get(name)
        .ok_or_else(|| ParseError::Missing(name.into()))
}

fn string(object: &Map<String, Value>, name: &str) -> Result<String, ParseError> {
    field(object, name)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ParseError::Invalid(name.into()))
}

fn number(object: &Map<String, Value>, name: &str) -> Result<f64, ParseError> {
    field(object, name)?
        .as_f64()
        .ok_or_else(|| ParseError::Invalid(name.into()))
}

fn positive(object: &Map<String, Value>, name: &str) -> Result<u64, ParseError> {
    field(object, name)?
        .as_u64()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ParseError::Invalid(name.into()))
}
