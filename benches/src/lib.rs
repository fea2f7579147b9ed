//! Benchmarks of wsconform, and the echo baseline their figures are compared with.
//!
//! The criterion benchmarks live in `benches/benches/` (`cargo bench -p benches`). This library
//! holds [`echo`], the raw WebSocket echo that measures what this machine can do at all; the
//! `echo` binary runs it (`cargo run --release -p benches --bin echo -- --help`).

pub mod echo;
