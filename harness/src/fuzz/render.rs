//! A generated session as a scenario file (YAML text), and what the file's steps mean for the
//! session's properties (which operation captured which value for which role).
//!
//! The model's templates are YAML text with placeholders, replaced here:
//! - `{{actor}}`: the actor's name; `{{n}}`: the operation's number (1-based);
//! - `{{int}}`, `{{word}}`: a number and a short word from the operation's pick;
//! - `{{pool:name}}`: a value an earlier operation kept in pool `name`, as `"${name3}"`: every
//!   other pick the actor's own role's (sessions work on their own jobs), else any role's
//!   (asking for another party's value is the point); a made-up UUID when none is kept;
//! - `{{keep:name}}` (in answers, and in requests that check their own answer, as an `http:`
//!   step's `response`): the capture name that keeps the value in `name` (`name` and the
//!   operation's number: an answer may refer to a request's capture as `"${name{{n}}}"`);
//! - `{{bad:kind}}` (in invalid requests): a value whose JSON type is not `kind` (`string`,
//!   `integer`, `number`, `boolean`, `object`, `array`), where a value of that type belongs.
//!
//! Pure: the same session and model give the same text, which is what makes a written-out
//! failure reproduce.

use std::fmt::Write as _;

use super::model::FuzzModel;
use super::session::GeneratedSession;

/// Values put where a value of another type belongs in an invalid request: (YAML flow text,
/// its JSON type).
const BAD_VALUES: [(&str, &str); 12] = [
    ("null", "null"),
    ("12345", "integer"),
    ("-1", "integer"),
    ("\"\"", "string"),
    ("\"not-an-id\"", "string"),
    ("[]", "array"),
    ("{}", "object"),
    ("true", "boolean"),
    ("1.5e308", "number"),
    ("\"\\u0000\"", "string"),
    ("[[[[[[[[[[1]]]]]]]]]]", "array"),
    ("{ \"$gt\": \"\" }", "object"),
];

/// A value (YAML text) whose JSON type is not `kind`, chosen by `pick`.
fn bad_value(kind: &str, pick: u32) -> &'static str {
    // An integer is a number too: "not a number" excludes both.
    let fits = |t: &str| t == kind || (kind == "number" && t == "integer");
    let wrong: Vec<&str> = BAD_VALUES
        .iter()
        .filter(|(_, t)| !fits(t))
        .map(|(v, _)| *v)
        .collect();
    wrong[pick as usize % wrong.len()]
}

/// How an operation's answer is checked in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerCheck {
    /// The model's pattern.
    Model,
    /// Nothing in the answer (of this many socket.io arguments) may mention this capture (a
    /// leak found, written out).
    Lacks(String, usize),
}

/// What the file asserts beyond the model's patterns: the property a failure broke, pinned
/// where it broke.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    /// Operation number → how its answer is checked instead of the model's pattern.
    pub answers: Vec<(usize, AnswerCheck)>,
    /// At the end: this actor must have received nothing mentioning this capture.
    pub never_received: Vec<(String, String)>,
}

/// A value an operation's answer kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The pool.
    pub pool: String,
    /// The capture's name in the file (`job3`).
    pub capture: String,
    /// The role of the actor whose answer held it.
    pub role: String,
    /// The operation's number.
    pub operation: usize,
}

/// A session as a scenario file.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The file.
    pub yaml: String,
    /// The values kept, in order.
    pub kept: Vec<Kept>,
    /// Actor name → role.
    pub roles: Vec<(String, String)>,
    /// (actor, capture): a kept value an actor's request carried.
    pub sent: Vec<(String, String)>,
}

/// The file of `session`: metadata (`id`), actors, every actor's connect and on-connect steps,
/// the operations with their answers, a probe per actor, and `pins`.
pub fn render(
    model: &FuzzModel,
    protocol: &str,
    socketio: bool,
    id: &str,
    session: &GeneratedSession,
    pins: &Pins,
) -> Rendered {
    let mut out = Rendered {
        yaml: String::new(),
        kept: Vec::new(),
        roles: Vec::new(),
        sent: Vec::new(),
    };
    let actors = session.actors.max(1);
    header(&mut out, model, protocol, id, actors);
    let names: Vec<String> = model.operations.keys().cloned().collect();
    let mut number = 0;
    for choice in &session.operations {
        number += 1;
        let actor = choice.actor % actors;
        let name = &names[choice.operation % names.len()];
        let op = Op {
            number,
            actor,
            name,
            invalid: choice.invalid,
            pick: choice.pick,
        };
        operation(&mut out, model, socketio, &op, pins);
    }
    for actor in 0..actors {
        number += 1;
        let op = Op {
            number,
            actor,
            name: &model.probe,
            invalid: false,
            pick: 0,
        };
        operation(&mut out, model, socketio, &op, pins);
    }
    for (actor, capture) in &pins.never_received {
        let _ = write!(
            out.yaml,
            "  - expect: {actor}\n    mode: absent\n    within: 300ms\n    message: !mentions \"${{{capture}}}\"\n"
        );
    }
    out
}

