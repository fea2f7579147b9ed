//! Matcher tests: every pattern kind, mismatch paths and captures.

use serde_json::{Value, json};

use super::*;

/// 2024-01-01T00:00:00Z in milliseconds.
const NOW: i64 = 1_704_067_200_000;

fn typed(kind: Kind, capture: Option<&str>) -> Pattern {
    Pattern::Typed {
        kind,
        capture: capture.map(str::to_owned),
    }
}

fn obj(fields: &[(&str, Pattern)]) -> Pattern {
    Pattern::Object {
        fields: fields
            .iter()
            .map(|(k, p)| ((*k).to_owned(), p.clone()))
            .collect(),
        exact: false,
    }
}

fn s(text: &str) -> Pattern {
    Pattern::String(text.to_owned())
}

fn ok(pattern: &Pattern, actual: Value) -> Captures {
    match matches_at(pattern, &actual, &Captures::new(), NOW) {
        Ok(c) => c,
        Err(e) => panic!("{} should match {actual}: {e}", describe(pattern)),
    }
}

fn mismatch(pattern: &Pattern, actual: Value, captures: &Captures) -> Mismatch {
    match matches_at(pattern, &actual, captures, NOW) {
        Err(MatchError::Mismatch(m)) => m,
        other => panic!("{} should not match {actual}: {other:?}", describe(pattern)),
    }
}

fn rejects(pattern: &Pattern, actual: Value) {
    mismatch(pattern, actual, &Captures::new());
}

#[test]
fn kinds() {
    let table: &[(Kind, &[Value], &[Value])] = &[
        (Kind::Any, &[json!(null), json!(1), json!({})], &[]),
        (Kind::Null, &[json!(null)], &[json!(0), json!("")]),
        (
            Kind::String,
            &[json!(""), json!("a")],
            &[json!(1), json!(null)],
        ),
        (Kind::Number, &[json!(1), json!(-1.5)], &[json!("1")]),
        (
            Kind::Integer,
            &[json!(1), json!(2.0), json!(u64::MAX)],
            &[json!(1.5), json!("1")],
        ),
        (Kind::Boolean, &[json!(true)], &[json!(0)]),
        (Kind::Object, &[json!({})], &[json!([])]),
        (Kind::Array, &[json!([])], &[json!({})]),
        (
            Kind::Uuid,
            &[
                json!("67e55044-10b1-426f-9247-bb680e5fe0c8"),
                json!("67E55044-10B1-426F-9247-BB680E5FE0C8"),
            ],
            &[
                json!("67e5504410b1426f9247bb680e5fe0c8"),
                json!("nope"),
                json!(1),
            ],
        ),
        (
            Kind::Iso8601,
            &[
                json!("2024-01-01T00:00:00Z"),
                json!("2024-01-01T00:00:00.123+02:00"),
            ],
            &[json!("2024-01-01"), json!("yesterday"), json!(NOW)],
        ),
        (
            Kind::UnixMillis,
            &[
                json!(NOW),
                json!(NOW - UNIX_MILLIS_WINDOW),
                json!(NOW as f64),
            ],
            &[
                json!(NOW / 1000),
                json!(NOW + UNIX_MILLIS_WINDOW + 1),
                json!(1.5),
                json!("1"),
            ],
        ),
    ];
    for (kind, good, bad) in table {
        for value in *good {
            ok(&typed(*kind, None), value.clone());
        }
        for value in *bad {
            let m = mismatch(&typed(*kind, None), value.clone(), &Captures::new());
            assert_eq!(
                (m.path.as_str(), m.expected.as_str()),
                ("$", kind_name(*kind))
            );
        }
    }
}

