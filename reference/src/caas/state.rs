//! The caas core's stored state: users (one per configured `userId` of a tenant) with their
//! sockets, conversations with their members, kept messages and typists, calls, and the
//! core-wide timers.
//!
//! Invariants kept by the core: a user's `conversations` are exactly the conversations that
//! list the user as a member, and every member is of the conversation's tenant; a user's `sent`
//! and the core's message index hold exactly the kept messages; a user's `calls` are exactly the
//! live calls the user is a party to; every typist and ringing call has exactly one timer.

use crate::ark::Timestamp;
use crate::rate::RateWindow;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// A connection, numbered by the driver (never reused while the core lives).
pub type ConnId = u64;
/// An ack the driver is waiting to send, numbered by the driver.
pub type AckId = u64;

/// A user's index in the core's user list.
pub(super) type UserIx = usize;

/// A timer's key in the core's timer set: when, and a sequence number that makes it unique.
pub(super) type TimerKey = (Timestamp, u64);

/// A connected socket.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) user: UserIx,
    /// The rate limit's current window (caas-N13).
    pub(super) rate: RateWindow,
}

/// One user of one tenant; several tokens may name it.
#[derive(Debug)]
pub(super) struct User {
    pub(super) user_id: String,
    pub(super) tenant_id: String,
    /// Its connected sockets.
    pub(super) sockets: BTreeSet<ConnId>,
    /// The conversations it is a member of (K3).
    pub(super) conversations: BTreeSet<String>,
    /// `message:send` frame id → the kept message it created (caas-N7).
    pub(super) sent: HashMap<String, String>,
    /// The live calls it is a party to (caas-N11).
    pub(super) calls: BTreeSet<String>,
}

impl User {
    pub(super) fn new(user_id: String, tenant_id: String) -> Self {
        Self {
            user_id,
            tenant_id,
            sockets: BTreeSet::new(),
            conversations: BTreeSet::new(),
            sent: HashMap::new(),
            calls: BTreeSet::new(),
        }
    }
}

/// A kept message: enough to answer edits, deletes and retried sends (its content is only
/// relayed, never read again).
#[derive(Debug)]
pub(super) struct Stored {
    pub(super) author: UserIx,
    /// The `message:send` frame id that created it.
    pub(super) frame_id: String,
    /// Deleted messages stay kept (as `NOT_FOUND`) until forgotten, so that the oldest-first
    /// order of forgetting stays simple.
    pub(super) deleted: bool,
}

/// A conversation: a room of one tenant (K3, caas-N6).
#[derive(Debug)]
pub(super) struct Conversation {
    pub(super) tenant_id: String,
    pub(super) members: BTreeSet<UserIx>,
    /// Kept message ids, oldest first (caas-N15).
    pub(super) kept: VecDeque<String>,
    pub(super) messages: HashMap<String, Stored>,
    /// Members typing, with their stop timer (caas-N9).
    pub(super) typing: BTreeMap<UserIx, TimerKey>,
}

impl Conversation {
    pub(super) fn new(tenant_id: String) -> Self {
        Self {
            tenant_id,
            members: BTreeSet::new(),
            kept: VecDeque::new(),
            messages: HashMap::new(),
            typing: BTreeMap::new(),
        }
    }
}

/// A live call (caas-N11): ringing until answered, then answered until ended.
#[derive(Debug)]
pub(super) struct Call {
    pub(super) caller: UserIx,
    pub(super) callee: UserIx,
    /// The conversation the `call:initiate` frame named, echoed in the call's frames.
    pub(super) conversation: Option<String>,
    /// When it was answered.
    pub(super) answered_at: Option<Timestamp>,
    /// The ring timer, while it rings.
    pub(super) ring: Option<TimerKey>,
}

/// What a timer does when it fires.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// A typist's `typing_timeout` ends (caas-N9).
    Typing { user: UserIx, conversation: String },
    /// A call has rung for `call_ring_timeout` (caas-N11).
    Ring { call: String },
}