struct Op<'a> {
    number: usize,
    actor: usize,
    name: &'a str,
    invalid: bool,
    pick: u32,
}

fn header(out: &mut Rendered, model: &FuzzModel, protocol: &str, id: &str, actors: usize) {
    let yaml = &mut out.yaml;
    let _ = write!(
        yaml,
        "id: {id}\ntitle: A session generated by wsconform fuzz from fixtures/{protocol}/fuzz.yaml\n\
         protocol: {protocol}\nclause: \"generated: every answer within its timeout and in its \
         schema, connections up after bad input, no value of one role reaching another\"\n\
         level: MUST\ntags: [fuzz]\nactors:\n"
    );
    for index in 0..actors {
        let name = model.actor_name(index);
        let Some((role, spec)) = model.role_of(index) else {
            continue;
        };
        let mut fields = Vec::new();
        if let Some(auth) = &spec.auth {
            fields.push(format!("auth: {auth}"));
        }
        if !spec.query.is_empty() {
            let query = serde_json::to_string(&spec.query).unwrap_or_default();
            fields.push(format!("query: {query}"));
        }
        let _ = writeln!(yaml, "  {name}: {{ {} }}", fields.join(", "));
        out.roles.push((name, role.to_owned()));
    }
    if !model.ignore.trim().is_empty() {
        let _ = writeln!(yaml, "ignore:\n{}", indent(model.ignore.trim_end(), "  "));
    }
    if !model.invariants.properties.trim().is_empty() {
        let properties = model.invariants.properties.trim_end();
        let _ = writeln!(yaml, "properties:\n{}", indent(properties, "  "));
    }
    yaml.push_str("steps:\n");
    for (name, _) in &out.roles {
        let _ = writeln!(yaml, "  - connect: {name}");
        let on_connect = model.on_connect.replace("{{actor}}", name);
        if !on_connect.trim().is_empty() {
            let _ = writeln!(yaml, "{}", indent(on_connect.trim_end(), "  "));
        }
    }
}

fn operation(out: &mut Rendered, model: &FuzzModel, socketio: bool, op: &Op<'_>, pins: &Pins) {
    let Some(spec) = model.operations.get(op.name) else {
        return;
    };
    let (actor, role) = out.roles[op.actor % out.roles.len().max(1)].clone();
    let invalid = op.invalid && spec.invalid.is_some();
    let request = match (&spec.invalid, invalid) {
        (Some(text), true) => text,
        _ => &spec.request,
    };
    let answer = if invalid {
        spec.invalid_answer.as_ref()
    } else {
        spec.answer.as_ref()
    };
    // A request may keep values too: an `http:` step checks its own response.
    let request = fill(out, request, &actor, &role, op);
    let _ = writeln!(
        out.yaml,
        "  # {}: {actor} {}{}",
        op.number,
        op.name,
        if invalid { " (invalid)" } else { "" }
    );
    let _ = writeln!(out.yaml, "{}", as_step(request.trim_end()));
    if let Some(answer) = answer {
        let pinned = pins
            .answers
            .iter()
            .find(|(n, _)| *n == op.number)
            .map(|(_, c)| c);
        let pattern = match pinned {
            Some(AnswerCheck::Lacks(capture, _)) if !socketio => {
                format!("!lacks \"${{{capture}}}\"")
            }
            Some(AnswerCheck::Lacks(capture, count)) => {
                let one = format!("!lacks \"${{{capture}}}\"");
                format!("[ {} ]", vec![one; *count].join(", "))
            }
            Some(AnswerCheck::Model) | None => fill(out, answer, &actor, &role, op),
        };
        let step = if socketio {
            format!(
                "  - expect: {actor}\n    ack: op{}\n    args: {}",
                op.number,
                pattern.trim()
            )
        } else {
            format!(
                "  - expect: {actor}\n    mode: eventually\n    message: {}",
                pattern.trim()
            )
        };
        let _ = writeln!(out.yaml, "{step}");
    }
}

