//! The fast path of the hot messages (`submit_job`, `claim_job`, `job_accepted_by_worker`,
//! `update_job_progress`, `complete_job`, `fail_job`, `worker_heartbeat`, `ping`): one typed
//! pass over the text with borrowed strings, without building a JSON tree of the message.
//!
//! It only ever says yes to a message the full path ([`Request::parse`] on the parsed value)
//! accepts with the same result: every check here is at least as strict, and anything unusual
//! (a field of another type, an escaped string, a duplicate key, a value out of range) returns
//! `None`, so the full path handles it and words the error. Measured: parsing to a tree was
//! most of the hub core's time per input (`benches` `emprops_core`).

use super::parse::empty_object;
use super::request::{
    DEFAULT_CLAIM_TIMEOUT_MS, DEFAULT_MAX_RETRIES, DEFAULT_PRIORITY, NewJob, Request, client_type,
};
use super::state::Requirements;
use serde::Deserialize;
use serde_json::Number;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Every top-level field the hot messages read; others are skipped without being kept.
#[derive(Deserialize)]
struct Hot<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    #[serde(default, borrow)]
    id: Option<&'a str>,
    #[serde(default, borrow)]
    job_id: Option<&'a str>,
    #[serde(default, borrow)]
    worker_id: Option<&'a str>,
    #[serde(default)]
    progress: Option<Number>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    estimated_completion: Option<String>,
    #[serde(default)]
    max_jobs: Option<u64>,
    #[serde(default)]
    claim_timeout: Option<u64>,
    #[serde(default)]
    processing_time: Option<Number>,
    #[serde(default, borrow)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    retry: Option<bool>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, borrow)]
    job_type: Option<&'a str>,
    #[serde(default)]
    priority: Option<u64>,
    #[serde(default, borrow)]
    payload: Option<&'a RawValue>,
    #[serde(default)]
    customer_id: Option<String>,
    #[serde(default, borrow)]
    requirements: Option<&'a RawValue>,
    #[serde(default)]
    max_retries: Option<u64>,
}

/// A hot message, validated: the request, its `id` and its type.
pub(super) struct Fast<'a> {
    pub(super) request: Request<'a>,
    pub(super) id: Option<&'a str>,
    pub(super) kind: &'static str,
}

/// The message in `text` through the fast path, or `None` for the full path.
pub(super) fn parse(text: &str) -> Option<Fast<'_>> {
    let hot: Hot<'_> = serde_json::from_str(text).ok()?;
    let kind = client_type(hot.kind)?;
    let id = hot.id.filter(|s| !s.is_empty());
    let request = match kind {
        "ping" => Request::Ping,
        "claim_job" => Request::ClaimJob {
            worker_id: borrowed(hot.worker_id)?,
            max_jobs: at_least_one(hot.max_jobs.unwrap_or(1))?,
            claim_timeout: at_least_one(hot.claim_timeout.unwrap_or(DEFAULT_CLAIM_TIMEOUT_MS))?,
        },
        "job_accepted_by_worker" => Request::AcceptJob {
            job_id: borrowed(hot.job_id)?,
            worker_id: borrowed(hot.worker_id)?,
            estimated_completion: hot.estimated_completion,
        },
        "update_job_progress" => Request::Progress {
            job_id: borrowed(hot.job_id)?,
            worker_id: borrowed(hot.worker_id)?,
            progress: in_range(hot.progress, 0.0, Some(100.0))?,
            message: hot.message,
            estimated_completion: hot.estimated_completion,
        },
        "complete_job" => Request::Complete {
            job_id: borrowed(hot.job_id)?,
            worker_id: borrowed(hot.worker_id)?,
            processing_time: in_range(hot.processing_time, 0.0, None)?,
            result: object_or_empty(hot.result)?,
        },
        "fail_job" => Request::Fail {
            job_id: borrowed(hot.job_id)?,
            worker_id: borrowed(hot.worker_id)?,
            error: hot.error,
            retry: hot.retry.unwrap_or(false),
        },
        "worker_heartbeat" => Request::Heartbeat {
            worker_id: borrowed(hot.worker_id)?,
            status: hot.status,
        },
        "submit_job" => Request::SubmitJob(new_job(hot)?),
        _ => return None,
    };
    Some(Fast { request, id, kind })
}

fn new_job(hot: Hot<'_>) -> Option<NewJob> {
    let priority = match hot.priority {
        Some(p) if p <= 100 => u8::try_from(p).ok()?,
        Some(_) => return None,
        None => DEFAULT_PRIORITY,
    };
    let max_retries = match hot.max_retries {
        Some(m) => u32::try_from(m).ok()?,
        None => DEFAULT_MAX_RETRIES,
    };
    let requirements = match hot.requirements {
        Some(raw) => {
            object(raw)?;
            let needs: Needs = serde_json::from_str(raw.get()).ok()?;
            let gpu_memory_gb = needs.hardware.and_then(|h| h.gpu_memory_gb);
            Requirements {
                service_type: needs.service_type,
                component: needs.component,
                gpu_memory_gb: in_range(gpu_memory_gb, 0.0, None)?,
                raw: Some(raw.to_owned()),
            }
        }
        None => Requirements {
            raw: Some(empty_object()),
            ..Requirements::default()
        },
    };
    Some(NewJob {
        job_type: non_empty(hot.job_type)?,
        priority,
        payload: object_or_empty(hot.payload)?,
        customer_id: hot.customer_id,
        requirements,
        max_retries,
    })
}

fn borrowed(text: Option<&str>) -> Option<Cow<'_, str>> {
    text.filter(|s| !s.is_empty()).map(Cow::Borrowed)
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|s| !s.is_empty()).map(str::to_owned)
}

fn at_least_one(n: u64) -> Option<u64> {
    (n >= 1).then_some(n)
}

/// `Some(value)` when absent or in range; `None` (the full path) otherwise.
fn in_range(number: Option<Number>, min: f64, max: Option<f64>) -> Option<Option<Number>> {
    match number {
        None => Some(None),
        Some(n) => {
            let v = n.as_f64()?;
            (v >= min && max.is_none_or(|m| v <= m)).then_some(Some(n))
        }
    }
}

/// The raw value when it is an object (`None`, the full path, otherwise).
fn object(raw: &RawValue) -> Option<&RawValue> {
    raw.get().starts_with('{').then_some(raw)
}

/// The object as owned JSON text, `{}` when absent; `None` (the full path) when not an object.
fn object_or_empty(raw: Option<&RawValue>) -> Option<Box<RawValue>> {
    match raw {
        None => Some(empty_object()),
        Some(raw) => object(raw).map(RawValue::to_owned),
    }
}

/// `requirements` as E3 reads it; any other shape is for the full path.
#[derive(Deserialize)]
struct Needs {
    #[serde(default)]
    service_type: Option<String>,
    #[serde(default)]
    component: Option<String>,
    #[serde(default)]
    hardware: Option<Hardware>,
}

/// `requirements.hardware`.
#[derive(Deserialize)]
struct Hardware {
    #[serde(default)]
    gpu_memory_gb: Option<Number>,
}
