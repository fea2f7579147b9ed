//! `message:send`, `message:edit` and `message:delete` (K4, caas-N7, caas-N8): every socket of
//! every member (the author's included) gets `message:new`, `message:updated` or
//! `message:deleted`, in the order the server accepted them.
//!
//! The server keeps, per conversation, the newest `max_messages_kept` messages' author and
//! frame id (not their content: it is only relayed); older ones are forgotten, and their edit
//! or delete is `NOT_FOUND` (caas-N15).

use super::CaasError;
use super::core::{Core, Output};
use super::dispatch::Success;
use super::frame::{Frame, ServerFrame};
use super::request::NewMessage;
use super::state::{Stored, UserIx};
use crate::ark::Timestamp;
use serde_json::{Map, Value, json};

impl Core {
    /// `message:send`: a member's new message; a frame id the user already sent a kept
    /// message with is `ALREADY_EXISTS` (caas-N7).
    pub(super) fn send_message(
        &mut self,
        now: Timestamp,
        user: UserIx,
        frame: &Frame<'_>,
        message: NewMessage<'_>,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        let conversation = message.conversation;
        self.access(user, conversation)?;
        if let Some(id) = self.users[user].sent.get(frame.id) {
            return Err(CaasError::AlreadyExists {
                message_id: id.clone(),
            });
        }
        let message_id = self.ids.next_id();
        let mut data = Map::new();
        data.insert("messageId".into(), message_id.clone().into());
        data.insert("conversationId".into(), conversation.into());
        data.insert("senderId".into(), self.users[user].user_id.clone().into());
        data.insert("content".into(), message.content.into());
        data.insert("type".into(), message.kind.into());
        if let Some(attachments) = message.attachments {
            data.insert("attachments".into(), Value::Array(attachments));
        }
        data.insert("createdAt".into(), now.unix_millis().into());
        if let Some(reply_to) = frame.reply_to {
            data.insert("replyTo".into(), reply_to.into());
        }
        self.keep(user, conversation, frame.id, &message_id);
        let event = ServerFrame {
            event: "message:new",
            conversation_id: Some(conversation),
            data: Value::Object(data),
            reply_to: Some(frame.id),
        };
        let sockets = self.member_sockets(conversation, None);
        self.emit(now, &sockets, &event, out);
        Ok(Success::message(message_id))
    }

    /// `message:edit` (with the new `content`) or `message:delete` (without): only the author
    /// of a kept, undeleted message of a conversation it is a member of (caas-N8).
    pub(super) fn edit_message(
        &mut self,
        now: Timestamp,
        user: UserIx,
        frame: &Frame<'_>,
        message_id: &str,
        content: Option<&str>,
        out: &mut Output,
    ) -> Result<Success, CaasError> {
        let conversation = self.find_message(user, frame.conversation_id, message_id)?;
        let (event, data) = match content {
            Some(content) => (
                "message:updated",
                json!({ "messageId": message_id, "content": content }),
            ),
            None => {
                if let Some(stored) = self
                    .conversations
                    .get_mut(&conversation)
                    .and_then(|c| c.messages.get_mut(message_id))
                {
                    stored.deleted = true;
                }
                ("message:deleted", json!({ "messageId": message_id }))
            }
        };
        let event = ServerFrame {
            event,
            conversation_id: Some(&conversation),
            data,
            reply_to: Some(frame.id),
        };
        let sockets = self.member_sockets(&conversation, None);
        self.emit(now, &sockets, &event, out);
        Ok(Success::message(message_id.to_owned()))
    }

    /// The conversation of a message `user` may change: `NOT_FOUND` for an unknown, forgotten
    /// or deleted message, one of another tenant or not in the frame's conversation;
    /// `NOT_MEMBER` outside its conversation; `FORBIDDEN` for another author's.
    fn find_message(
        &self,
        user: UserIx,
        in_conversation: Option<&str>,
        message_id: &str,
    ) -> Result<String, CaasError> {
        let not_found = || CaasError::NotFound(format!("no message {message_id:?}"));
        let conversation = self.messages.get(message_id).ok_or_else(not_found)?;
        if in_conversation.is_some_and(|c| c != conversation) {
            return Err(not_found());
        }
        let c = self.conversations.get(conversation).ok_or_else(not_found)?;
        if c.tenant_id != self.users[user].tenant_id {
            return Err(not_found());
        }
        let stored = c
            .messages
            .get(message_id)
            .filter(|s| !s.deleted)
            .ok_or_else(not_found)?;
        self.access(user, conversation)?;
        if stored.author != user {
            return Err(CaasError::Forbidden(format!(
                "message {message_id:?} is another user's"
            )));
        }
        Ok(conversation.clone())
    }

    /// Keeps a new message, forgetting the conversation's oldest past `max_messages_kept`.
    fn keep(&mut self, author: UserIx, conversation: &str, frame_id: &str, message_id: &str) {
        let Some(c) = self.conversations.get_mut(conversation) else {
            return;
        };
        let stored = Stored {
            author,
            frame_id: frame_id.to_owned(),
            deleted: false,
        };
        c.kept.push_back(message_id.to_owned());
        c.messages.insert(message_id.to_owned(), stored);
        self.messages
            .insert(message_id.to_owned(), conversation.to_owned());
        self.users[author]
            .sent
            .insert(frame_id.to_owned(), message_id.to_owned());
        while c.kept.len() > self.settings.max_messages_kept {
            let Some(old) = c.kept.pop_front() else {
                break;
            };
            self.messages.remove(&old);
            if let Some(s) = c.messages.remove(&old) {
                self.users[s.author].sent.remove(&s.frame_id);
            }
        }
    }
}
