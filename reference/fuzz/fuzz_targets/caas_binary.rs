//! The caas_binary decoder of client input never panics (`checks::caas_binary`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::caas_binary(data);
});
