//! `wsconform coverage` end to end: the shipped ark suite reaches its whole document (less the
//! exclusions its notes explain), one scenario reaches less and names what it missed, `--min`
//! gates, and the JSON report carries the figures.

use crate::support;

use support::cli::wsconform;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_ark_suite_exercises_all_of_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("coverage.json");
    let output = wsconform()
        .args(["coverage", "--protocol", "ark", "--report"])
        .arg(format!("json={}", report.display()))
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("ark: 100.0 % of the document exercised"),
        "{text}"
    );
    assert!(!text.contains("never exercised"), "{text}");
    assert!(
        text.contains("excluded, error_codes: PAYLOAD_TOO_LARGE"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let ark = &json["coverage"][0];
    assert_eq!(ark["protocol"], "ark");
    assert_eq!(ark["percent"], 100.0);
    let categories: Vec<&str> = ark["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        [
            "messages_received",
            "fields",
            "enum_values",
            "error_codes",
            "http"
        ]
    );
}

#[test]
fn one_scenario_exercises_less_and_names_what_it_never_exercised() {
    let output = wsconform()
        .args(["coverage", "--scenario", "ark.job.created"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(!text.contains("ark: 100.0 %"), "{text}");
    assert!(
        text.contains("never exercised, messages_received:"),
        "{text}"
    );
    assert!(text.contains("    agent:offline\n"), "{text}");
    assert!(text.contains("    jobType = SYNC_MODS\n"), "{text}");
    assert!(text.contains("    GET /jobs/{jobId} → 404\n"), "{text}");
    let gated = wsconform()
        .args(["coverage", "--scenario", "ark.job.created", "--min", "90"])
        .output()
        .unwrap();
    assert_eq!(gated.status.code(), Some(5), "{}", stdout(&gated));
    assert!(stdout(&gated).contains("coverage gate missed: ark"));
}
