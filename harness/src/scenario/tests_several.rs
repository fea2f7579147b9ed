//! A file with several mistakes reports all of them (after its YAML parses), each at its line.

use std::path::Path;

use super::*;

const SEVERAL: &str = r#"id: ark.several
title: T
protocol: ark
clause: c
level: MUST
priority: high
actors:
  alice: {}
steps:
  - connect: alice
  - expect: alice
    message: { event: x, n: !strin }
  - expect: alice
    message: { event: y, id: "${job}" }
  - expect: bobby
    message: { event: z }
  - expect: alice
    message: { event: w, again: "${job}" }
"#;

fn messages(errors: &[ScenarioError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.location.line, e.message))
        .collect()
}

#[test]
fn unknown_key_bad_tag_unknown_actor_and_missing_capture_are_all_reported() {
    let errors = parse_str_all(SEVERAL, Path::new("s.yaml")).expect_err("four mistakes");
    let shown = messages(&errors);
    assert_eq!(shown.len(), 4, "{shown:#?}");
    assert!(
        shown[0].starts_with("6: unknown field \"priority\""),
        "{shown:#?}"
    );
    assert!(
        shown[1].starts_with("12:") && shown[1].contains("strin"),
        "{shown:#?}"
    );
    assert_eq!(
        shown[2],
        "13: ${job} is used before any step captures \"job\""
    );
    assert_eq!(shown[3], "15: unknown actor \"bobby\"");
    // The one-error form gives the first, as before.
    let first = parse_str(SEVERAL, Path::new("s.yaml")).expect_err("an error");
    assert_eq!(first, errors[0]);
}

#[test]
fn a_step_that_does_not_parse_does_not_make_its_captures_later_errors() {
    let text = r#"id: ark.broken_capture
title: T
protocol: ark
clause: c
level: MUST
actors:
  alice: {}
steps:
  - connect: alice
  - expect: alice
    mode: sometimes
    message: { event: created, id: !uuid job }
  - expect: alice
    message: { event: done, id: "${job}" }
"#;
    let errors = parse_str_all(text, Path::new("b.yaml")).expect_err("a bad mode");
    let shown = messages(&errors);
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert!(shown[0].contains("sometimes"), "{shown:#?}");
}

#[test]
fn wrong_metadata_still_lets_the_steps_be_checked_for_parse_errors() {
    let text = "id: ark.m\ntitle: T\nprotocol: ark\nclause: c\nlevel: MUSTY\nactors: { a: {} }\nsteps:\n  - conect: a\n";
    let errors = parse_str_all(text, Path::new("m.yaml")).expect_err("two mistakes");
    let shown = messages(&errors);
    assert_eq!(shown.len(), 2, "{shown:#?}");
    assert!(shown[0].starts_with("5: unknown level"), "{shown:#?}");
    assert!(shown[1].starts_with("8:"), "{shown:#?}");
}
