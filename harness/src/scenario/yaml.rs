//! A small YAML node tree built from `saphyr-parser` events.
//!
//! Holds what the scenario parser needs and nothing more: maps (keys in file order), sequences
//! and scalars with their style and tag, each with its 1-based line and column. It does not
//! resolve scalar types (that is [`super::values`]'s job). Invariants: a file is exactly one
//! document; map keys are scalars and unique within their map (a duplicate is an error at the
//! second key); aliases are replaced by a copy of their anchored node; the tree, aliases
//! expanded, has at most [`MAX_NODES`] nodes (aliases of aliases grow exponentially: a
//! 400-byte "billion laughs" file would otherwise take minutes and gigabytes).

use std::collections::HashMap;
use std::path::Path;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span, Tag};

use super::error::ScenarioError;
use super::model::Location;

/// The most nodes a file's tree may have, aliases expanded; the largest shipped scenario has
/// a few thousand.
pub const MAX_NODES: usize = 100_000;

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
    /// The builder's node count before this collection: its size is the count at its end
    /// minus this.
    first: usize,
}

/// Parses `text` into one document's root node.
pub fn load(text: &str, file: &Path) -> Result<Node, ScenarioError> {
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        nodes: 0,
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
    /// Anchored nodes and their sizes (in nodes).
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    documents: usize,
    /// Nodes so far, aliases expanded.
    nodes: usize,
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
                self.count(1, &span)?;
                let plain = style == ScalarStyle::Plain;
                let content = Content::Scalar {
                    text: text.into_owned(),
                    plain,
                };
                self.complete(new(content, tag), anchor, 1)?;
            }
            Event::SequenceStart(anchor, tag) => {
                let first = self.nodes;
                self.count(1, &span)?;
                self.stack.push(Frame {
                    node: new(Content::Seq(Vec::new()), tag),
                    anchor,
                    pending_key: None,
                    first,
                });
            }
            Event::MappingStart(anchor, tag) => {
                let first = self.nodes;
                self.count(1, &span)?;
                self.stack.push(Frame {
                    node: new(Content::Map(Vec::new()), tag),
                    anchor,
                    pending_key: None,
                    first,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let size = self.nodes - frame.first;
                    self.complete(frame.node, frame.anchor, size)?;
                }
            }
            Event::Alias(id) => {
                let Some(&(_, size)) = self.anchors.get(&id) else {
                    let at = marker_location(self.file, &span.start);
                    return Err(ScenarioError::new(at, "unknown alias"));
                };
                // Counted before the copy is made, so an alias bomb stops before it costs.
                self.count(size, &span)?;
                let node = self.anchors[&id].0.clone();
                self.complete(node, 0, size)?;
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
        Ok(())
    }

    /// Counts `added` nodes; past [`MAX_NODES`], the file is refused at `span`.
    fn count(&mut self, added: usize, span: &Span) -> Result<(), ScenarioError> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes <= MAX_NODES {
            return Ok(());
        }
        Err(ScenarioError::new(
            marker_location(self.file, &span.start),
            format!("the file has more than {MAX_NODES} YAML nodes, aliases expanded"),
        ))
    }

    /// Adds a finished node of `size` nodes to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize, size: usize) -> Result<(), ScenarioError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
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
