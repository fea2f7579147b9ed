//! Scenario errors: a message at a place in a file, with an optional hint.
//!
//! Every error the parser and the static checks produce is a [`ScenarioError`]; it displays as
//! `file:line:col: message` followed by ` (hint)` when there is one. Hints come from
//! [`did_you_mean`], which uses a string distance to propose the nearest known word.

use super::model::Location;

/// An error in a scenario file, with its place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}{}", hint_suffix(.hint))]
pub struct ScenarioError {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
    /// How it may be fixed (`did you mean "expect"?`), if known.
    pub hint: Option<String>,
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(hint) => format!(" ({hint})"),
        None => String::new(),
    }
}

impl ScenarioError {
    /// An error with no hint.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        ScenarioError {
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint (replacing any).
    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

/// `did you mean "x"?` for the candidate nearest to `word`, if one is near enough.
///
/// Near enough: equal ignoring case, or at most `max(1, len / 3)` edits away (optimal string
/// alignment, case-insensitive), or a Jaro-Winkler similarity of at least 0.85. The nearest is
/// the one with the fewest edits, then the most similar.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lower = word.to_lowercase();
    let mut best: Option<((usize, f64), &str)> = None;
    for candidate in candidates {
        let other = candidate.to_lowercase();
        let edits = strsim::osa_distance(&lower, &other);
        let similarity = strsim::jaro_winkler(&lower, &other);
        let near = edits <= (other.chars().count() / 3).max(1) || similarity >= 0.85;
        let better = best.is_none_or(|((e, s), _)| edits < e || (edits == e && similarity > s));
        if near && better {
            best = Some(((edits, similarity), candidate));
        }
    }
    best.map(|(_, c)| format!("did you mean \"{c}\"?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_word() {
        let words = ["connect", "disconnect", "expect", "send"];
        assert_eq!(
            did_you_mean("expct", words).as_deref(),
            Some("did you mean \"expect\"?")
        );
        assert_eq!(did_you_mean("zzzzzz", words), None);
        assert_eq!(
            did_you_mean("must", ["MUST", "SHOULD", "MAY"]).as_deref(),
            Some("did you mean \"MUST\"?")
        );
    }

    #[test]
    fn displays_place_message_and_hint() {
        let location = Location {
            file: "a.yaml".into(),
            line: 3,
            column: 5,
        };
        let error = ScenarioError::new(location.clone(), "unknown step action \"expct\"")
            .with_hint(Some("did you mean \"expect\"?".into()));
        assert_eq!(
            error.to_string(),
            "a.yaml:3:5: unknown step action \"expct\" (did you mean \"expect\"?)"
        );
        assert_eq!(
            ScenarioError::new(location, "x").to_string(),
            "a.yaml:3:5: x"
        );
    }
}
