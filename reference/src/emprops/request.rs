//! Client messages as the hub understands them: [`Request::parse`] turns a message of a known
//! type into a typed, validated [`Request`] (emprops-N7…N27), or refuses it with
//! `INVALID_PARAMETERS` naming the dotted field. [`is_client_type`] lists the types a client
//! may send; any other is `unknown` (emprops-N6).
//!
//! Validation only: no state is read here, so `NOT_REGISTERED`, `JOB_NOT_FOUND` and
//! `INVALID_STATE` come later, from the core.

use super::HubError;
use super::fields::{
    Obj, get, opt_bool, opt_int, opt_number, opt_obj, opt_str, opt_strings, req_str, req_strings,
};
use super::state::{Capabilities, Filters, Requirements};
use serde_json::{Map, Number, Value};

/// Default `claim_timeout` of `claim_job`, ms (emprops-N12).
pub const DEFAULT_CLAIM_TIMEOUT_MS: u64 = 30_000;
/// Default `priority` of `submit_job` (emprops-N10).
pub const DEFAULT_PRIORITY: u8 = 50;
/// Default `max_retries` of `submit_job` (E6).
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default stats interval, seconds (emprops-N19).
pub const DEFAULT_STATS_INTERVAL_SECONDS: f64 = 5.0;

/// The types a client may send (the document's client-to-hub messages).
const CLIENT_TYPES: [&str; 21] = [
    "register_client",
    "register_worker",
    "submit_job",
    "request_job_status",
    "cancel_job",
    "claim_job",
    "job_accepted_by_worker",
    "update_job_progress",
    "complete_job",
    "fail_job",
    "worker_heartbeat",
    "worker_status",
    "subscribe_job",
    "subscribe_job_notifications",
    "subscribe_stats",
    "request_stats",
    "service_request",
    "connector_ws_status",
    "chunked_message",
    "ping",
    "disconnect",
];

/// Whether `kind` is a type a client may send; others are `unknown` (emprops-N6).
pub fn is_client_type(kind: &str) -> bool {
    CLIENT_TYPES.contains(&kind)
}

/// `register_client`'s `client_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `job_client`.
    JobClient,
    /// `monitor`.
    Monitor,
}

/// A validated `submit_job` (emprops-N10).
#[derive(Debug, Clone)]
pub struct NewJob {
    /// `job_type`.
    pub job_type: String,
    /// `priority`, 0–100.
    pub priority: u8,
    /// `payload`, `{}` by default.
    pub payload: Value,
    /// `customer_id`.
    pub customer_id: Option<String>,
    /// `requirements`.
    pub requirements: Requirements,
    /// `max_retries`.
    pub max_retries: u32,
}

/// A validated `chunked_message` (emprops-N23).
#[derive(Debug, Clone)]
pub struct Chunk {
    /// `chunk_id`.
    pub chunk_id: String,
    /// `chunk_index`, 0-based.
    pub index: u32,
    /// `total_chunks`.
    pub total: u32,
    /// `data`, still base64.
    pub data: String,
    /// `data_hash`.
    pub data_hash: String,
}

