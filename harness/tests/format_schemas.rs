//! The JSON Schemas of the file formats (`schemas/`, shipped for editor completion) against the
//! files the project ships and against the harness's own parsers.
//!
//! - every `scenarios/**/*.yaml` passes `schemas/scenario.schema.json` (tags dropped: a tagged
//!   node is checked as its untagged value, as an editor sees it);
//! - each file of `tests/data/format/scenario-invalid/` is refused by the schema AND by the
//!   scenario parser, each for the reason its header names, so schema and parser agree;
//! - `tests/data/format/scenario-valid/every-step-kind.yaml`, which uses every step kind and
//!   expect mode, passes both; every action the parser knows has its step kind in the schema.
//!
//! What the schema cannot say (the action key first, actors and `${refs}` declared, the id's
//! protocol prefix) is the parser's alone and not compared here.

use crate::format_support;

use std::path::{Path, PathBuf};

use format_support::{
    failures_report, file_errors, load_schema, repo_root, schema_document, yaml_files, yaml_to_json,
};
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Scenario format
// ---------------------------------------------------------------------------------------------

const SCENARIO_SCHEMA: &str = "schemas/scenario.schema.json";

fn format_data(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/format")
        .join(folder)
}

#[test]
fn every_shipped_scenario_passes_the_scenario_schema() {
    let schema = load_schema(SCENARIO_SCHEMA);
    let files = yaml_files(&repo_root().join("scenarios"));
    // The suite has well over a hundred scenarios; far fewer means the walk went wrong.
    assert!(
        files.len() >= 100,
        "only {} scenario files found",
        files.len()
    );
    let report = failures_report(&schema, &files);
    assert!(
        report.is_empty(),
        "scenario files failing {SCENARIO_SCHEMA}:{report}"
    );
}

/// A fixture's header says why it is invalid: `# parser: <part of the parser's message>` and
/// `# schema: <part of one schema error line>`.
fn expected_reasons(text: &str) -> (String, String) {
    let header = |prefix: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(prefix))
            .map(|reason| reason.trim().to_owned())
            .unwrap_or_else(|| panic!("the fixture's header has no \"{prefix}\" line"))
    };
    (header("# parser:"), header("# schema:"))
}