/// A template with its placeholders replaced and its `{{keep:…}}` captures registered (pooled
/// values are replaced first, so a template never uses what it keeps itself).
fn fill(out: &mut Rendered, template: &str, actor: &str, role: &str, op: &Op<'_>) -> String {
    let mut text = template
        .replace("{{actor}}", actor)
        .replace("{{n}}", &op.number.to_string())
        .replace("{{int}}", &(op.pick % 1000).to_string())
        .replace("{{word}}", &format!("w{}", op.pick % 97));
    while let Some(start) = text.find("{{bad:") {
        let Some(len) = text[start..].find("}}") else {
            break;
        };
        let kind = text[start + 6..start + len].to_owned();
        text.replace_range(start..start + len + 2, bad_value(&kind, op.pick));
    }
    while let Some(start) = text.find("{{pool:") {
        let Some(len) = text[start..].find("}}") else {
            break;
        };
        let pool = text[start + 7..start + len].to_owned();
        let (value, capture) = pooled(&out.kept, &pool, role, op.pick);
        if let Some(capture) = capture {
            out.sent.push((actor.to_owned(), capture));
        }
        text.replace_range(start..start + len + 2, &value);
    }
    while let Some(start) = text.find("{{keep:") {
        let Some(len) = text[start..].find("}}") else {
            break;
        };
        let pool = text[start + 7..start + len].to_owned();
        let capture = format!("{pool}{}", op.number);
        out.kept.push(Kept {
            pool,
            capture: capture.clone(),
            role: role.to_owned(),
            operation: op.number,
        });
        text.replace_range(start..start + len + 2, &capture);
    }
    text
}

/// A value of `pool` kept earlier and its capture, or a made-up UUID: an even `pick` prefers
/// `role`'s own values; the rest of `pick` chooses among the candidates.
fn pooled(kept: &[Kept], pool: &str, role: &str, pick: u32) -> (String, Option<String>) {
    let all: Vec<&Kept> = kept.iter().filter(|k| k.pool == pool).collect();
    let own: Vec<&Kept> = all.iter().copied().filter(|k| k.role == role).collect();
    let candidates = if pick.is_multiple_of(2) && !own.is_empty() {
        own
    } else {
        all
    };
    match candidates.len() {
        0 => (format!("\"00000000-0000-4000-8000-{pick:012x}\""), None),
        n => {
            let capture = candidates[(pick / 2) as usize % n].capture.clone();
            (format!("\"${{{capture}}}\""), Some(capture))
        }
    }
}

/// A mapping's YAML text as a list item of `steps:`.
fn as_step(text: &str) -> String {
    let mut lines = text.lines();
    let mut out = String::new();
    if let Some(first) = lines.next() {
        let _ = write!(out, "  - {first}");
    }
    for line in lines {
        let _ = write!(out, "\n    {line}");
    }
    out
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::fuzz::session::OperationChoice;

    /// A model whose request is an `http:` step that keeps a value of its own response, and
    /// an operation that uses the pool.
    const MODEL: &str = r#"
roles:
  a: {}
on_connect: ""
operations:
  make:
    request: |
      http: POST /things
      status: 201
      response: { id: !string {{keep:thing}} }
    answer: "{ event: made, id: \"${thing{{n}}}\" }"
  use:
    request: |
      http: POST /things/use
      body: { id: {{pool:thing}} }
probe: make
"#;

    fn choice(operation: usize) -> OperationChoice {
        OperationChoice {
            actor: 0,
            operation,
            invalid: false,
            pick: 0,
        }
    }

    #[test]
    fn a_request_keeps_what_its_own_response_captures() {
        let model = FuzzModel::parse(MODEL).unwrap();
        let session = GeneratedSession {
            actors: 1,
            operations: vec![choice(0), choice(1)],
        };
        let rendered = render(&model, "p", false, "p.case", &session, &Pins::default());
        let kept: Vec<(&str, usize)> = rendered
            .kept
            .iter()
            .map(|k| (k.capture.as_str(), k.operation))
            .collect();
        assert_eq!(kept, [("thing1", 1), ("thing3", 3)], "{}", rendered.yaml);
        assert!(rendered.yaml.contains("response: { id: !string thing1 }"));
        assert!(
            rendered
                .yaml
                .contains(r#"message: { event: made, id: "${thing1}" }"#)
        );
        assert!(rendered.yaml.contains(r#"body: { id: "${thing1}" }"#));
        assert_eq!(rendered.sent, [("a1".to_owned(), "thing1".to_owned())]);
    }
}