#[test]
fn literals_partial_objects_exact_arrays() {
    ok(&Pattern::Number(1.into()), json!(1.0));
    rejects(&Pattern::Number(1.into()), json!("1"));
    ok(&s("a"), json!("a"));
    ok(
        &obj(&[("a", Pattern::Bool(true))]),
        json!({"a": true, "b": 2}),
    );
    let m = mismatch(
        &obj(&[("a", Pattern::Null)]),
        json!({"b": 1}),
        &Captures::new(),
    );
    assert_eq!((m.path.as_str(), m.actual), ("$.a", None));
    let arr = Pattern::Array(vec![Pattern::Number(1.into()), Pattern::Number(2.into())]);
    ok(&arr, json!([1, 2]));
    let m = mismatch(&arr, json!([1, 2, 3]), &Captures::new());
    assert_eq!((m.path.as_str(), m.actual), ("$[2]", Some(json!(3))));
    let m = mismatch(&arr, json!([1]), &Captures::new());
    assert_eq!(
        (m.path.as_str(), m.expected.as_str(), m.actual),
        ("$[1]", "2", None)
    );
    let m = mismatch(&arr, json!({"0": 1}), &Captures::new());
    assert_eq!(
        (m.path.as_str(), m.expected.as_str()),
        ("$", "an array of 2 elements")
    );
}

#[test]
fn exact_objects_name_the_extra_key() {
    let p = Pattern::Object {
        fields: vec![("a".into(), Pattern::Number(1.into()))],
        exact: true,
    };
    ok(&p, json!({"a": 1}));
    let m = mismatch(&p, json!({"a": 1, "b c": 2}), &Captures::new());
    assert_eq!((m.path.as_str(), m.actual), ("$[\"b c\"]", Some(json!(2))));
}

#[test]
fn the_deepest_first_mismatch_is_reported() {
    let p = obj(&[
        ("event", s("job:created")),
        (
            "data",
            obj(&[
                ("jobId", typed(Kind::Uuid, None)),
                ("items", Pattern::Array(vec![Pattern::Null; 3])),
            ]),
        ),
    ]);
    let m = mismatch(
        &p,
        json!({"event": "job:created", "data": {"jobId": "x", "items": 1}}),
        &Captures::new(),
    );
    assert_eq!(
        (m.path.as_str(), m.expected.as_str(), m.actual),
        ("$.data.jobId", "a UUID", Some(json!("x")))
    );
    let id = "67e55044-10b1-426f-9247-bb680e5fe0c8";
    let m = mismatch(
        &p,
        json!({"event": "job:created", "data": {"jobId": id, "items": [null, null, 0]}}),
        &Captures::new(),
    );
    assert_eq!(m.path, "$.data.items[2]");
    assert_eq!(
        MatchError::Mismatch(m).to_string(),
        "at $.data.items[2]: expected null, got 0"
    );
}

#[test]
fn absent_any_and_one_of() {
    let p = obj(&[("gone", Pattern::Absent), ("here", typed(Kind::Any, None))]);
    ok(&p, json!({"here": null}));
    let m = mismatch(&p, json!({"gone": 1, "here": 1}), &Captures::new());
    assert_eq!((m.path.as_str(), m.expected.as_str()), ("$.gone", "absent"));
    let m = mismatch(&p, json!({}), &Captures::new());
    assert_eq!(
        (m.path.as_str(), m.expected.as_str(), m.actual),
        ("$.here", "any value", None)
    );
    let one = Pattern::OneOf(vec![s("A"), s("B")]);
    ok(&one, json!("B"));
    let m = mismatch(&one, json!("C"), &Captures::new());
    assert_eq!(m.expected, "one of [\"A\", \"B\"]");
    let optional = obj(&[(
        "k",
        Pattern::OneOf(vec![Pattern::Absent, typed(Kind::String, None)]),
    )]);
    ok(&optional, json!({}));
    ok(&optional, json!({"k": "v"}));
    rejects(&optional, json!({"k": 1}));
}

