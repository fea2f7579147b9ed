//! Inputs per second of the emprops hub core: the document's complete job flow — `submit_job`
//! → `claim_job` → `job_accepted_by_worker` → three `update_job_progress` → `complete_job`,
//! seven text inputs per cycle, each parsed, validated and answered as JSON text (job updates
//! to the submitter, acks to the worker), with finished jobs retained and pruned as in
//! production (`retained_finished_jobs` default).
//!
//! A second figure, `heartbeat`: `worker_heartbeat` → `worker_heartbeat_ack`, the message a
//! hub receives most (every worker, every interval), one input per iteration.
//!
//! `cargo bench -p benches --bench emprops_core`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reference::emprops::{Core, Input, Output, SequentialIds, Settings, Timestamp};

const CLIENT: u64 = 1;
const WORKER: u64 = 2;

/// The job id in a `job_accepted` text.
fn job_id(outputs: &[Output]) -> String {
    outputs
        .iter()
        .find_map(|o| match o {
            Output::Send { text, .. } => {
                let start = text.find("\"job_id\":\"")? + 10;
                let len = text[start..].find('"')?;
                Some(text[start..start + len].to_owned())
            }
            Output::Close { .. } => None,
        })
        .unwrap_or_default()
}

fn cycles(c: &mut Criterion) {
    let mut core = Core::new(Settings::default(), Box::new(SequentialIds::default()));
    let mut now = 1_705_314_600_000_i64;
    let t = Timestamp::from_unix_millis;
    core.handle(t(now), Input::Open(CLIENT));
    core.handle(t(now), Input::Open(WORKER));
    let register = r#"{"type":"register_client","client_type":"job_client","client_id":"app"}"#;
    core.handle(t(now), Input::Text(CLIENT, register));
    let worker = r#"{"type":"register_worker","worker_id":"w1","capabilities":{"services":["comfyui"],"hardware":{"gpu_memory_gb":16}}}"#;
    core.handle(t(now), Input::Text(WORKER, worker));
    let submit = r#"{"type":"submit_job","job_type":"text_to_image","priority":75,"payload":{"prompt":"a landscape","steps":30},"requirements":{"service_type":"comfyui"},"timestamp":1705312345000}"#;
    let claim = r#"{"type":"claim_job","worker_id":"w1","max_jobs":1,"timestamp":1705312345000}"#;
    let mut group = c.benchmark_group("emprops_core");
    group.throughput(Throughput::Elements(7));
    group.bench_function("submit_claim_accept_progress3_complete", |b| {
        b.iter(|| {
            now += 1;
            let job = job_id(&core.handle(t(now), Input::Text(CLIENT, submit)));
            black_box(core.handle(t(now), Input::Text(WORKER, claim)));
            let accept = format!(
                r#"{{"type":"job_accepted_by_worker","job_id":"{job}","worker_id":"w1","timestamp":1}}"#
            );
            black_box(core.handle(t(now), Input::Text(WORKER, &accept)));
            for progress in [25, 50, 75] {
                let update = format!(
                    r#"{{"type":"update_job_progress","job_id":"{job}","worker_id":"w1","progress":{progress},"message":"step","timestamp":1}}"#
                );
                black_box(core.handle(t(now), Input::Text(WORKER, &update)));
            }
            let complete = format!(
                r#"{{"type":"complete_job","job_id":"{job}","worker_id":"w1","processing_time":67.5,"result":{{"success":true}},"timestamp":1}}"#
            );
            black_box(core.handle(t(now), Input::Text(WORKER, &complete)));
        })
    });
    let heartbeat = r#"{"type":"worker_heartbeat","worker_id":"w1","status":"idle","load":0.1,"current_jobs":[],"timestamp":1705312345000}"#;
    group.throughput(Throughput::Elements(1));
    group.bench_function("heartbeat", |b| {
        b.iter(|| {
            now += 1;
            black_box(core.handle(t(now), Input::Text(WORKER, heartbeat)));
        })
    });
    group.finish();
}

criterion_group!(benches, cycles);
criterion_main!(benches);
