//! Deciding the waits that depend on what arrives: `expect` steps (each named actor in turn,
//! within one window) and `expect_close`.
//!
//! A wait is re-examined after every input; an inbox check is incremental, so this costs one
//! match per new message, not a rescan.

use std::time::Instant;

use serde_json::Value;

use std::sync::Arc;

use super::inbox::{Clock, MatchContext, Met, Progress, Want};
use super::observer::{LatencyKind, Observer};
use super::outcome::CheckKind;
use super::plan::{Instruction, OnDeviation};
use super::session::{ExpectWait, Link, Session, Wait, WantKind, is_foreign};
use super::transcript::Received;
use super::unmet::{Cause, Unmet};
use crate::matcher::Pattern;
use crate::schema::SchemaSet;

impl Session {
    /// Checks the current `expect` step; true if it was decided (met or failed).
    pub(super) fn poll_expect(&mut self, now: Instant, observer: &mut dyn Observer) -> bool {
        let Wait::Expect(mut wait) = std::mem::replace(&mut self.wait, Wait::Ready) else {
            return false;
        };
        loop {
            let Some(&actor) = wait.actors.get(wait.current) else {
                // Every actor met it: `self.wait` is `Ready`.
                return true;
            };
            match self.check_actor(now, &mut wait, actor) {
                Progress::Waiting => {
                    self.wait = Wait::Expect(wait);
                    return false;
                }
                Progress::Met(met) => {
                    self.met(now, &wait, actor, met, observer);
                    wait.current += 1;
                    wait.scan = Default::default();
                }
                Progress::Unmet(mut unmet) => {
                    if let Link::Closed(code, reason) = &self.actors[actor].link {
                        unmet.message = format!(
                            "{} (the connection was closed: code {code:?}, {reason})",
                            unmet.message
                        );
                        if unmet.cause == Cause::Timeout {
                            unmet.cause = Cause::Closed;
                        }
                    }
                    let since = wait.since;
                    if !self.go_on_past(now, &mut wait, actor, &unmet, observer) {
                        self.fail_check(
                            now,
                            since,
                            Some(actor),
                            CheckKind::Expect,
                            unmet,
                            observer,
                        );
                        return true;
                    }
                    wait.current += 1;
                    wait.scan = Default::default();
                }
            }
        }
    }

    /// After `actor` failed the current expectation: records the failed check and returns true
    /// if the scenario can go on — the message it failed on still holds what later steps need
    /// (it is taken, its captures kept), or the step captures nothing.
    fn go_on_past(
        &mut self,
        now: Instant,
        wait: &mut ExpectWait,
        actor: usize,
        unmet: &Unmet,
        observer: &mut dyn Observer,
    ) -> bool {
        if !self.may_go_on(unmet) {
            return false;
        }
        let plan = Arc::clone(&self.plan);
        let Some(Instruction::Step(planned)) = self.current.and_then(|i| plan.program.get(i))
        else {
            return false;
        };
        let salvaged = match (&planned.salvage, self.want_of(planned, &wait.want, actor)) {
            (Some(salvage), Ok(want)) => self.with_inbox(now, actor, |inbox, ctx| {
                inbox.salvage(want, &wait.scan, ctx, salvage)
            }),
            _ => None,
        };
        if salvaged.is_none() && planned.captures {
            return false;
        }
        self.deviate(
            now,
            wait.since,
            Some(actor),
            CheckKind::Expect,
            unmet.clone(),
            observer,
        );
        if let Some(met) = salvaged {
            self.keep(met.bindings);
        }
        true
    }

    fn check_actor(&mut self, now: Instant, wait: &mut ExpectWait, actor: usize) -> Progress {
        let state = &self.actors[actor];
        let ended = state.is_closed() || now >= wait.deadline;
        let clock = if ended {
            Clock::Expired
        } else {
            Clock::Running
        };
        let plan = Arc::clone(&self.plan);
        let Some(Instruction::Step(planned)) = self.current.and_then(|i| plan.program.get(i))
        else {
            return Progress::Unmet(Unmet::scenario("the expectation has no pattern"));
        };
        let all: Vec<&Pattern>;
        let want = match (&wait.want, self.want_of(planned, &wait.want, actor)) {
            (WantKind::Unordered, _) => {
                all = planned.patterns.iter().map(|p| &**p).collect();
                Want::Unordered(&all)
            }
            (_, Ok(want)) => want,
            (_, Err(unmet)) => return Progress::Unmet(unmet),
        };
        self.with_inbox(now, actor, |inbox, ctx| {
            inbox.check(want, &mut wait.scan, ctx, clock)
        })
    }

