//! Making a protocol's hostile cases: field faults derived from its client schemas (every
//! message type × every field × wrong type, missing, null), then the generic kinds of its
//! transport (invalid JSON, non-objects, unknown types, binary frames, deep nesting, huge
//! values, frames at and past each limit, malformed Engine.IO / socket.io packets, floods, many
//! connections, half-open and never-reading clients).
//!
//! Only cases whose family has a reaction in the protocol's `hostile.yaml` are made; the others
//! are counted as left out, so a protocol says what it requires or the run says it was not
//! tested. Deterministic: the same files give the same cases in the same order.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

use super::case::{Case, Input, RawKind};
use super::fields::{self, Documents};
use super::spec::HostileSpec;
use crate::profile::{Profile, TransportKind};
use crate::scenario::model::Outgoing;

/// Levels of the deep-nesting kinds.
pub const DEEP: usize = 10_000;

/// Bytes of the huge values when no limit is declared.
const HUGE_DEFAULT: usize = 32 * 1024;

/// Requests of the flood kind.
pub const FLOOD: u32 = 200;

/// The cases of one protocol, and the families left out for want of a rule (with how many
/// cases each would have had).
#[derive(Debug, Default)]
pub struct Generated {
    /// The cases, in order.
    pub cases: Vec<Case>,
    /// Families without a reaction in `hostile.yaml`.
    pub without_rule: BTreeMap<String, usize>,
}

/// Makes the cases; `vars` may override limits (`limit_<name>`).
pub fn generate(
    spec: &HostileSpec,
    profile: &Profile,
    fixtures: &Path,
    docs: &dyn Documents,
    vars: &BTreeMap<String, String>,
) -> Generated {
    let mut all = Vec::new();
    let maker = Maker { spec, profile };
    all.extend(maker.field_faults(fixtures, docs));
    all.extend(maker.http_faults());
    all.extend(maker.generic(fixtures, docs, vars));
    let mut out = Generated::default();
    for case in all {
        if spec.reactions.contains_key(&case.family) {
            out.cases.push(case);
        } else {
            *out.without_rule.entry(case.family).or_default() += 1;
        }
    }
    out
}

struct Maker<'a> {
    spec: &'a HostileSpec,
    profile: &'a Profile,
}

