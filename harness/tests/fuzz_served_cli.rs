//! `wsconform fuzz --target` against a separately started `wsconform serve`, for every protocol:
//! generated sessions (seeded) pass, and the output names the sessions run, the properties, the
//! seed and the time. The embedded runs are `fuzz_models.rs` (sessions) and `hostile_cli.rs`
//! (hostile cases). Hostile cases are left out here: over real TCP a server that closes on an
//! oversize frame can reset the socket while the harness is still sending it, which the executor
//! reports as a lost connection instead of the expected close (caas past_limit, 1 run in 5).

use crate::support;

use std::time::Duration;

use support::cli::{Served, run_within, serve, serve_dnaforge, serve_suite_settings, wsconform};

const SESSIONS: usize = 20;

/// Fuzzes `protocol` on `url` (generated sessions, seed 1), asserting a passing run whose
/// summary lines say what ran.
fn fuzz_passes(protocol: &str, url: &str) {
    let out = tempfile::tempdir().unwrap();
    let mut command = wsconform();
    command
        .args([
            "fuzz",
            "--protocol",
            protocol,
            "--no-hostile",
            "--seed",
            "1",
        ])
        .args(["--cases", &SESSIONS.to_string()])
        .args(["--target", &format!("{protocol}={url}")])
        .args(["--write-to", &out.path().display().to_string()]);
    let finished = run_within(command, Duration::from_secs(240));
    let stdout = finished.stdout();
    assert_eq!(finished.code(), Some(0), "{}", finished.shown());
    let sessions = format!("{protocol}: {SESSIONS} generated session(s) run, seed 1, in ");
    assert!(stdout.contains(&sessions), "{}", finished.shown());
    assert!(stdout.contains("  properties: "), "{stdout}");
    assert!(
        stdout.contains(&format!("{protocol}: every property held")),
        "{stdout}"
    );
    assert!(!stdout.contains("panicked"), "{stdout}");
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "a passing run writes no failure"
    );
}

/// The served URL of `protocol`, from the `serve` helper the suite's served tests use.
fn started(protocol: &str) -> (Served, String) {
    let served = match protocol {
        "ark" | "jobber" => serve(),
        "dnaforge" => serve_dnaforge(None),
        other => serve_suite_settings(other),
    };
    let url = match protocol {
        "jobber" => served.jobber.clone(),
        _ => served.url.clone(),
    };
    (served, url)
}

#[test]
fn every_protocol_fuzzes_clean_against_a_separately_started_server() {
    for protocol in ["ark", "jobber", "emprops", "caas", "dnaforge"] {
        let (_served, url) = started(protocol);
        fuzz_passes(protocol, &url);
    }
}
