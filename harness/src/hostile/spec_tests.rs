//! Tests of a reaction's replies by message type: the most specific key wins, and every key of
//! every protocol's `hostile.yaml` names a case it generates (a mistyped key would leave its
//! cases to the general `reply`, or to none, silently).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{HostileSpec, Reaction};
use crate::hostile::{build, fields, generate};

fn reaction(reply: Option<&str>, replies: &[(&str, &str)]) -> Reaction {
    Reaction {
        clause: "c".to_owned(),
        reply: reply.map(str::to_owned),
        replies: replies
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        close: None,
        status: None,
        level: None,
    }
}

#[test]
fn the_most_specific_reply_wins() {
    let r = reaction(
        Some("general"),
        &[
            ("t", "type"),
            ("*.f", "any type's field"),
            ("t.f", "type and field"),
        ],
    );
    assert_eq!(r.reply_for(Some("t"), Some("f")), Some("type and field"));
    assert_eq!(r.reply_for(Some("u"), Some("f")), Some("any type's field"));
    assert_eq!(r.reply_for(Some("t"), Some("g")), Some("type"));
    assert_eq!(r.reply_for(Some("u"), Some("g")), Some("general"));
    assert_eq!(r.reply_for(None, None), Some("general"));
    let no_general = reaction(None, &[("t", "type")]);
    assert_eq!(no_general.reply_for(Some("u"), Some("g")), None);
    assert_eq!(no_general.describe(Some("u"), Some("g")), "ignored");
    assert_eq!(no_general.describe(Some("t"), Some("g")), "reply type");
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

#[test]
fn every_reply_key_of_the_fixtures_names_a_case_and_every_case_builds() {
    let fixtures = fixtures();
    let mut checked = 0;
    for protocol in ["ark", "jobber", "emprops", "caas", "dnaforge"] {
        let suite = crate::runner::protocol::load_protocol(&fixtures, protocol).unwrap();
        let spec = HostileSpec::load(&fixtures, protocol).unwrap();
        let generated = generate(
            &spec,
            &suite.profile,
            &fixtures,
            &fields::Files,
            &Default::default(),
        );
        let socketio = suite.profile.transport == crate::profile::TransportKind::Socketio;
        let file = fixtures.join(protocol).join("hostile.yaml");
        for case in &generated.cases {
            build::scenario(case, &spec, socketio, &file).unwrap();
        }
        for (family, reaction) in &spec.reactions {
            let mut keys = BTreeSet::new();
            for case in generated.cases.iter().filter(|c| &c.family == family) {
                let (message, field) = (case.message.clone(), case.field.clone());
                keys.extend(message.clone());
                keys.extend(field.as_ref().map(|f| format!("*.{f}")));
                keys.extend(message.zip(field).map(|(m, f)| format!("{m}.{f}")));
            }
            for key in reaction.replies.keys() {
                assert!(
                    keys.contains(key),
                    "{protocol} {family}: `{key}` names no case"
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} keys: the fixtures lost their replies?"
    );
}

#[test]
fn a_case_whose_type_has_no_reply_does_not_build() {
    let fixtures = fixtures();
    let suite = crate::runner::protocol::load_protocol(&fixtures, "jobber").unwrap();
    let mut spec = HostileSpec::load(&fixtures, "jobber").unwrap();
    let generated = generate(
        &spec,
        &suite.profile,
        &fixtures,
        &fields::Files,
        &Default::default(),
    );
    let case = generated
        .cases
        .iter()
        .find(|c| c.family == "null_optional" && c.message.as_deref() == Some("send_job"))
        .unwrap();
    let rule = spec.reactions.get_mut("null_optional").unwrap();
    rule.reply = None;
    rule.replies.remove("send_job");
    let file = fixtures.join("jobber/hostile.yaml");
    let error = build::scenario(case, &spec, true, &file).unwrap_err();
    assert!(
        matches!(error, build::BuildError::NoReply { .. }),
        "{error}"
    );
}
