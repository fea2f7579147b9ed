//! Dialects: deviations from its document that a team declares for its server, so that the
//! harness accepts them, tests past them, and reports each use as a declared deviation instead
//! of a failure (never silently).
//!
//! A dialect is data (a target profile's `dialect:` list). Four kinds of deviation, none of
//! them tied to a protocol:
//! - `extra_keys`: received messages carry keys the document does not have (an ack wrapper such
//!   as `status: "ok"`); they are removed, at a JSON pointer into the message as patterns see
//!   it, before matching and schema checks.
//! - `request_fields`: the server needs fields the document does not (in messages of one type
//!   the harness sends); they are added before sending.
//! - `refusal_by_event`: the server refuses a connection by accepting it, sending an event and
//!   disconnecting, instead of refusing the handshake; a connect the scenario expects refused
//!   passes, and the event is seen as the refusal (`{connect_error: data}`; a string becomes
//!   `{message: string}`).
//! - `broadcasts`: the server sends messages of these types to every connection, not only to
//!   those the document names; such a copy on a connection no step asked it of is a use of the
//!   deviation, not a finding, and one another scenario's connection received is not a leak.
//!   `absent` steps still fail: a declared broadcast is not a licence to send where a step
//!   says nothing may arrive.
//!
//! Pure functions over JSON values; the executor calls them and counts each use.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The deviations declared for one protocol's target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dialect {
    /// In declaration order.
    pub deviations: Vec<Deviation>,
}

/// One declared deviation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Deviation {
    /// A short name, used in reports.
    pub id: String,
    /// Why the server does this (for people).
    pub reason: String,
    /// What the server does.
    #[serde(flatten)]
    pub kind: DeviationKind,
}

/// What kind of deviation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "accept", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeviationKind {
    /// Received messages carry these extra keys.
    ExtraKeys {
        /// Which received messages: acks of our emits, other messages, or both.
        #[serde(default)]
        r#in: Received,
        /// Where the keys are: a JSON pointer into the message as patterns see it
        /// (`/args/0` for a socket.io ack's first argument, `""` for the message itself).
        #[serde(default)]
        at: String,
        /// The keys.
        keys: Vec<String>,
    },
    /// Messages of one type the harness sends need these fields.
    RequestFields {
        /// The message type (socket.io event name, or the value at the type pointer).
        r#type: String,
        /// Where the fields go, a JSON pointer into the message as sent (`/args/0` for an
        /// emit's first argument, `""` for a raw JSON message).
        #[serde(default)]
        at: String,
        /// The fields and their values.
        fields: Map<String, Value>,
    },
    /// Connections are refused by this event and a disconnect.
    RefusalByEvent {
        /// The event's name.
        event: String,
    },
    /// Messages of these types go to every connection.
    Broadcasts {
        /// The message types (socket.io event names, or values at the type pointer).
        types: Vec<String>,
    },
}

/// Which received messages a deviation concerns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Received {
    /// Acks of the harness's emits.
    Acks,
    /// Every other message.
    Messages,
    /// Both.
    #[default]
    All,
}

impl Dialect {
    /// Removes the declared extra keys from a received message; the indices of the deviations
    /// that removed something.
    pub fn accept_received(&self, message: &mut Value, is_ack: bool) -> Vec<usize> {
        let mut used = Vec::new();
        for (index, deviation) in self.deviations.iter().enumerate() {
            let DeviationKind::ExtraKeys { r#in, at, keys } = &deviation.kind else {
                continue;
            };
            let applies = match r#in {
                Received::Acks => is_ack,
                Received::Messages => !is_ack,
                Received::All => true,
            };
            let Some(Value::Object(object)) = applies.then(|| message.pointer_mut(at)).flatten()
            else {
                continue;
            };
            let before = object.len();
            object.retain(|key, _| !keys.contains(key));
            if object.len() < before {
                used.push(index);
            }
        }
        used
    }

    /// Adds the declared fields to a message of type `kind` the harness sends; the indices of
    /// the deviations that added something.
    pub fn adjust_sent(&self, message: &mut Value, kind: &str) -> Vec<usize> {
        let mut used = Vec::new();
        for (index, deviation) in self.deviations.iter().enumerate() {
            let DeviationKind::RequestFields { r#type, at, fields } = &deviation.kind else {
                continue;
            };
            if r#type != kind {
                continue;
            }
            if let Some(Value::Object(object)) = message.pointer_mut(at) {
                for (key, value) in fields {
                    object.insert(key.clone(), value.clone());
                }
                used.push(index);
            }
        }
        used
    }

    /// The deviation that lets an accepted connection stand for a refusal, with its event.
    pub fn refusal_event(&self) -> Option<(usize, &str)> {
        self.deviations
            .iter()
            .enumerate()
            .find_map(|(index, deviation)| match &deviation.kind {
                DeviationKind::RefusalByEvent { event } => Some((index, event.as_str())),
                _ => None,
            })
    }
}

