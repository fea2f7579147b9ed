//! The expectation modes over an [`Inbox`]: `next`, `eventually`, `unordered`, `absent` and
//! `ack`. Each looks only at messages its [`Scan`] has not examined yet, except `next`, which
//! looks at one message.

use super::{Clock, Inbox, MatchContext, Met, Pattern, Progress, Scan, Unmet, try_match};
use crate::exec::unmet::Cause;
use crate::matcher::{self, Captures};

impl Inbox {
    pub(super) fn next(
        &mut self,
        pattern: &Pattern,
        ctx: &MatchContext<'_>,
        clock: Clock,
    ) -> Progress {
        let mut index = self.cursor.max(self.base);
        while index < self.end() {
            if !self.visible(index, false) {
                index += 1;
                continue;
            }
            let Some(slot) = self.slot(index) else { break };
            match try_match(pattern, &slot.message, ctx) {
                Ok(bindings) => return self.met_at(index, bindings, true),
                // Another session's message is not this session's next one: look past it.
                Err(_) if self.foreign(index, ctx) => index += 1,
                Err(unmet) => return Progress::Unmet(unmet),
            }
        }
        match clock {
            Clock::Running => Progress::Waiting,
            Clock::Expired => Progress::Unmet(nothing_arrived(pattern)),
        }
    }

    pub(super) fn eventually(
        &mut self,
        pattern: &Pattern,
        scan: &mut Scan,
        ctx: &MatchContext<'_>,
        clock: Clock,
    ) -> Progress {
        let mut index = scan.next.max(self.cursor).max(self.base);
        while index < self.end() {
            let here = index;
            index += 1;
            if !self.visible(here, false) {
                continue;
            }
            let Some(slot) = self.slot(here) else { break };
            match try_match(pattern, &slot.message, ctx) {
                Ok(_) if self.foreign(here, ctx) => {}
                Ok(bindings) => {
                    scan.next = index;
                    return self.met_at(here, bindings, true);
                }
                Err(unmet) if unmet.is_scenario_error() => return Progress::Unmet(unmet),
                Err(unmet) => {
                    if is_closer(scan.closest.as_ref(), &unmet) && !self.foreign(here, ctx) {
                        scan.closest = Some(unmet);
                        scan.closest_at = Some(here);
                    }
                }
            }
        }
        scan.next = index;
        match (clock, scan.closest.take()) {
            (Clock::Running, closest) => {
                scan.closest = closest;
                Progress::Waiting
            }
            (Clock::Expired, None) => Progress::Unmet(nothing_arrived(pattern)),
            (Clock::Expired, Some(unmet)) => Progress::Unmet(Unmet {
                message: format!(
                    "no message matched {} before the deadline; the closest: {}",
                    matcher::describe(pattern),
                    unmet.message
                ),
                ..unmet
            }),
        }
    }

    pub(super) fn unordered(
        &mut self,
        patterns: &[&Pattern],
        scan: &mut Scan,
        ctx: &MatchContext<'_>,
        clock: Clock,
    ) -> Progress {
        if scan.candidates.len() != patterns.len() {
            scan.candidates = vec![Vec::new(); patterns.len()];
        }
        let mut index = scan.next.max(self.cursor).max(self.base);
        let mut grew = false;
        while index < self.end() {
            let here = index;
            index += 1;
            if !self.visible(here, false) {
                continue;
            }
            let Some(slot) = self.slot(here) else { break };
            let fits: Vec<usize> = (0..patterns.len())
                .filter(|&p| try_match(patterns[p], &slot.message, ctx).is_ok())
                .collect();
            if fits.is_empty() || self.foreign(here, ctx) {
                continue;
            }
            for p in fits {
                scan.candidates[p].push(here);
                grew = true;
            }
        }
        scan.next = index;
        let mut chosen = Vec::with_capacity(patterns.len());
        if grew && assign(&scan.candidates, &mut chosen) {
            let mut bindings = Captures::new();
            for (pattern, &at) in patterns.iter().zip(&chosen) {
                if let Some(slot) = self.slot(at)
                    && let Ok(found) = try_match(pattern, &slot.message, ctx)
                {
                    bindings.extend(found);
                }
            }
            let last = chosen.iter().copied().max().unwrap_or(self.cursor);
            let taken = chosen
                .iter()
                .filter_map(|&at| self.take(at))
                .max_by_key(|t| t.0);
            self.cursor = self.cursor.max(last + 1);
            return Progress::Met(Met { bindings, taken });
        }
        match clock {
            Clock::Running => Progress::Waiting,
            Clock::Expired => Progress::Unmet(Unmet::new(format!(
                "the {} expected messages did not all arrive (in any order) before the deadline; expected: {}",
                patterns.len(),
                patterns
                    .iter()
                    .map(|p| matcher::describe(p))
                    .collect::<Vec<_>>()
                    .join("; ")
            )).because(Cause::Timeout)),
        }
    }

