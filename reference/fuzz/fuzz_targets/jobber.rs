//! The jobber decoder of client input never panics (`checks::jobber`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::jobber(data);
});
