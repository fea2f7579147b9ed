//! Parsing of `JobOptions` and `WorkOptions` (jobber-N5): durations (`"30 seconds"`,
//! `"5 minutes"`, ISO-8601 `"PT30S"`), dates (`startAfter`), numbers.
//!
//! Pure functions; every failure is `INVALID_PAYLOAD` with a sentence naming the field.
//! Unknown fields are ignored (J17).

use super::JobberError;
use crate::ark::Timestamp;
use serde_json::{Map, Value};
use std::time::Duration;

/// When a job may first be dispatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAfter {
    /// At this instant.
    At(Timestamp),
    /// This long after the job is created (a number of seconds, jobber-N5).
    In(Duration),
}

/// A validated `JobOptions`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JobOptions {
    /// The client's job id.
    pub id: Option<String>,
    /// Priority, default 0.
    pub priority: i64,
    /// Earliest dispatch.
    pub start_after: Option<StartAfter>,
    /// Bound on the time `active`; `None` is the configured default (J7).
    pub expire_in: Option<Duration>,
    /// Retries allowed, default 0.
    pub retry_limit: u32,
    /// Delay before a retry, default 0.
    pub retry_delay: Duration,
    /// Double the delay per attempt.
    pub retry_backoff: bool,
    /// At most one live job per name and key (J9).
    pub singleton_key: Option<String>,
}

/// A validated `WorkOptions` (J5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkOptions {
    /// Default 1.
    pub team_size: u32,
    /// Default 1.
    pub team_concurrency: u32,
}

fn bad(field: &str, what: &str) -> JobberError {
    JobberError::payload(format!("{field} must be {what}"))
}

/// `value` as an object, or the empty object when absent/`null`.
pub(super) fn object_or_empty<'a>(
    value: Option<&'a Value>,
    field: &str,
) -> Result<Option<&'a Map<String, Value>>, JobberError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(bad(field, "an object")),
    }
}

fn present<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn u32_field(m: &Map<String, Value>, key: &str, field: &str) -> Result<Option<u32>, JobberError> {
    present(m, key)
        .map(|v| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| bad(field, "a non-negative integer"))
        })
        .transpose()
}

/// A non-negative number of seconds as a duration.
fn seconds(v: &Value, field: &str) -> Result<Duration, JobberError> {
    v.as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e12)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| bad(field, "a non-negative number of seconds"))
}

/// Parses `JobOptions` (absent or `null` gives the defaults).
pub fn job_options(value: Option<&Value>) -> Result<JobOptions, JobberError> {
    let Some(m) = object_or_empty(value, "options")? else {
        return Ok(JobOptions::default());
    };
    let id = match present(m, "id") {
        None => None,
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 256 => Some(s.clone()),
        Some(_) => return Err(bad("options.id", "a non-empty string of at most 256 bytes")),
    };
    let priority = match present(m, "priority") {
        None => 0,
        Some(v) => v
            .as_i64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| bad("options.priority", "an integer"))?,
    };
    let start_after = match present(m, "startAfter") {
        None => None,
        Some(Value::String(s)) => Some(StartAfter::At(parse_date(s).ok_or_else(|| {
            bad(
                "options.startAfter",
                "an ISO-8601 date or a number of seconds",
            )
        })?)),
        Some(v) => Some(StartAfter::In(seconds(v, "options.startAfter")?)),
    };
    let expire_in = match present(m, "expireIn") {
        None => None,
        Some(Value::String(s)) => {
            Some(parse_duration(s).filter(|d| !d.is_zero()).ok_or_else(|| {
                bad(
                    "options.expireIn",
                    "a positive duration such as \"30 seconds\", \"5 minutes\" or \"PT30S\"",
                )
            })?)
        }
        Some(v) => Some(seconds(v, "options.expireIn")?)
            .filter(|d| !d.is_zero())
            .map(Some)
            .ok_or_else(|| bad("options.expireIn", "a positive duration"))?,
    };
    let retry_delay = present(m, "retryDelay")
        .map(|v| seconds(v, "options.retryDelay"))
        .transpose()?
        .unwrap_or_default();
    let retry_backoff = match present(m, "retryBackoff") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("options.retryBackoff", "a boolean")),
    };
    let singleton_key = match present(m, "singletonKey") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("options.singletonKey", "a string")),
    };
    Ok(JobOptions {
        id,
        priority,
        start_after,
        expire_in,
        retry_limit: u32_field(m, "retryLimit", "options.retryLimit")?.unwrap_or(0),
        retry_delay,
        retry_backoff,
        singleton_key,
    })
}