impl Maker<'_> {
    fn id(&self, family: &str, detail: &str) -> String {
        let detail: String = detail
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("{}.hostile.{family}.{detail}", self.profile.protocol)
    }

    fn socketio(&self) -> bool {
        self.profile.transport == TransportKind::Socketio
    }

    /// Every client message type × field × fault.
    fn field_faults(&self, fixtures: &Path, docs: &dyn Documents) -> Vec<Case> {
        let dir = fixtures.join(&self.profile.protocol);
        let mut files: Vec<_> = std::fs::read_dir(dir.join("schemas/client"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if self.spec.skip_types.contains_key(stem) {
                continue;
            }
            let Some(base) = self.base(&dir, stem, docs) else {
                continue;
            };
            let fields = fields::fields(docs, &file);
            let name = self.message_name(stem, &fields);
            for field in &fields {
                let dotted = field.dotted();
                let skipped = [format!("{stem}.{dotted}"), format!("*.{dotted}")]
                    .iter()
                    .any(|k| self.spec.skip_fields.contains_key(k));
                if skipped {
                    continue;
                }
                for (fault, value) in fields::faults(field) {
                    let message = fields::plant(&base, &field.path, value);
                    let dotted = field.dotted();
                    out.push(Case {
                        id: self.id(
                            fault.family(field.required),
                            &format!("{stem}.{dotted}.{}", fault.name()),
                        ),
                        kind: format!("{name}: {dotted} {}", describe(fault)),
                        family: fault.family(field.required).to_owned(),
                        field: Some(dotted),
                        message: Some(name.clone()),
                        input: self.message_input(&name, message),
                        requires: Vec::new(),
                    });
                }
            }
        }
        out
    }

    /// A valid message of a type: `hostile.yaml`'s, else the fixtures' example.
    fn base(&self, dir: &Path, stem: &str, docs: &dyn Documents) -> Option<Value> {
        if let Some(message) = self.spec.messages.get(stem) {
            return Some(message.clone());
        }
        docs.read(&dir.join("examples/client").join(format!("{stem}.json")))
    }

    /// The message's type: its type field's `const`, else the schema's file name.
    fn message_name(&self, stem: &str, fields: &[fields::Field]) -> String {
        let type_field = self.type_field();
        fields
            .iter()
            .find(|f| f.dotted() == type_field)
            .and_then(|f| f.constant.as_ref())
            .and_then(Value::as_str)
            .map_or_else(|| stem.to_owned(), str::to_owned)
    }

    /// The type field's name (`/type` → `type`); socket.io frames name their event in `type`.
    fn type_field(&self) -> String {
        if self.socketio() {
            return "type".to_owned();
        }
        self.profile.type_pointer.trim_start_matches('/').to_owned()
    }

    fn message_input(&self, name: &str, message: Value) -> Input {
        if self.socketio() {
            Input::Emit {
                event: name.to_owned(),
                args: vec![message],
            }
        } else {
            Input::Frame(Outgoing::Json(message))
        }
    }

    /// Field faults of HTTP bodies.
    fn http_faults(&self) -> Vec<Case> {
        let mut out = Vec::new();
        for http in &self.spec.http {
            for (name, declared) in &http.fields {
                let (kind, optional) = match declared.strip_suffix('?') {
                    Some(kind) => (kind, true),
                    None => (declared.as_str(), false),
                };
                let field = fields::Field {
                    path: vec![name.clone()],
                    required: !optional,
                    types: Some([kind.to_owned()].into_iter().collect()),
                    constant: None,
                };
                for (fault, value) in fields::faults(&field) {
                    let family = format!("http_{}", fault.family(field.required));
                    let route = http.request.replace(' ', "_");
                    out.push(Case {
                        id: self.id(&family, &format!("{route}.{name}.{}", fault.name())),
                        kind: format!("{}: body {name} {}", http.request, describe(fault)),
                        family,
                        field: Some(name.clone()),
                        message: None,
                        input: Input::Http {
                            request: http.request.clone(),
                            body: fields::plant(&http.body, &field.path, value),
                        },
                        requires: Vec::new(),
                    });
                }
            }
        }
        out
    }

    fn generic(
        &self,
        fixtures: &Path,
        docs: &dyn Documents,
        vars: &BTreeMap<String, String>,
    ) -> Vec<Case> {
        let mut out = Vec::new();
        if self.socketio() {
            out.extend(self.socketio_packets());
            out.extend(self.socketio_payloads(fixtures, docs));
        } else {
            out.extend(self.raw_texts());
            out.extend(self.unknown_types(fixtures, docs));
        }
        out.extend(self.huge());
        out.extend(self.limits(vars));
        out.extend(self.crowds());
        out
    }

    fn frame(&self, family: &str, detail: &str, kind: &str, frame: Outgoing) -> Case {
        Case {
            id: self.id(family, detail),
            kind: kind.to_owned(),
            family: family.to_owned(),
            field: None,
            message: None,
            input: Input::Frame(frame),
            requires: Vec::new(),
        }
    }

    /// Raw WebSocket: texts that are not JSON, JSON that is not an object, binary frames, deep
    /// nesting.
    fn raw_texts(&self) -> Vec<Case> {
        let text = |s: &str| Outgoing::Text(s.to_owned());
        let mut out = Vec::new();
        let invalid = [
            ("unterminated", "{not json"),
            ("truncated", "{\"type\": \"x\","),
            ("blank", "   "),
            ("trailing_brace", "{\"a\":1}}"),
            ("single_quotes", "{'type': 'x'}"),
            ("open_array", "[1, 2"),
            ("nan", "NaN"),
            ("trailing_text", "{\"a\":1} and more"),
            ("nul", "\u{0}"),
            ("empty", ""),
        ];
        for (detail, t) in invalid {
            out.push(self.frame(
                "invalid_json",
                detail,
                &format!("invalid JSON {t:?}"),
                text(t),
            ));
        }
        let not_object = [
            ("array", "[1, 2]"),
            ("empty_array", "[]"),
            ("string", "\"text\""),
            ("number", "42"),
            ("null", "null"),
            ("boolean", "true"),
        ];
        for (detail, t) in not_object {
            out.push(self.frame(
                "not_object",
                detail,
                &format!("JSON that is not an object: {t}"),
                text(t),
            ));
        }
        let request = self.request_text();
        out.push(self.frame(
            "binary_request",
            "request",
            "a binary frame holding a valid request",
            Outgoing::Binary(request.clone().into_bytes()),
        ));
        out.push(self.frame(
            "binary_garbage",
            "bytes",
            "a binary frame of bytes that are neither UTF-8 nor JSON",
            Outgoing::Binary(vec![0xff, 0xfe, 0x00, 0x01, 0x80, 0x7f]),
        ));
        for (detail, kind, deep) in self.deep_texts(&request) {
            out.push(self.frame("deep_nesting", detail, &kind, Outgoing::Text(deep)));
        }
        let alone = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
        out.push(self.frame(
            "deep_alone",
            "arrays",
            &format!("{DEEP} nested arrays alone"),
            Outgoing::Text(alone),
        ));
        out
    }

    /// The request as one JSON text (raw WebSocket).
    fn request_text(&self) -> String {
        self.spec
            .request
            .message
            .as_ref()
            .map_or_else(|| "{}".to_owned(), Value::to_string)
    }

    /// Deeply nested texts: inside the request, and alone.
    fn deep_texts(&self, request: &str) -> Vec<(&'static str, String, String)> {
        let arrays = format!("{}{}", "[".repeat(DEEP), "]".repeat(DEEP));
        let objects = format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
        let inside = |nested: &str| match request.strip_suffix('}') {
            Some(open) if open.len() > 1 => format!("{open},\"deep\":{nested}}}"),
            _ => format!("{{\"deep\":{nested}}}"),
        };
        vec![
            (
                "arrays_in_request",
                format!("the request with {DEEP} nested arrays in an extra field"),
                inside(&arrays),
            ),
            (
                "objects_in_request",
                format!("the request with {DEEP} nested objects in an extra field"),
                inside(&objects),
            ),
        ]
    }

    /// Raw WebSocket: unknown types, an empty type, and every server message type sent by a
    /// client.
    fn unknown_types(&self, fixtures: &Path, docs: &dyn Documents) -> Vec<Case> {
        let field = self.type_field();
        let with = |name: &str| json!({ field.clone(): name });
        let mut out = vec![
            self.frame(
                "unknown_type",
                "no_such_type",
                "an unknown type",
                Outgoing::Json(with("no_such_type")),
            ),
            self.frame(
                "unknown_type",
                "empty",
                "an empty type",
                Outgoing::Json(with("")),
            ),
        ];
        for (stem, name) in server_types(
            fixtures,
            &self.profile.protocol,
            &self.profile.type_pointer,
            docs,
        ) {
            out.push(self.frame(
                "unknown_type",
                &format!("server.{stem}"),
                &format!("the server's own type {name:?} sent by a client"),
                Outgoing::Json(with(&name)),
            ));
        }
        out
    }

    /// Malformed Engine.IO / socket.io packets, each one raw text frame.
    fn socketio_packets(&self) -> Vec<Case> {
        let event = self
            .spec
            .request
            .event
            .clone()
            .unwrap_or_else(|| "x".to_owned());
        let packets: Vec<(&str, &str, String)> = vec![
            ("bad_packet", "invalid_json", "42{not json".to_owned()),
            ("bad_packet", "open_array", "42[".to_owned()),
            ("bad_packet", "object_not_array", "42{}".to_owned()),
            ("bad_packet", "no_event_name", "42[]".to_owned()),
            ("bad_packet", "event_name_number", "42[1,2]".to_owned()),
            ("bad_packet", "payload_string", "42\"text\"".to_owned()),
            ("bad_packet", "no_socketio_type", "4".to_owned()),
            (
                "bad_packet",
                "unknown_socketio_type",
                "49[\"x\"]".to_owned(),
            ),
            ("bad_packet", "letter_socketio_type", "4x".to_owned()),
            ("bad_packet", "unknown_engineio_type", "7".to_owned()),
            ("bad_packet", "letter_engineio_type", "x".to_owned()),
            ("ignored_packet", "empty_frame", String::new()),
            (
                "delivered_packet",
                "deep_nesting",
                format!("42[\"{event}\",{}{}]", "[".repeat(DEEP), "]".repeat(DEEP)),
            ),
            ("bad_packet", "ack_without_id", "43[]".to_owned()),
            ("ignored_packet", "ack_nowhere", "4399999[{}]".to_owned()),
            ("bad_packet", "ack_id_letters", "43abc[]".to_owned()),
            (
                "delivered_packet",
                "emit_ack_id_overflow",
                format!("4299999999999999999999999[\"{event}\",{{}}]"),
            ),
            (
                "bad_packet",
                "attachment_count_letters",
                format!("45x-[\"{event}\",{{}}]"),
            ),
            (
                "delivered_packet",
                "placeholder_zero_count",
                format!("450-[\"{event}\",{{\"_placeholder\":true,\"num\":0}}]"),
            ),
            (
                "delivered_packet",
                "placeholder_nowhere",
                format!("42[\"{event}\",{{\"_placeholder\":true,\"num\":3}}]"),
            ),
            (
                "bad_packet",
                "attachment_count_huge",
                format!("4599999999999-[\"{event}\",{{}}]"),
            ),
            (
                "bad_packet",
                "attachment_count_without_dash",
                format!("451[\"{event}\",{{}}]"),
            ),
            (
                "ignored_packet",
                "event_unknown_namespace",
                format!("42/nowhere,[\"{event}\",{{}}]"),
            ),
        ];
        let mut out: Vec<Case> = packets
            .into_iter()
            .map(|(family, detail, text)| {
                let kind = format!("packet {}", abbreviate(&text));
                self.frame(family, detail, &kind, Outgoing::Text(text))
            })
            .collect();
        out.push(self.frame(
            "binary_frame",
            "bytes",
            "a binary frame where no attachment is due",
            Outgoing::Binary(vec![0xff, 0xfe, 0x00, 0x01, 0x80, 0x7f]),
        ));
        out
    }

    /// socket.io: unknown events, the server's own events, arguments that are not objects.
    fn socketio_payloads(&self, fixtures: &Path, docs: &dyn Documents) -> Vec<Case> {
        let emit = |family: &str, detail: &str, kind: String, event: &str, args: Vec<Value>| Case {
            id: self.id(family, detail),
            kind,
            family: family.to_owned(),
            field: None,
            message: None,
            input: Input::Emit {
                event: event.to_owned(),
                args,
            },
            requires: Vec::new(),
        };
        let mut out = vec![emit(
            "unknown_event",
            "no_such_event",
            "an unknown event".to_owned(),
            "no_such_event",
            vec![json!({})],
        )];
        for (stem, name) in server_types(fixtures, &self.profile.protocol, "", docs) {
            out.push(emit(
                "unknown_event",
                &format!("server.{stem}"),
                format!("the server's own event {name:?} emitted by a client"),
                &name,
                vec![json!({})],
            ));
        }
        let event = self
            .spec
            .payload_event
            .clone()
            .or_else(|| self.spec.request.event.clone())
            .unwrap_or_default();
        let not_objects: [(&str, Vec<Value>); 6] = [
            ("string", vec![json!("text")]),
            ("number", vec![json!(42)]),
            ("null", vec![Value::Null]),
            ("array", vec![json!([1, 2])]),
            ("boolean", vec![json!(true)]),
            ("none", vec![]),
        ];
        for (detail, args) in not_objects {
            let kind = format!("{event} with argument {}", Value::Array(args.clone()));
            out.push(emit("not_object", detail, kind, &event, args));
        }
        out
    }

    /// Huge strings and arrays in an extra field of the request (within the smallest limit).
    fn huge(&self) -> Vec<Case> {
        let limit = self
            .spec
            .limits
            .iter()
            .map(|l| l.bytes)
            .min()
            .unwrap_or(2 * HUGE_DEFAULT);
        let size = (limit / 2).max(1024);
        let string = Value::String("x".repeat(size));
        let array = Value::Array(vec![json!(0); size / 2]);
        let mut out = Vec::new();
        for (family, value, kind) in [
            (
                "huge_string",
                string,
                format!("the request with a string of {size} bytes in an extra field"),
            ),
            (
                "huge_array",
                array,
                format!(
                    "the request with an array of {} numbers in an extra field",
                    size / 2
                ),
            ),
        ] {
            let input = if self.socketio() {
                let mut args = self.spec.request.args.clone();
                if let Some(Value::Object(map)) = args.first_mut() {
                    map.insert("pad".to_owned(), value);
                }
                Input::Emit {
                    event: self.spec.request.event.clone().unwrap_or_default(),
                    args,
                }
            } else {
                let mut message = self
                    .spec
                    .request
                    .message
                    .clone()
                    .unwrap_or_else(|| json!({}));
                if let Value::Object(map) = &mut message {
                    map.insert("pad".to_owned(), value);
                }
                Input::Frame(Outgoing::Json(message))
            };
            out.push(Case {
                id: self.id(family, "extra_field"),
                kind,
                family: family.to_owned(),
                field: None,
                message: None,
                input,
                requires: Vec::new(),
            });
        }
        out
    }

    /// A frame of exactly each limit and one byte past it.
    fn limits(&self, vars: &BTreeMap<String, String>) -> Vec<Case> {
        let mut out = Vec::new();
        for limit in &self.spec.limits {
            let bytes = vars
                .get(&format!("limit_{}", limit.name))
                .and_then(|v| v.parse().ok())
                .unwrap_or(limit.bytes);
            for (family, size, detail) in
                [(&limit.at, bytes, "at"), (&limit.past, bytes + 1, "past")]
            {
                let Some(frame) = padded(&limit.frame, size) else {
                    continue;
                };
                out.push(Case {
                    id: self.id(family, &format!("{}.{detail}", limit.name)),
                    kind: format!(
                        "a frame of {size} bytes ({detail} {} = {bytes})",
                        limit.name
                    ),
                    family: family.clone(),
                    field: None,
                    message: None,
                    input: Input::Frame(Outgoing::Text(frame)),
                    requires: Vec::new(),
                });
            }
        }
        out
    }

    /// Many connections, floods, half-open and never-reading clients.
    fn crowds(&self) -> Vec<Case> {
        let plain = |family: &str, detail: &str, kind: String, input: Input| Case {
            id: self.id(family, detail),
            kind,
            family: family.to_owned(),
            field: None,
            message: None,
            input,
            requires: Vec::new(),
        };
        let n = self.spec.connections;
        let mut out = vec![
            plain(
                "many_connections",
                "at_once",
                format!("{n} connections opened at once"),
                Input::Connections(n),
            ),
            plain(
                "flood",
                "requests",
                format!("{FLOOD} requests sent without waiting"),
                Input::Flood(FLOOD),
            ),
        ];
        if let Some(flood) = &self.spec.flood {
            let mut case = plain(
                "rate_limited",
                "past_window",
                format!(
                    "{} requests within one window of {}",
                    flood.allowed + 1,
                    flood.requires
                ),
                Input::RateFlood(flood.allowed),
            );
            case.requires.push(flood.requires.clone());
            out.push(case);
        }
        for (raw, kind) in [
            (RawKind::TcpSilent, "TCP connections that never send a byte"),
            (
                RawKind::HalfUpgrade,
                "connections that send half an upgrade request and stop",
            ),
            (
                RawKind::InvalidUtf8,
                "a text frame whose payload is not UTF-8",
            ),
            (
                RawKind::NeverReads,
                "a client that sends many requests and never reads",
            ),
        ] {
            out.push(plain(raw.name(), "raw", kind.to_owned(), Input::Raw(raw)));
        }
        out
    }
}

