//! Shared helpers of the dnaforge core tests: a core with a manual clock, sequential tokens,
//! and the outputs read back as JSON per socket.
#![allow(dead_code, clippy::unwrap_used)]

use reference::dnaforge::{
    Core, HttpReply, HttpRequest, HttpStatus, Input, Output, SequentialIds, Settings, Timestamp,
};
use serde_json::{Value, json};
use std::time::Duration;

/// The clock's start.
pub const T0: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

/// The step duration of these tests' default settings (the server's default).
pub const STEP: Duration = Duration::from_millis(100);

/// A core and its manual clock.
pub struct Server {
    pub core: Core,
    pub now: Timestamp,
}

/// What one call sent to sockets, in order, as JSON.
#[derive(Debug, Clone, Default)]
pub struct Got(pub Vec<(u64, Value)>);

impl Got {
    /// What `conn` got, in order.
    pub fn to(&self, conn: u64) -> Vec<Value> {
        let mine = self.0.iter().filter(|(c, _)| *c == conn);
        mine.map(|(_, v)| v.clone()).collect()
    }

    /// The one message `conn` got.
    pub fn one(&self, conn: u64) -> Value {
        let got = self.to(conn);
        assert_eq!(got.len(), 1, "{conn} got {got:?}");
        got.into_iter().next().unwrap()
    }

    /// Whether nothing was sent.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The `type`s `conn` got, in order.
    pub fn types(&self, conn: u64) -> Vec<String> {
        let types = self.to(conn).into_iter();
        types
            .map(|v| v["type"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl Server {
    /// Default settings but `access_token`.
    pub fn new(access_token: Option<&str>) -> Self {
        Self::with(Settings {
            access_token: access_token.map(str::to_owned),
            ..Settings::default()
        })
    }

    /// These settings.
    pub fn with(settings: Settings) -> Self {
        Self {
            core: Core::new(&settings, Box::new(SequentialIds::default())),
            now: T0,
        }
    }

    /// Feeds `input` at the current time; the socket outputs (an HTTP reply is an error here).
    pub fn input(&mut self, input: Input<'_>) -> Got {
        let outputs = self.core.handle(self.now, input);
        Got(outputs.into_iter().map(socket_output).collect())
    }

    /// `method path` with this `Authorization`.
    pub fn http(&mut self, method: &str, path: &str, authorization: Option<&str>) -> HttpReply {
        let request = HttpRequest {
            method,
            path,
            authorization,
        };
        let mut outputs = self.core.handle(self.now, Input::Http(request));
        assert_eq!(outputs.len(), 1, "{outputs:?}");
        match outputs.pop().unwrap() {
            Output::Http(reply) => reply,
            other => panic!("not an HTTP reply: {other:?}"),
        }
    }

    /// A bearer token from `GET /auth` with this `Authorization`.
    pub fn token(&mut self, authorization: Option<&str>) -> String {
        let reply = self.http("GET", "/auth", authorization);
        assert_eq!(reply.status, HttpStatus::Ok);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        body["bearerToken"].as_str().unwrap().to_owned()
    }

    /// Sends `message` as text from `conn`.
    pub fn send(&mut self, conn: u64, message: Value) -> Got {
        let text = message.to_string();
        self.input(Input::Text(conn, &text))
    }

    /// Sends raw text from `conn`.
    pub fn text(&mut self, conn: u64, text: &str) -> Got {
        self.input(Input::Text(conn, text))
    }

    /// Opens `conn`, gets a token (no access token set) and authenticates; returns the jobs of
    /// its `JobList`.
    pub fn login(&mut self, conn: u64) -> Vec<Value> {
        let token = self.token(None);
        assert!(self.input(Input::Open(conn)).is_empty());
        let got = self.send(conn, auth(&token));
        assert_eq!(got.types(conn), ["WebSocketAuthResponse", "JobList"]);
        assert_eq!(got.to(conn)[0]["success"], true);
        got.to(conn)[1]["jobs"].as_array().unwrap().clone()
    }

    /// Moves the clock by `d` and runs the timeouts due.
    pub fn advance(&mut self, d: Duration) -> Got {
        self.now = self.now.plus(d);
        let outputs = self.core.handle_timeout(self.now);
        Got(outputs.into_iter().map(socket_output).collect())
    }
}

fn socket_output(output: Output) -> (u64, Value) {
    match output {
        Output::Send { conn, text } => (conn, serde_json::from_str(&text).unwrap()),
        Output::Http(reply) => panic!("unexpected HTTP reply {reply:?}"),
    }
}

/// `WebSocketAuth` with `token`.
pub fn auth(token: &str) -> Value {
    json!({"type": "WebSocketAuth", "bearerToken": token})
}

/// A `FileConfig`.
pub fn file_config() -> Value {
    json!({"type": "FileConfig", "content": "steps = 1000\ndt = 0.005\n"})
}

/// A `ManualConfig` of this `simType`.
pub fn manual_config(sim_type: Value) -> Value {
    json!({"type": "ManualConfig", "steps": 2000, "dt": 0.005, "temperature": 30.0,
        "maxBackboneForce": 5.0, "maxBackboneForceFar": 10.0, "verletSkin": 0.15,
        "externalForces": true, "printInterval": 100, "simType": sim_type})
}

/// A `JobNew` of `n` file configs.
pub fn job_new(n: usize) -> Value {
    job_new_with(vec![file_config(); n])
}

/// A `JobNew` of these configs.
pub fn job_new_with(configs: Vec<Value>) -> Value {
    json!({"type": "JobNew", "configs": configs, "top": "2 1\n1 A -1 1\n1 T 0 -1\n",
        "dat": "t = 0\nb = 10 10 10\n", "forces": null})
}

/// The keys of an object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}
