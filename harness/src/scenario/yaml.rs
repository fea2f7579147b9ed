//! A small YAML node tree built from `saphyr-parser` events.
//!
//! Holds what the scenario parser needs and nothing more: maps (keys in file order), sequences
//! and scalars with their style and tag, each with its 1-based line and column. It does not
//! resolve scalar types (that is [`super::values`]'s job). Invariants: a file is exactly one
//! document; map keys are scalars and unique within their map (a duplicate is an error at the
//! second key); aliases are replaced by a copy of their anchored node.

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span, Tag};

use super::error::ScenarioError;
use super::model::Location;

/// A tag written on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeTag {
    /// A local tag, `!name` (the name without `!`).
    Local(String),
    /// A YAML core schema tag, `!!str` (the suffix, `str`).
    Core(String),
    /// Any other tag, as written.
    Other(String),
}

/// The content of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A scalar; `plain` is false for quoted and block scalars.
    Scalar {
        /// The scalar's text.
        text: String,
        /// Unquoted (subject to type resolution).
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping with scalar keys, in file order.
    Map(Vec<(Node, Node)>),
}

/// A YAML node with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub content: Content,
    /// Its tag, if one is written.
    pub tag: Option<NodeTag>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Node {
    /// The text of a scalar node, `None` for collections.
    pub fn scalar(&self) -> Option<&str> {
        match &self.content {
            Content::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The items of a sequence node.
    pub fn seq(&self) -> Option<&[Node]> {
        match &self.content {
            Content::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// This node's place in `file`.
    pub fn location(&self, file: &Path) -> Location {
        Location {
            file: file.to_path_buf(),
            line: self.line,
            column: self.column,
        }
    }

    /// A short name of the node's kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match &self.content {
            Content::Scalar { .. } => "a scalar",
            Content::Seq(_) => "a list",
            Content::Map(_) => "a map",
        }
    }
}

/// A collection being built.
struct Frame {
    node: Node,
    anchor: usize,
    pending_key: Option<Node>,
}

/// Parses `text` into one document's root node.
pub fn load(text: &str, file: &Path) -> Result<Node, ScenarioError> {
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = marker_location(file, e.marker());
            ScenarioError::new(at, format!("YAML syntax error: {}", e.info()))
        })?;
        builder.event(event, span)?;
    }
    builder.root.ok_or_else(|| {
        ScenarioError::new(
            marker_location(file, &Marker::new(0, 1, 0)),
            "the file is empty",
        )
    })
}

fn marker_location(file: &Path, marker: &Marker) -> Location {
    Location {
        file: file.to_path_buf(),
        line: marker.line().max(1),
        column: marker.col() + 1,
    }
}

struct Builder<'f> {
    file: &'f Path,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    documents: usize,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ScenarioError> {
        let (line, column) = (span.start.line().max(1), span.start.col() + 1);
        let new = |content, tag: Option<std::borrow::Cow<'_, Tag>>| Node {
            content,
            tag: tag.map(|t| convert_tag(&t)),
            line,
            column,
        };
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    let at = marker_location(self.file, &span.start);
                    return Err(ScenarioError::new(
                        at,
                        "a scenario file holds one YAML document",
                    ));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let content = Content::Scalar {
                    text: text.into_owned(),
                    plain,
                };
                self.complete(new(content, tag), anchor)?;
            }
            Event::SequenceStart(anchor, tag) => self.stack.push(Frame {
                node: new(Content::Seq(Vec::new()), tag),
                anchor,
                pending_key: None,
            }),
            Event::MappingStart(anchor, tag) => self.stack.push(Frame {
                node: new(Content::Map(Vec::new()), tag),
                anchor,
                pending_key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    self.complete(frame.node, frame.anchor)?;
                }
            }
            Event::Alias(id) => {
                let Some(node) = self.anchors.get(&id).cloned() else {
                    let at = marker_location(self.file, &span.start);
                    return Err(ScenarioError::new(at, "unknown alias"));
                };
                self.complete(node, 0)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    /// Adds a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), ScenarioError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match (&mut parent.node.content, parent.pending_key.take()) {
            (Content::Seq(items), _) => items.push(node),
            (Content::Map(entries), Some(key)) => entries.push((key, node)),
            (Content::Map(entries), None) => {
                let Some(text) = node.scalar() else {
                    return Err(ScenarioError::new(
                        node.location(self.file),
                        "a map key must be a scalar",
                    ));
                };
                if entries.iter().any(|(k, _)| k.scalar() == Some(text)) {
                    return Err(ScenarioError::new(
                        node.location(self.file),
                        format!("duplicate key \"{text}\""),
                    ));
                }
                parent.pending_key = Some(node);
            }
            (Content::Scalar { .. }, _) => {}
        }
        Ok(())
    }
}

fn convert_tag(tag: &Tag) -> NodeTag {
    if tag.handle == "!" {
        NodeTag::Local(tag.suffix.clone())
    } else if tag.is_yaml_core_schema() {
        NodeTag::Core(tag.suffix.clone())
    } else {
        NodeTag::Other(tag.to_string())
    }
}
