//! Tests of reading fields from client schemas (through `$ref`, `allOf` and one level of
//! objects) and of planting faults: which faults a field gets, that a wrong value is of a type
//! the schema does not allow, and that planting builds the parents it needs.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Documents, Fault, faults, fields, plant, wrong_value};

struct Map(BTreeMap<PathBuf, Value>);

impl Documents for Map {
    fn read(&self, path: &Path) -> Option<Value> {
        self.0.get(path).cloned()
    }
}

fn docs() -> Map {
    let message = json!({
        "allOf": [ { "$ref": "../defs.json#/$defs/base" } ],
        "required": ["type", "count"],
        "properties": {
            "type": { "const": "thing" },
            "count": { "type": "integer" },
            "note": { "type": ["string", "null"] },
            "any": {},
            "inner": { "type": "object", "required": ["x"], "properties": { "x": { "$ref": "#/$defs/num" } } }
        },
        "$defs": { "num": { "type": "number" } }
    });
    let defs = json!({ "$defs": { "base": { "properties": { "id": { "type": "string" } } } } });
    Map(BTreeMap::from([
        (PathBuf::from("s/client/thing.json"), message),
        (PathBuf::from("s/client/../defs.json"), defs),
    ]))
}

#[test]
fn fields_follow_refs_all_of_and_one_level_of_objects() {
    let found = fields(&docs(), Path::new("s/client/thing.json"));
    let names: Vec<(String, bool)> = found.iter().map(|f| (f.dotted(), f.required)).collect();
    assert_eq!(
        names,
        [
            ("type".to_owned(), true),
            ("count".to_owned(), true),
            ("note".to_owned(), false),
            ("any".to_owned(), false),
            ("inner".to_owned(), false),
            ("inner.x".to_owned(), true),
            ("id".to_owned(), false),
        ]
    );
    let x = found.iter().find(|f| f.dotted() == "inner.x").unwrap();
    assert_eq!(
        x.types.as_ref().unwrap().iter().collect::<Vec<_>>(),
        ["number"]
    );
    let kind = found.iter().find(|f| f.dotted() == "type").unwrap();
    assert_eq!(kind.constant, Some(json!("thing")));
}

#[test]
fn faults_are_a_wrong_type_missing_when_required_and_null_when_not_allowed() {
    let found = fields(&docs(), Path::new("s/client/thing.json"));
    let of = |name: &str| {
        let field = found.iter().find(|f| f.dotted() == name).unwrap();
        faults(field)
            .into_iter()
            .map(|(f, _)| f)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("count"), [Fault::WrongType, Fault::Missing, Fault::Null]);
    assert_eq!(
        of("note"),
        [Fault::WrongType],
        "null is allowed, the field optional"
    );
    assert!(of("any").is_empty(), "any value is right");
}

#[test]
fn a_wrong_value_is_of_a_type_not_allowed() {
    let types = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(wrong_value(&types(&["string"])), Some(json!(12345)));
    assert_eq!(
        wrong_value(&types(&["number"])),
        Some(json!("not-a-number"))
    );
    assert_eq!(
        wrong_value(&types(&["string", "number"])),
        Some(json!(true))
    );
}

#[test]
fn plant_sets_removes_and_makes_parents() {
    let base = json!({ "a": 1, "b": { "c": 2 } });
    assert_eq!(
        plant(&base, &["a".into()], None),
        json!({ "b": { "c": 2 } })
    );
    assert_eq!(
        plant(&base, &["b".into(), "c".into()], Some(Value::Null)),
        json!({ "a": 1, "b": { "c": null } })
    );
    assert_eq!(
        plant(&base, &["d".into(), "e".into()], Some(json!(0))),
        json!({ "a": 1, "b": { "c": 2 }, "d": { "e": 0 } })
    );
}
