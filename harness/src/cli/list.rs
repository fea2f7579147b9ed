//! `wsconform list`: the scenarios with their ids, levels and clauses.

use super::Exit;
use super::args::ListArgs;
use super::suite_dir;

/// Prints one line per scenario; scenario file errors are printed and exit 2.
pub fn list(args: ListArgs) -> anyhow::Result<Exit> {
    let (scenarios, errors) = suite_dir::scenarios(&args.suite);
    for scenario in &scenarios {
        println!(
            "{:<44} {:<6} {:<40} {}",
            scenario.id,
            scenario.level.as_str(),
            scenario.clause,
            scenario.title
        );
    }
    for error in &errors {
        eprintln!("{error}");
    }
    Ok(if errors.is_empty() {
        Exit::Conformant
    } else {
        Exit::ScenarioFiles
    })
}
