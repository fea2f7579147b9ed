//! wsconform, the harness: parses scenario files, runs them against a target server, checks every
//! message against its protocol's schemas, and reports verdicts.
//!
//! The harness knows protocols only as data (`fixtures/`, `scenarios/`); it never imports the
//! reference server's message types (it depends on the reference crate only to start it as the
//! embedded default target, in [`embedded`]).

pub mod embedded;
pub mod matcher;
pub mod profile;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod transport;
