//! `!contains`: each pattern takes a distinct element of an array.
//!
//! Each pattern is first tried on every element on its own (bindings of a try are dropped);
//! then a small backtracking search assigns distinct elements, patterns in order, elements in
//! order. The chosen pairs are matched again, in pattern order, to keep their bindings, so two
//! patterns capturing the same name must agree. Exponential in the worst case; scenario arrays
//! are small.

use serde_json::Value;

use super::describe::describe;
use super::eval::{Ctx, MatchError, Mismatch, push_index};
use super::pattern::Pattern;

impl Ctx<'_> {
    pub(super) fn contains(
        &mut self,
        items: &[Pattern],
        value: &Value,
        path: &mut String,
    ) -> Result<(), MatchError> {
        let Value::Array(values) = value else {
            return Err(fail(
                path,
                describe(&Pattern::Contains(items.to_vec())),
                value,
            ));
        };
        let base = path.len();
        let mut candidates = Vec::with_capacity(items.len());
        for item in items {
            let mut fits = Vec::new();
            for (j, element) in values.iter().enumerate() {
                push_index(path, j);
                let tried = self.attempt(item, element, path);
                path.truncate(base);
                if tried?.is_some() {
                    fits.push(j);
                }
            }
            if fits.is_empty() {
                return Err(fail(
                    path,
                    format!("an element matching {}", describe(item)),
                    value,
                ));
            }
            candidates.push(fits);
        }
        let mut used = vec![false; values.len()];
        let mut chosen = Vec::with_capacity(items.len());
        if !assign(&candidates, &mut used, &mut chosen) {
            let expected = format!(
                "distinct elements matching each of {}",
                describe(&Pattern::Array(items.to_vec()))
            );
            return Err(fail(path, expected, value));
        }
        for (item, j) in items.iter().zip(chosen) {
            push_index(path, j);
            let kept = self.attempt(item, &values[j], path)?;
            match kept {
                Some(made) => self.commit(made),
                None => {
                    let expected = format!("{} (agreeing with the other captures)", describe(item));
                    return Err(fail(path, expected, &values[j]));
                }
            }
            path.truncate(base);
        }
        Ok(())
    }
}

fn fail(path: &str, expected: String, actual: &Value) -> MatchError {
    MatchError::Mismatch(Mismatch {
        path: path.to_owned(),
        expected,
        actual: Some(actual.clone()),
    })
}

/// Picks a distinct element for each pattern from its candidates (depth first).
fn assign(candidates: &[Vec<usize>], used: &mut [bool], chosen: &mut Vec<usize>) -> bool {
    let Some(fits) = candidates.get(chosen.len()) else {
        return true;
    };
    for &j in fits {
        if !used[j] {
            used[j] = true;
            chosen.push(j);
            if assign(candidates, used, chosen) {
                return true;
            }
            chosen.pop();
            used[j] = false;
        }
    }
    false
}
