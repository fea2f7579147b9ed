//! Test support: the emprops hub core with a manual clock and sequential ids, and its outputs
//! as JSON values per connection.
#![allow(clippy::unwrap_used, dead_code)]

use reference::emprops::{ConnId, Core, Input, Output, SequentialIds, Settings, Timestamp};
use serde_json::{Value, json};
use std::time::Duration;

/// 2024-01-15T10:30:00.000Z
pub const T0: Timestamp = Timestamp::from_unix_millis(1_705_314_600_000);

/// What one call produced: messages as `(conn, json)` and closes as `(conn, code)`.
#[derive(Debug, Default)]
pub struct Got {
    pub messages: Vec<(ConnId, Value)>,
    pub closes: Vec<(ConnId, u16)>,
}

impl Got {
    fn from(outputs: Vec<Output>) -> Self {
        let mut got = Self::default();
        for output in outputs {
            match output {
                Output::Send { conn, text } => {
                    got.messages
                        .push((conn, serde_json::from_str(&text).unwrap()));
                }
                Output::Close { conn, code, .. } => got.closes.push((conn, code)),
            }
        }
        got
    }

    /// The messages to `conn`, in order.
    pub fn to(&self, conn: ConnId) -> Vec<Value> {
        self.messages
            .iter()
            .filter(|(c, _)| *c == conn)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// The one message to `conn`.
    pub fn one(&self, conn: ConnId) -> Value {
        let to = self.to(conn);
        assert_eq!(to.len(), 1, "{:#?}", self.messages);
        to.into_iter().next().unwrap()
    }

    /// The types sent to `conn`, in order.
    pub fn types(&self, conn: ConnId) -> Vec<String> {
        self.to(conn)
            .iter()
            .map(|m| m["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// A hub core and its clock.
pub struct Hub {
    pub core: Core,
    pub now: Timestamp,
}

impl Hub {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with(change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings::default();
        change(&mut settings);
        Self {
            core: Core::new(settings, Box::new(SequentialIds::default())),
            now: T0,
        }
    }

    pub fn input(&mut self, input: Input<'_>) -> Got {
        Got::from(self.core.handle(self.now, input))
    }

    /// Opens `conn`; checks `connection_established`.
    pub fn open(&mut self, conn: ConnId) {
        let got = self.input(Input::Open(conn));
        assert_eq!(got.one(conn)["type"], "connection_established");
    }

    pub fn send(&mut self, conn: ConnId, message: Value) -> Got {
        let text = message.to_string();
        self.input(Input::Text(conn, &text))
    }

    pub fn text(&mut self, conn: ConnId, text: &str) -> Got {
        self.input(Input::Text(conn, text))
    }

    pub fn advance(&mut self, d: Duration) -> Got {
        self.now = self.now.plus(d);
        Got::from(self.core.handle_timeout(self.now))
    }

    /// Opens `conn` and registers it as a job client.
    pub fn client(&mut self, conn: ConnId) {
        self.open(conn);
        let got = self.send(conn, json!({"type": "register_client", "client_type": "job_client", "client_id": format!("client-{conn}")}));
        assert_eq!(got.one(conn)["type"], "client_registered");
    }

    /// Opens `conn` and registers it as a monitor.
    pub fn monitor(&mut self, conn: ConnId) {
        self.open(conn);
        let got = self.send(conn, json!({"type": "register_client", "client_type": "monitor", "client_id": format!("monitor-{conn}")}));
        assert_eq!(got.one(conn)["type"], "client_registered");
    }

    /// Opens `conn` and registers worker `id` with `capabilities`.
    pub fn worker(&mut self, conn: ConnId, id: &str, capabilities: Value) {
        self.open(conn);
        let got = self.send(
            conn,
            json!({"type": "register_worker", "worker_id": id, "capabilities": capabilities}),
        );
        assert_eq!(got.one(conn)["type"], "worker_registered", "{:?}", got);
    }

    /// Submits a job from `conn`; returns its id.
    pub fn submit(&mut self, conn: ConnId, extra: Value) -> String {
        let mut message =
            json!({"type": "submit_job", "job_type": "text_to_image", "payload": {"prompt": "x"}});
        for (k, v) in extra.as_object().unwrap() {
            message[k] = v.clone();
        }
        let got = self.send(conn, message);
        let accepted = got
            .to(conn)
            .into_iter()
            .find(|m| m["type"] == "job_accepted")
            .unwrap();
        accepted["job_id"].as_str().unwrap().to_owned()
    }

    /// `claim_job` from worker `id` on `conn`.
    pub fn claim(&mut self, conn: ConnId, id: &str) -> Got {
        self.send(conn, json!({"type": "claim_job", "worker_id": id}))
    }
}

/// Capabilities of a ComfyUI worker with 16 GB.
pub fn comfy() -> Value {
    json!({"services": ["comfyui"], "components": ["text-to-image-xl"], "hardware": {"gpu_memory_gb": 16}})
}

/// The sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}
