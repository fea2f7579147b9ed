//! One step node to a [`Step`]: the action named by the first key, then its fields.
//!
//! Checks each action's fields (unknown ones with a hint), `expect` modes against
//! `message`/`messages`/`within`, `send` frames (exactly one of `message`, `text`, `binary`) and
//! `http` request lines. Does not check actor names or `${refs}` (see [`super::checks`]).
//! Invariant: the step's location is its map's, that is the line of its `- ` item.

use std::path::Path;

use super::error::{ScenarioError, did_you_mean};
use super::fields::{MapView, duration, error, integer, string_list, text};
use super::model::{Action, BodyPattern, Expectation, HttpStep, Outgoing, Step};
use super::patterns::to_pattern;
use super::values::to_json;
use super::yaml::Node;

/// The actions a step can name, as written.
pub const ACTIONS: [&str; 10] = [
    "connect",
    "emit",
    "ack",
    "disconnect",
    "expect_close",
    "send",
    "http",
    "expect",
    "sleep",
    "repeat",
];

/// The largest `repeat` count, so a typo cannot run a scenario for hours.
pub const MAX_REPEAT: u32 = 1_000_000;

/// HTTP methods an `http` step may use.
pub const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT",
];

const MODES: [&str; 4] = ["next", "eventually", "unordered", "absent"];

/// The step in a node of the `steps` list.
pub fn step(node: &Node, file: &Path) -> Result<Step, ScenarioError> {
    let map = MapView::new(node, file, "a step")?;
    let Some((key, value)) = map.entries.first() else {
        return Err(error(
            node,
            file,
            "a step is empty; it starts with its action, e.g. \"connect: A\"",
        ));
    };
    let name = key.scalar().unwrap_or_default();
    let action = match name {
        "connect" => {
            map.check_keys(&["connect", "refused", "at_once"], "a connect step")?;
            let refused = flag(&map, "refused", file)?;
            let at_once = flag(&map, "at_once", file)?;
            let actors = string_list(value, file, name)?;
            if actors.is_empty() {
                return Err(error(value, file, "\"connect\" names no actor"));
            }
            Action::Connect {
                actors,
                refused,
                at_once,
            }
        }
        "disconnect" => {
            map.check_keys(&[name], "a disconnect step")?;
            Action::Disconnect {
                actor: text(value, file, name)?,
            }
        }
        "emit" => super::sio_steps::emit(&map, value)?,
        "ack" => super::sio_steps::ack_reply(&map, value)?,
        "expect_close" => {
            map.check_keys(&["expect_close", "code", "timeout"], "an expect_close step")?;
            Action::ExpectClose {
                actor: text(value, file, name)?,
                code: map
                    .get("code")
                    .map(|n| integer(n, file, "code", 1000..=4999))
                    .transpose()?,
                timeout: map
                    .get("timeout")
                    .map(|n| duration(n, file, "timeout"))
                    .transpose()?,
            }
        }
        "send" => send(&map, value)?,
        "http" => Action::Http(http(&map, value)?),
        "expect" => expect(&map, value)?,
        "sleep" => {
            map.check_keys(&["sleep"], "a sleep step")?;
            Action::Sleep(duration(value, file, "sleep")?)
        }
        "repeat" => repeat(&map, value)?,
        _ => return Err(unknown_action(&map, key, name)),
    };
    Ok(Step {
        action,
        location: node.location(file),
    })
}

/// `- repeat: N` with `steps:`, the steps of one round.
/// An optional `true` / `false` key (default false).
fn flag(map: &MapView<'_>, key: &str, file: &Path) -> Result<bool, ScenarioError> {
    match map.get(key) {
        None => Ok(false),
        Some(node) => match to_json(node, file)? {
            serde_json::Value::Bool(value) => Ok(value),
            _ => Err(error(node, file, format!("\"{key}\" is true or false"))),
        },
    }
}

fn repeat(map: &MapView<'_>, value: &Node) -> Result<Action, ScenarioError> {
    let file = map.file;
    map.check_keys(&["repeat", "steps"], "a repeat step")?;
    let times = integer(value, file, "repeat", 1..=MAX_REPEAT)?;
    let node = map.require("steps")?;
    let Some(items) = node.seq().filter(|i| !i.is_empty() && node.tag.is_none()) else {
        return Err(error(
            node,
            file,
            "\"steps\" must be a non-empty list of steps",
        ));
    };
    let steps = items
        .iter()
        .map(|item| step(item, file))
        .collect::<Result<_, _>>()?;
    Ok(Action::Repeat { times, steps })
}

