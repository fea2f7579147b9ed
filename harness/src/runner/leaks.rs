//! Messages delivered to the wrong scenario, reported under the scenario that caused them.
//!
//! On a shared target, a scenario's session marks as *foreign* the messages that name another
//! session's tokens (see [`crate::exec::markers`]); they are shown in its transcript and never
//! blamed on it. A message of a type the profile does not broadcast should not have reached
//! that connection at all: [`record`] notes each one with the scenario it belongs to, and
//! [`attribute`], once the run is over, adds it to that scenario's result as a [`Leak`] (one per
//! message, listing every connection that overheard it), which fails the scenario. A type the
//! target's dialect declares broadcast (`broadcasts`) is a use of that deviation instead.
//!
//! Not here: types the profile broadcasts (their foreign traffic is by design) and targets of a
//! scenario's own (fresh state: nothing to overhear).

use std::collections::BTreeMap;

use crate::dialect::Dialect;
use crate::exec::markers::{MarkerIndex, Overheard};
use crate::profile::Profile;
use crate::report::model::{DeviationUse, Direction, Failure, Leak, ScenarioResult, Verdict};

/// Notes every foreign message `result`'s session (number `session` in `markers`) received
/// whose type the profile does not broadcast, with the scenario it belongs to and the dialect's
/// deviation that declares it broadcast, if one does.
pub fn record(
    result: &ScenarioResult,
    profile: &Profile,
    dialect: Option<&Dialect>,
    markers: &MarkerIndex,
    session: u64,
) {
    let foreign = result
        .transcript
        .iter()
        .filter(|entry| entry.foreign && entry.direction == Direction::Received);
    for entry in foreign {
        let kind = message_kind(&entry.text, &profile.type_pointer);
        if profile.broadcast.covers(kind.as_deref()) {
            continue;
        }
        let declared = dialect.and_then(|d| {
            let index = d.broadcast_of(kind.as_deref()?)?;
            let deviation = &d.deviations[index];
            Some(DeviationUse {
                id: deviation.id.clone(),
                reason: deviation.reason.clone(),
                count: 1,
            })
        });
        for owner in markers.owners_of_text(&entry.text, session) {
            markers.record_overheard(Overheard {
                owner,
                heard_by: result.id.clone(),
                actor: entry.actor.clone(),
                kind: kind.clone(),
                text: entry.text.clone(),
                declared: declared.clone(),
            });
        }
    }
}

/// Adds each overheard message to the result of the scenario it belongs to (by id), once per
/// message with every connection that received it; a scenario that passed now fails, with the
/// first leak as its headline. A copy the dialect declares is counted as a use of that
/// deviation instead.
pub fn attribute(results: &mut [ScenarioResult], overheard: Vec<Overheard>) {
    let mut by_owner: BTreeMap<String, Vec<Leak>> = BTreeMap::new();
    let mut declared: BTreeMap<String, Vec<DeviationUse>> = BTreeMap::new();
    for heard in overheard {
        if let Some(used) = heard.declared {
            count_use(declared.entry(heard.owner).or_default(), used);
            continue;
        }
        let leaks = by_owner.entry(heard.owner).or_default();
        let at = format!("{} ({})", heard.heard_by, heard.actor);
        match leaks.iter_mut().find(|leak| leak.text == heard.text) {
            Some(leak) if !leak.heard_by.contains(&at) => leak.heard_by.push(at),
            Some(_) => {}
            None => leaks.push(Leak {
                kind: heard.kind,
                text: heard.text,
                heard_by: vec![at],
            }),
        }
    }
    for result in results.iter_mut() {
        if let Some(leaks) = by_owner.remove(&result.id) {
            add_leaks(result, leaks);
        }
        for used in declared.remove(&result.id).into_iter().flatten() {
            count_use(&mut result.deviations, used);
        }
    }
}

fn count_use(uses: &mut Vec<DeviationUse>, used: DeviationUse) {
    match uses.iter_mut().find(|u| u.id == used.id) {
        Some(known) => known.count += used.count,
        None => uses.push(used),
    }
}

fn add_leaks(result: &mut ScenarioResult, leaks: Vec<Leak>) {
    if result.verdict == Verdict::Pass {
        result.verdict = Verdict::Fail;
    }
    if result.failure.is_none() {
        let first = &leaks[0];
        let what = first.kind.as_deref().unwrap_or("message");
        let more = match leaks.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        result.failure = Some(Failure::new(format!(
            "this scenario's {what} also reached a connection of another scenario, \
             which the protocol does not broadcast to{more}"
        )));
    }
    result.leaks.extend(leaks);
}

/// The message's type at `pointer`, if the text is JSON and has a string there.
fn message_kind(text: &str, pointer: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.pointer(pointer)?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests;
