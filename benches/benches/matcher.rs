//! Matcher benchmarks (filled in later).
fn main() {}
