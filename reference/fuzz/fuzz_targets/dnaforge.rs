//! The dnaforge decoder of client input never panics (`checks::dnaforge`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::dnaforge(data);
});
