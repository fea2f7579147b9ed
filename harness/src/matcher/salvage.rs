//! The salvage of a pattern: what a message must still hold for a scenario to go on after the
//! message failed its expectation.
//!
//! A scenario stops at a mismatch only when later steps would lack what they need. They need
//! the expectation's captures, and the message must still be the one the step was waiting for:
//! its type (the value at the protocol's type pointer) and the `${references}` that tie it to
//! the scenario's earlier messages. Everything else (extra keys under `!exact`, a wrong literal
//! or a wrong type of a field nobody captures, a length or range) is dropped from the salvage.
//!
//! Invariant: anything the pattern matches, its salvage matches (the salvage only relaxes), and a
//! salvage binds the same capture names as its pattern. A pattern whose every constraint was
//! dropped still requires a value of the same JSON kind at the top (an object stays an object).

use super::captures::whole_reference;
use super::pattern::{Kind, Pattern};

/// The salvage of `pattern`; `type_path` is the protocol's type pointer as object keys
/// (`["event"]`), whose literal is kept.
pub fn salvage(pattern: &Pattern, type_path: &[String]) -> Pattern {
    relax(pattern, Some(type_path)).unwrap_or_else(|| kind_of(pattern))
}

/// The relaxed pattern, or `None` when nothing of it must hold. `type_path`: the rest of the
/// type pointer below this point, if this point is on it.
fn relax(pattern: &Pattern, type_path: Option<&[String]>) -> Option<Pattern> {
    match pattern {
        Pattern::Typed {
            capture: Some(_), ..
        } => Some(pattern.clone()),
        Pattern::String(text) if whole_reference(text).is_some() || text.contains("${") => {
            Some(pattern.clone())
        }
        Pattern::Object { fields, .. } => {
            let kept: Vec<(String, Pattern)> = fields
                .iter()
                .filter_map(|(key, value)| {
                    let below = type_path.and_then(|path| match path.split_first() {
                        Some((first, rest)) if first == key => Some(rest),
                        _ => None,
                    });
                    let relaxed = match below {
                        Some([]) => Some(value.clone()),
                        _ => relax(value, below),
                    };
                    relaxed.map(|relaxed| (key.clone(), relaxed))
                })
                .collect();
            (!kept.is_empty()).then_some(Pattern::Object {
                fields: kept,
                exact: false,
            })
        }
        Pattern::Array(items) => {
            let relaxed: Vec<Option<Pattern>> = items.iter().map(|p| relax(p, None)).collect();
            relaxed.iter().any(Option::is_some).then(|| {
                Pattern::Array(
                    relaxed
                        .into_iter()
                        .zip(items)
                        .map(|(kept, item)| kept.unwrap_or_else(|| any_like(item)))
                        .collect(),
                )
            })
        }
        // Captures inside alternatives or `!contains` cannot be kept apart from their
        // constraints: keep the whole pattern.
        Pattern::OneOf(options) if options.iter().any(has_captures) => Some(pattern.clone()),
        Pattern::Contains(items) if items.iter().any(has_captures) => Some(pattern.clone()),
        _ => None,
    }
}

/// Whether `pattern` captures anything.
pub fn has_captures(pattern: &Pattern) -> bool {
    match pattern {
        Pattern::Typed { capture, .. } => capture.is_some(),
        Pattern::Object { fields, .. } => fields.iter().any(|(_, p)| has_captures(p)),
        Pattern::Array(items) | Pattern::OneOf(items) | Pattern::Contains(items) => {
            items.iter().any(has_captures)
        }
        _ => false,
    }
}

/// A placeholder for a dropped array element: anything (an absent element cannot be dropped
/// from a fixed-length array, so `!absent` stays).
fn any_like(item: &Pattern) -> Pattern {
    match item {
        Pattern::Absent => Pattern::Absent,
        _ => Pattern::Typed {
            kind: Kind::Any,
            capture: None,
        },
    }
}

