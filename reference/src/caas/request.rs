//! Client events as typed requests: the event names of the document's table
//! ([`ClientEvent`]) and each event's `data` checked into a [`Request`] (caas-N3, N6–N11).
//!
//! Syntax only: whether the conversation, message, call or user exists and may be used is the
//! core's to check afterwards. Fields the document does not list are ignored (C6).

use super::CaasError;
use super::fields::Fields;
use super::frame::Frame;
use serde_json::{Map, Value};

/// Longest presence `customMessage`, in characters (caas-N10).
pub const MAX_CUSTOM_MESSAGE_CHARS: usize = 140;

macro_rules! client_events {
    ($($variant:ident = $name:literal),+ $(,)?) => {
        /// A client → server event of the document (and `binary`, caas-N12).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ClientEvent { $(#[doc = $name] $variant),+ }

        impl ClientEvent {
            /// Every client event.
            pub const ALL: &'static [ClientEvent] = &[$(Self::$variant),+];

            /// The event name.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),+ }
            }

            /// The event called `name`, if the document defines one.
            pub fn parse(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}

client_events! {
    MessageSend = "message:send",
    MessageEdit = "message:edit",
    MessageDelete = "message:delete",
    TypingStart = "typing:start",
    TypingStop = "typing:stop",
    PresenceUpdate = "presence:update",
    ConversationJoin = "conversation:join",
    ConversationLeave = "conversation:leave",
    CallInitiate = "call:initiate",
    CallAnswer = "call:answer",
    CallReject = "call:reject",
    CallEnd = "call:end",
    Binary = "binary",
}

/// A checked `message:send` (caas-N7).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct NewMessage<'a> {
    pub(super) conversation: &'a str,
    pub(super) content: &'a str,
    pub(super) kind: &'static str,
    /// Each `{url, name, mimeType, size}` exactly (extra fields dropped, C6).
    pub(super) attachments: Option<Vec<Value>>,
}

/// What a call event asks of a call (caas-N11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallAction {
    Answer,
    Reject,
    End,
}

/// A client frame's event, checked.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Request<'a> {
    Send(NewMessage<'a>),
    Edit {
        message_id: &'a str,
        content: &'a str,
    },
    Delete {
        message_id: &'a str,
    },
    Typing {
        conversation: &'a str,
        typing: bool,
    },
    Presence {
        status: &'static str,
    },
    Join(&'a str),
    Leave(&'a str),
    Initiate {
        target: &'a str,
        kind: &'static str,
    },
    Call(CallAction, &'a str),
}

const MESSAGE_TYPES: &[(&str, &str)] = &[
    ("text", "text"),
    ("image", "image"),
    ("file", "file"),
    ("audio", "audio"),
    ("video", "video"),
];
const STATUSES: &[(&str, &str)] = &[
    ("online", "online"),
    ("away", "away"),
    ("busy", "busy"),
    ("offline", "offline"),
];
const CALL_TYPES: &[(&str, &str)] = &[("audio", "audio"), ("video", "video")];

impl<'a> Request<'a> {
    /// The request of a frame of `event` (not `binary`, which has no frame), or the first
    /// fault of its `data`.
    pub(super) fn parse(
        event: ClientEvent,
        frame: &Frame<'a>,
        max_content_chars: usize,
    ) -> Result<Self, CaasError> {
        let data = frame.data;
        let content = |data: &Fields<'a>| -> Result<&'a str, CaasError> {
            let content = data.text("content")?;
            if content.chars().nth(max_content_chars).is_some() {
                return Err(data.invalid(
                    "content",
                    format!("must be at most {max_content_chars} characters"),
                ));
            }
            Ok(content)
        };
        Ok(match event {
            ClientEvent::MessageSend => Self::Send(NewMessage {
                conversation: frame.conversation()?,
                content: content(&data)?,
                kind: data.one_of("type", MESSAGE_TYPES)?,
                attachments: attachments(&data)?,
            }),
            ClientEvent::MessageEdit => Self::Edit {
                message_id: data.id("messageId")?,
                content: content(&data)?,
            },
            ClientEvent::MessageDelete => Self::Delete {
                message_id: data.id("messageId")?,
            },
            ClientEvent::TypingStart | ClientEvent::TypingStop => Self::Typing {
                conversation: frame.conversation_in_data()?,
                typing: event == ClientEvent::TypingStart,
            },
            ClientEvent::PresenceUpdate => {
                let status = data.one_of("status", STATUSES)?;
                custom_message(&data)?;
                Self::Presence { status }
            }
            ClientEvent::ConversationJoin => Self::Join(frame.conversation_in_data()?),
            ClientEvent::ConversationLeave => Self::Leave(frame.conversation_in_data()?),
            ClientEvent::CallInitiate => Self::Initiate {
                target: data.id("targetUserId")?,
                kind: data.one_of("type", CALL_TYPES)?,
            },
            ClientEvent::CallAnswer => Self::Call(CallAction::Answer, data.id("callId")?),
            ClientEvent::CallReject => Self::Call(CallAction::Reject, data.id("callId")?),
            ClientEvent::CallEnd => Self::Call(CallAction::End, data.id("callId")?),
            ClientEvent::Binary => {
                return Err(CaasError::invalid(
                    "total_length",
                    "the binary event carries one binary attachment",
                ));
            }
        })
    }
}

/// `customMessage`: optional, a string of at most 140 characters, not relayed (caas-N10).
fn custom_message(data: &Fields<'_>) -> Result<(), CaasError> {
    let Some(value) = data.get("customMessage") else {
        return Ok(());
    };
    let Some(text) = value.as_str() else {
        return Err(data.invalid("customMessage", "must be a string"));
    };
    if text.chars().nth(MAX_CUSTOM_MESSAGE_CHARS).is_some() {
        let why = format!("must be at most {MAX_CUSTOM_MESSAGE_CHARS} characters");
        return Err(data.invalid("customMessage", why));
    }
    Ok(())
}

/// `attachments`: optional, an array of `{url, name, mimeType, size}` (caas-N7).
fn attachments(data: &Fields<'_>) -> Result<Option<Vec<Value>>, CaasError> {
    let Some(value) = data.get("attachments") else {
        return Ok(None);
    };
    let Some(items) = value.as_array() else {
        return Err(data.invalid("attachments", "must be an array"));
    };
    let mut checked = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("data.attachments.{i}");
        let Some(map) = item.as_object() else {
            let why = format!("{prefix} must be an object");
            return Err(CaasError::invalid(prefix, why));
        };
        let fields = Fields::new(map, &prefix);
        let mut attachment = Map::new();
        for name in ["url", "name", "mimeType"] {
            attachment.insert(name.into(), fields.text(name)?.into());
        }
        attachment.insert("size".into(), fields.count("size")?.into());
        checked.push(Value::Object(attachment));
    }
    Ok(Some(checked))
}