/// A client message of a known type, validated.
#[derive(Debug, Clone)]
pub enum Request {
    /// `register_client`.
    RegisterClient {
        /// Job client or monitor.
        kind: ClientKind,
        /// `client_id`.
        client_id: String,
    },
    /// `register_worker`.
    RegisterWorker {
        /// `worker_id`.
        worker_id: String,
        /// `capabilities`.
        capabilities: Capabilities,
        /// `status`, `idle` by default.
        status: String,
        /// `subscribe_to_jobs`, true by default.
        subscribe_to_jobs: bool,
        /// `token` (E11).
        token: Option<String>,
    },
    /// `submit_job`.
    SubmitJob(NewJob),
    /// `request_job_status`.
    JobStatus(String),
    /// `cancel_job`.
    CancelJob(String),
    /// `claim_job`.
    ClaimJob {
        /// `worker_id`.
        worker_id: String,
        /// `max_jobs`, 1 by default.
        max_jobs: u64,
        /// `claim_timeout`, ms.
        claim_timeout: u64,
    },
    /// `job_accepted_by_worker`.
    AcceptJob {
        /// `job_id`.
        job_id: String,
        /// `worker_id`.
        worker_id: String,
        /// `estimated_completion`.
        estimated_completion: Option<String>,
    },
    /// `update_job_progress`.
    Progress {
        /// `job_id`.
        job_id: String,
        /// `worker_id`.
        worker_id: String,
        /// `progress`, 0–100.
        progress: Option<Number>,
        /// `message`.
        message: Option<String>,
        /// `estimated_completion`.
        estimated_completion: Option<String>,
    },
    /// `complete_job`.
    Complete {
        /// `job_id`.
        job_id: String,
        /// `worker_id`.
        worker_id: String,
        /// `processing_time`.
        processing_time: Option<Number>,
        /// `result`, `{}` by default.
        result: Value,
    },
    /// `fail_job`.
    Fail {
        /// `job_id`.
        job_id: String,
        /// `worker_id`.
        worker_id: String,
        /// `error`.
        error: Option<String>,
        /// `retry`, false by default.
        retry: bool,
    },
    /// `worker_heartbeat`.
    Heartbeat {
        /// `worker_id`.
        worker_id: String,
        /// `status`.
        status: Option<String>,
    },
    /// `worker_status`: the fields given replace those held.
    WorkerStatus {
        /// `worker_id`.
        worker_id: String,
        /// `status`.
        status: Option<String>,
        /// `capabilities.services`.
        services: Option<Vec<String>>,
        /// `capabilities.components`.
        components: Option<Vec<String>>,
        /// `capabilities.hardware.gpu_memory_gb`.
        gpu_memory_gb: Option<f64>,
    },
    /// `subscribe_job`.
    SubscribeJob(String),
    /// `subscribe_job_notifications`.
    SubscribeNotifications {
        /// `enabled`, true by default.
        enabled: bool,
        /// The filters understood.
        filters: Filters,
        /// The same, as `filters_applied` shows them.
        applied: Value,
    },
    /// `subscribe_stats`.
    SubscribeStats {
        /// `enabled`, true by default.
        enabled: bool,
        /// `interval_seconds`.
        interval_seconds: f64,
    },
    /// `request_stats`.
    RequestStats,
    /// `service_request` or `connector_ws_status`, relayed to monitors as received.
    Relay(Obj),
    /// `chunked_message`.
    Chunk(Chunk),
    /// `ping`.
    Ping,
    /// `disconnect`.
    Disconnect,
}

impl Request {
    /// Validates the message `obj` of client type `kind`.
    pub fn parse(kind: &str, mut obj: Obj) -> Result<Self, HubError> {
        let o = &obj;
        Ok(match kind {
            "register_client" => Self::RegisterClient {
                kind: client_kind(o)?,
                client_id: req_str(o, "client_id", "client_id")?,
            },
            "register_worker" => register_worker(o)?,
            "submit_job" => Self::SubmitJob(new_job(&mut obj)?),
            "request_job_status" => Self::JobStatus(job_id(o)?),
            "cancel_job" => Self::CancelJob(job_id(o)?),
            "subscribe_job" => Self::SubscribeJob(job_id(o)?),
            "claim_job" => Self::ClaimJob {
                worker_id: worker_id(o)?,
                max_jobs: opt_int(o, "max_jobs", "max_jobs", 1, u64::MAX)?.unwrap_or(1),
                claim_timeout: opt_int(o, "claim_timeout", "claim_timeout", 1, u64::MAX)?
                    .unwrap_or(DEFAULT_CLAIM_TIMEOUT_MS),
            },
            "job_accepted_by_worker" => Self::AcceptJob {
                job_id: job_id(o)?,
                worker_id: worker_id(o)?,
                estimated_completion: opt_str(o, "estimated_completion", "estimated_completion")?,
            },
            "update_job_progress" => Self::Progress {
                job_id: job_id(o)?,
                worker_id: worker_id(o)?,
                progress: opt_number(o, "progress", "progress", 0.0, Some(100.0))?,
                message: opt_str(o, "message", "message")?,
                estimated_completion: opt_str(o, "estimated_completion", "estimated_completion")?,
            },
            "complete_job" => complete(&mut obj)?,
            "fail_job" => Self::Fail {
                job_id: job_id(o)?,
                worker_id: worker_id(o)?,
                error: opt_str(o, "error", "error")?,
                retry: opt_bool(o, "retry", "retry")?.unwrap_or(false),
            },
            "worker_heartbeat" => Self::Heartbeat {
                worker_id: worker_id(o)?,
                status: opt_str(o, "status", "status")?,
            },
            "worker_status" => worker_status(o)?,
            "subscribe_job_notifications" => subscribe_notifications(o)?,
            "subscribe_stats" => subscribe_stats(o)?,
            "request_stats" => Self::RequestStats,
            "service_request" | "connector_ws_status" => Self::Relay(obj),
            "chunked_message" => Self::Chunk(chunk(o)?),
            "ping" => Self::Ping,
            "disconnect" => Self::Disconnect,
            other => {
                return Err(HubError::invalid(
                    "type",
                    "Unknown type",
                    Some(&other.into()),
                ));
            }
        })
    }
}

