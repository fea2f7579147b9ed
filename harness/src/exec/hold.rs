//! Holding a session before one of its steps: its driver does something of its own there (the
//! hostile raw kinds start their bad connections once a bystander is connected, before it is
//! probed), then releases it.
//!
//! Sans-IO like the rest of the session: [`Session::hold_before`] names the step,
//! [`Session::is_held`] says the session reached it (nothing of the step has started), and
//! [`Session::release`] goes on. The time held is added to the session's budget; what arrived
//! meanwhile is fed afterwards as ever. A session is held at most once.

use std::time::{Duration, Instant};

use super::observer::Observer;
use super::session::{Session, Wait};

impl Session {
    /// Holds the session when it reaches step `number` (1-based, as in the file), before it
    /// starts; a session whose steps end earlier is never held.
    pub fn hold_before(&mut self, number: usize) {
        self.hold = Some(number);
    }

    /// Whether the session waits to be released.
    pub fn is_held(&self) -> bool {
        matches!(self.wait, Wait::Held)
    }

    /// Releases a held session, which was held for `held`: it goes on with the step it was held
    /// before, its budget moved later by `held`.
    pub fn release(&mut self, now: Instant, held: Duration, observer: &mut dyn Observer) {
        if !self.is_held() {
            return;
        }
        self.hold = None;
        self.extend_budget(held);
        self.wait = Wait::Ready;
        self.start(now, observer);
    }
}
