//! Inputs per second of the scenario machine (`harness::exec::Session`) with no sockets: the
//! jobber load scenario `jobber.load.send_job` fed by hand — its 100 rounds of send_job → ack,
//! cancel_job → ack, job_cancelled — with every message schema-checked and matched as in a run,
//! measured as the target's inputs (arrivals and send completions) per second.
//!
//! `cargo bench -p benches --bench scenario_machine`

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harness::exec::{
    Command, Input, ProtocolSuite, RunOptions, ScenarioPlan, Session, TranscriptLimit, Unobserved,
};
use harness::profile::Profile;
use harness::schema::SchemaSet;
use harness::transport::{Accepted, Arrival, Inbound, Outbound, Utf8Bytes};
use serde_json::{Value, json};

fn plan() -> Arc<ScenarioPlan> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let file = root.join("scenarios/jobber/load-send-job.yaml");
    let scenario = harness::scenario::parse_file(&file).unwrap_or_else(|e| panic!("{e}"));
    let fixtures = root.join("fixtures");
    let profile = Profile::load(&fixtures, "jobber").unwrap_or_else(|e| panic!("{e}"));
    let schemas =
        SchemaSet::load(&fixtures.join("jobber"), &profile).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions {
        transcript: TranscriptLimit::Tail(32),
        ..RunOptions::default()
    };
    Arc::new(ScenarioPlan::new(
        scenario,
        Arc::new(ProtocolSuite {
            profile,
            schemas,
            http: None,
        }),
        "http://127.0.0.1:9".into(),
        Arc::new(options),
    ))
}

fn args(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

/// The arrival of `inbound` on `conn` at `now`.
fn arrival(conn: usize, now: Instant, inbound: Inbound) -> Input {
    Input::Arrival(Arrival {
        conn,
        at: now,
        inbound,
    })
}

/// A pushed event (no ack asked, no attachment).
fn event(name: &str, value: Value, raw: &Utf8Bytes) -> Inbound {
    Inbound::Event {
        name: name.into(),
        args: args(value),
        ack_id: None,
        attachments: Vec::new(),
        raw: raw.clone(),
    }
}

/// Runs one whole session by hand; returns the inputs fed.
fn session(plan: &Arc<ScenarioPlan>) -> u64 {
    let now = Instant::now();
    let mut session = Session::new(Arc::clone(plan), now, 1_700_000_000_000, None);
    let observer = &mut Unobserved;
    session.start(now, observer);
    let mut inputs = 0;
    let mut feed = |session: &mut Session, input: Input| {
        inputs += 1;
        session.handle(now, input, observer);
    };
    let raw = Utf8Bytes::from_static("");
    let name = format!("load-{}", session.run_id());
    while let Some(command) = session.poll_command() {
        match command {
            Command::Connect { conn, .. } => {
                let result = Ok(Accepted {
                    socket_id: Some("s".into()),
                    answer: Some("connected"),
                    early: Vec::new(),
                });
                let description = "connect".into();
                feed(
                    &mut session,
                    Input::Connected {
                        conn,
                        description,
                        result,
                    },
                );
                let ready = json!([{"id": "s", "customerId": "c"}]);
                let inbound = event("client_ready", ready, &raw);
                feed(&mut session, arrival(conn, now, inbound));
            }
            Command::Send { conn, message } => {
                feed(
                    &mut session,
                    Input::Sent {
                        conn,
                        result: Ok(()),
                    },
                );
                let Outbound::Event {
                    name: message_name,
                    args: sent,
                    ack_id: Some(id),
                    ..
                } = message
                else {
                    continue;
                };
                let answer = if &*message_name == "send_job" {
                    json!([{ "jobId": format!("3f2a5b1c-0d4e-4f6a-8b7c-{id:012x}") }])
                } else {
                    json!([{}])
                };
                let inbound = Inbound::Ack {
                    id,
                    args: args(answer),
                    attachments: Vec::new(),
                    raw: raw.clone(),
                };
                feed(&mut session, arrival(conn, now, inbound));
                if &*message_name == "cancel_job" {
                    let job = sent.first().and_then(|a| a.get("jobId")).cloned();
                    let cancelled = json!([{
                        "id": job.unwrap_or(Value::Null), "name": name, "data": {"n": 1},
                        "state": "cancelled", "retryCount": 0, "priority": 0,
                        "createdAt": "2024-01-15T10:30:00.000Z"
                    }]);
                    let inbound = event("job_cancelled", cancelled, &raw);
                    feed(&mut session, arrival(conn, now, inbound));
                }
            }
            _ => {}
        }
    }
    let outcome = session.finish(now);
    assert!(
        outcome.passed(),
        "{:?} {:?}",
        outcome.failure,
        outcome.findings
    );
    inputs
}

fn send_job_rounds(c: &mut Criterion) {
    let plan = plan();
    let inputs = session(&plan);
    let mut group = c.benchmark_group("scenario_machine");
    group.throughput(Throughput::Elements(inputs));
    group.bench_function("jobber_load_send_job_session", |b| {
        b.iter(|| session(&plan))
    });
    group.finish();
}

criterion_group!(benches, send_job_rounds);
criterion_main!(benches);
