//! Calls (K7, caas-N11): `call:initiate` rings every socket of another connected user of the
//! caller's tenant; only the callee answers or rejects, only while it rings; either party ends
//! it. Rejecting, ending, an unanswered ring of `call_ring_timeout` and a party's last socket
//! closing end it: `call:ended {callId, duration}` to both parties' sockets, once (the call is
//! forgotten as it ends, so nothing can end it again).
//!
//! Calls of another tenant do not exist for a user (`NOT_FOUND`), so nothing about them leaks.

use super::CaasError;
use super::core::{Core, Output};
use super::dispatch::Success;
use super::frame::{Frame, ServerFrame};
use super::request::CallAction;
use super::state::{Call, Timer, UserIx};
use crate::ark::Timestamp;
use serde_json::{Value, json};

impl Core {
    /// `call:initiate {targetUserId, type}`. When the frame names a conversation, the caller
    /// must be a member (K3) and the call's frames name it too.
    pub(super) fn initiate(
        &mut self,
        now: Timestamp,
        user: UserIx,
        frame: &Frame<'_>,
        target: &str,
        kind: &str,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        if let Some(conversation) = frame.conversation_id {
            self.access(user, conversation)?;
        }
        let tenant = self.users[user].tenant_id.clone();
        let callee = *self
            .by_name
            .get(&(tenant, target.to_owned()))
            .ok_or_else(|| CaasError::NotFound(format!("no user {target:?}")))?;
        if callee == user {
            return Err(CaasError::invalid(
                "data.targetUserId",
                "data.targetUserId must be another user",
            ));
        }
        if self.users[callee].sockets.is_empty() {
            return Err(CaasError::Unavailable(format!("{target} is not connected")));
        }
        let max = self.settings.max_calls_per_user;
        let started = self.users[user]
            .calls
            .iter()
            .filter(|c| self.calls.get(*c).is_some_and(|c| c.caller == user))
            .count();
        if started >= max {
            return Err(CaasError::InvalidPayload {
                field: None,
                message: format!("a user may have at most {max} calls going"),
            });
        }
        let call_id = self.ids.next_id();
        let ring = Timer::Ring {
            call: call_id.clone(),
        };
        let ring = self.add_timer(now.plus(self.settings.call_ring_timeout), ring);
        let conversation = frame.conversation_id.map(str::to_owned);
        self.calls.insert(
            call_id.clone(),
            Call {
                caller: user,
                callee,
                conversation,
                answered_at: None,
                ring: Some(ring),
            },
        );
        self.users[user].calls.insert(call_id.clone());
        self.users[callee].calls.insert(call_id.clone());
        let data = json!({
            "callId": call_id,
            "callerId": self.users[user].user_id,
            "type": kind,
        });
        let incoming = Notice {
            call_id: &call_id,
            name: "call:incoming",
            data,
            cause: Some(frame.id),
        };
        self.call_event(now, incoming, &[callee], out);
        Ok(Success::call(call_id))
    }

    /// `call:answer`, `call:reject` or `call:end` of `call_id`.
    pub(super) fn call_action(
        &mut self,
        now: Timestamp,
        user: UserIx,
        action: CallAction,
        call_id: &str,
        cause: Option<&str>,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        let tenant = &self.users[user].tenant_id;
        let call = self
            .calls
            .get(call_id)
            .filter(|c| self.users[c.caller].tenant_id == *tenant)
            .ok_or_else(|| CaasError::NotFound(format!("no call {call_id:?}")))?;
        if user != call.caller && user != call.callee {
            return Err(CaasError::Forbidden(format!(
                "not a party to call {call_id:?}"
            )));
        }
        let (caller, ringing) = (call.caller, call.ring);
        if action != CallAction::End {
            if user != call.callee {
                return Err(CaasError::Forbidden(format!(
                    "only the callee answers or rejects call {call_id:?}"
                )));
            }
            if ringing.is_none() {
                return Err(CaasError::NotFound(format!(
                    "call {call_id:?} is no longer ringing"
                )));
            }
        }
        if action != CallAction::Answer {
            self.end_call(now, call_id, cause, out);
            return Ok(Success::default());
        }
        if let Some(key) = ringing {
            let timer = Timer::Ring {
                call: call_id.to_owned(),
            };
            self.cancel_timer(key, timer);
        }
        if let Some(call) = self.calls.get_mut(call_id) {
            call.ring = None;
            call.answered_at = Some(now);
        }
        let answered = Notice {
            call_id,
            name: "call:answered",
            data: json!({ "callId": call_id }),
            cause,
        };
        self.call_event(now, answered, &[caller], out);
        Ok(Success::default())
    }

    /// Ends a live call: `call:ended {callId, duration}` to both parties (duration in whole
    /// seconds since the answer, 0 if never answered) and forgets it.
    pub(super) fn end_call(
        &mut self,
        now: Timestamp,
        call_id: &str,
        cause: Option<&str>,
        out: &mut Output,
    ) {
        let Some(call) = self.calls.get(call_id) else {
            return;
        };
        let duration = call.answered_at.map_or(0, |at| now.since(at).as_secs());
        let parties = [call.caller, call.callee];
        let ended = Notice {
            call_id,
            name: "call:ended",
            data: json!({ "callId": call_id, "duration": duration }),
            cause,
        };
        self.call_event(now, ended, &parties, out);
        let Some(call) = self.calls.remove(call_id) else {
            return;
        };
        if let Some(key) = call.ring {
            let timer = Timer::Ring {
                call: call_id.to_owned(),
            };
            self.cancel_timer(key, timer);
        }
        for party in parties {
            self.users[party].calls.remove(call_id);
        }
    }

    /// The ring timer of `call_id` fired: it ends unanswered.
    pub(super) fn ring_expired(&mut self, now: Timestamp, call_id: &str, out: &mut Output) {
        let ringing = self.calls.get(call_id).is_some_and(|c| c.ring.is_some());
        if ringing {
            if let Some(call) = self.calls.get_mut(call_id) {
                call.ring = None;
            }
            self.end_call(now, call_id, None, out);
        }
    }

    /// Emits a call's event to every socket of `users`, naming the call's conversation if it
    /// has one.
    fn call_event(
        &mut self,
        now: Timestamp,
        event: Notice<'_>,
        users: &[UserIx],
        out: &mut Output,
    ) {
        let conversation = self
            .calls
            .get(event.call_id)
            .and_then(|c| c.conversation.clone());
        let frame = ServerFrame {
            event: event.name,
            conversation_id: conversation.as_deref(),
            data: event.data,
            reply_to: event.cause,
        };
        let sockets = self.sockets_of(users.iter().copied());
        self.emit(now, &sockets, &frame, out);
    }
}

/// One event about a call.
struct Notice<'a> {
    call_id: &'a str,
    name: &'static str,
    data: Value,
    cause: Option<&'a str>,
}
