//! jobber: a job queue over socket.io v4 (`shared/specs/jobber.md`, DECISIONS.md J1–J17,
//! `scenarios/jobber/NOTES.md`).
//!
//! This module is sans-IO: wire types ([`model`]), validated requests ([`request`],
//! [`options`]) and the state machine ([`Core`]) fed `(now, Input)`. It has no sockets, no
//! clock and no tasks; `crate::net::jobber` drives it. Timestamps and id sources are the
//! crate's shared ones (`crate::ark::Timestamp`, `crate::ark::IdSource`). Invariant: for one
//! core, the messages returned by successive calls are the order every client sees.

mod batches;
pub mod core;
pub mod declared;
pub mod error;
mod jobs;
mod lifecycle;
pub mod model;
pub mod options;
pub mod request;
mod schedules;
mod settings;
mod state;

pub use self::core::{AckId, ConnId, Core, Input, Message, Output};
pub use crate::ark::{IdSource, SequentialIds, Timestamp, UuidV4Ids};
pub use error::JobberError;
pub use model::{Job, JobState, QueueSize, Reply, ServerEvent};
pub use request::{NewJob, Request};
pub use schedules::parse_cron;
pub use settings::{DEV_TOKEN, RateLimit, Settings};
