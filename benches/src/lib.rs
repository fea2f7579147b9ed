//! Benchmarks of wsconform, and the baselines their figures are compared with.
//!
//! The criterion benchmarks live in `benches/benches/` (`cargo bench -p benches`). This library
//! holds [`echo`], the raw WebSocket echo that measures what this machine can do at all; the
//! `echo` binary runs it (`cargo run --release -p benches --bin echo -- --help`).
//! `src/bin/idle_connections` measures the reference server's memory per idle connection
//! (`cargo run --release -p benches --bin idle_connections -- --help`).

pub mod echo;
