//! Encoding the hub's messages: one JSON object, `type` first, the hub's `timestamp` last.
//!
//! The messages of the job flow (`job_update`, `job_accepted`, `job_available`,
//! `job_assigned`, `job_completed`, `job_completed_ack`, `ack`, `worker_heartbeat_ack`,
//! `pong`) are written directly; the others go through serde. Both write the same text (tested
//! below): serde_json's per-byte escaping loop was the largest single cost of the hub core
//! (`benches` `emprops_core`), and the hub's own ids, types and statuses never need escaping.

use super::wire::{Out, Summary};
use crate::ark::Timestamp;
use std::fmt::{Display, Write as _};

impl Out<'_> {
    /// The text of this message stamped with `now`.
    pub(super) fn encode(&self, now: Timestamp) -> String {
        let mut text = self
            .encode_direct()
            .unwrap_or_else(|| self.encode_with_serde());
        // Every variant has at least its `type`, so a comma always separates.
        let _ = write!(text, ",\"timestamp\":{}}}", now.unix_millis());
        text
    }

    /// The message through serde, without the closing brace.
    fn encode_with_serde(&self) -> String {
        let mut bytes = Vec::with_capacity(256);
        if serde_json::to_writer(&mut bytes, self).is_err() {
            // Serializing these types cannot fail: no maps with non-string keys, no floats
            // that are not finite (Number holds none).
            bytes.clear();
            bytes.extend_from_slice(br#"{"type":"error","error":"encoding failed"}"#);
        }
        let mut text = String::from_utf8(bytes).unwrap_or_default();
        if text.ends_with('}') {
            text.pop();
        }
        text
    }

    /// The job flow's messages written directly, without the closing brace; `None` for others.
    fn encode_direct(&self) -> Option<String> {
        let mut o = Writer::new(self.kind()?);
        match self {
            Self::JobUpdate {
                job_id,
                status,
                previous_status,
                worker_id,
                progress,
                message,
            } => {
                o.str("job_id", job_id);
                o.str("status", status.as_str());
                o.opt_str("previous_status", previous_status.map(|s| s.as_str()));
                o.opt_str("worker_id", *worker_id);
                o.opt_num("progress", *progress);
                o.opt_str("message", *message);
            }
            Self::JobAccepted {
                job_id,
                status,
                position,
                notified_workers,
            } => {
                o.str("job_id", job_id);
                o.str("status", status.as_str());
                o.num("position", position);
                o.num("notified_workers", notified_workers);
            }
            Self::JobAvailable {
                job_id,
                job_type,
                priority,
                requirements_summary,
            } => {
                o.str("job_id", job_id);
                o.str("job_type", job_type);
                o.num("priority", priority);
                o.summary(requirements_summary);
            }
            Self::JobAssigned {
                job_id,
                worker_id,
                job_type,
                priority,
                payload,
                requirements,
                claim_timeout,
            } => {
                o.str("job_id", job_id);
                o.str("worker_id", worker_id);
                o.str("job_type", job_type);
                o.num("priority", priority);
                o.raw("payload", payload.get());
                o.raw("requirements", requirements.map_or("{}", |r| r.get()));
                o.num("claim_timeout", claim_timeout);
            }
            Self::JobCompletedAck { job_id, worker_id } => {
                o.str("job_id", job_id);
                o.str("worker_id", worker_id);
            }
            Self::JobCompleted {
                job_id,
                status,
                worker_id,
                priority,
                processing_time,
                result,
            } => {
                o.str("job_id", job_id);
                o.str("status", status.as_str());
                o.str("worker_id", worker_id);
                o.num("priority", priority);
                o.opt_num("processing_time", *processing_time);
                o.raw("result", result.get());
            }
            Self::Ack {
                message_id,
                original_type,
                status,
            } => {
                o.opt_str("message_id", *message_id);
                o.str("original_type", original_type);
                o.str("status", status);
            }
            Self::WorkerHeartbeatAck {
                worker_id,
                status,
                next_heartbeat_expected,
            } => {
                o.str("worker_id", worker_id);
                o.str("status", status);
                o.num("next_heartbeat_expected", next_heartbeat_expected);
            }
            Self::Pong => {}
            _ => return None,
        }
        Some(o.text)
    }

    /// The `type` of the messages written directly.
    fn kind(&self) -> Option<&'static str> {
        Some(match self {
            Self::JobUpdate { .. } => "job_update",
            Self::JobAccepted { .. } => "job_accepted",
            Self::JobAvailable { .. } => "job_available",
            Self::JobAssigned { .. } => "job_assigned",
            Self::JobCompletedAck { .. } => "job_completed_ack",
            Self::JobCompleted { .. } => "job_completed",
            Self::Ack { .. } => "ack",
            Self::WorkerHeartbeatAck { .. } => "worker_heartbeat_ack",
            Self::Pong => "pong",
            _ => return None,
        })
    }
}

/// A JSON object being written, open (no closing brace).
struct Writer {
    text: String,
}

impl Writer {
    fn new(kind: &str) -> Self {
        let mut text = String::with_capacity(256);
        text.push_str("{\"type\":\"");
        text.push_str(kind);
        text.push('"');
        Self { text }
    }