    /// Runs `work` on `actor`'s inbox with the session's matching context, then applies the
    /// marks it made to the transcript.
    fn with_inbox<R>(
        &mut self,
        now: Instant,
        actor: usize,
        work: impl FnOnce(&mut super::inbox::Inbox, &MatchContext<'_>) -> R,
    ) -> R {
        let markers = self.markers.as_ref();
        let foreign = |r: &Received| is_foreign(markers, r);
        let ctx = MatchContext {
            captures: &self.captures,
            now_ms: self.unix_ms(now),
            is_foreign: &foreign,
        };
        let result = work(&mut self.actors[actor].inbox, &ctx);
        self.apply_marks(actor);
        result
    }

    /// What the current expectation wants of `actor` (not `unordered`, whose pattern list the
    /// caller holds).
    fn want_of<'p>(
        &self,
        planned: &'p super::plan::PlannedStep,
        kind: &'p WantKind,
        actor: usize,
    ) -> Result<Want<'p>, Unmet> {
        let first = planned.patterns.first().map(|p| &**p);
        match (kind, first) {
            (WantKind::Next, Some(p)) => Ok(Want::Next(p)),
            (WantKind::Eventually, Some(p)) => Ok(Want::Eventually(p)),
            (WantKind::Absent, pattern) => Ok(Want::Absent(pattern)),
            (WantKind::Ack(label), Some(p)) => {
                match self.actors[actor].labels.iter().find(|(l, _)| l == label) {
                    Some(&(_, id)) => Ok(Want::Ack {
                        id,
                        label,
                        pattern: p,
                    }),
                    None => Err(Unmet::scenario(format!(
                        "no emit of this session asked for an ack labelled \"{label}\""
                    ))),
                }
            }
            _ => Err(Unmet::scenario("the expectation has no pattern")),
        }
    }

    /// One actor met the current expectation: captures kept, check and latency recorded.
    fn met(
        &mut self,
        now: Instant,
        wait: &ExpectWait,
        actor: usize,
        met: Met,
        observer: &mut dyn Observer,
    ) {
        self.keep(met.bindings);
        self.check(
            now,
            wait.since,
            Some(actor),
            CheckKind::Expect,
            None,
            observer,
        );
        let Some((at, received)) = met.taken else {
            return;
        };
        // An ack's own round trip is measured when it arrives.
        if received
            .json
            .as_ref()
            .is_some_and(|j| j.get("ack").is_some())
        {
            return;
        }
        let kind = if wait.actors.len() > 1 {
            LatencyKind::FanOut
        } else {
            LatencyKind::RoundTrip
        };
        let subject = message_type(&self.plan.suite.schemas, &received);
        observer.latency(kind, subject, at.saturating_duration_since(self.last_cause));
    }

    /// Checks the current `expect_close` step; true if it was decided.
    pub(super) fn poll_target_close(&mut self, now: Instant, observer: &mut dyn Observer) -> bool {
        let Wait::TargetClose {
            actor,
            code,
            deadline,
            since,
        } = self.wait
        else {
            return false;
        };
        let unmet =
            match &self.actors[actor].link {
                Link::Closed(got, reason) => match code {
                    Some(want) if *got != Some(want) => Some(
                        Unmet::new(format!(
                            "the connection closed with code {got:?} ({reason}), expected {want}"
                        ))
                        .with(
                            None,
                            Some(format!("close code {want}")),
                            got.map(Value::from),
                        )
                        .because(Cause::Closed),
                    ),
                    _ => None,
                },
                _ if now >= deadline => Some(
                    Unmet::new("the target did not close the connection before the deadline")
                        .with(
                            None,
                            Some(code.map_or_else(
                                || "a close".to_owned(),
                                |c| format!("close code {c}"),
                            )),
                            None,
                        )
                        .because(Cause::Timeout),
                ),
                _ => return false,
            };
        match unmet {
            // A close with the wrong code, or none, leaves later steps what they need.
            Some(unmet) if self.plan.options.on_deviation == OnDeviation::GoOn => {
                self.deviate(now, since, Some(actor), CheckKind::Close, unmet, observer);
                self.wait = Wait::Ready;
            }
            Some(unmet) => {
                self.fail_check(now, since, Some(actor), CheckKind::Close, unmet, observer)
            }
            None => {
                self.check(now, since, Some(actor), CheckKind::Close, None, observer);
                self.wait = Wait::Ready;
            }
        }
        true
    }
}

/// The type of a received message for metrics: its type field, or the kind of socket.io item.
pub(super) fn message_type<'a>(schemas: &SchemaSet, received: &'a Received) -> &'a str {
    let Some(json) = &received.json else {
        return "(not JSON)";
    };
    if let Some(kind) = schemas.type_of(json) {
        return kind;
    }
    if json.get("connect_error").is_some() {
        return "connect_error";
    }
    "(untyped)"
}
