//! Generated sessions: what proptest generates and shrinks. A session is a number of actors
//! and a list of operations, each an actor, an operation of the model, valid or invalid, and a
//! number that picks its values. Pure data; [`super::render`] makes a scenario file of it.
//!
//! Shrinking (proptest's) removes operations, lowers the actors to one per role, turns invalid
//! operations valid and picks towards 0, so a failure shrinks to few, plain steps.

use proptest::prelude::*;

use super::model::FuzzModel;

/// One operation of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationChoice {
    /// The actor (an index below the session's `actors`, modulo).
    pub actor: usize,
    /// The operation, an index into the model's operations (in name order).
    pub operation: usize,
    /// Its invalid variant (when the operation has one).
    pub invalid: bool,
    /// Picks its values (which pooled value, which bad value, which number).
    pub pick: u32,
}

/// A generated session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedSession {
    /// How many actors connect (at least one per role).
    pub actors: usize,
    /// The operations, in order.
    pub operations: Vec<OperationChoice>,
}

/// Sessions of `model`: up to `max_actors` actors and `max_operations` operations, each chosen
/// by its weight, a fifth of them invalid.
pub fn sessions(model: &FuzzModel) -> BoxedStrategy<GeneratedSession> {
    let weights: Vec<u32> = model.operations.values().map(|o| o.weight).collect();
    let total: u32 = weights.iter().sum::<u32>().max(1);
    let roles = model.roles.len().max(1);
    let choice = (
        0..model.max_actors.max(1),
        0..total,
        prop::bool::weighted(0.2),
        any::<u32>(),
    )
        .prop_map(move |(actor, weight, invalid, pick)| OperationChoice {
            actor,
            operation: by_weight(&weights, weight),
            invalid,
            pick,
        });
    (
        roles..=model.max_actors.max(roles),
        prop::collection::vec(choice, 1..=model.max_operations.max(1)),
    )
        .prop_map(|(actors, operations)| GeneratedSession { actors, operations })
        .boxed()
}

/// The index whose cumulative weight first exceeds `at` (lower `at` shrinks towards the first).
fn by_weight(weights: &[u32], at: u32) -> usize {
    let mut sum = 0;
    for (index, weight) in weights.iter().enumerate() {
        sum += weight;
        if at < sum {
            return index;
        }
    }
    weights.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_choose_in_proportion_and_shrink_to_the_first() {
        assert_eq!(by_weight(&[1, 3], 0), 0);
        assert_eq!(by_weight(&[1, 3], 1), 1);
        assert_eq!(by_weight(&[1, 3], 3), 1);
        assert_eq!(by_weight(&[0, 2], 0), 1);
        assert_eq!(by_weight(&[], 5), 0);
    }
}
