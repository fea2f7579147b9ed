//! `wsconform list`: the scenarios with their ids, levels and clauses.

use std::io::{self, Write};

use super::Exit;
use super::args::ListArgs;
use super::suite_dir;

/// Prints one line per scenario; scenario file errors are printed and exit 2. A reader that
/// stops early (`wsconform list | head`) ends the listing quietly, as other line tools do.
pub fn list(args: ListArgs) -> anyhow::Result<Exit> {
    let (scenarios, errors) = suite_dir::scenarios(&args.suite);
    let mut out = io::stdout().lock();
    for scenario in &scenarios {
        let line = writeln!(
            out,
            "{:<44} {:<6} {:<40} {}",
            scenario.id,
            scenario.level.as_str(),
            scenario.clause,
            scenario.title
        );
        match line {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Conformant),
            Err(error) => return Err(error.into()),
        }
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
