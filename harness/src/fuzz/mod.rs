//! Generated sessions (`wsconform fuzz`): proptest generates sessions of several actors from a
//! protocol's fuzzing model (`fixtures/<protocol>/fuzz.yaml`), each runs as a scenario against
//! any target, and properties are checked on every one: the scenario's own checks (every
//! frame in its schema, every answer within its timeout, every connection still answering at
//! the end, after bad input too) and the model's invariants (no value of one role reaching
//! another). The first failure is shrunk and written out as a scenario file that
//! `wsconform run --scenario` reproduces.
//!
//! What it does not do: run hostile input (`crate::hostile`) or talk to sockets (the caller's
//! [`search::CaseRunner`] runs each case). It names no protocol.

pub mod isolation;
pub mod model;
pub mod on_target;
pub mod render;
pub mod search;
pub mod session;

pub use model::{FuzzModel, ModelError};
pub use search::{Broken, CaseRunner, SearchConfig, SearchReport, Shrunk, search};
