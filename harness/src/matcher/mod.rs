//! The matcher: partial JSON patterns with typed matchers and captures.

mod pattern;

pub use pattern::{Kind, Pattern, TextPattern};
