//! An actor's inbox and the expectation modes, without I/O.
//!
//! The session pushes every received message here and asks [`Inbox::check`] whether an
//! expectation is met, still waiting, or failed; it never matches messages itself.
//!
//! Invariants: the cursor only moves forward; a message is taken by at most one expectation;
//! messages before the cursor that no expectation took are "unmatched" for the report.
//! Checking is incremental: a [`Scan`] remembers how far one step has looked, so each message is
//! matched once per step however many arrive. Messages the cursor has passed are dropped (acks
//! stay until an `ack` expectation takes them), so an inbox stays small in a long session.
//! Whether a message is another session's traffic is asked only when a decision depends on it.
//! What happened to messages (taken, found foreign) is reported as [`Mark`]s for the transcript.

mod modes;
mod salvage;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use super::transcript::Received;
pub use super::unmet::Unmet;
use crate::matcher::{self, Captures, Pattern};

/// A received message as the inbox sees it.
#[derive(Debug, Clone)]
pub struct InboxMessage {
    /// Its transcript sequence number.
    pub seq: usize,
    /// When it arrived.
    pub at: Instant,
    /// The message.
    pub received: Arc<Received>,
    /// For the ack of one of our emits, its ack id: acks are matched only by
    /// [`Want::Ack`], by id, whatever their place in the inbox.
    pub ack_id: Option<u64>,
}

#[derive(Debug)]
struct Slot {
    message: InboxMessage,
    taken: bool,
    foreign: bool,
    /// An ack no expectation can take any more (its label was emitted again).
    retired: bool,
}

/// Whether time is up for the expectation being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// More messages may still arrive before the deadline.
    Running,
    /// The deadline has passed (or the connection is closed): decide now.
    Expired,
}

/// What an expectation wants, with its prepared patterns.
#[derive(Debug, Clone, Copy)]
pub enum Want<'p> {
    /// The oldest visible message must match.
    Next(&'p Pattern),
    /// The oldest visible message that matches is taken.
    Eventually(&'p Pattern),
    /// Each pattern takes a distinct message, in any order.
    Unordered(&'p [&'p Pattern]),
    /// No message matching (any message, for `None`) before the window ends.
    Absent(Option<&'p Pattern>),
    /// The ack with this id (an emit's), matching the pattern (`{args: [...]}`).
    Ack {
        /// The ack id the emit carried.
        id: u64,
        /// The label the scenario gave the emit (for messages).
        label: &'p str,
        /// The pattern of the inbox message.
        pattern: &'p Pattern,
    },
}

/// How far one step has looked into one inbox.
#[derive(Debug, Default)]
pub struct Scan {
    /// Absolute index of the first message not yet examined.
    next: usize,
    /// `eventually`: the most specific mismatch so far, and the index of its message.
    closest: Option<Unmet>,
    closest_at: Option<usize>,
    /// `unordered`: for each pattern, the messages it matches.
    candidates: Vec<Vec<usize>>,
}

/// An expectation that is met: its new captures and the message that met it.
#[derive(Debug, Clone)]
pub struct Met {
    /// New captures.
    pub bindings: Captures,
    /// The (last) message taken and when it arrived; `None` for `absent`.
    pub taken: Option<(Instant, Arc<Received>)>,
}

/// The state of an expectation after a check.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Met.
    Met(Met),
    /// Not yet decided: wait for more messages or the deadline.
    Waiting,
    /// Failed.
    Unmet(Unmet),
}

/// Something the transcript should know about one of its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// An expectation took the message of this sequence number.
    Matched(usize),
    /// The message of this sequence number is another session's traffic.
    Foreign(usize),
}

/// What matching needs besides the pattern.
pub struct MatchContext<'a> {
    /// The session's captures.
    pub captures: &'a Captures,
    /// "Now" in Unix milliseconds (for `!unix_millis`).
    pub now_ms: i64,
    /// Whether a message is another session's traffic (always false on non-broadcast targets).
    pub is_foreign: &'a dyn Fn(&Received) -> bool,
}

/// Messages received on one connection, with a cursor.
#[derive(Debug, Default)]
pub struct Inbox {
    slots: VecDeque<Slot>,
    /// Absolute index of `slots[0]`.
    base: usize,
    /// Absolute index of the first message not yet dealt with.
    cursor: usize,
    marks: Vec<Mark>,
}

impl Inbox {
    /// Adds a received message at the end.
    pub fn push(&mut self, message: InboxMessage) {
        self.slots.push_back(Slot {
            message,
            taken: false,
            foreign: false,
            retired: false,
        });
    }

