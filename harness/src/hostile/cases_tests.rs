//! Tests of the generic cases' payloads: a padded frame has exactly the size asked for, and
//! the deep nesting is as deep as [`super::DEEP`] says.

#![allow(clippy::unwrap_used)]

use super::{DEEP, padded};

#[test]
fn padding_makes_a_frame_of_exactly_the_size() {
    let frame = padded("{\"pad\":\"$PAD\"}", 100).unwrap();
    assert_eq!(frame.len(), 100);
    assert!(frame.starts_with("{\"pad\":\"xxx"));
    assert_eq!(
        padded("{\"pad\":\"$PAD\"}", 3),
        None,
        "shorter than the frame itself"
    );
}

#[test]
fn deep_nesting_is_ten_thousand_levels() {
    assert_eq!(DEEP, 10_000);
}
