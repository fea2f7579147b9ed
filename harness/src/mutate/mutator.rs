//! The proxy's decisions, sans-IO: a [`Tap`] per scenario run (the one mutant it applies, or
//! none while recording) and a [`ChannelMutator`] per channel (a WebSocket connection, or the
//! run's HTTP answers) that turns each server message into the frames to forward.
//!
//! Invariants: a run applies at most one mutant, to the message at its channel and index, and
//! only when that message has the signature it had in the recording (otherwise the tap notes a
//! mismatch and the message passes unchanged). A held message (reorder, delay) is released
//! after the next message, at its deadline, or when the channel ends — never lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::message::{Channel, Frame, ServerMessage};
use super::operators::{Effect, Operator, apply};

/// One mutant: one operator at one site of one server message of one scenario's run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mutant {
    /// The scenario id.
    pub scenario: String,
    /// The channel of the message.
    pub channel: Channel,
    /// The message's index on its channel (0-based).
    pub index: usize,
    /// The message's signature in the recording ([`ServerMessage::signature`]).
    pub signature: String,
    /// The operator.
    pub operator: Operator,
    /// The site (empty for message-level operators).
    pub site: String,
}

/// The timing limits of the message-level operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How long [`Operator::Delay`] holds a message.
    pub delay: Duration,
    /// The longest [`Operator::Reorder`] holds a message when no next message comes.
    pub hold_limit: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            delay: Duration::from_millis(300),
            hold_limit: Duration::from_secs(2),
        }
    }
}

/// What happened to a run's mutant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Applied {
    /// Its message never came.
    #[default]
    NotReached,
    /// It was applied; the mutated message as forwarded (described).
    Applied(String),
    /// Its place held another message (or the site was missing): nothing was changed.
    Mismatch(String),
    /// A held message went out with no message passing it: a latency, not a reorder.
    OnlyLate(String),
}

/// A scenario run's proxy state shared by its channels.
#[derive(Debug)]
pub struct Tap {
    mutant: Option<Mutant>,
    type_pointer: String,
    timing: Timing,
    recording: bool,
    /// The scenario is over: what the server sends now (a shutdown notice as the fresh server
    /// stops) is no message of the scenario, so it is neither recorded nor mutated.
    sealed: AtomicBool,
    recorded: Mutex<Vec<ServerMessage>>,
    applied: Mutex<Applied>,
}

impl Tap {
    /// A tap that records every server message and changes nothing.
    pub fn recording(type_pointer: &str) -> Tap {
        Tap::new(None, type_pointer, Timing::default(), true)
    }

    /// A tap that applies `mutant`.
    pub fn mutating(mutant: Mutant, type_pointer: &str, timing: Timing) -> Tap {
        Tap::new(Some(mutant), type_pointer, timing, false)
    }

    fn new(mutant: Option<Mutant>, type_pointer: &str, timing: Timing, recording: bool) -> Tap {
        Tap {
            mutant,
            type_pointer: type_pointer.to_owned(),
            timing,
            recording,
            sealed: AtomicBool::new(false),
            recorded: Mutex::new(Vec::new()),
            applied: Mutex::new(Applied::NotReached),
        }
    }