#[test]
fn schema_and_parser_both_refuse_each_invalid_scenario_for_its_reason() {
    let schema = load_schema(SCENARIO_SCHEMA);
    let files = yaml_files(&format_data("scenario-invalid"));
    assert!(files.len() >= 5, "only {} invalid fixtures", files.len());
    let mut disagreements = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let (parser_reason, schema_reason) = expected_reasons(&text);
        let name = file.file_name().unwrap().to_string_lossy();
        match harness::scenario::parse_str(&text, file) {
            Ok(_) => disagreements.push(format!("{name}: the parser accepts it")),
            Err(e) if !e.message.contains(&parser_reason) => disagreements.push(format!(
                "{name}: the parser refuses it for another reason: {e}"
            )),
            Err(_) => {}
        }
        let errors = file_errors(&schema, file);
        if errors.is_empty() {
            disagreements.push(format!("{name}: the schema accepts it"));
        } else if !errors.iter().any(|e| e.contains(&schema_reason)) {
            disagreements.push(format!(
                "{name}: the schema refuses it for another reason: {errors:?}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn a_scenario_using_every_step_kind_passes_schema_and_parser() {
    let file = format_data("scenario-valid").join("every-step-kind.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let scenario = harness::scenario::parse_str(&text, &file)
        .unwrap_or_else(|e| panic!("the parser refuses it: {e}"));
    let errors = file_errors(&load_schema(SCENARIO_SCHEMA), &file);
    assert!(errors.is_empty(), "the schema refuses it: {errors:#?}");

    // It really uses every action the parser knows, so the schema is tried on each.
    let first_keys: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("- "))
        .filter_map(|item| item.split_once(':').map(|(key, _)| key))
        .collect();
    for action in harness::scenario::ACTIONS {
        assert!(first_keys.contains(action), "no \"{action}\" step in it");
    }
    assert!(scenario.numbered_steps().len() > scenario.steps.len());
}

#[test]
fn every_action_of_the_parser_has_a_step_kind_in_the_schema() {
    let schema = schema_document(SCENARIO_SCHEMA);
    let branches = schema["$defs"]["step"]["oneOf"].as_array().unwrap();
    let kinds: Vec<&str> = branches
        .iter()
        .filter_map(|b| b["$ref"].as_str()?.strip_prefix("#/$defs/"))
        .collect();
    for action in harness::scenario::ACTIONS {
        let named = kinds.iter().any(|kind| {
            let required = &schema["$defs"][kind]["required"];
            required
                .as_array()
                .is_some_and(|r| r.first() == Some(&json!(action)))
        });
        assert!(
            named,
            "no step kind of the schema requires \"{action}\" first"
        );
    }
}

#[test]
fn yaml_tags_come_through_as_their_untagged_values() {
    let text = "a: !uuid job\nb: !exact { x: 1 }\nc: !absent\nd: !binary \"00 01\"\n\
                e: !binary { length: 3 }\nf: [!one_of [1, 2]]\ng: yes\nh: 0x1F\n\
                i: !!str 12\nj: '7'\n0x10: k\nl: &m { n: 1 }\no: *m\n";
    let expected = json!({
        "a": "job", "b": { "x": 1 }, "c": null, "d": "00 01", "e": { "length": 3 },
        "f": [[1, 2]], "g": "yes", "h": 31, "i": "12", "j": "7", "0x10": "k",
        "l": { "n": 1 }, "o": { "n": 1 }
    });
    assert_eq!(yaml_to_json(text), Ok(expected));
    assert!(yaml_to_json("a: .inf").is_err());
    assert!(yaml_to_json("a: 1\n---\nb: 2").is_err());
}

/// The `yaml.customTags` of the README's settings snippet, e.g. `["!uuid scalar", …]`.
fn readme_custom_tags(readme: &str) -> Vec<String> {
    let snippet = readme
        .split("```json")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.contains("yaml.customTags"))
        .expect("scenarios/README.md has a settings snippet with yaml.customTags");
    let settings: serde_json::Value = serde_json::from_str(snippet).expect("the snippet is JSON");
    let tags = settings["yaml.customTags"]
        .as_array()
        .expect("a list of tags");
    tags.iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_readme_declares_every_pattern_tag_to_editors() {
    let readme = std::fs::read_to_string(repo_root().join("scenarios/README.md")).unwrap();
    let declared = readme_custom_tags(&readme);
    // Each declaration is a tag the parser takes on that kind of node.
    for declaration in &declared {
        let (tag, kind) = declaration.split_once(' ').unwrap();
        let samples = match kind {
            "scalar" => vec![tag.to_owned(), format!("{tag} x")],
            "sequence" => vec![format!("{tag} [1]")],
            "mapping" => vec![format!("{tag} {{}}")],
            other => panic!("{declaration}: unknown node kind {other}"),
        };
        let parses = |sample: &String| {
            harness::scenario::parse_pattern_str(sample, Path::new("README.md")).is_ok()
        };
        assert!(samples.iter().any(parses), "the parser refuses {samples:?}");
    }
    // Every tag of the README's pattern table is declared.
    let table_tags = readme
        .lines()
        .filter(|line| line.starts_with("| `!"))
        .flat_map(|line| {
            line.split('`')
                .skip(1)
                .step_by(2)
                .take_while(|t| t.starts_with('!'))
        })
        .map(|tag| tag.split([' ', ',']).next().unwrap().to_owned());
    for tag in table_tags {
        let known = declared
            .iter()
            .any(|d| d.split(' ').next() == Some(tag.as_str()));
        assert!(
            known,
            "{tag} is in the pattern table but not in yaml.customTags"
        );
    }
    // The modeline's relative path, from a scenario folder, reaches the schema.
    let modeline = repo_root().join("scenarios/ark/../../schemas/scenario.schema.json");
    assert!(readme.contains("$schema=../../schemas/scenario.schema.json"));
    assert!(modeline.is_file());
}

// ---------------------------------------------------------------------------------------------
// The target profile format.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_example_profile_passes_the_profile_schema_and_bad_ones_fail() {
    let schema = load_schema("schemas/target-profile.schema.json");
    let examples = yaml_files(&repo_root().join("examples/profiles"));
    assert!(examples.len() >= 2, "the example profiles are there");
    let report = failures_report(&schema, &examples);
    assert!(
        report.is_empty(),
        "example profiles fail their schema:{report}"
    );
    let bad = [
        "targets: {}",
        "targets: {jobber: {url: ftp://x}}",
        "targets: {jobber: {url: http://x, dialect: [{id: a, reason: r, accept: extra_keys}]}}",
        "targets: {jobber: {url: http://x}}\nreports: {pdf: out.pdf}",
    ];
    for text in bad {
        let file =
            std::env::temp_dir().join(format!("wsconform-bad-profile-{}.yaml", std::process::id()));
        std::fs::write(&file, text).unwrap();
        assert!(
            !file_errors(&schema, &file).is_empty(),
            "the schema accepts {text:?}"
        );
        assert!(
            harness::target_profile::TargetProfile::load(&file).is_err(),
            "the profile loader accepts {text:?}"
        );
        let _ = std::fs::remove_file(&file);
    }
}
