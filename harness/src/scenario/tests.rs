//! Parser tests: whole scenarios, every error with its line and hint.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use super::model::{Action, BodyPattern, Expectation, Level, Outgoing};
use super::*;
use crate::matcher::{Kind, Pattern};

const HEAD: &str = "id: ark.t\ntitle: T\nprotocol: ark\nclause: c\nlevel: MUST\nactors:\n  alice: {}\n  bob: { query: { token: \"${run_id}\" } }\nsteps:\n";

fn parse(steps: &str) -> Result<Scenario, ScenarioError> {
    parse_str(&format!("{HEAD}{steps}"), Path::new("t.yaml"))
}

/// The error of a scenario whose steps (starting at line 10) are `steps`.
fn error(steps: &str) -> ScenarioError {
    match parse(steps) {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e,
    }
}

fn whole_error(text: &str) -> ScenarioError {
    match parse_str(text, Path::new("t.yaml")) {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e,
    }
}

fn pattern(text: &str) -> Pattern {
    match parse_pattern_str(text, Path::new("p.yaml")) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn pattern_error(text: &str) -> String {
    match parse_pattern_str(text, Path::new("p.yaml")) {
        Ok(p) => panic!("expected an error, got {p:?}"),
        Err(e) => e.to_string(),
    }
}

const README_EXAMPLE: &str = r#"id: ark.job.created                 # unique
title: Creating a job pushes job:created with the job's id, type and time
protocol: ark
clause: "ark.md §2 Job Events; DECISIONS ark table"
level: MUST
tags: [job]
requires: []
notes: [ark-N10]
timeout: 2s
actors:
  alice: {}
  bob: { query: { token: abc } }
steps:
  - connect: alice
  - http: POST /jobs
    body: { jobType: INSTALL_SERVER, parameters: {} }
    status: 201
    response: { jobId: !uuid job }
  - expect: alice
    message: { event: "job:created", data: { jobId: "${job}", createdAt: !iso8601 } }
"#;

#[test]
fn parses_the_readme_example() {
    let s = parse_str(README_EXAMPLE, Path::new("ex.yaml")).expect("parses");
    assert_eq!(s.id, "ark.job.created");
    assert_eq!(s.level, Level::Must);
    assert_eq!(s.tags, ["job"]);
    assert!(s.requires.is_empty());
    assert_eq!(s.notes, ["ark-N10"]);
    assert_eq!(s.timeout, Duration::from_secs(2));
    assert_eq!((s.location.line, s.location.column), (1, 1));
    assert_eq!(s.actors.len(), 2);
    assert_eq!(
        s.actors[1].query.get("token").map(String::as_str),
        Some("abc")
    );
    let lines: Vec<_> = s
        .steps
        .iter()
        .map(|st| (st.location.line, st.location.column))
        .collect();
    assert_eq!(lines, [(14, 5), (15, 5), (19, 5)]);
    let Action::Http(http) = &s.steps[1].action else {
        panic!("http")
    };
    assert_eq!(
        (http.method.as_str(), http.path.as_str(), http.status),
        ("POST", "/jobs", Some(201))
    );
    assert_eq!(
        http.body,
        Some(Outgoing::Json(
            json!({"jobType": "INSTALL_SERVER", "parameters": {}})
        ))
    );
    let job = Pattern::Typed {
        kind: Kind::Uuid,
        capture: Some("job".into()),
    };
    assert_eq!(
        http.response,
        Some(BodyPattern::Json(Pattern::Object {
            fields: vec![("jobId".into(), job)],
            exact: false
        }))
    );
    let Action::Expect {
        actors,
        expectation: Expectation::Next(p),
        timeout: None,
    } = &s.steps[2].action
    else {
        panic!("expect")
    };
    assert_eq!(actors, &["alice"]);
    assert_eq!(
        *p,
        pattern("{ event: \"job:created\", data: { jobId: \"${job}\", createdAt: !iso8601 } }")
    );
}

#[test]
fn parses_every_step_kind() {
    let s = parse(
        "  - connect: alice\n  - send: alice\n    message: { n: 1, f: 1.5, s: \"2\", b: true, z: null }\n  - send: alice\n    text: raw\n  - send: bob\n    binary: AB\n  - expect: [alice, bob]\n    mode: eventually\n    message: { a: 1 }\n    timeout: 250ms\n  - expect: alice\n    mode: unordered\n    messages: [{ a: 1 }, { a: 2 }]\n  - expect: bob\n    mode: absent\n    within: 1m\n  - http: GET /x/${run_id}\n    raw_body: hi\n    headers: { X-Run: \"${run_id}\" }\n  - sleep: 1.5s\n  - expect_close: alice\n    code: 4001\n    timeout: 3s\n  - disconnect: bob\n",
    )
    .expect("parses");
    let actions: Vec<_> = s.steps.iter().map(|st| &st.action).collect();
    assert!(
        matches!(actions[1], Action::Send { frame: Outgoing::Json(v), .. } if *v == json!({"n": 1, "f": 1.5, "s": "2", "b": true, "z": null}))
    );
    assert!(
        matches!(actions[1], Action::Send { frame: Outgoing::Json(v), .. } if v["n"].is_i64() && v["f"].is_f64())
    );
    assert!(matches!(actions[2], Action::Send { frame: Outgoing::Text(t), .. } if t == "raw"));
    assert!(matches!(actions[3], Action::Send { frame: Outgoing::Binary(b), .. } if b == b"AB"));
    assert!(
        matches!(actions[4], Action::Expect { actors, expectation: Expectation::Eventually(_), timeout: Some(t) } if actors.len() == 2 && *t == Duration::from_millis(250))
    );
    assert!(
        matches!(actions[5], Action::Expect { expectation: Expectation::Unordered(ps), .. } if ps.len() == 2)
    );
    assert!(
        matches!(actions[6], Action::Expect { expectation: Expectation::Absent { pattern: None, within }, .. } if *within == Duration::from_secs(60))
    );
    assert!(
        matches!(actions[7], Action::Http(h) if h.body == Some(Outgoing::Text("hi".into())) && h.headers["X-Run"] == "${run_id}")
    );
    assert!(matches!(actions[8], Action::Sleep(d) if *d == Duration::from_millis(1500)));
    assert!(matches!(
        actions[9],
        Action::ExpectClose {
            code: Some(4001),
            timeout: Some(_),
            ..
        }
    ));
    assert!(matches!(actions[10], Action::Disconnect { actor } if actor == "bob"));
}

#[test]
fn durations() {
    assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
    assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
    assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
    assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
    for bad in ["", "2", "s", "-1s", "1.2.3s", "1h", "ms", ".s", "1 s x"] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}

/// (steps, line, message, hint) for errors inside steps; steps start at line 10.
const STEP_ERRORS: &[(&str, usize, &str, Option<&str>)] = &[
    (
        "  - expct: alice\n",
        10,
        "unknown step action \"expct\"",
        Some("did you mean \"expect\"?"),
    ),
    (
        "  - message: {}\n    expect: alice\n",
        10,
        "a step starts with its action; move \"expect\" first",
        None,
    ),
    (
        "  - connect: alise\n",
        10,
        "unknown actor \"alise\"",
        Some("did you mean \"alice\"?"),
    ),
    (
        "  - connect: alice\n  - expect: [alice, bobb]\n    message: {}\n",
        11,
        "unknown actor \"bobb\"",
        Some("did you mean \"bob\"?"),
    ),
    (
        "  - connect: alice\n    mesage: {}\n",
        11,
        "unknown field \"mesage\" in a connect step",
        None,
    ),
    (
        "  - expect: alice\n    mesage: {}\n",
        11,
        "unknown field \"mesage\" in an expect step",
        Some("did you mean \"message\"?"),
    ),
    (
        "  - expect: alice\n    mode: eventualy\n    message: {}\n",
        11,
        "unknown mode \"eventualy\"",
        Some("did you mean \"eventually\"?"),
    ),
    (
        "  - expect: alice\n",
        10,
        "missing required field \"message\"",
        None,
    ),
    (
        "  - expect: alice\n    mode: unordered\n    message: {}\n",
        12,
        "\"message\" is not used with mode unordered; use \"messages\"",
        None,
    ),
    (
        "  - expect: alice\n    mode: unordered\n",
        10,
        "missing required field \"messages\"",
        None,
    ),
    (
        "  - expect: alice\n    mode: unordered\n    messages: []\n",
        12,
        "\"messages\" must be a non-empty list of patterns",
        None,
    ),
    (
        "  - expect: alice\n    mode: absent\n",
        10,
        "missing required field \"within\"",
        None,
    ),
    (
        "  - expect: alice\n    message: {}\n    within: 1s\n",
        12,
        "\"within\" is only used with mode absent",
        None,
    ),
    (
        "  - expect: alice\n    messages: [{}]\n",
        11,
        "\"messages\" is only used with mode unordered; use \"message\"",
        None,
    ),
    (
        "  - expect: alice\n    mode: absent\n    within: 1s\n    timeout: 1s\n",
        13,
        "\"timeout\" is not used with mode absent; the window is \"within\"",
        None,
    ),
    (
        "  - expect: alice\n    message: {}\n    timeout: soon\n",
        12,
        "\"timeout\" is not a duration: \"soon\"",
        Some("write it like 250ms, 2s, 1.5s or 1m"),
    ),
    (
        "  - http: GTE /x\n",
        10,
        "unknown HTTP method \"GTE\"",
        Some("did you mean \"GET\"?"),
    ),
    (
        "  - http: FETCH /x\n",
        10,
        "unknown HTTP method \"FETCH\"",
        None,
    ),
    (
        "  - http: post /x\n",
        10,
        "unknown HTTP method \"post\"",
        Some("did you mean \"POST\"?"),
    ),
    (
        "  - http: GET x\n",
        10,
        "the path \"x\" must start with /",
        None,
    ),
    (
        "  - http: GET\n",
        10,
        "\"http: GET\" must be METHOD /path",
        None,
    ),
    (
        "  - http: GET /x\n    status: 99\n",
        11,
        "\"status\" must be an integer from 100 to 599",
        None,
    ),
    (
        "  - http: POST /x\n    body: { a: !uuid }\n",
        11,
        "pattern tags are not allowed in a value to send",
        None,
    ),
    (
        "  - http: POST /x\n    body: {}\n    raw_body: x\n",
        10,
        "an http step takes \"body\" or \"raw_body\", not both",
        None,
    ),
    (
        "  - send: alice\n    message: [!any]\n",
        11,
        "pattern tags are not allowed in a value to send",
        None,
    ),
    (
        "  - send: alice\n",
        10,
        "a send step needs one of \"message\", \"text\" or \"binary\"",
        None,
    ),
    (
        "  - send: alice\n    text: a\n    binary: b\n",
        10,
        "a send step takes only one of \"message\", \"text\" or \"binary\"",
        None,
    ),
    (
        "  - sleep: 5\n",
        10,
        "\"sleep\" is not a duration: \"5\"",
        Some("write it like 250ms, 2s, 1.5s or 1m"),
    ),
    (
        "  - expect_close: alice\n    code: 70000\n",
        11,
        "\"code\" must be an integer from 1000 to 4999",
        None,
    ),
    (
        "  - {}\n",
        10,
        "a step is empty; it starts with its action, e.g. \"connect: A\"",
        None,
    ),
    (
        "  - connect\n",
        10,
        "a step must be a map, not a scalar",
        None,
    ),
    (
        "  - connect: alice\n  - expect: alice\n    message: { id: \"${jb}\" }\n  - http: GET /x\n    response: { id: !capture job }\n",
        11,
        "${jb} is used before any step captures \"jb\"",
        None,
    ),
    (
        "  - expect: alice\n    message: { id: \"${job}\" }\n  - expect: alice\n    message: { id: !uuid job }\n",
        10,
        "${job} is used before any step captures \"job\"",
        None,
    ),
    (
        "  - expect: alice\n    message: { a: !capture job, b: \"${job}\" }\n",
        10,
        "${job} is used before any step captures \"job\"",
        None,
    ),
    (
        "  - http: GET /x\n    response: { id: !capture job }\n  - send: alice\n    message: { id: \"${jobb}\" }\n",
        12,
        "${jobb} is used before any step captures \"jobb\"",
        Some("did you mean \"job\"?"),
    ),
    (
        "  - http: GET /x/${nope}\n",
        10,
        "${nope} is used before any step captures \"nope\"",
        None,
    ),
    (
        "  - connect: alice\n    connect: bob\n",
        11,
        "duplicate key \"connect\"",
        None,
    ),
];

#[test]
fn step_errors_have_their_line_and_hint() {
    for (steps, line, message, hint) in STEP_ERRORS {
        let e = error(steps);
        assert_eq!(
            (e.location.line, e.message.as_str(), e.hint.as_deref()),
            (*line, *message, *hint),
            "for steps:\n{steps}"
        );
        assert_eq!(e.location.file, Path::new("t.yaml"));
    }
}

#[test]
fn references_to_earlier_captures_and_builtins_are_fine() {
    let s = parse(
        "  - http: POST /jobs/${run_id}\n    response: { jobId: !uuid job, list: [!one_of [!capture other, 1]] }\n  - connect: bob\n  - send: bob\n    message: { id: \"${job}\", o: \"x-${other}\" }\n  - expect: bob\n    message: { id: \"${job}\" }\n",
    );
    assert!(s.is_ok(), "{s:?}");
}

#[test]
fn metadata_errors() {
    let cases: &[(&str, usize, usize, &str, Option<&str>)] = &[
        ("", 1, 1, "the file is empty", None),
        ("- a\n", 1, 1, "a scenario must be a map, not a list", None),
        (
            "id: ark.x\n",
            1,
            1,
            "missing required field \"title\"",
            None,
        ),
        ("title: t\n", 1, 1, "missing required field \"id\"", None),
        (
            "id: ark.x\ntitel: t\n",
            2,
            1,
            "unknown field \"titel\" in a scenario",
            Some("did you mean \"title\"?"),
        ),
        ("id: ark.x\nid: ark.y\n", 2, 1, "duplicate key \"id\"", None),
        ("a: [1\n", 2, 1, "YAML syntax error: ", None),
        (
            "a: 1\n---\nb: 2\n",
            2,
            1,
            "a scenario file holds one YAML document",
            None,
        ),
    ];
    for (text, line, column, message, hint) in cases {
        let e = whole_error(text);
        assert_eq!(
            (e.location.line, e.location.column),
            (*line, *column),
            "{text}: {e}"
        );
        assert!(e.message.starts_with(message), "{text}: {e}");
        assert_eq!(e.hint.as_deref(), *hint, "{text}");
    }
    let base = HEAD.replace("level: MUST", "level: must");
    let e = whole_error(&format!("{base}  - connect: alice\n"));
    assert_eq!(
        (e.location.line, e.message.as_str()),
        (5, "unknown level \"must\"")
    );
    assert_eq!(e.hint.as_deref(), Some("did you mean \"MUST\"?"));
    let base = HEAD.replace("id: ark.t", "id: jobber.t");
    let e = whole_error(&format!("{base}  - connect: alice\n"));
    assert_eq!(
        (e.location.line, e.message.as_str()),
        (1, "the id \"jobber.t\" must start with \"ark.\"")
    );
    let e = whole_error(&HEAD.replace("steps:\n", "steps: []\n"));
    assert_eq!(
        (e.location.line, e.message.as_str()),
        (9, "\"steps\" is empty")
    );
    let e = whole_error(&HEAD.replace("  bob: { query", "  bob: { qery"));
    assert_eq!(
        (e.location.line, e.hint.as_deref()),
        (8, Some("did you mean \"query\"?"))
    );
    let e = whole_error(&format!(
        "{}  - connect: alice\n",
        HEAD.replace("title: T", "title: [T]")
    ));
    assert_eq!(
        (e.location.line, e.message.as_str()),
        (2, "\"title\" must be a string, not a list")
    );
}

#[test]
fn display_is_file_line_col_message_hint() {
    let e = error("  - expct: alice\n");
    assert_eq!(
        e.to_string(),
        "t.yaml:10:5: unknown step action \"expct\" (did you mean \"expect\"?)"
    );
}

fn typed(kind: Kind, capture: Option<&str>) -> Pattern {
    Pattern::Typed {
        kind,
        capture: capture.map(str::to_owned),
    }
}

#[test]
fn every_tag_parses() {
    let kinds = [
        ("any", Kind::Any),
        ("null", Kind::Null),
        ("string", Kind::String),
        ("number", Kind::Number),
        ("integer", Kind::Integer),
        ("boolean", Kind::Boolean),
        ("object", Kind::Object),
        ("array", Kind::Array),
        ("uuid", Kind::Uuid),
        ("iso8601", Kind::Iso8601),
        ("unix_millis", Kind::UnixMillis),
    ];
    for (tag, kind) in kinds {
        assert_eq!(pattern(&format!("!{tag}")), typed(kind, None));
        assert_eq!(pattern(&format!("!{tag} x_1")), typed(kind, Some("x_1")));
        assert_eq!(
            pattern(&format!("{{ k: !{tag} }}")),
            Pattern::Object {
                fields: vec![("k".into(), typed(kind, None))],
                exact: false
            }
        );
    }
    assert_eq!(pattern("!capture job"), typed(Kind::Any, Some("job")));
    assert_eq!(pattern("!absent"), Pattern::Absent);
    assert!(matches!(pattern("!regex '^a+$'"), Pattern::Regex(re) if re.0.as_str() == "^a+$"));
    assert_eq!(
        pattern("!one_of [A, 1]"),
        Pattern::OneOf(vec![Pattern::String("A".into()), Pattern::Number(1.into())])
    );
    assert_eq!(
        pattern("!range { min: 0, max: 1.5 }"),
        Pattern::Range {
            min: Some(0.0),
            max: Some(1.5)
        }
    );
    assert_eq!(
        pattern("!range { max: 3 }"),
        Pattern::Range {
            min: None,
            max: Some(3.0)
        }
    );
    assert_eq!(
        pattern("!len { min: 1 }"),
        Pattern::Len {
            min: Some(1),
            max: None
        }
    );
    assert_eq!(
        pattern("!contains [!uuid, 2]"),
        Pattern::Contains(vec![typed(Kind::Uuid, None), Pattern::Number(2.into())])
    );
    assert_eq!(
        pattern("!exact { a: 1 }"),
        Pattern::Object {
            fields: vec![("a".into(), Pattern::Number(1.into()))],
            exact: true
        }
    );
    assert_eq!(
        pattern("[1, \"1\", '2', ~, true, 2.5]"),
        Pattern::Array(vec![
            Pattern::Number(1.into()),
            Pattern::String("1".into()),
            Pattern::String("2".into()),
            Pattern::Null,
            Pattern::Bool(true),
            Pattern::Number(serde_json::Number::from_f64(2.5).expect("finite")),
        ])
    );
    assert_eq!(pattern("!!str 12"), Pattern::String("12".into()));
    assert_eq!(
        pattern("!lacks \"${job}\""),
        Pattern::Mentions {
            inner: Box::new(Pattern::String("${job}".into())),
            present: false
        }
    );
    assert_eq!(
        pattern("!mentions { id: 1 }"),
        Pattern::Mentions {
            inner: Box::new(Pattern::Object {
                fields: vec![("id".into(), Pattern::Number(1.into()))],
                exact: false
            }),
            present: true
        }
    );
}

#[test]
fn tag_errors() {
    let cases = [
        (
            "!uuuid",
            "p.yaml:1:1: unknown tag !uuuid (did you mean \"uuid\"?)",
        ),
        (
            "{ a: !rang { min: 1 } }",
            "p.yaml:1:6: unknown tag !rang (did you mean \"range\"?)",
        ),
        ("!capture", "p.yaml:1:1: !capture needs a capture name"),
        (
            "!uuid 'a b'",
            "p.yaml:1:1: capture name \"a b\" must be letters, digits and _",
        ),
        (
            "!uuid [a]",
            "p.yaml:1:1: !uuid takes a capture name, not a list",
        ),
        ("!absent x", "p.yaml:1:1: !absent takes no value"),
        (
            "!lacks { id: !uuid job }",
            "p.yaml:1:1: !lacks cannot capture",
        ),
        ("!regex '('", "p.yaml:1:1: invalid regular expression"),
        (
            "!one_of []",
            "p.yaml:1:1: !one_of takes a non-empty list of patterns",
        ),
        (
            "!contains {}",
            "p.yaml:1:1: !contains takes a list of patterns",
        ),
        ("!exact [1]", "p.yaml:1:1: !exact takes a map of patterns"),
        (
            "!range 3",
            "p.yaml:1:1: !range takes a map { min: number, max: number }",
        ),
        (
            "!range { min: 3, max: 1 }",
            "p.yaml:1:1: min is greater than max",
        ),
        (
            "!range { mn: 3 }",
            "p.yaml:1:10: unknown bound \"mn\" (did you mean \"min\"?)",
        ),
        (
            "!range { min: a }",
            "p.yaml:1:15: min must be a number (a count for !len)",
        ),
        (
            "!len { min: -1 }",
            "p.yaml:1:13: min must be a number (a count for !len)",
        ),
        (
            "!len { max: 1.5 }",
            "p.yaml:1:13: max must be a number (a count for !len)",
        ),
        ("a: .inf", "p.yaml:1:4: .inf is not a JSON number"),
        ("!<tag:x> 1", "p.yaml:1:1: unknown tag"),
    ];
    for (text, expected) in cases {
        let got = pattern_error(text);
        assert!(got.starts_with(expected), "{text}: {got}");
    }
}

#[test]
fn load_dir_parses_every_yaml_file_sorted_and_collects_errors() {
    let dir = std::env::temp_dir().join(format!("wsconform-load-dir-{}", std::process::id()));
    let nested = dir.join("b");
    std::fs::create_dir_all(&nested).expect("temp dir");
    let good = format!("{HEAD}  - connect: alice\n");
    let files = [
        (dir.join("z.yml"), good.replace("ark.t", "ark.z")),
        (nested.join("a.yaml"), good.replace("ark.t", "ark.a")),
        (dir.join("bad.yaml"), "id: ark.x\n".to_owned()),
        (dir.join("notes.md"), "not yaml: [".to_owned()),
    ];
    for (path, text) in &files {
        std::fs::write(path, text).expect("write");
    }
    let (scenarios, errors) = load_dir(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let ids: Vec<_> = scenarios.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["ark.a", "ark.z"]);
    // bad.yaml lacks `title` (the metadata stops there) and `steps`: two errors, one file.
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e.location.file == dir.join("bad.yaml"))
    );
    let (none, errors) = load_dir(&dir.join("missing"));
    assert!(none.is_empty());
    assert!(errors[0].message.starts_with("cannot read the directory"));
}

