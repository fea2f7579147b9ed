//! Coverage figures as reports show them: per protocol and category, the counts, the share
//! exercised and the items never exercised. Serialisable as is (the JSON report's `coverage`).
//!
//! An excluded item (declared unreachable) leaves the denominator unless the run exercised it
//! anyway; a category with no items is left out.

use std::collections::BTreeSet;

pub use crate::report::coverage::{CategoryCoverage, ExcludedItem, ProtocolCoverage};

use super::model::{Category, Inventory, Item};

impl ProtocolCoverage {
    /// The figures of `protocol` given the inventory and the items exercised.
    pub fn of(protocol: &str, inventory: &Inventory, seen: &BTreeSet<Item>) -> ProtocolCoverage {
        let categories: Vec<CategoryCoverage> = Category::ALL
            .into_iter()
            .map(|category| CategoryCoverage::of(category, inventory, seen))
            .filter(|c| c.total > 0)
            .collect();
        let exercised = categories.iter().map(|c| c.exercised).sum();
        let reachable = categories.iter().map(|c| c.total - c.excluded).sum();
        ProtocolCoverage {
            protocol: protocol.to_owned(),
            exercised,
            reachable,
            percent: percent(exercised, reachable),
            categories,
        }
    }

    /// The lowest percentage of its categories (what `--min` compares).
    pub fn lowest_percent(&self) -> f64 {
        self.categories
            .iter()
            .map(|c| c.percent)
            .fold(100.0, f64::min)
    }
}

impl CategoryCoverage {
    fn of(category: Category, inventory: &Inventory, seen: &BTreeSet<Item>) -> CategoryCoverage {
        let mut figures = CategoryCoverage {
            category,
            total: 0,
            exercised: 0,
            excluded: 0,
            percent: 100.0,
            never: Vec::new(),
            excluded_items: Vec::new(),
        };
        for item in inventory.items.iter().filter(|i| i.category == category) {
            figures.total += 1;
            if seen.contains(item) {
                figures.exercised += 1;
            } else if let Some(reason) = inventory.excluded.get(item) {
                figures.excluded += 1;
                figures.excluded_items.push(ExcludedItem {
                    item: item.text.clone(),
                    reason: reason.clone(),
                });
            } else {
                figures.never.push(item.text.clone());
            }
        }
        figures.percent = percent(figures.exercised, figures.total - figures.excluded);
        figures
    }
}

/// `part / whole` in percent, rounded down to one decimal (so 99.96 % never shows as 100 %);
/// 100 when `whole` is 0.
fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 100.0;
    }
    let tenths = part.saturating_mul(1000) / whole;
    f64::from(u32::try_from(tenths).unwrap_or(u32::MAX)) / 10.0
}

/// The report's text for `coverage`: per protocol the figures per category, then the items never
/// exercised, then the excluded ones with their reasons.
pub fn render(coverage: &[ProtocolCoverage]) -> String {
    let mut out = String::new();
    for protocol in coverage {
        out.push_str(&format!(
            "{}: {:.1} % of the document exercised ({} of {} items)\n",
            protocol.protocol, protocol.percent, protocol.exercised, protocol.reachable
        ));
        for c in &protocol.categories {
            let excluded = match c.excluded {
                0 => String::new(),
                n => format!(" ({n} excluded)"),
            };
            out.push_str(&format!(
                "  {:<18} {:>5.1} %  {:>4}/{:<4}{excluded}\n",
                c.category.name(),
                c.percent,
                c.exercised,
                c.total - c.excluded
            ));
        }
        for c in protocol.categories.iter().filter(|c| !c.never.is_empty()) {
            out.push_str(&format!("  never exercised, {}:\n", c.category.name()));
            for item in &c.never {
                out.push_str(&format!("    {item}\n"));
            }
        }
        for c in &protocol.categories {
            for excluded in &c.excluded_items {
                out.push_str(&format!(
                    "  excluded, {}: {} — {}\n",
                    c.category.name(),
                    excluded.item,
                    excluded.reason
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_down_and_an_empty_whole_is_complete() {
        assert_eq!(percent(1999, 2000), 99.9);
        assert_eq!(percent(2, 3), 66.6);
        assert_eq!(percent(0, 0), 100.0);
        assert_eq!(percent(3, 3), 100.0);
    }
}
