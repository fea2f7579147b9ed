//! Per-packet costs of the harness's socket.io codec: encoding an emit of a typical event with a
//! ~200-byte JSON argument (with an ack id), and decoding the same frame as the reader does.
//!
//! `cargo bench -p benches --bench socketio_codec`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harness::transport::socketio::packet::encode_event;
use harness::transport::socketio::{Decoded, Decoder, PacketKind, SocketPacket};
use serde_json::{Value, json};

fn arg() -> Value {
    json!({
        "jobId": "550e8400-e29b-41d4-a716-446655440000",
        "jobRunId": "660e8400-e29b-41d4-a716-446655440001",
        "status": "RUNNING", "percent": 45, "message": "Installing server files...",
        "timestamp": "2024-01-15T10:30:00.000Z"
    })
}

fn codec(c: &mut Criterion) {
    let args = [arg()];
    let frame =
        encode_event("/", Some(1234), "job:progress", &args, 0).unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("socketio_codec");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("encode_event ({} bytes)", frame.len()), |b| {
        b.iter(|| {
            encode_event(
                "/",
                Some(1234),
                black_box("job:progress"),
                black_box(&args),
                0,
            )
        })
    });
    let packet = SocketPacket {
        kind: PacketKind::Event,
        namespace: "/".into(),
        id: Some(1234),
        data: json!(["job:progress", arg()]),
        attachments: Vec::new(),
    };
    group.bench_function("SocketPacket::encode_text", |b| {
        b.iter(|| black_box(&packet).encode_text())
    });
    let mut decoder = Decoder::default();
    group.bench_function(format!("decode ({} bytes)", frame.len()), |b| {
        b.iter(|| match decoder.text(black_box(&frame)) {
            Ok(Some(Decoded::Socket(packet))) => packet,
            other => panic!("{other:?}"),
        })
    });
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);