    pub(super) fn absent(
        &mut self,
        pattern: Option<&Pattern>,
        scan: &mut Scan,
        ctx: &MatchContext<'_>,
        clock: Clock,
    ) -> Progress {
        let mut index = scan.next.max(self.cursor).max(self.base);
        while index < self.end() {
            let here = index;
            index += 1;
            if !self.visible(here, true) {
                continue;
            }
            let Some(slot) = self.slot(here) else { break };
            let hit = match pattern {
                None => true,
                Some(pattern) => match try_match(pattern, &slot.message, ctx) {
                    Ok(_) => true,
                    Err(unmet) if unmet.is_scenario_error() => return Progress::Unmet(unmet),
                    Err(_) => false,
                },
            };
            if !hit || self.foreign(here, ctx) {
                continue;
            }
            let actual = self
                .slot(here)
                .and_then(|s| s.message.received.json.clone());
            scan.next = index;
            return Progress::Unmet(
                Unmet::new(match pattern {
                    Some(p) => format!(
                        "a message matching {} arrived, but none should",
                        matcher::describe(p)
                    ),
                    None => "a message arrived, but none should".to_owned(),
                })
                .with(None, Some("no such message".to_owned()), actual)
                .because(Cause::Unexpected),
            );
        }
        scan.next = index;
        match clock {
            Clock::Running => Progress::Waiting,
            Clock::Expired => Progress::Met(Met {
                bindings: Captures::new(),
                taken: None,
            }),
        }
    }

    pub(super) fn ack(
        &mut self,
        id: u64,
        label: &str,
        pattern: &Pattern,
        ctx: &MatchContext<'_>,
        clock: Clock,
    ) -> Progress {
        let found = (self.base..self.end()).find(|&i| {
            self.slot(i)
                .is_some_and(|s| !s.taken && s.message.ack_id == Some(id))
        });
        let Some(index) = found else {
            return match clock {
                Clock::Running => Progress::Waiting,
                Clock::Expired => Progress::Unmet(
                    Unmet::new(format!(
                        "no ack arrived for the emit labelled \"{label}\" before the deadline"
                    ))
                    .because(Cause::Timeout),
                ),
            };
        };
        let Some(slot) = self.slot(index) else {
            return Progress::Waiting;
        };
        match try_match(pattern, &slot.message, ctx) {
            Ok(bindings) => self.met_at(index, bindings, false),
            Err(unmet) => Progress::Unmet(unmet),
        }
    }

    /// Takes the message at `index`; `moving`: the cursor moves past it.
    pub(super) fn met_at(&mut self, index: usize, bindings: Captures, moving: bool) -> Progress {
        let taken = self.take(index);
        if moving {
            self.cursor = index + 1;
        }
        Progress::Met(Met { bindings, taken })
    }
}

/// Picks a distinct message for each pattern from its candidates (depth first, in order).
fn assign(candidates: &[Vec<usize>], chosen: &mut Vec<usize>) -> bool {
    let Some(fits) = candidates.get(chosen.len()) else {
        return true;
    };
    for &index in fits {
        if chosen.contains(&index) {
            continue;
        }
        chosen.push(index);
        if assign(candidates, chosen) {
            return true;
        }
        chosen.pop();
    }
    false
}

fn nothing_arrived(pattern: &Pattern) -> Unmet {
    let expected = matcher::describe(pattern);
    Unmet::new(format!(
        "no message arrived before the deadline; expected {expected}"
    ))
    .with(None, Some(expected), None)
    .because(Cause::Timeout)
}

/// Whether `candidate` is a more specific mismatch than `current`: deeper in the message.
fn is_closer(current: Option<&Unmet>, candidate: &Unmet) -> bool {
    let depth = |u: &Unmet| {
        u.path
            .as_deref()
            .map_or(0, |p| p.matches(['.', '[']).count())
    };
    current.is_none_or(|current| depth(candidate) > depth(current))
}