fn unknown_action(map: &MapView<'_>, key: &Node, name: &str) -> ScenarioError {
    let later = map
        .entries
        .iter()
        .skip(1)
        .filter_map(|(k, _)| k.scalar())
        .find(|k| ACTIONS.contains(k));
    match later {
        Some(action) => error(
            key,
            map.file,
            format!("a step starts with its action; move \"{action}\" first"),
        ),
        None => error(key, map.file, format!("unknown step action \"{name}\""))
            .with_hint(did_you_mean(name, ACTIONS)),
    }
}

fn send(map: &MapView<'_>, value: &Node) -> Result<Action, ScenarioError> {
    let file = map.file;
    map.check_keys(
        &["send", "message", "text", "binary", "repeat"],
        "a send step",
    )?;
    let frames = [
        map.get("message")
            .map(|n| to_json(n, file).map(Outgoing::Json)),
        map.get("text")
            .map(|n| text(n, file, "text").map(Outgoing::Text)),
        map.get("binary")
            .map(|n| text(n, file, "binary").map(|t| Outgoing::Binary(t.into_bytes()))),
    ];
    let mut present = frames.into_iter().flatten();
    let frame = match (present.next(), present.next()) {
        (Some(frame), None) => frame?,
        (None, _) => {
            return Err(error(
                map.node,
                file,
                "a send step needs one of \"message\", \"text\" or \"binary\"",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(error(
                map.node,
                file,
                "a send step takes only one of \"message\", \"text\" or \"binary\"",
            ));
        }
    };
    let frame = match map.get("repeat") {
        Some(node) => repeated(frame, node, file)?,
        None => frame,
    };
    Ok(Action::Send {
        actor: text(value, file, "send")?,
        frame,
    })
}

/// The largest frame `repeat` may build, so a typo cannot exhaust memory.
pub const MAX_REPEATED_BYTES: usize = 64 << 20;

/// `repeat: N` sends the `text` or `binary` written N times over (e.g. an over-size frame).
fn repeated(frame: Outgoing, node: &Node, file: &Path) -> Result<Outgoing, ScenarioError> {
    let count = to_json(node, file)?
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| error(node, file, "\"repeat\" must be a positive integer"))?;
    let unit = match &frame {
        Outgoing::Text(text) => text.len(),
        Outgoing::Binary(bytes) => bytes.len(),
        Outgoing::Json(_) => {
            return Err(error(
                node,
                file,
                "\"repeat\" applies to \"text\" or \"binary\", not to \"message\"",
            ));
        }
    };
    if unit.saturating_mul(count) > MAX_REPEATED_BYTES {
        return Err(error(
            node,
            file,
            format!("\"repeat\" would build a frame over {MAX_REPEATED_BYTES} bytes"),
        ));
    }
    Ok(match frame {
        Outgoing::Text(text) => Outgoing::Text(text.repeat(count)),
        Outgoing::Binary(bytes) => Outgoing::Binary(bytes.repeat(count)),
        json => json,
    })
}

fn http(map: &MapView<'_>, value: &Node) -> Result<HttpStep, ScenarioError> {
    let file = map.file;
    let fields = [
        "http",
        "body",
        "raw_body",
        "headers",
        "status",
        "response",
        "response_text",
    ];
    map.check_keys(&fields, "an http step")?;
    let line = text(value, file, "http")?;
    let mut words = line.split_whitespace();
    let (Some(method), Some(path), None) = (words.next(), words.next(), words.next()) else {
        return Err(error(
            value,
            file,
            format!("\"http: {line}\" must be METHOD /path"),
        ));
    };
    if !METHODS.contains(&method) {
        let hint = did_you_mean(method, METHODS);
        return Err(
            error(value, file, format!("unknown HTTP method \"{method}\"")).with_hint(hint),
        );
    }
    if !path.starts_with('/') {
        return Err(error(
            value,
            file,
            format!("the path \"{path}\" must start with /"),
        ));
    }
    let body = match (map.get("body"), map.get("raw_body")) {
        (Some(_), Some(_)) => {
            return Err(error(
                map.node,
                file,
                "an http step takes \"body\" or \"raw_body\", not both",
            ));
        }
        (Some(body), None) => Some(Outgoing::Json(to_json(body, file)?)),
        (None, Some(raw)) => Some(Outgoing::Text(text(raw, file, "raw_body")?)),
        (None, None) => None,
    };
    let mut headers = std::collections::BTreeMap::new();
    if let Some(node) = map.get("headers") {
        for (key, value) in MapView::new(node, file, "\"headers\"")?.entries {
            let key = text(key, file, "header name")?;
            headers.insert(key.clone(), text(value, file, &key)?);
        }
    }
    Ok(HttpStep {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body,
        status: map
            .get("status")
            .map(|n| integer(n, file, "status", 100..=599))
            .transpose()?,
        response: body_pattern(map)?,
    })
}

/// `response` (a JSON body) or `response_text` (the body as text), not both.
fn body_pattern(map: &MapView<'_>) -> Result<Option<BodyPattern>, ScenarioError> {
    let file = map.file;
    match (map.get("response"), map.get("response_text")) {
        (Some(_), Some(_)) => Err(error(
            map.node,
            file,
            "an http step takes \"response\" or \"response_text\", not both",
        )),
        (Some(node), None) => Ok(Some(BodyPattern::Json(to_pattern(node, file)?))),
        (None, Some(node)) => Ok(Some(BodyPattern::Text(to_pattern(node, file)?))),
        (None, None) => Ok(None),
    }
}

fn expect(map: &MapView<'_>, value: &Node) -> Result<Action, ScenarioError> {
    let file = map.file;
    let actors = string_list(value, file, "expect")?;
    if actors.is_empty() {
        return Err(error(value, file, "\"expect\" names no actor"));
    }
    if map.get("ack").is_some() {
        return super::sio_steps::expect_ack(map, actors);
    }
    let fields = ["expect", "message", "messages", "mode", "timeout", "within"];
    map.check_keys(&fields, "an expect step")?;
    let mode = match map.get("mode") {
        Some(node) => {
            let mode = text(node, file, "mode")?;
            if !MODES.contains(&mode.as_str()) {
                let hint = did_you_mean(&mode, MODES);
                return Err(error(node, file, format!("unknown mode \"{mode}\"")).with_hint(hint));
            }
            mode
        }
        None => "next".to_owned(),
    };
    let refuse = |key: &str, why: &str| match map.get(key) {
        Some(node) => Err(error(node, file, format!("\"{key}\" {why}"))),
        None => Ok(()),
    };
    let message = || map.get("message").map(|n| to_pattern(n, file)).transpose();
    let expectation = match mode.as_str() {
        "unordered" => {
            refuse(
                "message",
                "is not used with mode unordered; use \"messages\"",
            )?;
            refuse("within", "is only used with mode absent")?;
            let node = map.require("messages")?;
            let items = node.seq().filter(|i| !i.is_empty() && node.tag.is_none());
            let Some(items) = items else {
                return Err(error(
                    node,
                    file,
                    "\"messages\" must be a non-empty list of patterns",
                ));
            };
            Expectation::Unordered(
                items
                    .iter()
                    .map(|n| to_pattern(n, file))
                    .collect::<Result<_, _>>()?,
            )
        }
        "absent" => {
            refuse("messages", "is only used with mode unordered")?;
            refuse(
                "timeout",
                "is not used with mode absent; the window is \"within\"",
            )?;
            let within = duration(map.require("within")?, file, "within")?;
            Expectation::Absent {
                pattern: message()?,
                within,
            }
        }
        _ => {
            refuse(
                "messages",
                "is only used with mode unordered; use \"message\"",
            )?;
            refuse("within", "is only used with mode absent")?;
            map.require("message")?;
            let pattern = message()?.unwrap_or(crate::matcher::Pattern::Null);
            match mode.as_str() {
                "eventually" => Expectation::Eventually(pattern),
                _ => Expectation::Next(pattern),
            }
        }
    };
    Ok(Action::Expect {
        actors,
        expectation,
        timeout: map
            .get("timeout")
            .map(|n| duration(n, file, "timeout"))
            .transpose()?,
    })
}
