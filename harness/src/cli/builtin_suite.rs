//! The suite built into the binary: scenarios, protocol fixtures (profiles, schemas, coverage
//! declarations, preflight scenarios, readmes) and the format schemas, as `build.rs` listed them.
//!
//! The loaders read files (`scenario::load_dir`, `Profile::load`, `SchemaSet::load`, …), and a
//! failure names a file and line a person can open, so the built-in suite is used as a folder:
//! written out once per suite content to `<cache>/wsconform/suite-<version>-<hash>/` and used
//! from there. Invariant: a folder of that name is used only once its files equal the embedded
//! bytes exactly and it holds no other file, so an edited or half-written copy is never taken
//! for the built-in suite (it is written anew). Writes go to a staging folder first and are
//! renamed into place, so concurrent processes never see a partial suite.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

include!(concat!(env!("OUT_DIR"), "/builtin_suite.rs"));

/// The top-level folders of a suite; a built-in copy holds files only under these.
const FOLDERS: [&str; 3] = ["scenarios", "fixtures", "schemas"];

/// Why the built-in suite could not be written out.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the built-in suite to {path}: {source}")]
pub struct WriteError {
    /// The file or folder.
    pub path: PathBuf,
    /// The I/O error.
    pub source: std::io::Error,
}

/// The built-in suite's identity: the tool's version and a hash of every embedded file.
pub fn id() -> String {
    format!("{}-{HASH}", env!("CARGO_PKG_VERSION"))
}

/// How many files the binary carries.
pub fn file_count() -> usize {
    FILES.len()
}

/// Writes every embedded file under `dir`, creating folders, replacing files of the same name.
pub fn write_to(dir: &Path) -> Result<(), WriteError> {
    for (relative, bytes) in FILES {
        let path = dir.join(relative);
        let failed = |source| WriteError {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed)?;
        }
        std::fs::write(&path, bytes).map_err(failed)?;
    }
    Ok(())
}

/// The folder holding the built-in suite, written out first if it is not there as embedded.
pub fn cached() -> Result<PathBuf, WriteError> {
    let dir = cache_root().join(format!("suite-{}", id()));
    if holds_exactly(&dir) {
        return Ok(dir);
    }
    if dir.exists() {
        // Edited or half-written: move it aside (another process may do the same; then it is
        // gone already) and write it anew.
        let stale = sibling(&dir, "stale");
        if std::fs::rename(&dir, &stale).is_ok() {
            let _ = std::fs::remove_dir_all(&stale);
        }
    }
    let staging = sibling(&dir, "staging");
    // The error names the suite's folder, not the staging folder, which is gone by then.
    let written = write_to(&staging)
        .map_err(|e| e.source)
        .and_then(|()| std::fs::rename(&staging, &dir))
        .map_err(|source| WriteError {
            path: dir.clone(),
            source,
        });
    let _ = std::fs::remove_dir_all(&staging);
    // A rename that failed because another process put the same suite there first is fine.
    match written {
        Ok(()) => Ok(dir),
        Err(_) if holds_exactly(&dir) => Ok(dir),
        Err(error) => Err(error),
    }
}

/// `$XDG_CACHE_HOME/wsconform`, else `$HOME/.cache/wsconform`, else `wsconform` in the
/// system's temporary folder.
fn cache_root() -> PathBuf {
    let from_env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from_env("XDG_CACHE_HOME")
        .or_else(|| from_env("HOME").map(|home| home.join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("wsconform")
}

/// A fresh name beside `dir` for a folder of this process.
fn sibling(dir: &Path, what: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = dir
        .file_name()
        .map_or_else(Default::default, |n| n.to_string_lossy());
    dir.with_file_name(format!(".{name}.{what}-{}-{nanos}", std::process::id()))
}

/// Whether `dir` holds every embedded file with its exact bytes, and no other file.
fn holds_exactly(dir: &Path) -> bool {
    let same = FILES
        .iter()
        .all(|(relative, bytes)| std::fs::read(dir.join(relative)).is_ok_and(|b| b == *bytes));
    same && FOLDERS
        .iter()
        .map(|folder| count_files(&dir.join(folder)))
        .sum::<Option<usize>>()
        == Some(FILES.len())
}

/// Files under `dir`, recursively; `None` if a folder cannot be read.
fn count_files(dir: &Path) -> Option<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        count += if entry.file_type().ok()?.is_dir() {
            count_files(&entry.path())?
        } else {
            1
        };
    }
    Some(count)
}
