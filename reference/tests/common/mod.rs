//! Test support: the ark sans-IO stack with a manual clock and sequential ids.
#![allow(clippy::unwrap_used, dead_code)]

use reference::ark::{Core, Event, SequentialIds, Settings, Timestamp, rest};
use serde_json::{Value, json};
use std::time::Duration;

/// 2024-01-15T10:30:00.000Z
pub const T0: Timestamp = Timestamp::from_unix_millis(1_705_314_600_000);

/// The sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// An agent's capabilities as DECISIONS A1 observed them.
pub fn observed_capabilities() -> Value {
    json!({"supportsHardlinks": true, "maxConcurrentJobs": 2, "supportedGameTypes": ["ASA"]})
}

/// Events as JSON values.
pub fn to_json(events: &[Event]) -> Vec<Value> {
    events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

/// A core, its clock and its settings.
pub struct Ark {
    pub core: Core,
    pub now: Timestamp,
    pub settings: Settings,
}

impl Ark {
    pub fn new() -> Self {
        Self::with_settings(|_| {})
    }

    pub fn with_settings(change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings::default();
        change(&mut settings);
        Self {
            core: Core::new(&settings, Box::new(SequentialIds::default())),
            now: T0,
            settings,
        }
    }

    pub fn advance(&mut self, d: Duration) {
        self.now = self.now.plus(d);
    }

    pub fn timeout(&mut self) -> Vec<Value> {
        to_json(&self.core.handle_timeout(self.now))
    }

    /// One HTTP request through `rest::parse`, the core and `rest::render`. A `null` body is
    /// sent as no body.
    pub fn call(&mut self, method: &str, path: &str, body: Value) -> (u16, Value, Vec<Value>) {
        let bytes = if body.is_null() {
            Vec::new()
        } else {
            serde_json::to_vec(&body).unwrap()
        };
        self.raw(method, path, &bytes)
    }

    pub fn raw(&mut self, method: &str, path: &str, bytes: &[u8]) -> (u16, Value, Vec<Value>) {
        let (rendered, events) =
            match rest::parse(method, path, bytes, self.settings.max_body_bytes) {
                Ok(request) => {
                    let out = self.core.handle(self.now, request);
                    (rest::render(&out.reply), to_json(&out.events))
                }
                Err(e) => (rest::render_error(&e), Vec::new()),
            };
        let (status, body) = rendered;
        (status, serde_json::from_slice(&body).unwrap(), events)
    }

    /// Registers `id` with the observed capabilities shape (A1).
    pub fn register(&mut self, id: &str) -> (u16, Value, Vec<Value>) {
        self.call(
            "POST",
            "/agents/register",
            json!({"agentId": id, "hostname": format!("host-{id}"), "capabilities": observed_capabilities(), "version": "1.0"}),
        )
    }

    /// Creates an instance on `agent`; returns its id.
    pub fn instance(&mut self, agent: &str) -> String {
        let (status, body, _) = self.call(
            "POST",
            "/instances",
            json!({"name": "Island", "gameType": "ASA", "agentId": agent}),
        );
        assert_eq!(status, 201, "{body}");
        body["instanceId"].as_str().unwrap().to_owned()
    }

    /// Creates a job; returns `(jobId, jobRunId)`.
    pub fn job(&mut self, instance: Option<&str>) -> (String, String) {
        let mut body = json!({"jobType": "START_INSTANCE", "parameters": {}});
        if let Some(i) = instance {
            body["instanceId"] = json!(i);
        }
        let (status, body, _) = self.call("POST", "/jobs", body);
        assert_eq!(status, 201, "{body}");
        (
            body["jobId"].as_str().unwrap().to_owned(),
            body["jobRunId"].as_str().unwrap().to_owned(),
        )
    }

    /// Reports progress; `extra` fields are merged into `{jobId, jobRunId, message}`.
    pub fn progress(&mut self, job: &str, run: &str, extra: Value) -> (u16, Value, Vec<Value>) {
        let mut body = json!({"jobId": job, "jobRunId": run, "message": "working"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.call("POST", "/jobs/progress", body)
    }

    /// Completes a job; `extra` fields are merged into `{jobId, jobRunId}`.
    pub fn complete(&mut self, job: &str, run: &str, extra: Value) -> (u16, Value, Vec<Value>) {
        let mut body = json!({"jobId": job, "jobRunId": run});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.call("POST", "/jobs/complete", body)
    }
}
