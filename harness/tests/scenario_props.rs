//! Property tests of the scenario parser and the matcher.
//!
//! (1) every JSON value matches its own literal pattern and captures nothing; (2) a literal
//! object pattern with keys removed still matches (objects are partial); (3) parsing any text
//! returns `Ok` or `Err`, never panics; (4) a pattern rendered as YAML parses back equal.

use std::path::Path;

use harness::matcher::{Captures, Kind, Pattern, TextPattern, matches};
use harness::scenario::{parse_pattern_str, parse_str};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z0-9 :_é\"\\\\-]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Drops the object fields whose turn in `mask` (pre-order, cycling) is true.
fn prune(pattern: &mut Pattern, mask: &[bool], turn: &mut usize) {
    match pattern {
        Pattern::Object { fields, .. } => {
            fields.retain(|_| {
                *turn += 1;
                !mask
                    .get(*turn % mask.len().max(1))
                    .copied()
                    .unwrap_or(false)
            });
            fields.iter_mut().for_each(|(_, p)| prune(p, mask, turn));
        }
        Pattern::Array(items) => items.iter_mut().for_each(|p| prune(p, mask, turn)),
        _ => {}
    }
}

const KINDS: [Kind; 11] = [
    Kind::Any,
    Kind::Null,
    Kind::String,
    Kind::Number,
    Kind::Integer,
    Kind::Boolean,
    Kind::Object,
    Kind::Array,
    Kind::Uuid,
    Kind::Iso8601,
    Kind::UnixMillis,
];

fn pattern() -> impl Strategy<Value = Pattern> {
    let bound = || proptest::option::of((-20i32..20).prop_map(|n| f64::from(n) / 2.0));
    let leaf = prop_oneof![
        Just(Pattern::Null),
        Just(Pattern::Absent),
        any::<bool>().prop_map(Pattern::Bool),
        any::<i64>().prop_map(|n| Pattern::Number(n.into())),
        (-1.0e3f64..1.0e3).prop_filter_map("finite", |f| Number::from_f64(f).map(Pattern::Number)),
        "[a-z0-9 :_é\"\\\\${}-]{0,6}".prop_map(Pattern::String),
        (0..KINDS.len(), proptest::option::of("[a-z_][a-z0-9_]{0,4}")).prop_map(|(k, capture)| {
            Pattern::Typed {
                kind: KINDS[k],
                capture,
            }
        }),
        prop::sample::select(vec!["^a+$", "b", "[0-9]{2}", "x|y", "\\d\"'"]).prop_filter_map(
            "regex",
            |s| {
                regex::Regex::new(s)
                    .ok()
                    .map(|r| Pattern::Regex(TextPattern(r)))
            }
        ),
        (bound(), bound()).prop_map(|(a, b)| match (a, b) {
            (Some(x), Some(y)) if x > y => Pattern::Range {
                min: Some(y),
                max: Some(x)
            },
            (min, max) => Pattern::Range { min, max },
        }),
        // `!mentions` / `!lacks` of an untagged scalar (a tagged one would need two tags).
        (
            prop_oneof![
                any::<bool>().prop_map(Pattern::Bool),
                any::<i64>().prop_map(|n| Pattern::Number(n.into())),
                "[a-z0-9 ${}-]{0,6}".prop_map(Pattern::String),
            ],
            any::<bool>()
        )
            .prop_map(|(inner, present)| Pattern::Mentions {
                inner: Box::new(inner),
                present
            }),
        (
            proptest::option::of(0usize..5),
            proptest::option::of(5usize..9)
        )
            .prop_map(|(min, max)| Pattern::Len { min, max }),
    ];
    leaf.prop_recursive(3, 20, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Pattern::Array),
            prop::collection::vec(inner.clone(), 1..3).prop_map(Pattern::OneOf),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Pattern::Contains),
            (
                prop::collection::btree_map("[a-z\" ]{1,3}", inner, 0..3),
                any::<bool>()
            )
                .prop_map(|(fields, exact)| Pattern::Object {
                    fields: fields.into_iter().collect(),
                    exact
                }),
        ]
    })
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

