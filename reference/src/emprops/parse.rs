//! Validating client messages: [`Request::parse`] turns a message of a known type, as a JSON
//! object, into a typed [`Request`] (emprops-N7…N27), or refuses it with `INVALID_PARAMETERS`
//! naming the dotted field and the value given (emprops-N5). The fast path (`fast.rs`) takes
//! the hot messages without building the object; this is the full path, and the one that
//! words every refusal.

use super::HubError;
use super::fields::{
    Obj, get, opt_bool, opt_int, opt_number, opt_obj, opt_str, opt_strings, req_str, req_strings,
};
use super::request::{
    Chunk, ClientKind, DEFAULT_CLAIM_TIMEOUT_MS, DEFAULT_MAX_RETRIES, DEFAULT_PRIORITY,
    DEFAULT_STATS_INTERVAL_SECONDS, NewJob, Request,
};
use super::state::{Capabilities, Filters, Requirements};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

impl Request<'_> {
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
                worker_id: worker_id(o)?.into(),
                max_jobs: opt_int(o, "max_jobs", "max_jobs", 1, u64::MAX)?.unwrap_or(1),
                claim_timeout: opt_int(o, "claim_timeout", "claim_timeout", 1, u64::MAX)?
                    .unwrap_or(DEFAULT_CLAIM_TIMEOUT_MS),
            },
            "job_accepted_by_worker" => Self::AcceptJob {
                job_id: job_id(o)?.into(),
                worker_id: worker_id(o)?.into(),
                estimated_completion: opt_str(o, "estimated_completion", "estimated_completion")?,
            },
            "update_job_progress" => Self::Progress {
                job_id: job_id(o)?.into(),
                worker_id: worker_id(o)?.into(),
                progress: opt_number(o, "progress", "progress", 0.0, Some(100.0))?,
                message: opt_str(o, "message", "message")?,
                estimated_completion: opt_str(o, "estimated_completion", "estimated_completion")?,
            },
            "complete_job" => complete(&mut obj)?,
            "fail_job" => Self::Fail {
                job_id: job_id(o)?.into(),
                worker_id: worker_id(o)?.into(),
                error: opt_str(o, "error", "error")?,
                retry: opt_bool(o, "retry", "retry")?.unwrap_or(false),
            },
            "worker_heartbeat" => Self::Heartbeat {
                worker_id: worker_id(o)?.into(),
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

fn register_worker(o: &Obj) -> Result<Request<'static>, HubError> {
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
    requirements.raw = Some(take_object(obj, "requirements"));
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

/// The object at `key` (checked to be an object or absent) as JSON text, `{}` when absent.
fn take_object(obj: &mut Obj, key: &str) -> Box<RawValue> {
    match obj.remove(key) {
        Some(value @ Value::Object(_)) => {
            serde_json::value::to_raw_value(&value).unwrap_or_else(|_| empty_object())
        }
        _ => empty_object(),
    }
}

/// `{}` as JSON text.
pub(super) fn empty_object() -> Box<RawValue> {
    RawValue::from_string("{}".to_owned()).unwrap_or_else(|_| Box::default())
}

fn requirements(o: &Obj) -> Result<Requirements, HubError> {
    match opt_obj(o, "requirements", "requirements")? {
        Some(r) => requirements_of(r),
        None => Ok(Requirements::default()),
    }
}

/// The requirements object `r` of a `submit_job`, checked (E3); `raw` is left `null`.
pub(super) fn requirements_of(r: &Obj) -> Result<Requirements, HubError> {
    let hardware = opt_obj(r, "hardware", "requirements.hardware")?;
    let gpu_memory_gb = match hardware {
        Some(h) => gpu_memory(h, "requirements.hardware.gpu_memory_gb")?,
        None => None,
    };
    Ok(Requirements {
        service_type: opt_str(r, "service_type", "requirements.service_type")?,
        component: opt_str(r, "component", "requirements.component")?,
        gpu_memory_gb,
        raw: None,
    })
}

fn complete(obj: &mut Obj) -> Result<Request<'static>, HubError> {
    let o = &*obj;
    let job_id = job_id(o)?;
    let worker_id = worker_id(o)?;
    let processing_time = opt_number(o, "processing_time", "processing_time", 0.0, None)?;
    opt_obj(o, "result", "result")?;
    Ok(Request::Complete {
        job_id: job_id.into(),
        worker_id: worker_id.into(),
        processing_time,
        result: take_object(obj, "result"),
    })
}

fn worker_status(o: &Obj) -> Result<Request<'static>, HubError> {
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

fn subscribe_notifications(o: &Obj) -> Result<Request<'static>, HubError> {
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

fn subscribe_stats(o: &Obj) -> Result<Request<'static>, HubError> {
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