#[test]
fn regex_range_len() {
    let re = Pattern::Regex(TextPattern(regex::Regex::new("b+").expect("regex")));
    ok(&re, json!("abbc"));
    rejects(&re, json!("ac"));
    rejects(&re, json!(1));
    let range = Pattern::Range {
        min: Some(0.0),
        max: Some(10.0),
    };
    ok(&range, json!(0));
    ok(&range, json!(10.0));
    rejects(&range, json!(10.5));
    rejects(&range, json!("5"));
    let m = mismatch(&range, json!(-1), &Captures::new());
    assert_eq!(m.expected, "a number from 0 to 10");
    ok(
        &Pattern::Range {
            min: None,
            max: Some(0.0),
        },
        json!(-5),
    );
    let len = Pattern::Len {
        min: Some(1),
        max: Some(2),
    };
    ok(&len, json!("é"));
    ok(&len, json!([1, 2]));
    ok(&len, json!({"a": 1}));
    rejects(&len, json!(""));
    rejects(&len, json!([1, 2, 3]));
    rejects(&len, json!(12));
}

#[test]
fn contains_takes_distinct_elements() {
    let p = Pattern::Contains(vec![
        typed(Kind::Integer, Some("n")),
        Pattern::Number(1.into()),
    ]);
    // The integer pattern first fits element 0 (the 1), then must move to 2 so 1 can take 0.
    let caps = ok(&p, json!([1, "x", 2]));
    assert_eq!(caps.get("n"), Some(&json!(2)));
    let m = mismatch(&p, json!([1, "x"]), &Captures::new());
    assert_eq!(m.path, "$");
    assert!(
        m.expected.starts_with("distinct elements matching each of"),
        "{}",
        m.expected
    );
    let m = mismatch(
        &Pattern::Contains(vec![s("z")]),
        json!(["a"]),
        &Captures::new(),
    );
    assert_eq!(m.expected, "an element matching \"z\"");
    ok(&Pattern::Contains(vec![]), json!([]));
    rejects(&Pattern::Contains(vec![]), json!({}));
}

#[test]
fn captures_are_new_bindings_and_rebinding_is_a_check() {
    let mut known = Captures::new();
    known.insert("job", json!("j-1"));
    let p = obj(&[
        ("id", typed(Kind::String, Some("job"))),
        ("other", typed(Kind::Any, Some("o"))),
    ]);
    let made = matches_at(&p, &json!({"id": "j-1", "other": [1]}), &known, NOW).expect("matches");
    assert_eq!(made.iter().collect::<Vec<_>>(), [("o", &json!([1]))]);
    let m = mismatch(&p, json!({"id": "j-2", "other": 1}), &known);
    assert_eq!(
        (m.path.as_str(), m.expected.as_str()),
        ("$.id", "\"j-1\" (the value captured as job)")
    );
    let twice = obj(&[
        ("a", typed(Kind::Any, Some("x"))),
        ("b", typed(Kind::Any, Some("x"))),
    ]);
    ok(&twice, json!({"a": 1, "b": 1.0}));
    rejects(&twice, json!({"a": 1, "b": 2}));
    // A failed one_of branch leaves no binding behind.
    let branch = Pattern::OneOf(vec![
        obj(&[("a", typed(Kind::Any, Some("x"))), ("b", Pattern::Null)]),
        obj(&[("a", typed(Kind::Any, None))]),
    ]);
    assert!(ok(&branch, json!({"a": 1, "b": 2})).is_empty());
}

#[test]
fn references_in_patterns() {
    let mut known = Captures::new();
    known.insert("job", json!("j-1"));
    known.insert("n", json!(3));
    ok_with(&s("${n}"), json!(3.0), &known);
    ok_with(&s("job ${job}/${n}"), json!("job j-1/3"), &known);
    let m = mismatch(&s("${job}"), json!("j-2"), &known);
    assert_eq!(m.expected, "\"j-1\" (from \"${job}\")");
    let result = matches_at(&s("${nope}"), &json!(1), &known, NOW);
    assert_eq!(result, Err(MatchError::UnknownReference("nope".into())));
    assert_eq!(
        MatchError::UnknownReference("nope".into()).to_string(),
        "reference to ${nope}, which was never captured"
    );
    // A reference inside a one_of is an error, not a failed branch.
    let inside = Pattern::OneOf(vec![s("${nope}"), typed(Kind::Any, None)]);
    assert!(matches!(
        matches_at(&inside, &json!(1), &known, NOW),
        Err(MatchError::UnknownReference(_))
    ));
}

