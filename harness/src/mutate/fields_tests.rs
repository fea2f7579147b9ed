#![allow(clippy::unwrap_used)]
use serde_json::json;

use super::*;

fn pointers(body: &Value, skip: &[&str]) -> Vec<String> {
    walk(body, skip).into_iter().map(|s| s.pointer).collect()
}

#[test]
fn the_walk_visits_every_value_in_document_order_except_skipped_subtrees() {
    let body = json!({"event": "e", "data": {"a/b": [1, {"c": null}], "d": true}});
    assert_eq!(
        pointers(&body, &["/event"]),
        [
            "/data",
            "/data/a~1b",
            "/data/a~1b/0",
            "/data/a~1b/1",
            "/data/a~1b/1/c",
            "/data/d"
        ]
    );
    assert_eq!(pointers(&body, &["/data"]), ["/event"]);
}

#[test]
fn each_operator_applies_to_the_shapes_it_can_change() {
    let body = json!({"s": "x", "t": "2024-05-01T10:00:00Z", "n": 1, "z": null, "a": [1]});
    let sites = walk(&body, &[]);
    let on = |op| {
        sites
            .iter()
            .filter(|s| applies(op, s))
            .map(|s| s.pointer.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(on(Operator::BreakTimestamp), ["/t"]);
    assert_eq!(on(Operator::ChangeValue), ["/s", "/t", "/n", "/a/0"]);
    assert_eq!(on(Operator::NullField), ["/s", "/t", "/n", "/a", "/a/0"]);
    assert_eq!(on(Operator::RenameField), ["/s", "/t", "/n", "/z", "/a"]);
    assert_eq!(on(Operator::DropField).len(), 6);
}

#[test]
fn dropping_and_renaming_keep_the_other_members_in_order() {
    let mut body = json!({"a": 1, "b": 2, "c": [1, 2]});
    mutate(Operator::RenameField, &mut body, "/a").unwrap();
    assert_eq!(body.to_string(), r#"{"a_x":1,"b":2,"c":[1,2]}"#);
    mutate(Operator::DropField, &mut body, "/b").unwrap();
    mutate(Operator::DropField, &mut body, "/c/0").unwrap();
    assert_eq!(body.to_string(), r#"{"a_x":1,"c":[2]}"#);
    assert_eq!(mutate(Operator::DropField, &mut body, "/nope"), None);
}

#[test]
fn retyping_changes_the_json_type() {
    assert_eq!(retyped(&json!("5")), json!(1));
    assert_eq!(retyped(&json!(5)), json!("5"));
    assert_eq!(retyped(&json!(true)), json!("true"));
    assert_eq!(retyped(&json!(null)), json!(0));
    assert_eq!(retyped(&json!({"k": 1})), json!([1]));
    assert_eq!(retyped(&json!([1])), json!({"0": 1}));
}

#[test]
fn changed_values_keep_their_type_and_format() {
    assert_eq!(changed(&json!(false)), Some(json!(true)));
    assert_eq!(changed(&json!(41)), Some(json!(42)));
    assert_eq!(changed(&json!(0.5)), Some(json!(1.5)));
    assert_eq!(changed(&json!("job-9")), Some(json!("job-0")));
    let uuid = "8f7d1c2e-0000-4000-8000-00000000000f";
    assert_eq!(
        changed(&json!(uuid)),
        Some(json!("8f7d1c2e-0000-4000-8000-00000000000a"))
    );
    assert_eq!(changed(&json!("QUEUED")), Some(json!("QUEUEE")));
    assert_eq!(changed(&json!("")), Some(json!("x")));
    assert_eq!(
        changed(&json!("2024-05-01T10:00:00Z")),
        Some(json!("2024-05-01T11:00:00Z"))
    );
    assert_eq!(changed(&json!(null)), None);
}

#[test]
fn a_broken_timestamp_is_no_longer_rfc_3339() {
    let broken = broken_timestamp("2024-05-01T10:00:00.250+02:00").unwrap();
    assert_eq!(broken, "2024-05-01 10:00:00");
    assert!(!is_timestamp(&broken));
    assert_eq!(broken_timestamp("yesterday"), None);
}
