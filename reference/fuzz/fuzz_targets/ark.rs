//! The ark decoder of client input never panics (`checks::ark`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::ark(data);
});
