//! Shared by the parser fuzz tests (`harness/tests/fuzz_parsers.rs`, and
//! `reference/tests/fuzz_decoders.rs` through `#[path]`): structure-aware mutation of a corpus of
//! valid inputs, and a proptest runner whose case count comes from `WSCONFORM_FUZZ_CASES`.
//!
//! An input is one of: arbitrary bytes, arbitrary UTF-8, or a seed of the corpus edited a few
//! times (bytes inserted, deleted, replaced or flipped, ranges duplicated or spliced from another
//! seed, syntax tokens and huge numbers inserted, lines dropped, duplicated or re-indented, deep
//! nesting, truncation) after, for JSON seeds, edits of the parsed value (a node replaced by
//! another type, an extreme number, a long string or a deep nest; keys dropped or renamed).
//! Edits are plain numbers, so proptest shrinks a failure to few, small edits.
//!
//! Not here: what a parser must do with the input (each test says), coverage guidance (the
//! cargo-fuzz targets under `harness/fuzz/` and `reference/fuzz/` have it).

#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use serde_json::{Map, Value};

/// Cases per parser when `WSCONFORM_FUZZ_CASES` is not set: small enough for `cargo test`.
pub const DEFAULT_CASES: u32 = 5000;

/// A case slower than this is a finding (an accidental quadratic or a near-infinite loop).
pub const SLOW_CASE: Duration = Duration::from_secs(5);

/// Cases per parser: `WSCONFORM_FUZZ_CASES`, else [`DEFAULT_CASES`].
pub fn cases() -> u32 {
    std::env::var("WSCONFORM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Runs `check` on `cases()` values of `strategy`; a panic or a slow case fails the test with
/// the shrunk input (kept in `<test>.proptest-regressions` beside the test file). `check`
/// says whether the parser accepted the input. Prints the executions, how many were accepted
/// (mutations that stay valid reach deeper), the time and the slowest case, for the figures.
pub fn fuzz<S: Strategy>(
    name: &str,
    source_file: &'static str,
    strategy: S,
    check: impl Fn(S::Value) -> bool,
) where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases: cases(),
        source_file: Some(source_file),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let start = Instant::now();
    let accepted = std::cell::Cell::new(0u64);
    let slowest = std::cell::Cell::new(Duration::ZERO);
    let result = runner.run(&strategy, |value| {
        let case = Instant::now();
        accepted.set(accepted.get() + u64::from(check(value)));
        let took = case.elapsed();
        slowest.set(slowest.get().max(took));
        prop_assert!(took < SLOW_CASE, "slow case: {took:?}");
        Ok(())
    });
    println!(
        "fuzz {name}: {} cases ({} accepted) in {:.1} s, slowest {:?}",
        cases(),
        accepted.get(),
        start.elapsed().as_secs_f64(),
        slowest.get()
    );
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
}

/// One input for a parser.
#[derive(Debug, Clone)]
pub enum Input {
    /// Arbitrary bytes.
    Bytes(Vec<u8>),
    /// Arbitrary UTF-8.
    Text(String),
    /// A seed of the corpus, edited.
    Mutated(Mutation),
}

/// A seed, a second seed to splice from, and the edits.
#[derive(Debug, Clone)]
pub struct Mutation {
    seed: Index,
    other: Index,
    json: Vec<JsonEdit>,
    bytes: Vec<Edit>,
}

/// One byte-level edit: `kind` selects it, the numbers are taken modulo what fits.
#[derive(Debug, Clone)]
pub struct Edit {
    kind: u8,
    at: u16,
    len: u16,
    byte: u8,
}

/// One edit of a JSON seed's value: node `node` (pre-order, modulo the node count).
#[derive(Debug, Clone)]
pub struct JsonEdit {
    kind: u8,
    node: u16,
    pick: u8,
}

/// Inputs: mostly mutated seeds, some raw bytes and text.
pub fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..256).prop_map(Input::Bytes),
        1 => any::<String>().prop_map(Input::Text),
        8 => mutation().prop_map(Input::Mutated),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let edit =
        (0u8..16, any::<u16>(), 0u16..64, any::<u8>()).prop_map(|(kind, at, len, byte)| Edit {
            kind,
            at,
            len,
            byte,
        });
    let json = (0u8..6, any::<u16>(), any::<u8>()).prop_map(|(kind, node, pick)| JsonEdit {
        kind,
        node,
        pick,
    });
    (
        any::<Index>(),
        any::<Index>(),
        prop::collection::vec(json, 0..3),
        prop::collection::vec(edit, 0..5),
    )
        .prop_map(|(seed, other, json, bytes)| Mutation {
            seed,
            other,
            json,
            bytes,
        })
}

