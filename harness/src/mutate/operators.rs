//! Mutation operators: pure functions over one [`ServerMessage`].
//!
//! Each [`Operator`] enumerates the *sites* it can mutate in a message ([`sites`]): the empty
//! site for message-level operators (drop, duplicate, reorder, delay, rename the type, shift the
//! ack id), a JSON pointer into the body for field operators, a named variant for the socket.io
//! CONNECT content. [`apply`] makes the mutant of one site: an [`Effect`] the proxy carries out.
//! Nothing here touches a socket or a clock; the same message and site always give the same
//! mutant.
//!
//! Field sites are pointers into the body: the whole JSON of a raw WebSocket message or an HTTP
//! answer, and the data array of a socket.io packet (`/0` is an EVENT's name, so an event's
//! first argument is `/1`). The message type (the profile's `type_pointer`, a socket.io event
//! name) is left to [`Operator::RenameType`]; the field operators do not touch it.

use serde_json::{Map, Value};

use super::fields::{self, FieldSite};
use super::message::{Frame, Framing, ServerMessage};
pub use super::operator::Operator;
use crate::transport::socketio::PacketKind;

/// The variants of [`Operator::ConnectContent`].
pub const CONNECT_SITES: [&str; 4] = ["sid_missing", "sid_empty", "sid_number", "no_data"];

/// What enumeration needs to know beyond the message.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The profile's JSON pointer to a message's type.
    pub type_pointer: &'a str,
    /// Whether a later message followed on the same channel (reorder and delay need one).
    pub has_later: bool,
}

/// What the proxy does with the targeted message.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send these frames instead.
    Replace(Vec<Frame>),
    /// Send nothing.
    Drop,
    /// Send the message twice.
    Duplicate(Vec<Frame>),
    /// Send the message right after the next message of its channel.
    HoldUntilNext(Vec<Frame>),
    /// Send the message after the run's delay; later messages pass it.
    Delay(Vec<Frame>),
}

/// The sites `operator` can mutate in `message`.
pub fn sites(operator: Operator, message: &ServerMessage, context: Context<'_>) -> Vec<String> {
    let whole = || vec![String::new()];
    let streamed = !matches!(message.framing, Framing::Http { .. });
    match operator {
        Operator::Drop | Operator::Duplicate if streamed => whole(),
        Operator::Reorder | Operator::Delay if streamed && context.has_later => whole(),
        Operator::RenameType if type_value(message, context.type_pointer).is_some() => whole(),
        Operator::ShiftAckId if is_ack(message) => whole(),
        Operator::ConnectContent if is_connect(message) => {
            CONNECT_SITES.iter().map(|s| (*s).to_owned()).collect()
        }
        Operator::DropField
        | Operator::RenameField
        | Operator::RetypeField
        | Operator::NullField
        | Operator::ChangeValue
        | Operator::BreakTimestamp => field_sites(message, context.type_pointer)
            .into_iter()
            .filter(|site| fields::applies(operator, site))
            .map(|site| site.pointer)
            .collect(),
        _ => Vec::new(),
    }
}

/// The mutant of `message` that `operator` makes at `site`; `None` when the site is not in it.
pub fn apply(
    operator: Operator,
    site: &str,
    message: &ServerMessage,
    type_pointer: &str,
) -> Option<Effect> {
    let frames = || message.frames.clone();
    let mut changed = message.clone();
    match operator {
        Operator::Drop => return Some(Effect::Drop),
        Operator::Duplicate => return Some(Effect::Duplicate(frames())),
        Operator::Reorder => return Some(Effect::HoldUntilNext(frames())),
        Operator::Delay => return Some(Effect::Delay(frames())),
        Operator::RenameType => {
            let pointer = type_location(message, type_pointer)?;
            match changed.body.pointer_mut(&pointer) {
                Some(Value::String(name)) => name.push_str("_x"),
                _ => return None,
            }
        }
        Operator::ShiftAckId => match &mut changed.framing {
            Framing::Socket { id: Some(id), .. } if is_ack(message) => *id = id.wrapping_add(1),
            _ => return None,
        },
        Operator::ConnectContent => {
            if !is_connect(message) {
                return None;
            }
            changed.body = connect_content(&message.body, site)?;
        }
        _ => fields::mutate(operator, &mut changed.body, site)?,
    }
    Some(Effect::Replace(changed.encode()))
}

/// The CONNECT data of a [`CONNECT_SITES`] variant.
fn connect_content(data: &Value, site: &str) -> Option<Value> {
    let mut object = data.as_object().cloned().unwrap_or_else(Map::new);
    match site {
        "sid_missing" => {
            object.shift_remove("sid");
        }
        "sid_empty" => {
            object.insert("sid".into(), Value::String(String::new()));
        }
        "sid_number" => {
            object.insert("sid".into(), Value::from(1));
        }
        "no_data" => return Some(Value::Null),
        _ => return None,
    }
    Some(Value::Object(object))
}

fn is_ack(message: &ServerMessage) -> bool {
    matches!(
        message.framing,
        Framing::Socket {
            kind: PacketKind::Ack | PacketKind::BinaryAck,
            id: Some(_),
            ..
        }
    )
}

fn is_connect(message: &ServerMessage) -> bool {
    matches!(
        message.framing,
        Framing::Socket {
            kind: PacketKind::Connect,
            ..
        }
    )
}