/// The bare JSON kind of a pattern, for a salvage that kept nothing.
fn kind_of(pattern: &Pattern) -> Pattern {
    let kind = match pattern {
        Pattern::Object { .. } => Kind::Object,
        Pattern::Array(_) | Pattern::Contains(_) => Kind::Array,
        _ => Kind::Any,
    };
    Pattern::Typed {
        kind,
        capture: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::matcher::{Captures, matches};

    fn pattern(yaml: &str) -> Pattern {
        crate::scenario::parse_pattern_str(yaml, std::path::Path::new("p.yaml")).expect("a pattern")
    }

    fn event() -> Vec<String> {
        vec!["event".to_owned()]
    }

    #[test]
    fn extra_keys_and_unused_fields_are_dropped_captures_and_type_kept() {
        let strict = pattern(
            "!exact {event: job_created, data: {jobId: !capture job, name: x, size: !integer}}",
        );
        let loose = salvage(&strict, &event());
        let message = json!({"event": "job_created", "status": "ok",
            "data": {"jobId": "j-1", "name": "y", "size": "big"}});
        assert!(matches(&strict, &message, &Captures::new()).is_err());
        let bound = matches(&loose, &message, &Captures::new()).expect("salvaged");
        assert_eq!(bound.get("job"), Some(&json!("j-1")));
    }

    #[test]
    fn another_type_or_a_missing_capture_is_not_salvaged() {
        let strict = pattern("{event: job_created, data: {jobId: !capture job}}");
        let loose = salvage(&strict, &event());
        let other = json!({"event": "job_failed", "data": {"jobId": "j-1"}});
        assert!(matches(&loose, &other, &Captures::new()).is_err());
        let missing = json!({"event": "job_created", "data": {}});
        assert!(matches(&loose, &missing, &Captures::new()).is_err());
    }

    #[test]
    fn references_still_tie_the_message_to_the_scenario() {
        let strict = pattern("{event: job_done, data: {jobId: \"${job}\", ok: true}}");
        let loose = salvage(&strict, &event());
        let mut known = Captures::new();
        known.insert("job".to_owned(), json!("j-1"));
        let ours = json!({"event": "job_done", "data": {"jobId": "j-1", "ok": false}});
        let theirs = json!({"event": "job_done", "data": {"jobId": "j-2", "ok": true}});
        assert!(matches(&loose, &ours, &known).is_ok());
        assert!(matches(&loose, &theirs, &known).is_err());
    }

    #[test]
    fn an_ack_keeps_its_shape_and_its_captures() {
        let strict = pattern("{args: [!exact {jobId: !capture job}]}");
        let loose = salvage(&strict, &event());
        let wrapped = json!({"args": [{"status": "ok", "jobId": "j-9"}]});
        let bound = matches(&loose, &wrapped, &Captures::new()).expect("salvaged");
        assert_eq!(bound.get("job"), Some(&json!("j-9")));
        let nothing = salvage(&pattern("{args: [{ok: true}]}"), &event());
        assert!(matches(&nothing, &json!({"args": [1]}), &Captures::new()).is_ok());
        assert!(matches(&nothing, &json!([1]), &Captures::new()).is_err());
    }

    #[test]
    fn whatever_the_pattern_matches_its_salvage_matches() {
        let cases = [
            (
                "!exact {event: a, n: !range {min: 1, max: 3}}",
                json!({"event": "a", "n": 2}),
            ),
            ("{list: [1, !capture x, !absent]}", json!({"list": [1, 2]})),
            ("{v: !one_of [1, !capture y]}", json!({"v": 5})),
        ];
        for (text, value) in cases {
            let strict = pattern(text);
            assert!(matches(&strict, &value, &Captures::new()).is_ok(), "{text}");
            let loose = salvage(&strict, &event());
            assert!(matches(&loose, &value, &Captures::new()).is_ok(), "{text}");
        }
    }
}
