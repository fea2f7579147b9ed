//! Shared pieces of the harness's integration tests.
#![allow(dead_code, clippy::unwrap_used)]

pub mod faulty_proxy;

use std::path::{Path, PathBuf};

use harness::profile::Profile;
use harness::runner::ProtocolSuite;
use harness::scenario::model::Scenario;
use harness::schema::SchemaSet;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every scenario of `protocol`, parsed (a parse error fails the test).
pub fn scenarios(protocol: &str) -> Vec<Scenario> {
    let (scenarios, errors) = harness::scenario::load_dir(&root().join("scenarios").join(protocol));
    assert!(errors.is_empty(), "scenario files have errors: {errors:#?}");
    scenarios
}

/// One scenario by id.
pub fn scenario(protocol: &str, id: &str) -> Scenario {
    scenarios(protocol)
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no scenario {id}"))
}

/// The profile and schemas of `protocol`.
pub fn suite(protocol: &str) -> ProtocolSuite {
    let fixtures = root().join("fixtures");
    let profile = Profile::load(&fixtures, protocol).unwrap();
    let schemas = SchemaSet::load(&fixtures.join(protocol), &profile).unwrap();
    ProtocolSuite { profile, schemas }
}
