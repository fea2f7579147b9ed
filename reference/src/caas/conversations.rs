//! `conversation:join` and `conversation:leave` (K3, caas-N6): conversations are rooms of one
//! tenant, created by their first join, whose membership belongs to the user.
//!
//! A conversation left by its last member is forgotten with its kept messages (C4: joins and
//! leaves cannot grow the state without bound); a later join creates it anew.

use super::CaasError;
use super::core::{Core, Output};
use super::dispatch::Success;
use super::state::{Conversation, UserIx};
use crate::ark::Timestamp;

impl Core {
    /// Joins `conversation`, creating it in the user's tenant when unknown; joining again
    /// changes nothing. Another tenant's is `FORBIDDEN`; one more than
    /// `max_conversations_per_user` is `INVALID_PAYLOAD` (caas-N15).
    pub(super) fn join(&mut self, user: UserIx, conversation: &str) -> Result<Success, CaasError> {
        let tenant = &self.users[user].tenant_id;
        if let Some(c) = self.conversations.get(conversation) {
            if c.tenant_id != *tenant {
                return Err(CaasError::Forbidden(format!(
                    "conversation {conversation:?} belongs to another tenant"
                )));
            }
            if c.members.contains(&user) {
                return Ok(Success::default());
            }
        }
        let max = self.settings.max_conversations_per_user;
        if self.users[user].conversations.len() >= max {
            return Err(CaasError::invalid(
                "conversationId",
                format!("a user may be a member of at most {max} conversations"),
            ));
        }
        let tenant = tenant.clone();
        self.conversations
            .entry(conversation.to_owned())
            .or_insert_with(|| Conversation::new(tenant))
            .members
            .insert(user);
        self.users[user]
            .conversations
            .insert(conversation.to_owned());
        Ok(Success::default())
    }

    /// Leaves `conversation` (`NOT_MEMBER` unless a member); the user's typing there stops
    /// first (caas-N9).
    pub(super) fn leave(
        &mut self,
        now: Timestamp,
        user: UserIx,
        conversation: &str,
        cause: Option<&str>,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        self.access(user, conversation)?;
        self.stop_typing(now, user, conversation, cause, out);
        self.users[user].conversations.remove(conversation);
        let empty = self.conversations.get_mut(conversation).is_some_and(|c| {
            c.members.remove(&user);
            c.members.is_empty()
        });
        if empty {
            self.forget_conversation(conversation);
        }
        Ok(Success::default())
    }

    /// Drops an empty conversation and every trace of its kept messages.
    fn forget_conversation(&mut self, conversation: &str) {
        let Some(c) = self.conversations.remove(conversation) else {
            return;
        };
        for (id, stored) in c.messages {
            self.messages.remove(&id);
            self.users[stored.author].sent.remove(&stored.frame_id);
        }
    }
}