impl Input {
    /// The bytes of this input over `corpus` (which must not be empty).
    pub fn bytes(&self, corpus: &[Vec<u8>]) -> Vec<u8> {
        match self {
            Input::Bytes(bytes) => bytes.clone(),
            Input::Text(text) => text.clone().into_bytes(),
            Input::Mutated(m) => m.apply(corpus),
        }
    }

    /// The input as text (invalid UTF-8 replaced), for parsers that take `&str`.
    pub fn text(&self, corpus: &[Vec<u8>]) -> String {
        String::from_utf8_lossy(&self.bytes(corpus)).into_owned()
    }
}

impl Mutation {
    fn apply(&self, corpus: &[Vec<u8>]) -> Vec<u8> {
        let mut out = corpus[self.seed.index(corpus.len())].clone();
        let other = &corpus[self.other.index(corpus.len())];
        if !self.json.is_empty()
            && let Ok(mut value) = serde_json::from_slice::<Value>(&out)
        {
            for edit in &self.json {
                edit.apply(&mut value);
            }
            out = serde_json::to_vec(&value).unwrap_or(out);
        }
        for edit in &self.bytes {
            edit.apply(&mut out, other);
        }
        out
    }
}

/// Syntax of the corpora's languages (JSON, YAML, socket.io) and values at the edges.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    "\\",
    ":",
    ",",
    "-",
    "0",
    "null",
    "true",
    "1e999",
    "-0",
    "18446744073709551616",
    "-9223372036854775809",
    "0.0000001",
    "NaN",
    "\\u0000",
    "\\ud800",
    "\n",
    "\n  ",
    ": ",
    "- ",
    "&a ",
    "*a",
    "<<: *a",
    "!binary ",
    "!regex ",
    "!any",
    "? ",
    "|\n",
    ">-\n",
    "'",
    "#",
    "---\n",
    "...\n",
    "${",
    "}}",
    "{{",
    "/admin,",
    "1-",
    "99-",
    "_placeholder",
    "{\"_placeholder\":true,\"num\":0}",
    "\u{feff}",
    "é",
    "\u{10ffff}",
    "\t",
];

