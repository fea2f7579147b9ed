//! caas: real-time chat over socket.io v4 — messages, typing, presence, calls and binary
//! media in conversations of one tenant (`shared/specs/caas.md`, DECISIONS.md K1–K10,
//! `scenarios/caas/NOTES.md` caas-N1…N15).
//!
//! This module is sans-IO: the `SocketMessage` frame (`frame`), client events checked into
//! requests (`request`), the binary frame check ([`binary`]) and the state machine ([`Core`])
//! fed `(now, Input)`, split by concern (`conversations`, `messages`, `typing`, `presence`,
//! `calls`, `rate`). It has no sockets, no clock and no tasks; `crate::net::caas` drives it.
//! Timestamps and id sources are the crate's shared ones. Invariant: for one core, the
//! messages returned by successive calls are the order every socket sees.

pub mod binary;
mod calls;
mod conversations;
pub mod core;
pub mod declared;
mod dispatch;
pub mod error;
mod fields;
mod frame;
mod messages;
mod presence;
mod rate;
mod request;
mod settings;
mod state;
mod typing;

pub use self::core::{AckId, ConnId, Core, Input, Message, Output, Payload};
pub use crate::ark::{IdSource, SequentialIds, Timestamp, UuidV4Ids};
pub use error::{CaasError, ErrorCode};
pub use frame::VERSION;
pub use request::ClientEvent;
pub use settings::{DEV_USER, RateLimit, Settings, UserToken};
