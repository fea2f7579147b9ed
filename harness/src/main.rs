//! The `wsconform` command line (being built).
fn main() {}
