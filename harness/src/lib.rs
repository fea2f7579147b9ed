//! wsconform, the harness: parses scenario files, runs them against a target server, checks every
//! message against its protocol's schemas, and reports verdicts.
//!
//! The harness knows protocols only as data (`fixtures/`, `scenarios/`); it never imports the
//! reference server's message types.

pub mod matcher;
pub mod report;
pub mod scenario;
