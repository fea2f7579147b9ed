//! wsconform, the harness: parses scenario files, runs them against a target server, checks every
//! message against its protocol's schemas, and reports verdicts.
//!
//! The harness knows protocols only as data (`fixtures/`, `scenarios/`); it never imports the
//! reference server's message types. Layers, each using only those below it:
//! [`scenario`], [`matcher`], [`schema`], [`profile`], [`binary`] (the specification as data),
//! [`dialect`] and [`target_profile`] (a team's server and its declared deviations, as data) →
//! [`transport`] (sockets) → [`exec`] (the sans-IO scenario machine) → [`drive`] (its async
//! driver) → [`runner`] (conformance runs), [`load`] (load runs), [`mutate`] (the suite's own
//! sensitivity), [`hostile`] (bad input and the reactions it requires) and [`fuzz`] (generated
//! sessions, shrunk to a scenario file) → [`report`] (renderers) and [`coverage`] (what of each
//! document a run exercised). [`embedded`] (cargo feature `embedded`, on by default) is the only
//! module that names the reference crate: it offers the reference server as a
//! [`runner::TargetFactory`].

pub mod binary;
pub mod coverage;
pub mod dialect;
pub mod drive;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod exec;
pub mod fuzz;
pub mod hostile;
pub mod load;
pub mod matcher;
pub mod mutate;
pub mod profile;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod target_profile;
pub mod transport;
