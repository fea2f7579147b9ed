//! The scenario YAML parser never panics (`checks::scenario`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::scenario(data);
});