impl Dialect {
    /// The deviation that declares messages of type `kind` broadcast to every connection.
    pub fn broadcast_of(&self, kind: &str) -> Option<usize> {
        self.deviations
            .iter()
            .position(|deviation| match &deviation.kind {
                DeviationKind::Broadcasts { types } => types.iter().any(|t| t == kind),
                _ => false,
            })
    }
}

/// The refusal a `refusal_by_event` event stands for: `{connect_error: data}`, its first
/// argument as the data (a string becomes `{message: string}`).
pub fn refusal_from_event(args: &[Value]) -> Value {
    let data = match args.first() {
        Some(Value::String(text)) => serde_json::json!({ "message": text }),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    serde_json::json!({ "connect_error": data })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dialect(yaml: &str) -> Dialect {
        let deviations: Vec<Deviation> = serde_saphyr::from_str(yaml).expect("a dialect");
        Dialect { deviations }
    }

    const WRAPPER: &str = r#"
- id: ack-status
  reason: every ack says status ok
  accept: extra_keys
  in: acks
  at: /args/0
  keys: [status]
- id: priority
  reason: send_job needs a priority
  accept: request_fields
  type: send_job
  at: /args/0
  fields: { priority: 0 }
- id: refusal
  reason: bad tokens get an error event
  accept: refusal_by_event
  event: error
"#;

    #[test]
    fn an_ack_wrapper_key_is_removed_from_acks_only() {
        let dialect = dialect(WRAPPER);
        let mut ack = json!({"ack": "send", "args": [{"status": "ok", "jobId": "j"}]});
        assert_eq!(dialect.accept_received(&mut ack, true), vec![0]);
        assert_eq!(ack, json!({"ack": "send", "args": [{"jobId": "j"}]}));
        let mut event = json!({"event": "x", "args": [{"status": "ok"}]});
        assert!(dialect.accept_received(&mut event, false).is_empty());
        let mut clean = json!({"ack": "send", "args": [{"jobId": "j"}]});
        assert!(
            dialect.accept_received(&mut clean, true).is_empty(),
            "nothing to accept"
        );
    }

    #[test]
    fn request_fields_go_into_messages_of_their_type() {
        let dialect = dialect(WRAPPER);
        let mut emit = json!({"event": "send_job", "args": [{"name": "n"}]});
        assert_eq!(dialect.adjust_sent(&mut emit, "send_job"), vec![1]);
        assert_eq!(emit["args"][0]["priority"], json!(0));
        let mut other = json!({"event": "get_job_status", "args": [{}]});
        assert!(dialect.adjust_sent(&mut other, "get_job_status").is_empty());
    }

    #[test]
    fn a_refusal_event_stands_for_connect_error() {
        assert_eq!(dialect(WRAPPER).refusal_event(), Some((2, "error")));
        assert_eq!(
            refusal_from_event(&[json!("INVALID_TOKEN")]),
            json!({"connect_error": {"message": "INVALID_TOKEN"}})
        );
    }

    #[test]
    fn a_broadcast_is_declared_per_message_type() {
        let broadcasts = dialect(
            "- {id: b, reason: r, accept: broadcasts, types: [job_cancelled, job_retrying]}",
        );
        assert_eq!(broadcasts.broadcast_of("job_retrying"), Some(0));
        assert_eq!(broadcasts.broadcast_of("work_request"), None);
        assert_eq!(dialect(WRAPPER).broadcast_of("job_retrying"), None);
    }

    #[test]
    fn unknown_kinds_and_keys_are_refused() {
        let typo = "- {id: a, reason: r, accept: extra_key, keys: [x]}";
        assert!(serde_saphyr::from_str::<Vec<Deviation>>(typo).is_err());
        let extra = "- {id: a, reason: r, accept: extra_keys, keys: [x], where: acks}";
        assert!(serde_saphyr::from_str::<Vec<Deviation>>(extra).is_err());
    }
}