fn render_list(items: &[Pattern]) -> String {
    let parts: Vec<String> = items.iter().map(render).collect();
    format!("[{}]", parts.join(", "))
}

/// A pattern as YAML flow text.
fn render(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Null => "null".into(),
        Pattern::Bool(b) => b.to_string(),
        Pattern::Number(n) => n.to_string(),
        Pattern::String(s) => quoted(s),
        Pattern::Array(items) => render_list(items),
        Pattern::Object { fields, exact } => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, p)| format!("{}: {}", quoted(k), render(p)))
                .collect();
            let tag = if *exact { "!exact " } else { "" };
            format!("{tag}{{{}}}", parts.join(", "))
        }
        Pattern::Typed { kind, capture } => {
            format!("!{} {}", kind.tag(), capture.as_deref().unwrap_or(""))
        }
        Pattern::Absent => "!absent".into(),
        Pattern::Regex(re) => format!("!regex {}", quoted(re.0.as_str())),
        Pattern::OneOf(items) => format!("!one_of {}", render_list(items)),
        Pattern::Contains(items) => format!("!contains {}", render_list(items)),
        Pattern::Range { min, max } => {
            let min = min.map(|m| format!("min: {m}, ")).unwrap_or_default();
            let max = max.map(|m| format!("max: {m}")).unwrap_or_default();
            format!("!range {{{min}{max}}}")
        }
        Pattern::Len { min, max } => {
            let min = min.map(|m| format!("min: {m}, ")).unwrap_or_default();
            let max = max.map(|m| format!("max: {m}")).unwrap_or_default();
            format!("!len {{{min}{max}}}")
        }
        Pattern::Mentions { inner, present } => {
            let tag = if *present { "mentions" } else { "lacks" };
            format!("!{tag} {}", render(inner))
        }
    }
}

const EXAMPLE: &str = "id: ark.x\ntitle: T\nprotocol: ark\nclause: c\nlevel: MUST\nactors:\n  a: {}\nsteps:\n  - connect: a\n  - expect: a\n    message: { id: !uuid job, n: [1, 2.5], s: !one_of [x, !regex 'y'] }\n  - send: a\n    message: { id: \"${job}\" }\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn values_match_their_own_literal_pattern(value in json_value()) {
        let made = matches(&Pattern::literal(&value), &value, &Captures::new());
        prop_assert_eq!(made, Ok(Captures::new()));
    }

    #[test]
    fn fewer_keys_still_match(value in json_value(), mask in prop::collection::vec(any::<bool>(), 1..8)) {
        let mut pattern = Pattern::literal(&value);
        prune(&mut pattern, &mask, &mut 0);
        prop_assert!(matches(&pattern, &value, &Captures::new()).is_ok());
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_str(&text, Path::new("any.yaml"));
        let _ = parse_pattern_str(&text, Path::new("any.yaml"));
    }

    #[test]
    fn parsing_a_damaged_scenario_never_panics(at in 0usize..EXAMPLE.len(), cut in 0usize..20, insert in "[-:{}\\[\\]!&*'\" \n#a-z${}]{0,6}") {
        let mut text: String = EXAMPLE.chars().take(at).collect();
        text.push_str(&insert);
        text.extend(EXAMPLE.chars().skip(at + cut));
        let _ = parse_str(&text, Path::new("damaged.yaml"));
    }

    #[test]
    fn rendered_patterns_parse_back_equal(pattern in pattern()) {
        let text = render(&pattern);
        let parsed = parse_pattern_str(&text, Path::new("p.yaml"));
        prop_assert_eq!(parsed.as_ref().ok(), Some(&pattern), "text: {} parsed: {:?}", text, parsed);
    }
}

#[test]
fn the_example_parses() {
    assert!(parse_str(EXAMPLE, Path::new("x.yaml")).is_ok());
}
