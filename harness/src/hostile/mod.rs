//! Hostile input with an expected-reaction oracle (`wsconform fuzz`'s Autobahn-style half).
//!
//! Per protocol, [`cases::generate`] makes cases from the protocol's data alone: field faults
//! from its client schemas (every message type × field × wrong JSON type, missing, null), and
//! the generic kinds of its transport (invalid JSON, non-objects, unknown types, binary frames,
//! deep nesting, huge values, frames at and past each limit, malformed Engine.IO / socket.io
//! packets, floods, many connections, half-open and never-reading clients). The reaction each
//! case requires comes from `fixtures/<protocol>/hostile.yaml` ([`spec`]), which cites the
//! clause; a family without a rule there is counted as left out, never guessed.
//!
//! [`build`] turns a case into an ordinary scenario — a bystander opened first, the hostile
//! connection, the bad input, the required reaction, then the bystander's probe and the hostile
//! connection's own where it stays up — and [`run`] runs it with the conformance runner, so
//! every case has a transcript, schema checks, a verdict and a re-run command. "Many
//! connections" open in one `connect` step `at_once`. [`raw`] does the kinds a scenario cannot
//! express (half-open and never-reading clients, a text frame that is not UTF-8) on loopback
//! sockets of its own, every wait bounded, while the case's scenario is held between its
//! bystander's opening and a newcomer's: both are probed with the bad input in place, the one
//! already connected when it began and the one that connected after. No protocol is named here.

pub mod build;
pub mod case;
pub mod cases;
pub mod fields;
pub mod raw;
pub mod run;
pub mod spec;

pub use case::{Case, Input, RawKind};
pub use cases::{Generated, generate};
pub use spec::HostileSpec;

/// The cases of the fast subset (CI): the first case of each family, in order.
pub fn fast(cases: Vec<Case>) -> Vec<Case> {
    let mut seen = std::collections::BTreeSet::new();
    cases
        .into_iter()
        .filter(|case| seen.insert(case.family.clone()))
        .collect()
}
