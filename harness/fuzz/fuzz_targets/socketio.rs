//! The Engine.IO / socket.io decoder never panics and round-trips what it decodes
//! (`checks::socketio`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    checks::socketio(data);
});
