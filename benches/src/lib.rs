//! Criterion benchmarks of wsconform live in `benches/benches/`; this library is empty on purpose.
//! Run them with `cargo bench -p benches`. `src/bin/idle_connections` measures the reference
//! server's memory per idle connection (`cargo run --release -p benches --bin idle_connections`).