    /// The messages recorded so far, in arrival order (per channel, in channel order).
    pub fn recorded(&self) -> Vec<ServerMessage> {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Ends the tap's scenario: later messages pass unchanged and unrecorded.
    pub fn seal(&self) {
        self.sealed.store(true, Ordering::SeqCst);
    }

    /// What happened to the mutant.
    pub fn applied(&self) -> Applied {
        self.applied
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn note(&self, applied: Applied) {
        *self.applied.lock().unwrap_or_else(PoisonError::into_inner) = applied;
    }

    /// The effect of the mutant on the `index`-th message of `channel`, if it targets it.
    fn effect(&self, index: usize, message: &ServerMessage) -> Option<Effect> {
        let mutant = self.mutant.as_ref()?;
        if mutant.channel != message.channel || mutant.index != index {
            return None;
        }
        let found = message.signature(&self.type_pointer);
        if found != mutant.signature {
            self.note(Applied::Mismatch(format!("found {found}")));
            return None;
        }
        let Some(effect) = apply(mutant.operator, &mutant.site, message, &self.type_pointer) else {
            self.note(Applied::Mismatch(format!("no site {:?}", mutant.site)));
            return None;
        };
        self.note(Applied::Applied(describe(&effect, message, self.timing)));
        Some(effect)
    }
}

fn describe(effect: &Effect, message: &ServerMessage, timing: Timing) -> String {
    let original = ServerMessage::shown(&message.frames);
    match effect {
        Effect::Replace(frames) => ServerMessage::shown(frames),
        Effect::Drop => format!("(dropped) {original}"),
        Effect::Duplicate(_) => format!("(sent twice) {original}"),
        Effect::HoldUntilNext(_) => format!("(sent after the next message) {original}"),
        Effect::Delay(_) => format!("(delayed {} ms) {original}", timing.delay.as_millis()),
    }
}

/// A message held back, and when it goes at the latest.
#[derive(Debug)]
struct Held {
    frames: Vec<Frame>,
    until: Instant,
    /// Released right after the next message (reorder), else only at `until` (delay).
    on_next: bool,
    /// Messages forwarded while it was held.
    passed: usize,
}

/// One channel's message counter and held message.
#[derive(Debug)]
pub struct ChannelMutator {
    channel: Channel,
    seen: usize,
    held: Option<Held>,
}

impl ChannelMutator {
    /// The mutator of `channel`.
    pub fn new(channel: Channel) -> ChannelMutator {
        ChannelMutator {
            channel,
            seen: 0,
            held: None,
        }
    }

    /// The channel.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The frames to forward for the next server message of this channel.
    pub fn on_message(&mut self, tap: &Tap, now: Instant, message: ServerMessage) -> Vec<Frame> {
        if tap.sealed.load(Ordering::SeqCst) {
            return message.frames;
        }
        let index = self.seen;
        self.seen += 1;
        if tap.recording {
            tap.recorded
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(message.clone());
        }
        let released = self.held.take_if(|held| held.on_next);
        if let Some(held) = self.held.as_mut() {
            held.passed += 1;
        }
        let mut out = Vec::new();
        match tap.effect(index, &message) {
            None => out.extend(message.frames),
            Some(Effect::Replace(frames)) => out.extend(frames),
            Some(Effect::Drop) => {}
            Some(Effect::Duplicate(frames)) => {
                out.extend(frames.iter().cloned());
                out.extend(frames);
            }
            Some(Effect::HoldUntilNext(frames)) => {
                self.hold(frames, now + tap.timing.hold_limit, true)
            }
            Some(Effect::Delay(frames)) => self.hold(frames, now + tap.timing.delay, false),
        }
        out.extend(released.into_iter().flat_map(|held| held.frames));
        out
    }

    fn hold(&mut self, frames: Vec<Frame>, until: Instant, on_next: bool) {
        self.held = Some(Held {
            frames,
            until,
            on_next,
            passed: 0,
        });
    }

    /// When a held message is due, if one is held.
    pub fn deadline(&self) -> Option<Instant> {
        self.held.as_ref().map(|held| held.until)
    }

    /// The held message's frames if it is due at `now`.
    pub fn due(&mut self, tap: &Tap, now: Instant) -> Vec<Frame> {
        let due = self.held.take_if(|held| held.until <= now);
        release(tap, due)
    }

    /// The held message's frames, whenever it was due: the channel is ending.
    pub fn flush(&mut self, tap: &Tap) -> Vec<Frame> {
        release(tap, self.held.take())
    }
}

/// The frames of a message held to its deadline; a message nothing passed was only late, so
/// the tap notes that the mutant reordered nothing.
fn release(tap: &Tap, held: Option<Held>) -> Vec<Frame> {
    let Some(held) = held else {
        return Vec::new();
    };
    if held.passed == 0 {
        tap.note(Applied::OnlyLate(
            "(no message passed it: a latency, not a reorder)".into(),
        ));
    }
    held.frames
}

#[cfg(test)]
#[path = "mutator_tests.rs"]
mod tests;
