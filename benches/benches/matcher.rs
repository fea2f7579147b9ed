//! Per-message costs of the harness on its hot path: matching a received message against a
//! scenario pattern, and validating it against its protocol's JSON Schema.
//!
//! `cargo bench -p benches --bench matcher`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harness::matcher::{self, Captures};
use harness::profile::Profile;
use harness::scenario::parse_pattern_str;
use harness::schema::SchemaSet;
use serde_json::json;

fn message() -> serde_json::Value {
    json!({"event": "job:progress", "data": {
        "jobId": "550e8400-e29b-41d4-a716-446655440000",
        "jobRunId": "660e8400-e29b-41d4-a716-446655440001",
        "status": "RUNNING", "percent": 45, "message": "Installing server files...",
        "timestamp": "2024-01-15T10:30:00.000Z"}})
}

fn matching(c: &mut Criterion) {
    let pattern = parse_pattern_str(
        "event: \"job:progress\"\ndata: !exact { jobId: \"${job}\", jobRunId: !uuid run, status: RUNNING, \
         percent: !range { min: 0, max: 100 }, message: !string, timestamp: !iso8601 }\n",
        Path::new("bench.yaml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut captures = Captures::new();
    captures.insert("job", json!("550e8400-e29b-41d4-a716-446655440000"));
    let message = message();
    let mut group = c.benchmark_group("matcher");
    group.throughput(Throughput::Elements(1));
    group.bench_function("job_progress_exact_typed", |b| {
        b.iter(|| matcher::matches(black_box(&pattern), black_box(&message), &captures))
    });
    group.finish();
}

fn schema_check(c: &mut Criterion) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let profile = Profile::load(&fixtures, "ark").unwrap_or_else(|e| panic!("{e}"));
    let schemas =
        SchemaSet::load(&fixtures.join("ark"), &profile).unwrap_or_else(|e| panic!("{e}"));
    let message = message();
    assert!(schemas.check(&message).is_empty());
    let mut group = c.benchmark_group("schema");
    group.throughput(Throughput::Elements(1));
    group.bench_function("ark_job_progress", |b| {
        b.iter(|| schemas.check(black_box(&message)))
    });
    group.finish();
}

criterion_group!(benches, matching, schema_check);
criterion_main!(benches);
