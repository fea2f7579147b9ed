//! `wsconform suite export DIR`: writes the suite built into the binary to a folder, for a team
//! that adds scenarios of its own and runs them with `--suite DIR`.
//!
//! A folder that holds anything is refused (exit 1) unless `--force` is given: the export must
//! not mix the built-in files with whatever was there without being asked to. With `--force`,
//! files of the same name are replaced and other files are kept.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::Exit;
use super::builtin_suite;

/// `wsconform suite`.
#[derive(Debug, Args)]
pub struct SuiteCommandArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SuiteCommand,
}

/// The `suite` commands.
#[derive(Debug, Subcommand)]
pub enum SuiteCommand {
    /// Write the built-in suite (scenarios, protocol fixtures, format schemas) into DIR, to add
    /// scenarios of your own and run them with `wsconform run --suite DIR`.
    Export(ExportArgs),
}

/// `wsconform suite export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing; must be empty unless --force).
    pub dir: PathBuf,
    /// Write into a folder that is not empty: files of the same name are replaced, other files
    /// are kept.
    #[arg(long)]
    pub force: bool,
}

/// Runs a `suite` command.
pub fn suite(args: SuiteCommandArgs) -> anyhow::Result<Exit> {
    match args.command {
        SuiteCommand::Export(export) => self::export(&export),
    }
}

fn export(args: &ExportArgs) -> anyhow::Result<Exit> {
    let dir = &args.dir;
    if !args.force && holds_anything(dir)? {
        eprintln!(
            "wsconform: {} is not empty; export into a new or empty folder, or give --force to \
             write the built-in suite over it (files of the same name are replaced)",
            dir.display()
        );
        return Ok(Exit::Usage);
    }
    builtin_suite::write_to(dir)?;
    println!(
        "wrote the built-in suite {} ({} files) to {}; run it with: wsconform run --suite {}",
        builtin_suite::id(),
        builtin_suite::file_count(),
        dir.display(),
        dir.display()
    );
    Ok(Exit::Conformant)
}

/// Whether `dir` exists and has an entry; an error if it is a file.
fn holds_anything(dir: &Path) -> anyhow::Result<bool> {
    if !dir.exists() {
        return Ok(false);
    }
    if !dir.is_dir() {
        bail!("{} is a file, not a folder", dir.display());
    }
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    Ok(entries.next().is_some())
}
