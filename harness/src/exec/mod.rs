//! The executor: one sans-IO scenario machine that `run`, `load` and `fuzz` share.
//!
//! - [`plan`]: a scenario prepared once and shared (`Arc`) by every session that runs it.
//! - [`session`]: the machine itself — fed `(now, input)`, it answers with commands for its
//!   driver, its next deadline and, at the end, an [`Outcome`]. No clock, no sockets.
//! - [`inbox`]: the expectation modes over one connection's messages, incremental.
//! - [`transcript`], [`markers`], [`outcome`], [`observer`]: what a session records, how it
//!   tells other sessions' traffic apart, what it amounts to, and who watches it run.
//!
//! The async driver that connects a session to real transports is [`crate::drive`].

mod attachments;
mod completions;
mod dialect;
mod hold;
pub mod http_bodies;
pub mod inbox;
mod intake;
pub mod markers;
pub mod observer;
pub mod outcome;
pub mod plan;
pub mod properties;
pub mod session;
mod steps;
pub mod transcript;
mod unasked;
pub mod unmet;
mod waits;

pub use observer::{LatencyKind, Observer, Unobserved};
pub use outcome::{CheckKind, CheckRecord, CheckVerdict, Outcome, StepFailure};
pub use plan::{OnDeviation, ProtocolSuite, RunOptions, ScenarioPlan, Target, TranscriptLimit};
pub use session::{Command, HttpRequest, Input, Session};