/// Where the message's type is: the type pointer (raw WebSocket, HTTP), `/0` (a socket.io
/// EVENT's name).
fn type_location(message: &ServerMessage, type_pointer: &str) -> Option<String> {
    match &message.framing {
        Framing::WsJson | Framing::Http { .. } => Some(type_pointer.to_owned()),
        Framing::Socket { .. } if message.event_name().is_some() => Some("/0".to_owned()),
        _ => None,
    }
}

fn type_value<'m>(message: &'m ServerMessage, type_pointer: &str) -> Option<&'m str> {
    let pointer = type_location(message, type_pointer)?;
    message.body.pointer(&pointer).and_then(Value::as_str)
}

/// Every field site of the message's body, the type field excepted.
fn field_sites(message: &ServerMessage, type_pointer: &str) -> Vec<FieldSite> {
    let first = match &message.framing {
        Framing::WsJson | Framing::Http { .. } => {
            return fields::walk(&message.body, &[type_pointer]);
        }
        Framing::WsOpaque => return Vec::new(),
        Framing::Socket { kind, .. } => match kind {
            PacketKind::Event | PacketKind::BinaryEvent => 1,
            PacketKind::Ack | PacketKind::BinaryAck => 0,
            PacketKind::ConnectError => return fields::walk(&message.body, &[]),
            PacketKind::Connect | PacketKind::Disconnect => return Vec::new(),
        },
    };
    let skip: Vec<String> = (0..first).map(|i| format!("/{i}")).collect();
    let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
    fields::walk(&message.body, &skip)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;
    use crate::mutate::message::Channel;

    fn socket(kind: PacketKind, id: Option<u64>, body: Value) -> ServerMessage {
        let mut message = ServerMessage {
            channel: Channel::Socket(0),
            framing: Framing::Socket {
                kind,
                namespace: "/".into(),
                id,
                attachments: Vec::new(),
            },
            body,
            frames: Vec::new(),
        };
        message.frames = message.encode();
        message
    }

    fn context(has_later: bool) -> Context<'static> {
        Context {
            type_pointer: "/event",
            has_later,
        }
    }

    fn replaced(operator: Operator, site: &str, message: &ServerMessage) -> String {
        match apply(operator, site, message, "/event") {
            Some(Effect::Replace(frames)) => ServerMessage::shown(&frames),
            other => panic!("expected a replacement, got {other:?}"),
        }
    }

    #[test]
    fn event_fields_are_its_arguments_and_its_name_is_the_type() {
        let event = socket(PacketKind::Event, None, json!(["job", {"id": "a1"}]));
        assert_eq!(
            sites(Operator::DropField, &event, context(false)),
            ["/1", "/1/id"]
        );
        assert_eq!(sites(Operator::RenameType, &event, context(false)), [""]);
        assert_eq!(
            replaced(Operator::RenameType, "", &event),
            r#"42["job_x",{"id":"a1"}]"#
        );
        assert_eq!(
            replaced(Operator::ChangeValue, "/1/id", &event),
            r#"42["job",{"id":"a2"}]"#
        );
    }

    #[test]
    fn reorder_and_delay_need_a_later_message_and_http_has_no_message_operators() {
        let event = socket(PacketKind::Event, None, json!(["job"]));
        assert!(sites(Operator::Reorder, &event, context(false)).is_empty());
        assert_eq!(sites(Operator::Delay, &event, context(true)), [""]);
        let http = ServerMessage {
            channel: Channel::Http,
            framing: Framing::Http { status: 200 },
            body: json!({"jobId": "x"}),
            frames: Vec::new(),
        };
        for operator in [
            Operator::Drop,
            Operator::Duplicate,
            Operator::Reorder,
            Operator::Delay,
        ] {
            assert!(
                sites(operator, &http, context(true)).is_empty(),
                "{operator:?}"
            );
        }
        assert_eq!(
            sites(Operator::ChangeValue, &http, context(true)),
            ["/jobId"]
        );
    }

    #[test]
    fn raw_websocket_field_sites_leave_the_type_to_rename_type() {
        let message = ServerMessage {
            channel: Channel::Socket(0),
            framing: Framing::WsJson,
            body: json!({"event": "job:created", "data": {"n": 1}}),
            frames: Vec::new(),
        };
        assert_eq!(
            sites(Operator::NullField, &message, context(false)),
            ["/data", "/data/n"]
        );
        assert_eq!(
            replaced(Operator::RenameType, "", &message),
            r#"{"event":"job:created_x","data":{"n":1}}"#
        );
    }

    #[test]
    fn acks_shift_their_id_and_connects_lose_their_sid() {
        let ack = socket(PacketKind::Ack, Some(4), json!([{"jobId": "j"}]));
        assert_eq!(
            replaced(Operator::ShiftAckId, "", &ack),
            r#"435[{"jobId":"j"}]"#
        );
        assert_eq!(
            sites(Operator::RetypeField, &ack, context(false)),
            ["/0", "/0/jobId"]
        );
        let connect = socket(PacketKind::Connect, None, json!({"sid": "s1"}));
        assert_eq!(
            sites(Operator::ConnectContent, &connect, context(false)),
            CONNECT_SITES
        );
        assert!(sites(Operator::DropField, &connect, context(false)).is_empty());
        assert_eq!(
            replaced(Operator::ConnectContent, "sid_missing", &connect),
            "40{}"
        );
        assert_eq!(
            replaced(Operator::ConnectContent, "sid_empty", &connect),
            r#"40{"sid":""}"#
        );
        assert_eq!(
            replaced(Operator::ConnectContent, "sid_number", &connect),
            r#"40{"sid":1}"#
        );
        assert_eq!(
            replaced(Operator::ConnectContent, "no_data", &connect),
            "40"
        );
    }
}