fn job_id(o: &Obj) -> Result<String, HubError> {
    req_str(o, "job_id", "job_id")
}

fn worker_id(o: &Obj) -> Result<String, HubError> {
    req_str(o, "worker_id", "worker_id")
}

fn client_kind(o: &Obj) -> Result<ClientKind, HubError> {
    match get(o, "client_type") {
        Some(Value::String(s)) if s == "job_client" => Ok(ClientKind::JobClient),
        Some(Value::String(s)) if s == "monitor" => Ok(ClientKind::Monitor),
        None => Err(HubError::invalid("client_type", "Is required", None)),
        Some(other) => Err(HubError::invalid(
            "client_type",
            "Must be job_client or monitor",
            Some(other),
        )),
    }
}

fn register_worker(o: &Obj) -> Result<Request, HubError> {
    let worker_id = worker_id(o)?;
    let caps = opt_obj(o, "capabilities", "capabilities")?
        .ok_or_else(|| HubError::invalid("capabilities", "Is required", None))?;
    let services = req_strings(caps, "services", "capabilities.services")?;
    let components = opt_strings(caps, "components", "capabilities.components")?;
    let hardware = opt_obj(caps, "hardware", "capabilities.hardware")?;
    let gpu = match hardware {
        Some(h) => gpu_memory(h, "capabilities.hardware.gpu_memory_gb")?,
        None => None,
    };
    Ok(Request::RegisterWorker {
        worker_id,
        capabilities: Capabilities {
            services,
            components: components.unwrap_or_default(),
            gpu_memory_gb: gpu.as_ref().and_then(Number::as_f64),
        },
        status: opt_str(o, "status", "status")?.unwrap_or_else(|| "idle".to_owned()),
        subscribe_to_jobs: opt_bool(o, "subscribe_to_jobs", "subscribe_to_jobs")?.unwrap_or(true),
        token: opt_str(o, "token", "token")?,
    })
}

fn gpu_memory(hardware: &Obj, path: &str) -> Result<Option<Number>, HubError> {
    opt_number(hardware, "gpu_memory_gb", path, 0.0, None)
}

fn new_job(obj: &mut Obj) -> Result<NewJob, HubError> {
    let o = &*obj;
    let job_type = req_str(o, "job_type", "job_type")?;
    let priority = opt_int(o, "priority", "priority", 0, 100)?;
    opt_obj(o, "payload", "payload")?;
    let customer_id = opt_str(o, "customer_id", "customer_id")?;
    let max_retries = opt_int(o, "max_retries", "max_retries", 0, u64::from(u32::MAX))?;
    let mut requirements = requirements(o)?;
    let payload = take_object(obj, "payload");
    requirements.raw = take_object(obj, "requirements");
    Ok(NewJob {
        job_type,
        priority: priority.map_or(DEFAULT_PRIORITY, |p| u8::try_from(p).unwrap_or(100)),
        payload,
        customer_id,
        requirements,
        max_retries: max_retries.map_or(DEFAULT_MAX_RETRIES, |m| {
            u32::try_from(m).unwrap_or(u32::MAX)
        }),
    })
}

/// The object at `key`, moved out (checked to be an object or absent), `{}` when absent.
fn take_object(obj: &mut Obj, key: &str) -> Value {
    match obj.remove(key) {
        Some(Value::Object(o)) => Value::Object(o),
        _ => Value::Object(Map::new()),
    }
}

