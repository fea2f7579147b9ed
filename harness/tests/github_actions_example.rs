//! The GitHub Actions example (`examples/github-actions/`) as a user copies it: its target
//! profile passes the profile schema, the profile loader and the suite's checks (protocols,
//! capabilities); its baseline is a baseline the harness reads, naming scenarios and steps the
//! suite has, each with a reason; its workflow is YAML that starts the server as a service
//! container with a health check, runs `wsconform run --profile` with the Markdown summary in
//! the job summary, and uploads the reports the run writes even when the run failed.
//!
//! Not checked here: that GitHub accepts the workflow (no runner reaches GitHub from here; the
//! README of the example says how it was linted) and the placeholder image.

use crate::format_support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use format_support::{failures_report, load_schema, repo_root, yaml_to_json};
use harness::report::baseline::{Baseline, REASON_TO_WRITE};
use harness::target_profile::TargetProfile;
use serde_json::Value;

/// The folder of the example.
fn example(file: &str) -> PathBuf {
    repo_root().join("examples/github-actions").join(file)
}

/// The shipped scenarios, all of them.
fn suite() -> Vec<harness::scenario::model::Scenario> {
    let (scenarios, errors) = harness::scenario::load_dir(&repo_root().join("scenarios"));
    assert!(errors.is_empty(), "the suite loads: {errors:?}");
    scenarios
}

#[test]
fn the_example_profile_passes_the_schema_the_loader_and_the_suites_checks() {
    let profile_file = example("target.yaml");
    let schema = load_schema("schemas/target-profile.schema.json");
    let report = failures_report(&schema, std::slice::from_ref(&profile_file));
    assert!(
        report.is_empty(),
        "the example profile fails its schema:{report}"
    );
    let profile = TargetProfile::load(&profile_file).unwrap_or_else(|e| panic!("{e:?}"));
    // As `run --profile` checks it: every protocol and capability known to the suite.
    let mut known: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for scenario in suite() {
        known
            .entry(scenario.protocol.clone())
            .or_default()
            .extend(scenario.requires.iter().cloned());
    }
    let errors = profile.check("target.yaml", &known);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(profile.targets.contains_key("jobber"));
    assert_eq!(profile.baseline, Some(example("target.baseline.json")));
}

#[test]
fn the_example_baseline_names_steps_the_suite_has_each_with_a_reason() {
    let text = std::fs::read_to_string(example("target.baseline.json")).unwrap();
    let baseline: Baseline = serde_json::from_str(&text).unwrap();
    assert!(!baseline.known.is_empty(), "an example shows entries");
    let scenarios = suite();
    for entry in &baseline.known {
        let scenario = scenarios
            .iter()
            .find(|s| s.id == entry.scenario)
            .unwrap_or_else(|| panic!("no scenario {}", entry.scenario));
        if let Some(step) = entry.step {
            let steps = scenario.numbered_steps().len();
            assert!(
                (1..=steps).contains(&step),
                "{}: step {step} of {steps}",
                entry.scenario
            );
        }
        assert!(
            !entry.reason.is_empty() && entry.reason != REASON_TO_WRITE,
            "{}: a reason people wrote",
            entry.scenario
        );
    }
}

/// The workflow as JSON, and its one job.
fn workflow() -> (Value, Value) {
    let text = std::fs::read_to_string(example("conformance.yml")).unwrap();
    let workflow = yaml_to_json(&text).unwrap_or_else(|e| panic!("conformance.yml: {e}"));
    let jobs = workflow["jobs"].as_object().expect("jobs");
    assert_eq!(jobs.len(), 1, "one job");
    let job = jobs.values().next().unwrap().clone();
    (workflow, job)
}

/// The steps of `job` for which `matches(uses, run)` holds (each empty when absent).
fn steps(job: &Value, matches: impl Fn(&str, &str) -> bool) -> Vec<&Value> {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter(|s| {
            matches(
                s["uses"].as_str().unwrap_or(""),
                s["run"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

#[test]
fn the_workflow_starts_the_server_as_a_healthy_service_container() {
    let (workflow, job) = workflow();
    assert!(workflow["on"].is_object(), "triggers");
    let services = job["services"].as_object().expect("a services: container");
    let (_, service) = services.iter().next().unwrap();
    assert_eq!(
        service["image"],
        "ghcr.io/your-org/your-jobber-server:latest"
    );
    assert!(service["ports"][0].as_str().unwrap().ends_with(":3000"));
    let options = service["options"].as_str().unwrap();
    assert!(options.contains("--health-cmd") && options.contains("--health-retries"));
    let profile = TargetProfile::load(&example("target.yaml")).unwrap();
    assert!(
        profile.targets["jobber"].url.contains("127.0.0.1:3000"),
        "the profile targets the service's published port"
    );
    assert!(!steps(&job, |uses, _| uses.starts_with("actions/checkout@")).is_empty());
    let install = steps(&job, |_, run| run.contains("cargo install --locked --path"));
    assert_eq!(
        install.len(),
        1,
        "wsconform is built from a pinned checkout"
    );
}

/// The paths of `--report kind=path` in `command`, by kind.
fn reports(command: &str) -> BTreeMap<&str, &str> {
    command
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|pair| pair[0] == "--report")
        .filter_map(|pair| pair[1].split_once('='))
        .collect()
}

#[test]
fn the_workflow_runs_the_profile_writes_the_summary_and_uploads_the_reports() {
    let (_, job) = workflow();
    let runs = steps(&job, |_, run| run.contains("wsconform run"));
    assert_eq!(runs.len(), 1);
    let command = runs[0]["run"].as_str().unwrap();
    assert!(
        command.contains("wsconform run --profile ci/target.yaml"),
        "{command}"
    );
    let written = reports(command);
    assert_eq!(
        written.get("markdown"),
        Some(&"\"$GITHUB_STEP_SUMMARY\""),
        "{command}"
    );
    assert!(
        written.contains_key("html") && written.contains_key("json"),
        "{command}"
    );

    let uploads = steps(&job, |uses, _| {
        uses.starts_with("actions/upload-artifact@v4")
    });
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0]["if"], "always()", "kept when the run fails");
    let uploaded: Vec<&str> = uploads[0]["with"]["path"]
        .as_str()
        .unwrap()
        .lines()
        .collect();
    for kind in ["html", "json", "junit"] {
        let path = written
            .get(kind)
            .unwrap_or_else(|| panic!("no {kind} report"));
        assert!(
            uploaded.contains(path),
            "{path} written and uploaded: {uploaded:?}"
        );
    }
}
