//! The matcher: partial JSON patterns with typed matchers and captures.
//!
//! [`Pattern`] is the data (`pattern.rs`), [`matches`] evaluates it (`eval.rs`, `contains.rs`,
//! `types.rs`), [`describe`] explains it, [`Captures`] holds captured values and resolves
//! `${name}` references (`captures.rs`; a pattern compares them in place, without allocating),
//! [`Template`] fills them in for sending. No I/O; the only clock read is in [`matches`] (use [`matches_at`] to pass
//! "now", as the executor does).

mod captures;
mod contains;
mod describe;
mod error;
mod eval;
mod pattern;
mod salvage;
mod template;
mod types;

pub use captures::{
    Captures, Segment, Segments, interpolate, references, resolve_value, segments, whole_reference,
};
pub use describe::{describe, kind_name};
pub use eval::{MatchError, Mismatch, matches, matches_at};
pub use pattern::{Kind, Pattern, TextPattern};
pub use salvage::{has_captures, salvage};
pub use template::{ListTemplate, Template};
pub use types::{UNIX_MILLIS_WINDOW, is_uuid, json_eq};

#[cfg(test)]
mod tests;