#[test]
fn repeat_builds_a_long_frame_and_rejects_nonsense() {
    let head = "id: p.x\ntitle: t\nprotocol: p\nclause: c\nlevel: MUST\nactors: { a: {} }\nsteps:\n  - connect: a\n";
    let parse = |step: &str| parse_str(&format!("{head}{step}"), Path::new("r.yaml"));
    let scenario = parse("  - send: a\n    text: \"ab\"\n    repeat: 3\n").expect("repeat parses");
    assert!(
        matches!(&scenario.steps[1].action, Action::Send { frame: Outgoing::Text(t), .. } if t == "ababab")
    );
    let zero =
        parse("  - send: a\n    text: \"ab\"\n    repeat: 0\n").expect_err("repeat 0 is refused");
    assert_eq!(zero.location.line, 11, "{zero}");
    assert!(parse("  - send: a\n    message: {}\n    repeat: 2\n").is_err());
    assert!(parse("  - send: a\n    text: \"ab\"\n    repeat: 999999999999\n").is_err());
}

#[test]
fn socketio_steps_parse_with_their_labels_and_places() {
    let text = "id: p.x\ntitle: t\nprotocol: p\nclause: c\nlevel: MUST\n\
        actors: { a: { auth: { customerToken: tok } }, b: {} }\nsteps:\n\
        \x20 - connect: a\n\
        \x20 - connect: b\n    refused: true\n\
        \x20 - emit: a\n    event: send_job\n    args: [ { name: \"j-${run_id}\" } ]\n    ack: sent\n\
        \x20 - expect: a\n    ack: sent\n    args: [ { jobId: !uuid job } ]\n\
        \x20 - expect: a\n    message: { event: work_request, ackId: !integer req }\n\
        \x20 - ack: a\n    to: \"${req}\"\n    args: [ { ok: \"${job}\" } ]\n";
    let scenario = parse_str(text, Path::new("s.yaml")).expect("socket.io steps parse");
    assert!(matches!(
        &scenario.steps[1].action,
        Action::Connect { refused: true, .. }
    ));
    let Action::Emit(emit) = &scenario.steps[2].action else {
        panic!("emit")
    };
    assert_eq!(
        (emit.event.as_str(), emit.ack.as_deref()),
        ("send_job", Some("sent"))
    );
    assert_eq!(emit.args, vec![json!({"name": "j-${run_id}"})]);
    assert!(
        matches!(&scenario.steps[3].action, Action::Expect { expectation: Expectation::Ack { label, .. }, .. } if label == "sent")
    );
    assert!(matches!(&scenario.steps[5].action, Action::AckReply { to, .. } if to == "${req}"));
    assert_eq!(scenario.steps[5].location.line, 20);
}

