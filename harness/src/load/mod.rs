//! `wsconform load`: the suite under load, on the executor `run` uses.
//!
//! - [`plan`]: what to run (model, phases, mix, gates, shard, limits), from flags or a file.
//! - [`schedule`]: when, as pure functions of time (levels, users, arrivals, the mix, shards).
//! - [`launch`]: one load from start to judged report against a running target.
//! - [`run`]: carrying it out — a task per virtual user or arrival, every message checked.
//! - [`metrics`]: per-user recorders flushed into shared HdrHistograms and counts, per phase.
//! - [`report`], [`merge`], [`render`], [`gates`]: the JSON report, its exact merge across
//!   shards, the human summary, and the gates that make a run exit 5.

pub mod gates;
pub mod launch;
pub mod merge;
pub mod metrics;
pub mod plan;
pub mod process;
pub mod render;
pub mod report;
pub mod run;
pub mod schedule;

pub use plan::{LoadPlan, Model, Shard};
pub use report::LoadReport;
pub use run::{LoadRun, LoadSetup, Tick};
