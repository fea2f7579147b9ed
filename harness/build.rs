//! Build script: lists the conformance suite's files so that `wsconform` carries them
//! (`src/cli/builtin_suite.rs`).
//!
//! Writes `$OUT_DIR/builtin_suite.rs`: `FILES`, every embedded file as (path relative to the
//! suite root with `/` separators, sorted; `include_bytes!` of the file), and `HASH`, a
//! content hash of them all (the name of the folder the suite is written out to).
//!
//! What is embedded: `scenarios/**` (scenarios, notes, readmes), `fixtures/<protocol>/**` except
//! the golden transcripts and the documents' examples (only tests read those: 240 KB the binary
//! would carry for nothing), and `schemas/*.schema.json`. A file added anywhere in these folders
//! is embedded without changing this script.
//!
//! Why a script and not a crate: cargo re-runs it when anything under the suite's folders
//! changes (`rerun-if-changed` on a folder watches it recursively, new files included), which
//! the embedding macros do not do on stable Rust; and it needs no dependency. The generated file
//! is rewritten only when its content changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Folders of `fixtures/<protocol>/` that stay out of the binary.
const FIXTURES_LEFT_OUT: [&str; 2] = ["transcripts", "examples"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("..");
    let mut files = Vec::new();
    walk(&root, Path::new("scenarios"), &mut files, &|_| true);
    walk(&root, Path::new("fixtures"), &mut files, &|relative| {
        let parts: Vec<_> = relative.components().collect();
        !(parts.len() > 3
            && FIXTURES_LEFT_OUT
                .iter()
                .any(|left_out| parts[2].as_os_str() == *left_out))
    });
    walk(&root, Path::new("schemas"), &mut files, &|relative| {
        relative.to_string_lossy().ends_with(".schema.json")
    });
    files.sort();
    for folder in ["scenarios", "fixtures", "schemas"] {
        println!("cargo::rerun-if-changed=../{folder}");
    }
    let generated = generate(&root, &files);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let path = out.join("builtin_suite.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(generated.as_str()) {
        std::fs::write(&path, generated).expect("writing the embedded suite's list");
    }
}

/// Every file under `root/dir` that `keep` keeps, as paths relative to `root`.
fn walk(root: &Path, dir: &Path, files: &mut Vec<String>, keep: &dyn Fn(&Path) -> bool) {
    let entries = std::fs::read_dir(root.join(dir))
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.join(dir).display()));
    for entry in entries {
        let entry = entry.expect("reading a folder entry");
        let relative = dir.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            walk(root, &relative, files, keep);
        } else if keep(&relative) {
            let parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.push(parts.join("/"));
        }
    }
}

/// The Rust source of `FILES` and `HASH`.
fn generate(root: &Path, files: &[String]) -> String {
    let mut hash = Fnv::default();
    let mut entries = String::new();
    for relative in files {
        let path = root.join(relative);
        let bytes = std::fs::read(&path).expect("reading a suite file");
        hash.update(relative.as_bytes());
        hash.update(&[0]);
        hash.update(&(bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
        let absolute = path.canonicalize().expect("a suite file's full path");
        let _ = writeln!(
            entries,
            "    ({relative:?}, include_bytes!({:?})),",
            absolute.display().to_string()
        );
    }
    format!(
        "/// Every file of the built-in suite: its path under the suite root, its bytes.\n\
         pub const FILES: &[(&str, &[u8])] = &[\n{entries}];\n\
         /// A hash of every path and content in `FILES` (FNV-1a, 64 bits).\n\
         pub const HASH: &str = \"{:016x}\";\n",
        hash.0
    )
}

/// FNV-1a, 64 bits: a content hash for a folder name, not a security boundary (the folder is
/// checked against the embedded bytes before use).
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn update(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
