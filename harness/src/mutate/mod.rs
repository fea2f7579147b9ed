//! `wsconform mutate`: the suite's own sensitivity. Each scenario runs through a proxy in front
//! of a fresh reference server that corrupts exactly one server message per run; a corruption
//! the scenario does not notice (it still passes) is a hole in the suite, unless the
//! specification allows the change.
//!
//! Layers: [`message`] and [`framer`] (what a server message is, per transport), [`operator`],
//! [`operators`]
//! and [`fields`] (pure mutations of one message), [`mutator`] (the proxy's per-channel
//! decisions, sans-IO), [`proxy`] (the sockets), [`campaign`] (record, enumerate, run one
//! mutant), [`run`] (a whole campaign, in parallel), [`allowed`] (mutants the specification
//! allows, as data) and [`summary`] (tallies and the report). Nothing here names a protocol:
//! framing comes from the profile's transport, the message type from its `type_pointer`.

pub mod allowed;
pub mod campaign;
pub mod fields;
pub mod framer;
pub mod message;
pub mod mutator;
pub mod operator;
pub mod operators;
pub mod proxy;
pub mod run;
pub mod summary;

pub use campaign::{Campaign, MutantRun, Status};
pub use mutator::{Mutant, Timing};
pub use operator::Operator;
pub use summary::MutationReport;