fn requirements(o: &Obj) -> Result<Requirements, HubError> {
    let Some(r) = opt_obj(o, "requirements", "requirements")? else {
        return Ok(Requirements::default());
    };
    let hardware = opt_obj(r, "hardware", "requirements.hardware")?;
    let gpu_memory_gb = match hardware {
        Some(h) => gpu_memory(h, "requirements.hardware.gpu_memory_gb")?,
        None => None,
    };
    Ok(Requirements {
        service_type: opt_str(r, "service_type", "requirements.service_type")?,
        component: opt_str(r, "component", "requirements.component")?,
        gpu_memory_gb,
        raw: Value::Null,
    })
}

fn complete(obj: &mut Obj) -> Result<Request, HubError> {
    let o = &*obj;
    let job_id = job_id(o)?;
    let worker_id = worker_id(o)?;
    let processing_time = opt_number(o, "processing_time", "processing_time", 0.0, None)?;
    opt_obj(o, "result", "result")?;
    Ok(Request::Complete {
        job_id,
        worker_id,
        processing_time,
        result: take_object(obj, "result"),
    })
}

fn worker_status(o: &Obj) -> Result<Request, HubError> {
    let worker_id = worker_id(o)?;
    let status = opt_str(o, "status", "status")?;
    let caps = opt_obj(o, "capabilities", "capabilities")?;
    let (mut services, mut components, mut gpu) = (None, None, None);
    if let Some(c) = caps {
        services = opt_strings(c, "services", "capabilities.services")?;
        components = opt_strings(c, "components", "capabilities.components")?;
        if let Some(h) = opt_obj(c, "hardware", "capabilities.hardware")? {
            gpu = gpu_memory(h, "capabilities.hardware.gpu_memory_gb")?;
        }
    }
    Ok(Request::WorkerStatus {
        worker_id,
        status,
        services,
        components,
        gpu_memory_gb: gpu.as_ref().and_then(Number::as_f64),
    })
}

fn subscribe_notifications(o: &Obj) -> Result<Request, HubError> {
    let enabled = opt_bool(o, "enabled", "enabled")?.unwrap_or(true);
    let mut filters = Filters::default();
    let mut applied = Map::new();
    if let Some(f) = opt_obj(o, "filters", "filters")?.filter(|_| enabled) {
        filters.customer_id = opt_str(f, "customer_id", "filters.customer_id")?;
        filters.job_types = opt_strings(f, "job_types", "filters.job_types")?;
        filters.priority_min = opt_number(f, "priority_min", "filters.priority_min", 0.0, None)?
            .as_ref()
            .and_then(Number::as_f64);
        filters.status = opt_strings(f, "status", "filters.status")?;
        for key in ["customer_id", "job_types", "priority_min", "status"] {
            if let Some(value) = get(f, key) {
                applied.insert(key.to_owned(), value.clone());
            }
        }
    }
    Ok(Request::SubscribeNotifications {
        enabled,
        filters,
        applied: Value::Object(applied),
    })
}

fn subscribe_stats(o: &Obj) -> Result<Request, HubError> {
    let enabled = opt_bool(o, "enabled", "enabled")?.unwrap_or(true);
    let interval = opt_number(
        o,
        "interval_seconds",
        "interval_seconds",
        f64::MIN_POSITIVE,
        None,
    )?;
    opt_strings(o, "include_sections", "include_sections")?;
    Ok(Request::SubscribeStats {
        enabled,
        interval_seconds: interval
            .as_ref()
            .and_then(Number::as_f64)
            .unwrap_or(DEFAULT_STATS_INTERVAL_SECONDS),
    })
}

fn chunk(o: &Obj) -> Result<Chunk, HubError> {
    let chunk_id = req_str(o, "chunk_id", "chunk_id")?;
    let total = opt_int(o, "total_chunks", "total_chunks", 1, u64::from(u32::MAX))?
        .ok_or_else(|| HubError::invalid("total_chunks", "Is required", None))?;
    let index = opt_int(o, "chunk_index", "chunk_index", 0, total - 1)?
        .ok_or_else(|| HubError::invalid("chunk_index", "Is required", None))?;
    let data = opt_str(o, "data", "data")?
        .ok_or_else(|| HubError::invalid("data", "Is required", None))?;
    Ok(Chunk {
        chunk_id,
        index: u32::try_from(index).unwrap_or(u32::MAX),
        total: u32::try_from(total).unwrap_or(u32::MAX),
        data,
        data_hash: req_str(o, "data_hash", "data_hash")?,
    })
}
