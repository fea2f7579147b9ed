//! Test support for the interop tests: where the pinned third-party clients and their scripts
//! live (`tests/interop/`), a clear failure when `.ci/install-interop-clients` has not run, and a
//! client script run to completion within a bound, its one JSON line of output parsed.
#![allow(clippy::unwrap_used, dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Command;

/// A path under `tests/interop/`.
pub fn interop(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop")
        .join(relative)
}

/// Panics with the install command when `installed` (a path under `tests/interop`) is missing;
/// `clients` names what that command installs.
pub fn require(installed: &str, clients: &str) {
    assert!(
        interop(installed).exists(),
        "{} is missing: run .ci/install-interop-clients ({clients}, pinned)",
        interop(installed).display()
    );
}

/// Runs `command` (killed if dropped) for at most `within`; it must succeed and print one JSON
/// value, which is returned.
pub async fn json_output(mut command: Command, within: Duration) -> Value {
    command.kill_on_drop(true);
    let output = tokio::time::timeout(within, command.output())
        .await
        .expect("the client script did not end in time")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        let stdout = String::from_utf8_lossy(&output.stdout);
        panic!("not one JSON value ({e}): {stdout} {stderr}")
    })
}
