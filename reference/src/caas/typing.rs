//! `typing:start` / `typing:stop` (K5, caas-N9): `typing:update {userId, conversationId,
//! typing}` to the sockets of the conversation's other members, never the typist's own.
//!
//! Typing is the user's, per conversation. A start while typing only restarts the timer; a stop
//! while not typing sends nothing. It stops by itself after `typing_timeout`, on leaving the
//! conversation and with the user's last socket.

use super::CaasError;
use super::core::{Core, Output};
use super::dispatch::Success;
use super::frame::ServerFrame;
use super::state::{Timer, TimerKey, UserIx};
use crate::ark::Timestamp;
use serde_json::json;

impl Core {
    /// A member's `typing:start` (`typing` true) or `typing:stop`.
    pub(super) fn typing(
        &mut self,
        now: Timestamp,
        user: UserIx,
        conversation: &str,
        typing: bool,
        cause: Option<&str>,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        self.access(user, conversation)?;
        if !typing {
            self.stop_typing(now, user, conversation, cause, out);
            return Ok(Success::default());
        }
        let timer = Timer::Typing {
            user,
            conversation: conversation.to_owned(),
        };
        let was = self.typist(user, conversation);
        if let Some(key) = was {
            self.cancel_timer(key, timer.clone());
        }
        let key = self.add_timer(now.plus(self.settings.typing_timeout), timer);
        if let Some(c) = self.conversations.get_mut(conversation) {
            c.typing.insert(user, key);
        }
        if was.is_none() {
            self.announce_typing(now, user, conversation, true, cause, out);
        }
        Ok(Success::default())
    }

    /// Stops `user` typing in `conversation`, if it is: `typing: false` to the others.
    pub(super) fn stop_typing(
        &mut self,
        now: Timestamp,
        user: UserIx,
        conversation: &str,
        cause: Option<&str>,
        out: &mut Output,
    ) {
        let Some(key) = self.typist(user, conversation) else {
            return;
        };
        let timer = Timer::Typing {
            user,
            conversation: conversation.to_owned(),
        };
        self.cancel_timer(key, timer);
        if let Some(c) = self.conversations.get_mut(conversation) {
            c.typing.remove(&user);
        }
        self.announce_typing(now, user, conversation, false, cause, out);
    }

    /// The typing timer `key` fired (its entry already taken from the timer set).
    pub(super) fn typing_expired(
        &mut self,
        now: Timestamp,
        user: UserIx,
        conversation: &str,
        key: TimerKey,
        out: &mut Output,
    ) {
        if self.typist(user, conversation) == Some(key) {
            self.stop_typing(now, user, conversation, None, out);
        }
    }

    /// The timer of `user` typing in `conversation`, if it is.
    fn typist(&self, user: UserIx, conversation: &str) -> Option<TimerKey> {
        let c = self.conversations.get(conversation)?;
        c.typing.get(&user).copied()
    }

    fn announce_typing(
        &mut self,
        now: Timestamp,
        user: UserIx,
        conversation: &str,
        typing: bool,
        cause: Option<&str>,
        out: &mut Output,
    ) {
        let data = json!({
            "userId": self.users[user].user_id,
            "conversationId": conversation,
            "typing": typing,
        });
        let frame = ServerFrame {
            event: "typing:update",
            conversation_id: Some(conversation),
            data,
            reply_to: cause,
        };
        let sockets = self.member_sockets(conversation, Some(user));
        self.emit(now, &sockets, &frame, out);
    }
}