fn describe(fault: fields::Fault) -> &'static str {
    match fault {
        fields::Fault::WrongType => "of a wrong JSON type",
        fields::Fault::Missing => "missing",
        fields::Fault::Null => "null",
    }
}

/// `frame` with `$PAD` replaced by as many `x` as make it exactly `size` bytes.
pub fn padded(frame: &str, size: usize) -> Option<String> {
    let bare = frame.len().checked_sub("$PAD".len())?;
    let pad = size.checked_sub(bare)?;
    Some(frame.replacen("$PAD", &"x".repeat(pad), 1))
}

fn abbreviate(text: &str) -> String {
    if text.len() <= 48 {
        return format!("{text:?}");
    }
    let head: String = text.chars().take(40).collect();
    format!("{head:?}… ({} bytes)", text.len())
}

/// The server's message types (schema stem, name): the top-level schemas that are not
/// definitions, envelopes, acks or refusals; the name is the `const` at the type pointer when
/// the schema pins one, else the stem.
fn server_types(
    fixtures: &Path,
    protocol: &str,
    type_pointer: &str,
    docs: &dyn Documents,
) -> Vec<(String, String)> {
    let dir = fixtures.join(protocol).join("schemas");
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .filter(|s| {
            !matches!(s.as_str(), "defs" | "envelope" | "connect_error") && !s.starts_with("ack")
        })
        .filter(|s| !dir.join("client").join(format!("{s}.json")).exists())
        .collect();
    stems.sort();
    stems
        .into_iter()
        .map(|stem| {
            let schema = docs.read(&dir.join(format!("{stem}.json")));
            let pointer = format!("/properties/{}/const", type_pointer.trim_start_matches('/'));
            let name = schema
                .as_ref()
                .filter(|_| !type_pointer.is_empty())
                .and_then(|s| {
                    s.pointer(&pointer)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| stem.replace('.', ":"));
            (stem, name)
        })
        .collect()
}

#[cfg(test)]
#[path = "cases_tests.rs"]
mod tests;
