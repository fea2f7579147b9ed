//! Inputs per second of the ark sans-IO stack with a manual clock. Once: register an agent and
//! create an instance. Per cycle, five REST inputs: `POST /jobs` on that instance →
//! `POST /jobs/progress` (RUNNING, 50 %) → `POST /jobs/complete` (COMPLETED) →
//! `POST /instances/:id/logs` → `POST /agents/heartbeat`; the clock moves 1 ms per cycle, so the
//! agent never goes offline.
//!
//! Two measurements of the same cycle:
//! - `rest_cycle`: what the HTTP driver does per request without sockets — `rest::parse` of the
//!   body bytes, `Core::handle`, `rest::render` of the reply and `serde_json` of every event.
//! - `handle_cycle`: `Core::handle` alone, fed typed requests (the core's own cost).
//!
//! Retention is production's: the instance keeps `max_logs_per_instance` log entries (the oldest
//! go), and ark keeps every job, terminal or not (`GET /jobs` lists them all; there is no pruning
//! to mirror), so the job table grows for the length of the run.
//!
//! `cargo bench -p benches --bench ark_core`

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reference::ark::model::{JobStatus, JobType, LogLevel};
use reference::ark::request::{AddLog, Complete, CreateJob, Heartbeat, Outcome, Progress};
use reference::ark::{
    Body, Core, Output, Reply, Request, SequentialIds, Settings, Timestamp, rest,
};
use serde_json::{Map, Number, Value, json};

/// REST inputs per cycle.
const INPUTS_PER_CYCLE: u64 = 5;
/// The agent of the run.
const AGENT: &str = "agent-1";

/// The core, its settings and the manual clock.
struct Stack {
    core: Core,
    settings: Settings,
    now_ms: i64,
}

impl Stack {
    /// A core with one registered agent and one instance on it; returns the instance id.
    fn new() -> (Self, String) {
        let settings = Settings::default();
        let core = Core::new(&settings, Box::new(SequentialIds::default()));
        let mut stack = Self {
            core,
            settings,
            now_ms: 1_700_000_000_000,
        };
        let capabilities = json!({"supportsHardlinks": true, "maxConcurrentJobs": 2, "supportedGameTypes": ["ASA"]});
        let register = json!({"agentId": AGENT, "hostname": "host-1", "capabilities": capabilities, "version": "1.0"});
        stack.call("POST", "/agents/register", register.to_string().as_bytes());
        let instance = json!({"name": "Island", "gameType": "ASA", "agentId": AGENT});
        let out = stack.call("POST", "/instances", instance.to_string().as_bytes());
        let instance_id = match out.reply {
            Ok(Reply {
                body: Body::Instance(instance),
                ..
            }) => instance.instance_id,
            other => panic!("POST /instances answered {other:?}"),
        };
        (stack, instance_id)
    }

    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.now_ms)
    }

    /// One request as the HTTP driver handles it, minus the sockets: parse, handle, render the
    /// reply, encode every event.
    fn call(&mut self, method: &str, path: &str, body: &[u8]) -> Output {
        let request = rest::parse(method, path, body, self.settings.max_body_bytes)
            .unwrap_or_else(|e| panic!("{method} {path} rejected: {e:?}"));
        let out = self.core.handle(self.now(), request);
        black_box(rest::render(&out.reply));
        for event in &out.events {
            black_box(serde_json::to_string(event).ok());
        }
        out
    }
}

/// `(jobId, jobRunId)` of a created job.
fn job_ids(out: Output) -> (String, String) {
    match out.reply {
        Ok(Reply {
            body: Body::Job(job),
            ..
        }) => (job.job_id, job.job_run_id),
        other => panic!("POST /jobs answered {other:?}"),
    }
}

fn rest_cycle(c: &mut Criterion) {
    let (mut stack, instance) = Stack::new();
    let create = json!({"jobType": "START_INSTANCE", "instanceId": instance, "parameters": {"map": "TheIsland_WP"}})
        .to_string();
    let logs_path = format!("/instances/{instance}/logs");
    let log = br#"{"level":"INFO","message":"Server started on port 7777"}"#;
    let heartbeat = format!(r#"{{"agentId":"{AGENT}","status":"ok","activeJobIds":[]}}"#);
    let mut body = String::with_capacity(256);
    let mut group = c.benchmark_group("ark_core");
    group.throughput(Throughput::Elements(INPUTS_PER_CYCLE));
    group.bench_function("rest_cycle", |b| {
        b.iter(|| {
            stack.now_ms += 1;
            let (job, run) = job_ids(stack.call("POST", "/jobs", create.as_bytes()));
            body.clear();
            let _ = write!(
                body,
                r#"{{"jobId":"{job}","jobRunId":"{run}","status":"RUNNING","percent":50,"message":"working"}}"#
            );
            black_box(stack.call("POST", "/jobs/progress", body.as_bytes()));
            body.clear();
            let _ = write!(
                body,
                r#"{{"jobId":"{job}","jobRunId":"{run}","status":"COMPLETED","result":{{"ok":true}}}}"#
            );
            black_box(stack.call("POST", "/jobs/complete", body.as_bytes()));
            black_box(stack.call("POST", &logs_path, log));
            black_box(stack.call("POST", "/agents/heartbeat", heartbeat.as_bytes()));
        })
    });
    group.finish();
}

fn handle_cycle(c: &mut Criterion) {
    let (mut stack, instance) = Stack::new();
    let mut parameters = Map::new();
    parameters.insert("map".into(), Value::from("TheIsland_WP"));
    let mut result = Map::new();
    result.insert("ok".into(), Value::Bool(true));
    let create = Request::CreateJob(CreateJob {
        job_type: JobType::StartInstance,
        instance_id: Some(instance.clone()),
        parameters,
        priority: 0,
    });
    let log = AddLog {
        level: LogLevel::Info,
        message: "Server started on port 7777".into(),
    };
    let heartbeat = Heartbeat {
        agent_id: AGENT.into(),
        status: "ok".into(),
        active_job_ids: Vec::new(),
    };
    let mut group = c.benchmark_group("ark_core");
    group.throughput(Throughput::Elements(INPUTS_PER_CYCLE));
    group.bench_function("handle_cycle", |b| {
        b.iter(|| {
            stack.now_ms += 1;
            let now = stack.now();
            let core = &mut stack.core;
            let (job_id, job_run_id) = job_ids(core.handle(now, create.clone()));
            let progress = Request::Progress(Progress {
                job_id: job_id.clone(),
                job_run_id: job_run_id.clone(),
                status: JobStatus::Running,
                percent: Some(Number::from(50)),
                message: "working".into(),
            });
            black_box(core.handle(now, progress));
            let complete = Request::Complete(Complete {
                job_id,
                job_run_id,
                outcome: Outcome::Completed(Some(result.clone())),
            });
            black_box(core.handle(now, complete));
            black_box(core.handle(now, Request::AddLog(instance.clone(), log.clone())));
            black_box(core.handle(now, Request::Heartbeat(heartbeat.clone())));
        })
    });
    group.finish();
}

criterion_group!(benches, rest_cycle, handle_cycle);
criterion_main!(benches);
