//! Inputs per second of the jobber sans-IO core: `send_job` (acked) → `work_request` to a
//! registered worker → `job_completed`, three inputs per cycle, with terminal jobs retained and
//! pruned as in production (`retained_terminal_jobs` default).
//!
//! `cargo bench -p benches --bench jobber_core`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reference::jobber::{Core, DEV_TOKEN, Input, Message, SequentialIds, Settings, Timestamp};
use serde_json::{Value, json};

fn cycles(c: &mut Criterion) {
    let mut core = Core::new(Settings::default(), Box::new(SequentialIds::default()));
    let mut now = 1_700_000_000_000_i64;
    let t = |ms| Timestamp::from_unix_millis(ms);
    let auth = json!({ "customerToken": DEV_TOKEN });
    core.handle(
        t(now),
        Input::Connect {
            conn: 1,
            sid: "sender".into(),
            auth: auth.clone(),
        },
    );
    core.handle(
        t(now),
        Input::Connect {
            conn: 2,
            sid: "worker".into(),
            auth,
        },
    );
    let register = json!({"jobName": "email", "options": {"teamSize": 4}});
    core.handle(
        t(now),
        Input::Event {
            conn: 2,
            event: "register_worker".into(),
            payload: register,
            ack: None,
        },
    );
    let payload =
        json!({"name": "email", "data": {"to": "a@example.com"}, "options": {"priority": 1}});
    let mut ack = 0;
    let mut group = c.benchmark_group("jobber_core");
    group.throughput(Throughput::Elements(3));
    group.bench_function("send_dispatch_complete", |b| {
        b.iter(|| {
            now += 1;
            ack += 1;
            let send = Input::Event {
                conn: 1,
                event: "send_job".into(),
                payload: payload.clone(),
                ack: Some(ack),
            };
            let out = core.handle(t(now), send);
            let id = out.messages.iter().find_map(|m| match m {
                Message::Emit { event, .. } => event.job().map(|j| j.id.clone()),
                _ => None,
            });
            let id = id.map_or(Value::Null, Value::String);
            let done = Input::Event {
                conn: 2,
                event: "job_completed".into(),
                payload: json!({"jobId": id}),
                ack: None,
            };
            black_box(core.handle(t(now), done));
        })
    });
    group.finish();
}

criterion_group!(benches, cycles);
criterion_main!(benches);