impl Edit {
    fn apply(&self, out: &mut Vec<u8>, other: &[u8]) {
        let at = usize::from(self.at) % (out.len() + 1);
        let len = usize::from(self.len);
        let end = (at + len).min(out.len());
        match self.kind {
            0 => out.insert(at, self.byte),
            1 => drop(out.drain(at..end)),
            2 if at < out.len() => out[at] = self.byte,
            3 if at < out.len() => out[at] ^= 1 << (self.byte % 8),
            4 | 5 => {
                let token = TOKENS[usize::from(self.byte) % TOKENS.len()];
                splice(out, at, token.as_bytes());
            }
            6 => out.truncate(at),
            7 => {
                let copy = out[at..end].to_vec();
                splice(out, end, &copy);
            }
            8 if !other.is_empty() => {
                let from = usize::from(self.byte) * other.len() / 256;
                let to = (from + len * 4).min(other.len());
                splice(out, at, &other[from..to]);
            }
            9 => {
                // Deep nesting, unbalanced or wrapped around the whole input.
                let depth = 1 + len * 64;
                let open = if self.byte.is_multiple_of(2) {
                    b"["
                } else {
                    b"{"
                };
                let nest = open.repeat(depth);
                splice(out, at, &nest);
            }
            10 => {
                // Invalid UTF-8: a lone continuation byte, a truncated sequence, a surrogate.
                let bad: &[u8] = match self.byte % 4 {
                    0 => b"\x80",
                    1 => b"\xc3",
                    2 => b"\xed\xa0\x80",
                    _ => b"\xff\xfe",
                };
                splice(out, at, bad);
            }
            11 => line_edit(out, at, |lines, i| {
                lines.remove(i);
            }),
            12 => line_edit(out, at, |lines, i| {
                let line = lines[i].clone();
                lines.insert(i, line);
            }),
            13 => {
                let shift = len % 5;
                line_edit(out, at, |lines, i| {
                    if self.byte.is_multiple_of(2) {
                        let mut line = vec![b' '; shift];
                        line.extend_from_slice(&lines[i]);
                        lines[i] = line;
                    } else {
                        let spaces = lines[i].iter().take_while(|b| **b == b' ').count();
                        lines[i].drain(..spaces.min(shift));
                    }
                });
            }
            14 => {
                // A huge number in place of the next digit run.
                let Some(start) = out[at..].iter().position(u8::is_ascii_digit) else {
                    return;
                };
                let start = at + start;
                let run = out[start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let huge = ["99999999999999999999999999", "4294967296", "1e308", "-1"];
                out.splice(
                    start..start + run,
                    huge[usize::from(self.byte) % huge.len()].bytes(),
                );
            }
            _ => {
                // A value after the `: ` of this line replaced by a token.
                line_edit(out, at, |lines, i| {
                    if let Some(colon) = lines[i].windows(2).position(|w| w == b": ") {
                        let token = TOKENS[usize::from(self.byte) % TOKENS.len()];
                        lines[i].truncate(colon + 2);
                        lines[i].extend_from_slice(token.as_bytes());
                    }
                });
            }
        }
    }
}

fn splice(out: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    out.splice(at..at, bytes.iter().copied());
}

/// Applies `edit` to the line containing byte `at`.
fn line_edit(out: &mut Vec<u8>, at: usize, edit: impl FnOnce(&mut Vec<Vec<u8>>, usize)) {
    let mut lines: Vec<Vec<u8>> = out.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    let line = out[..at].iter().filter(|b| **b == b'\n').count();
    let last = lines.len() - 1;
    edit(&mut lines, line.min(last));
    if !lines.is_empty() {
        *out = lines.join(&b'\n');
    } else {
        out.clear();
    }
}

/// Values at the edges of what a JSON field can hold.
fn edge_value(pick: u8) -> Value {
    match pick % 12 {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::from(u64::MAX),
        3 => Value::from(i64::MIN),
        4 => serde_json::json!(1.0e308),
        5 => serde_json::json!(-0.5),
        6 => Value::String(String::new()),
        7 => Value::String("x".repeat(70_000)),
        8 => Value::Array(Vec::new()),
        9 => Value::Object(Map::new()),
        10 => (0..200).fold(Value::Null, |v, _| Value::Array(vec![v])),
        _ => Value::String("\u{0}\u{feff}é\u{10ffff}".into()),
    }
}

impl JsonEdit {
    fn apply(&self, root: &mut Value) {
        let count = count_nodes(root);
        let mut n = usize::from(self.node) % count;
        let Some(node) = nth_node(root, &mut n) else {
            return;
        };
        match self.kind {
            0 | 1 => *node = edge_value(self.pick),
            2 => match node {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(usize::from(self.pick) % map.len()).cloned();
                    key.map(|k| map.shift_remove(&k));
                }
                Value::Array(items) if !items.is_empty() => {
                    items.remove(usize::from(self.pick) % items.len());
                }
                _ => *node = Value::Null,
            },
            3 => match node {
                Value::Object(map) if !map.is_empty() => {
                    let key = map.keys().nth(usize::from(self.pick) % map.len()).cloned();
                    if let Some(value) = key.and_then(|k| map.shift_remove(&k).map(|v| (k, v))) {
                        map.insert(format!("{}x", value.0), value.1);
                    }
                }
                Value::Array(items) if !items.is_empty() => {
                    let item = items[usize::from(self.pick) % items.len()].clone();
                    items.push(item);
                }
                _ => *node = Value::String(node.to_string()),
            },
            4 => *node = Value::Array(vec![node.take()]),
            _ => {
                if let Value::Object(map) = node {
                    map.insert("_placeholder".into(), Value::Bool(true));
                    map.insert("num".into(), edge_value(self.pick));
                } else {
                    *node = Value::from(i64::from(self.pick) - 128);
                }
            }
        }
    }
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(map) => map.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`th node in pre-order (`n` counts down as nodes are passed).
fn nth_node<'a>(value: &'a mut Value, n: &mut usize) -> Option<&'a mut Value> {
    if *n == 0 {
        return Some(value);
    }
    *n -= 1;
    match value {
        Value::Array(items) => items.iter_mut().find_map(|v| nth_node(v, n)),
        Value::Object(map) => map.values_mut().find_map(|v| nth_node(v, n)),
        _ => None,
    }
}

/// The files under `dir` (recursively) whose name ends with one of `extensions`, sorted.
pub fn files(dir: &std::path::Path, extensions: &[&str]) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if extensions
                .iter()
                .any(|e| path.to_string_lossy().ends_with(e))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Writes `corpus` as seed files `seed-<n>` into `dir` (for the cargo-fuzz targets).
pub fn write_seeds(dir: &std::path::Path, corpus: &[Vec<u8>]) {
    std::fs::create_dir_all(dir).unwrap();
    for (i, seed) in corpus.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:04}")), seed).unwrap();
    }
}
