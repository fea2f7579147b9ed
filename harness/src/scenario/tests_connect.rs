//! The `connect` step's `at_once` flag: off unless written, read as a boolean, refused
//! otherwise.

use std::path::Path;

use super::model::Action;
use super::parse_str;

const HEAD: &str = "id: ark.t\ntitle: T\nprotocol: ark\nclause: c\nlevel: MUST\nactors:\n  a: {}\n  b: {}\nsteps:\n";

fn connect(step: &str) -> Result<(Vec<String>, bool), String> {
    let scenario = parse_str(&format!("{HEAD}{step}"), Path::new("t.yaml"))
        .map_err(|e| format!("{}: {}", e.location.line, e.message))?;
    match &scenario.steps[0].action {
        Action::Connect {
            actors, at_once, ..
        } => Ok((actors.clone(), *at_once)),
        other => Err(format!("not a connect: {other:?}")),
    }
}

#[test]
fn at_once_is_off_unless_written() {
    let ab = vec!["a".to_owned(), "b".to_owned()];
    assert_eq!(connect("  - connect: [a, b]\n"), Ok((ab.clone(), false)));
    assert_eq!(
        connect("  - connect: [a, b]\n    at_once: true\n"),
        Ok((ab.clone(), true))
    );
    assert_eq!(
        connect("  - connect: [a, b]\n    at_once: false\n"),
        Ok((ab, false))
    );
}

#[test]
fn at_once_is_a_boolean() {
    assert_eq!(
        connect("  - connect: [a, b]\n    at_once: yes please\n"),
        Err("11: \"at_once\" is true or false".to_owned())
    );
}
