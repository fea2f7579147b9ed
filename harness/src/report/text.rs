//! Small text helpers shared by the renderers (run and load reports): cutting a sentence to a
//! width, and the ` at <path>` suffix of a finding. Pure string functions.

/// `text` cut to `max` characters, `…` saying it was.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// ` at <path>` for a JSON path, nothing without one.
pub fn at_path(path: Option<&str>) -> String {
    path.map_or_else(String::new, |p| format!(" at {p}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_with_an_ellipsis_and_short_text_kept() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(at_path(Some("$.a")), " at $.a");
        assert_eq!(at_path(None), "");
    }
}
