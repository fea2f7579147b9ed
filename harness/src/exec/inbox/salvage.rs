//! Going on past a deviation: after an expectation failed, the message it failed on may still
//! hold what later steps need. [`Inbox::salvage`] matches that message against the
//! expectation's salvage (see [`crate::matcher::salvage`]) and, if it holds, takes it as the
//! expectation would have: the step's check stays failed, but its captures are kept and the
//! cursor moves on, so the next step does not meet the same message again.
//!
//! Only the modes that failed on one message can be salvaged: `next` (the message in front),
//! `ack` (the ack of the emit) and `eventually` (its closest mismatch). `unordered` and `absent`
//! failures leave nothing to take.

use super::{Inbox, MatchContext, Met, Pattern, Progress, Scan, Want, try_match};

impl Inbox {
    /// Takes the message `want` failed on if it matches `salvage`; `None` when there is none or
    /// it does not match.
    pub fn salvage(
        &mut self,
        want: Want<'_>,
        scan: &Scan,
        ctx: &MatchContext<'_>,
        salvage: &Pattern,
    ) -> Option<Met> {
        let (index, moving) = match want {
            Want::Next(_) => (self.front_of_own(ctx)?, true),
            Want::Eventually(_) => (scan.closest_at.filter(|&i| self.visible(i, false))?, true),
            Want::Ack { id, .. } => (
                (self.base..self.end()).find(|&i| {
                    self.slot(i)
                        .is_some_and(|s| !s.taken && s.message.ack_id == Some(id))
                })?,
                false,
            ),
            Want::Unordered(_) | Want::Absent(_) => return None,
        };
        let bindings = try_match(salvage, &self.slot(index)?.message, ctx).ok()?;
        match self.met_at(index, bindings, moving) {
            Progress::Met(met) => Some(met),
            _ => None,
        }
    }

    /// The first message from the cursor on that is visible and this session's own.
    fn front_of_own(&mut self, ctx: &MatchContext<'_>) -> Option<usize> {
        let mut index = self.cursor.max(self.base);
        while index < self.end() {
            if self.visible(index, false) && !self.foreign(index, ctx) {
                return Some(index);
            }
            index += 1;
        }
        None
    }
}