fn ok_with(pattern: &Pattern, actual: Value, known: &Captures) {
    if let Err(e) = matches_at(pattern, &actual, known, NOW) {
        panic!("{e}");
    }
}

#[test]
fn matches_reads_the_clock_for_unix_millis() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let value = json!(u64::try_from(now).unwrap_or_default());
    assert!(matches(&typed(Kind::UnixMillis, None), &value, &Captures::new()).is_ok());
    assert!(matches(&typed(Kind::UnixMillis, None), &json!(0), &Captures::new()).is_err());
}

#[test]
fn descriptions() {
    let cases = [
        (typed(Kind::Uuid, None), "a UUID"),
        (typed(Kind::Uuid, Some("job")), "a UUID (captured as job)"),
        (s("job:created"), "\"job:created\""),
        (
            Pattern::OneOf(vec![s("A"), s("B")]),
            "one of [\"A\", \"B\"]",
        ),
        (
            obj(&[("event", s("job:created"))]),
            "{event: \"job:created\", …}",
        ),
        (
            Pattern::Object {
                fields: vec![("a".into(), obj(&[("b", obj(&[("c", Pattern::Null)]))]))],
                exact: true,
            },
            "exactly {a: {b: {…}, …}}",
        ),
        (
            Pattern::Range {
                min: Some(1.0),
                max: None,
            },
            "a number of at least 1",
        ),
        (
            Pattern::Len {
                min: None,
                max: Some(3),
            },
            "a length of at most 3",
        ),
        (
            Pattern::Contains(vec![Pattern::Bool(true)]),
            "an array containing [true]",
        ),
        (Pattern::Absent, "absent"),
        (
            Pattern::Array(vec![Pattern::Null; 5]),
            "[null, null, null, null, …]",
        ),
    ];
    for (pattern, expected) in cases {
        assert_eq!(describe(&pattern), expected);
    }
}

fn mentions(inner: Pattern, present: bool) -> Pattern {
    Pattern::Mentions {
        inner: Box::new(inner),
        present,
    }
}

#[test]
fn mentions_finds_a_value_at_any_depth() {
    let mut known = Captures::new();
    known.insert("job", json!("job-of-a"));
    let message =
        json!({"event": "queue", "args": [{"jobs": [{"id": "job-of-b"}, {"id": "job-of-a"}]}]});
    ok_with(&mentions(s("${job}"), true), message.clone(), &known);
    ok_with(&mentions(s("queue"), true), message.clone(), &known);
    ok_with(&mentions(s("nowhere"), false), message.clone(), &known);
    ok_with(
        &mentions(typed(Kind::Boolean, None), false),
        message.clone(),
        &known,
    );
    let absent = mismatch(&mentions(s("nowhere"), true), message, &known);
    assert_eq!(absent.path, "$");
    assert_eq!(absent.expected, "a value mentioning \"nowhere\" somewhere");
}

#[test]
fn lacks_fails_at_the_value_that_should_not_be_there() {
    let mut known = Captures::new();
    known.insert("job", json!("job-of-a"));
    let leak = json!({"args": [{"jobs": [{"id": "job-of-b"}, {"id": "job-of-a"}]}]});
    let found = mismatch(&mentions(s("${job}"), false), leak, &known);
    assert_eq!(found.path, "$.args[0].jobs[1].id");
    assert_eq!(found.actual, Some(json!("job-of-a")));
    assert_eq!(found.expected, "no value \"${job}\" anywhere");
    // A whole object can be what must not appear; the value itself counts too.
    let whole = mismatch(
        &mentions(obj(&[("id", s("x"))]), false),
        json!({"id": "x"}),
        &known,
    );
    assert_eq!(whole.path, "$");
    let number = mismatch(
        &mentions(Pattern::Number(7.into()), false),
        json!([1, [7]]),
        &known,
    );
    assert_eq!(number.path, "$[1][0]");
}
