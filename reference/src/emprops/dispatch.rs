//! From a frame to its effects: the fast path or the full parse (emprops-N5 `INVALID_JSON`,
//! a non-object or a missing `type`), `unknown` for types a client may not send (emprops-N6),
//! the request applied to the state, and what the message still needs afterwards — an `ack`
//! for an `id` without a specific reply, or the `error` refusing it (emprops-N4, N5).
//!
//! Invariant: a message gets its specific reply, or an `ack`, or an `error`, or (without an
//! `id`, where it has no reply) nothing — never two of these.

use super::HubError;
use super::core::{Core, Emit, Replied};
use super::fast;
use super::request::{Request, is_client_type};
use super::state::ConnId;
use super::wire::Out;
use serde_json::Value;

impl Core {
    pub(super) fn text(&mut self, e: &mut Emit, conn: ConnId, text: &str) {
        self.heard_from(e.now, conn);
        if let Some(hot) = fast::parse(text) {
            let result = self.apply(e, conn, hot.request, hot.id);
            return self.answer(e, conn, result, hot.id, hot.kind);
        }
        match serde_json::from_str::<Value>(text) {
            Ok(value) => self.message(e, conn, value, text),
            Err(_) => e.error(conn, &HubError::InvalidJson, None),
        }
    }

    /// Handles one parsed message; `text` is what was received (for `unknown`).
    pub(super) fn message(&mut self, e: &mut Emit, conn: ConnId, value: Value, text: &str) {
        let Value::Object(obj) = value else {
            let error = HubError::invalid("type", "The message must be a JSON object", None);
            return e.error(conn, &error, None);
        };
        let id = obj
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let id = id.map(str::to_owned);
        let kind = match obj.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            other => {
                let error = HubError::invalid("type", "Must be a string", other);
                return e.error(conn, &error, id.as_deref());
            }
        };
        if !is_client_type(&kind) {
            let unknown = Out::Unknown {
                content: "Received unrecognized message type",
                original_message: text,
            };
            return e.send(conn, &unknown);
        }
        let result = Request::parse(&kind, obj).and_then(|r| self.apply(e, conn, r, id.as_deref()));
        self.answer(e, conn, result, id.as_deref(), &kind);
    }

    /// What a handled message still needs: an `ack` when it carried an `id` and had no specific
    /// reply, or the `error` refusing it (emprops-N4, N5).
    fn answer(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        result: Result<Replied, HubError>,
        id: Option<&str>,
        kind: &str,
    ) {
        match result {
            Ok(Replied::Yes) => {}
            Ok(Replied::No) => {
                if let Some(id) = id {
                    let ack = Out::Ack {
                        message_id: Some(id),
                        original_type: kind,
                        status: "processed",
                    };
                    e.send(conn, &ack);
                }
            }
            Err(error) => e.error(conn, &error, id),
        }
    }

    fn apply(
        &mut self,
        e: &mut Emit,
        conn: ConnId,
        request: Request<'_>,
        id: Option<&str>,
    ) -> Result<Replied, HubError> {
        match request {
            Request::RegisterClient { kind, client_id } => {
                self.register_client(e, conn, kind, &client_id)
            }
            Request::RegisterWorker { .. } => self.register_worker(e, conn, request),
            Request::SubmitJob(_) if self.queue.len() >= self.settings.max_queued_jobs => {
                Err(HubError::QueueFull {
                    limit: self.settings.max_queued_jobs,
                })
            }
            Request::SubmitJob(job) => Ok(self.submit(e, conn, job)),
            Request::JobStatus(job_id) => self.job_status(e, conn, &job_id),
            Request::CancelJob(job_id) => self.cancel(e, conn, &job_id),
            Request::ClaimJob {
                worker_id,
                max_jobs,
                claim_timeout,
            } => self.claim(e, conn, &worker_id, max_jobs, claim_timeout, id),
            Request::AcceptJob { .. } | Request::Progress { .. } => self.work(e, conn, request),
            Request::Complete { .. } | Request::Fail { .. } => self.finish(e, conn, request),
            Request::Heartbeat { worker_id, status } => self.heartbeat(e, conn, &worker_id, status),
            Request::WorkerStatus { .. } => self.worker_status(conn, request),
            Request::SubscribeJob(job_id) => self.subscribe_job(conn, &job_id),
            Request::SubscribeNotifications {
                enabled,
                filters,
                applied,
            } => Ok(self.subscribe_notifications(e, conn, enabled, filters, &applied)),
            Request::SubscribeStats {
                enabled,
                interval_seconds,
            } => Ok(self.subscribe_stats(e, conn, enabled, interval_seconds)),
            Request::RequestStats => {
                self.send_stats(e, conn);
                Ok(Replied::Yes)
            }
            Request::Relay(obj) => Ok(self.relay(e, obj)),
            Request::Chunk(chunk) => self.chunk(e, conn, chunk),
            Request::Ping => {
                e.send(conn, &Out::Pong);
                Ok(Replied::Yes)
            }
            Request::Disconnect => {
                // The close is the answer, even to a disconnect with an `id` (emprops-N24).
                self.forget(e, conn, 1000, "client disconnect");
                Ok(Replied::Yes)
            }
        }
    }
}
