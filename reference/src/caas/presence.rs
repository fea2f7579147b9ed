//! `presence:update` (K6, caas-N10): `presence:update {userId, status}` to every socket of the
//! users who share a conversation with the sender, never the sender's own; `customMessage` is
//! checked but not relayed. The user's last socket closing announces `offline` the same way.
//! Nothing is kept: the server relays presence, it does not store it.

use super::core::{Core, Output};
use super::frame::ServerFrame;
use super::state::UserIx;
use crate::ark::Timestamp;
use serde_json::json;
use std::collections::BTreeSet;

impl Core {
    /// Sends `user`'s `status` to the users sharing a conversation with it.
    pub(super) fn announce_presence(
        &mut self,
        now: Timestamp,
        user: UserIx,
        status: &str,
        cause: Option<&str>,
        out: &mut Output,
    ) {
        let frame = ServerFrame {
            event: "presence:update",
            conversation_id: None,
            data: json!({ "userId": self.users[user].user_id, "status": status }),
            reply_to: cause,
        };
        let sockets = self.sockets_of(self.co_members(user));
        self.emit(now, &sockets, &frame, out);
    }

    /// The users other than `user` who share a conversation with it (all of its tenant).
    fn co_members(&self, user: UserIx) -> BTreeSet<UserIx> {
        self.users[user]
            .conversations
            .iter()
            .filter_map(|c| self.conversations.get(c))
            .flat_map(|c| c.members.iter().copied())
            .filter(|&m| m != user)
            .collect()
    }
}