    fn key(&mut self, key: &str) {
        self.text.push_str(",\"");
        self.text.push_str(key);
        self.text.push_str("\":");
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        push_json_str(&mut self.text, value);
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }

    fn num(&mut self, key: &str, value: impl Display) {
        self.key(key);
        let _ = write!(self.text, "{value}");
    }

    fn opt_num(&mut self, key: &str, value: Option<impl Display>) {
        if let Some(value) = value {
            self.num(key, value);
        }
    }

    fn raw(&mut self, key: &str, json: &str) {
        self.key(key);
        self.text.push_str(json);
    }

    fn summary(&mut self, summary: &Summary<'_>) {
        self.key("requirements_summary");
        let mut inner = Self {
            text: String::from("{"),
        };
        inner.opt_str("service_type", summary.service_type);
        inner.opt_str("component", summary.component);
        inner.opt_num("gpu_memory_min", summary.gpu_memory_min);
        let fields = inner.text.strip_prefix("{,").unwrap_or("");
        self.text.push('{');
        self.text.push_str(fields);
        self.text.push('}');
    }
}

/// Writes `text` as a JSON string: as is between quotes when nothing in it needs escaping,
/// else through serde_json (which escapes exactly `"`, `\` and control characters).
fn push_json_str(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else if let Ok(escaped) = serde_json::to_string(text) {
        out.push_str(&escaped);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::emprops::Status;
    use serde_json::value::RawValue;
    use serde_json::{Number, Value};

    /// Every message written directly is exactly what serde writes, escapes included.
    #[test]
    fn direct_encoding_is_what_serde_writes() {
        let half = Number::from_f64(45.5).unwrap();
        let whole = Number::from(45);
        let payload =
            RawValue::from_string(r#"{"prompt": "a \"b\"", "n": [1, 2]}"#.to_owned()).unwrap();
        let result = RawValue::from_string(r#"{"success":true}"#.to_owned()).unwrap();
        let odd = "job-\"quoted\"\n\u{1}é\u{7f}\\";
        let summary = |s, c, g| Summary {
            service_type: s,
            component: c,
            gpu_memory_min: g,
        };
        let cases = [
            Out::JobUpdate {
                job_id: "job-1",
                status: Status::Queued,
                previous_status: None,
                worker_id: None,
                progress: None,
                message: None,
            },
            Out::JobUpdate {
                job_id: odd,
                status: Status::InProgress,
                previous_status: Some(Status::Assigned),
                worker_id: Some("w\\1"),
                progress: Some(&half),
                message: Some("step 14/30 \t"),
            },
            Out::JobUpdate {
                job_id: "j",
                status: Status::InProgress,
                previous_status: None,
                worker_id: Some("w"),
                progress: Some(&whole),
                message: None,
            },
            Out::JobAccepted {
                job_id: odd,
                status: Status::Queued,
                position: 3,
                notified_workers: 0,
            },
            Out::JobAvailable {
                job_id: "j",
                job_type: odd,
                priority: 75,
                requirements_summary: summary(None, None, None),
            },
            Out::JobAvailable {
                job_id: "j",
                job_type: "t",
                priority: 0,
                requirements_summary: summary(Some("comfyui"), Some(odd), Some(&half)),
            },
            Out::JobAvailable {
                job_id: "j",
                job_type: "t",
                priority: 0,
                requirements_summary: summary(None, None, Some(&whole)),
            },
            Out::JobAssigned {
                job_id: "j",
                worker_id: odd,
                job_type: "t",
                priority: 100,
                payload: &payload,
                requirements: None,
                claim_timeout: 30000,
            },
            Out::JobAssigned {
                job_id: "j",
                worker_id: "w",
                job_type: "t",
                priority: 1,
                payload: &result,
                requirements: Some(&payload),
                claim_timeout: 1,
            },
            Out::JobCompletedAck {
                job_id: "j",
                worker_id: odd,
            },
            Out::JobCompleted {
                job_id: "j",
                status: Status::Completed,
                worker_id: "w",
                priority: 75,
                processing_time: Some(&half),
                result: &result,
            },
            Out::JobCompleted {
                job_id: "j",
                status: Status::Completed,
                worker_id: "w",
                priority: 75,
                processing_time: None,
                result: &payload,
            },
            Out::Ack {
                message_id: Some(odd),
                original_type: "claim_job",
                status: "no_job",
            },
            Out::Ack {
                message_id: None,
                original_type: "claim_job",
                status: "no_job",
            },
            Out::WorkerHeartbeatAck {
                worker_id: "w",
                status: "acknowledged",
                next_heartbeat_expected: 1_705_312_405_000,
            },
            Out::Pong,
        ];
        for out in cases {
            let direct = out.encode_direct().unwrap();
            let serde = out.encode_with_serde();
            // Raw values keep their own spacing either way; compare as JSON and as text.
            assert_eq!(direct, serde);
            let parsed: Value =
                serde_json::from_str(&out.encode(Timestamp::from_unix_millis(7))).unwrap();
            assert_eq!(parsed["timestamp"], 7);
        }
        assert!(
            Out::Pong.kind().is_some()
                && Out::ServerDisconnect { reason: "x" }
                    .encode_direct()
                    .is_none()
        );
    }
}