/// Parses `WorkOptions`; `max_capacity` bounds `teamSize × teamConcurrency`.
pub fn work_options(value: Option<&Value>, max_capacity: u32) -> Result<WorkOptions, JobberError> {
    let Some(m) = object_or_empty(value, "options")? else {
        return Ok(WorkOptions {
            team_size: 1,
            team_concurrency: 1,
        });
    };
    let positive = |key: &str, field: &str| -> Result<u32, JobberError> {
        match u32_field(m, key, field)? {
            None => Ok(1),
            Some(0) => Err(bad(field, "a positive integer")),
            Some(n) => Ok(n),
        }
    };
    let team_size = positive("teamSize", "options.teamSize")?;
    let team_concurrency = positive("teamConcurrency", "options.teamConcurrency")?;
    if u64::from(team_size) * u64::from(team_concurrency) > u64::from(max_capacity) {
        return Err(JobberError::payload(format!(
            "teamSize × teamConcurrency must be at most {max_capacity}"
        )));
    }
    Ok(WorkOptions {
        team_size,
        team_concurrency,
    })
}

/// An ISO-8601 / RFC 3339 date with an offset (as `JSON.stringify(new Date())` writes it).
pub fn parse_date(text: &str) -> Option<Timestamp> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let t = time::OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()?;
    let ms = i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()?;
    Some(Timestamp::from_unix_millis(ms))
}

/// `"30 seconds"`, `"1 minute"`, `"2 hours"`, `"1 day"`, `"500 ms"` or ISO-8601 `PnDTnHnMnS`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(iso) = text.strip_prefix('P').or_else(|| text.strip_prefix('p')) {
        return parse_iso_duration(iso);
    }
    let (number, unit) = match text.split_once(char::is_whitespace) {
        Some((n, u)) => (n, u.trim()),
        None => {
            let at = text.find(|c: char| c.is_ascii_alphabetic())?;
            text.split_at(at)
        }
    };
    let n: f64 = number.trim().parse().ok()?;
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    let unit = unit.to_ascii_lowercase();
    let unit = if unit == "ms" { "msec" } else { &unit };
    let unit_secs = match unit.strip_suffix('s').unwrap_or(unit) {
        "millisecond" | "msec" => 0.001,
        "m" => 60.0,
        "" | "second" | "sec" => 1.0,
        "minute" | "min" => 60.0,
        "hour" | "hr" | "h" => 3600.0,
        "day" | "d" => 86_400.0,
        "week" | "w" => 604_800.0,
        _ => return None,
    };
    let secs = n * unit_secs;
    (secs < 1e12).then(|| Duration::from_secs_f64(secs))
}

/// The part of an ISO-8601 duration after `P`: `nW`, or `nD` then `T` with `nH nM nS`.
fn parse_iso_duration(rest: &str) -> Option<Duration> {
    let mut secs = 0.0;
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if !in_time && number.is_empty() => in_time = true,
            d if d.is_ascii_digit() || d == '.' || d == ',' => {
                number.push(if d == ',' { '.' } else { d });
            }
            unit => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                any = true;
                secs += n * match (in_time, unit) {
                    (false, 'W') => 604_800.0,
                    (false, 'D') => 86_400.0,
                    (true, 'H') => 3600.0,
                    (true, 'M') => 60.0,
                    (true, 'S') => 1.0,
                    _ => return None,
                };
            }
        }
    }
    (any && number.is_empty() && secs.is_finite() && secs < 1e12)
        .then(|| Duration::from_secs_f64(secs))
}
