//! Coverage figures as the result model holds them: per protocol and category, the counts, the
//! share exercised, the items never exercised and those declared unreachable. Pure data; the
//! figures are computed by [`crate::coverage`], which reads runs, so that the result model does
//! not depend on it.

use serde::Serialize;

/// The categories of items, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Message types the target sends.
    MessagesReceived,
    /// Message types a client sends.
    MessagesSent,
    /// Fields of every message kind (both directions, HTTP bodies too).
    Fields,
    /// Values of every enum.
    EnumValues,
    /// Error codes.
    ErrorCodes,
    /// Options (keys of the declared option objects).
    Options,
    /// HTTP endpoints × statuses.
    Http,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 7] = [
        Category::MessagesReceived,
        Category::MessagesSent,
        Category::Fields,
        Category::EnumValues,
        Category::ErrorCodes,
        Category::Options,
        Category::Http,
    ];

    /// The name reports and `coverage.yaml` use (`enum_values`).
    pub fn name(self) -> &'static str {
        match self {
            Category::MessagesReceived => "messages_received",
            Category::MessagesSent => "messages_sent",
            Category::Fields => "fields",
            Category::EnumValues => "enum_values",
            Category::ErrorCodes => "error_codes",
            Category::Options => "options",
            Category::Http => "http",
        }
    }
}

/// One protocol's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtocolCoverage {
    /// The protocol id.
    pub protocol: String,
    /// Items exercised, over every category.
    pub exercised: usize,
    /// Items that count (every item, less the excluded ones not exercised).
    pub reachable: usize,
    /// `exercised / reachable` in percent (100 when nothing counts).
    pub percent: f64,
    /// Per category, in report order.
    pub categories: Vec<CategoryCoverage>,
}

/// One category's coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCoverage {
    /// The category.
    pub category: Category,
    /// Items the document defines.
    pub total: usize,
    /// Items the run exercised.
    pub exercised: usize,
    /// Items declared unreachable (and not exercised).
    pub excluded: usize,
    /// `exercised / (total - excluded)` in percent.
    pub percent: f64,
    /// The items never exercised and not excluded: the suite's holes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub never: Vec<String>,
    /// The excluded items, with why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_items: Vec<ExcludedItem>,
}

/// An item declared unreachable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedItem {
    /// The item.
    pub item: String,
    /// Why it cannot be reached.
    pub reason: String,
}
