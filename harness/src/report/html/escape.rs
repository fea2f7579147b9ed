//! Escaping for HTML text and attribute values. Everything a target sends (and every sentence
//! built from it) passes through here before it enters the page.

/// `text` with the five characters HTML reads as markup (`& < > " '`) written as entities; safe
/// in element content and in quoted attribute values. Not for script or style content: the
/// page never puts data there.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_entities_and_the_rest_is_kept() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script> é"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt; é"
        );
    }
}