#[test]
fn an_ack_expectation_needs_an_earlier_labelled_emit() {
    let text = "id: p.x\ntitle: t\nprotocol: p\nclause: c\nlevel: MUST\nactors: { a: {} }\nsteps:\n\
        \x20 - connect: a\n\
        \x20 - emit: a\n    event: e\n    ack: sent\n\
        \x20 - expect: a\n    ack: snt\n    args: []\n";
    let error = parse_str(text, Path::new("s.yaml")).expect_err("unknown label");
    assert_eq!(error.location.line, 12, "{error}");
    assert!(
        error.to_string().contains("did you mean \"sent\""),
        "{error}"
    );
    let bad_args = text.replace("args: []", "args: {}").replace("snt", "sent");
    assert!(parse_str(&bad_args, Path::new("s.yaml")).is_err());
}

#[test]
fn binary_patterns_match_the_view_and_binary_sends_are_hex() {
    let Pattern::Object { fields, exact } = pattern("!binary { length: 3, header: { t: a } }")
    else {
        panic!("an object pattern");
    };
    assert!(exact, "a binary value is its view and nothing else");
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].0, "$binary");
    assert!(matches!(pattern("!binary"), Pattern::Object { .. }));
    let e = pattern_error("!binary { lenght: 3 }");
    assert!(e.contains("!binary has no \"lenght\""), "{e}");
    assert!(pattern_error("!binary [1]").contains("!binary takes a map"));
    let s = parse(
        "  - connect: alice\n  - emit: alice\n    event: up\n    args: [ !binary \"00 ff\" ]\n",
    )
    .expect("a valid emit");
    let Action::Emit(emit) = &s.steps[1].action else {
        panic!("an emit");
    };
    assert_eq!(emit.args, vec![json!({"$binary": {"hex": "00 ff"}})]);
    let e =
        error("  - connect: alice\n  - emit: alice\n    event: up\n    args: [ !binary \"0g\" ]\n");
    assert!(e.to_string().contains("is not hex"), "{e}");
}