    /// The ack `id` can no longer be taken (its emit's label was used again): once the cursor
    /// has passed it, it is dropped like any unmatched message.
    pub fn retire_ack(&mut self, id: u64) {
        for slot in &mut self.slots {
            if slot.message.ack_id == Some(id) && !slot.taken {
                slot.retired = true;
            }
        }
    }

    /// Messages held (not yet dropped).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The marks made since the last call.
    pub fn take_marks(&mut self) -> std::vec::Drain<'_, Mark> {
        self.marks.drain(..)
    }

    /// Checks `want` against the messages from the cursor on (acks: anywhere).
    pub fn check(
        &mut self,
        want: Want<'_>,
        scan: &mut Scan,
        ctx: &MatchContext<'_>,
        clock: Clock,
    ) -> Progress {
        let progress = match want {
            Want::Next(pattern) => self.next(pattern, ctx, clock),
            Want::Eventually(pattern) => self.eventually(pattern, scan, ctx, clock),
            Want::Unordered(patterns) => self.unordered(patterns, scan, ctx, clock),
            Want::Absent(pattern) => self.absent(pattern, scan, ctx, clock),
            Want::Ack { id, label, pattern } => self.ack(id, label, pattern, ctx, clock),
        };
        if matches!(progress, Progress::Met(_)) {
            self.drop_passed(ctx);
        }
        progress
    }

    /// Ends the inbox: every message no expectation took is checked for foreignness once more
    /// (markers may have arrived since), for the report.
    pub fn finish(&mut self, ctx: &MatchContext<'_>) {
        for index in 0..self.slots.len() {
            let slot = &self.slots[index];
            if !slot.taken && !slot.foreign && (ctx.is_foreign)(&slot.message.received) {
                let seq = slot.message.seq;
                self.slots[index].foreign = true;
                self.marks.push(Mark::Foreign(seq));
            }
        }
    }

    fn slot(&self, index: usize) -> Option<&Slot> {
        self.slots.get(index.checked_sub(self.base)?)
    }

    fn slot_mut(&mut self, index: usize) -> Option<&mut Slot> {
        self.slots.get_mut(index.checked_sub(self.base)?)
    }

    fn end(&self) -> usize {
        self.base + self.slots.len()
    }

    /// Whether the message at `index` is another session's: a positive answer is remembered and
    /// marked; a negative one is asked again next time (markers keep arriving).
    fn foreign(&mut self, index: usize, ctx: &MatchContext<'_>) -> bool {
        let Some(slot) = self.slot(index) else {
            return false;
        };
        if slot.foreign {
            return true;
        }
        if !(ctx.is_foreign)(&slot.message.received) {
            return false;
        }
        let seq = slot.message.seq;
        if let Some(slot) = self.slot_mut(index) {
            slot.foreign = true;
        }
        self.marks.push(Mark::Foreign(seq));
        true
    }

    /// Whether the message at `index` can be seen by expectations other than `ack` and
    /// `absent`: not taken, not known to be foreign, not an ack.
    fn visible(&self, index: usize, with_acks: bool) -> bool {
        self.slot(index).is_some_and(|slot| {
            !slot.taken && !slot.foreign && (with_acks || slot.message.ack_id.is_none())
        })
    }

    fn take(&mut self, index: usize) -> Option<(Instant, Arc<Received>)> {
        let slot = self.slot_mut(index)?;
        slot.taken = true;
        let taken = (slot.message.at, Arc::clone(&slot.message.received));
        let seq = slot.message.seq;
        self.marks.push(Mark::Matched(seq));
        Some(taken)
    }

    /// Drops the messages the cursor has passed (acks only once taken); the untaken ones are
    /// unmatched, so their foreignness is settled now.
    fn drop_passed(&mut self, ctx: &MatchContext<'_>) {
        while let Some(front) = self.slots.front() {
            let awaited_ack = !front.taken && !front.retired && front.message.ack_id.is_some();
            if self.base >= self.cursor || awaited_ack {
                break;
            }
            if !front.taken {
                self.foreign(self.base, ctx);
            }
            self.slots.pop_front();
            self.base += 1;
        }
    }
}

fn try_match(
    pattern: &Pattern,
    message: &InboxMessage,
    ctx: &MatchContext<'_>,
) -> Result<Captures, Unmet> {
    let Some(json) = &message.received.json else {
        return Err(Unmet::new("the message is not JSON").with(
            Some("$".to_owned()),
            Some(matcher::describe(pattern)),
            None,
        ));
    };
    matcher::matches_at(pattern, json, ctx.captures, ctx.now_ms)
        .map_err(|error| Unmet::from_match("the message", error))
}

#[cfg(test)]
mod tests;
