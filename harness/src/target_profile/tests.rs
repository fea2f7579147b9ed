use std::collections::BTreeMap;

use super::*;

const GOOD: &str = r#"
targets:
  jobber:
    url: http://127.0.0.1:3000/ws
    capabilities: [connect_error_data]
    vars: { token_a: a, token_b: b }
    dialect:
      - { id: wrap, reason: acks say ok, accept: extra_keys, in: acks, at: /args/0, keys: [status] }
time_scale: 2
jobs: 1
baseline: base.json
reports: { json: out/run.json }
"#;

#[test]
fn a_good_profile_parses_with_its_dialect() {
    let profile = TargetProfile::parse(GOOD, "p.yaml").expect("a profile");
    let jobber = &profile.targets["jobber"];
    assert_eq!(jobber.url, "http://127.0.0.1:3000/ws");
    assert_eq!(jobber.vars["token_a"], "a");
    assert_eq!(profile.time_scale, Some(2.0));
    assert_eq!(profile.dialects()["jobber"].deviations[0].id, "wrap");
}

#[test]
fn every_mistake_is_reported_at_once_with_the_nearest_key() {
    let text = r#"
targets:
  jobber:
    url: ftp://x
    capabilites: [a]
    dialect:
      - { id: w, reason: r, accept: extra_keys, keys: [status], where: acks }
time_scal: 2
jobs: 0
"#;
    let errors = TargetProfile::parse(text, "p.yaml").expect_err("mistakes");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(
        has("unknown key \"time_scal\" (did you mean \"time_scale\"?)"),
        "{lines:#?}"
    );
    assert!(
        has("$.targets.jobber: unknown key \"capabilites\" (did you mean \"capabilities\"?)"),
        "{lines:#?}"
    );
    assert!(has("$.targets.jobber.url"), "{lines:#?}");
    assert!(has("$.jobs"), "{lines:#?}");
    assert!(has("$.targets.jobber.dialect[0]"), "{lines:#?}");
    assert!(lines.len() >= 5, "{lines:#?}");
}

#[test]
fn protocols_and_capabilities_the_suite_does_not_know_are_mistakes() {
    let profile = TargetProfile::parse(
        "targets:\n  jober: {url: http://h:1}\n  ark: {url: http://h:2, capabilities: [short_heartbeat]}\n",
        "p.yaml",
    )
    .expect("the format is fine");
    let known = BTreeMap::from([
        (
            "ark".to_owned(),
            vec!["short_heartbeat_interval".to_owned()],
        ),
        ("jobber".to_owned(), vec![]),
    ]);
    let lines: Vec<String> = profile
        .check("p.yaml", &known)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        lines,
        vec![
            "p.yaml: $.targets.ark.capabilities[0]: no ark scenario knows the capability short_heartbeat (did you mean \"short_heartbeat_interval\"?)",
            "p.yaml: $.targets.jober: the suite has no protocol jober (did you mean \"jobber\"?)",
        ]
    );
}

#[test]
fn relative_paths_are_the_profile_folder_s() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("profile.yaml");
    std::fs::write(&path, GOOD).expect("written");
    let profile = TargetProfile::load(&path).expect("a profile");
    assert_eq!(profile.baseline, Some(dir.path().join("base.json")));
    assert_eq!(profile.reports["json"], dir.path().join("out/run.json"));
}

#[test]
fn the_example_profiles_pass() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/profiles");
    let mut seen = 0;
    for entry in std::fs::read_dir(&folder).expect("examples").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "yaml") {
            TargetProfile::load(&path).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            seen += 1;
        }
    }
    assert!(seen >= 2, "the example profiles are there");
}
