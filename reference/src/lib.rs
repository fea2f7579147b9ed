//! The wsconform reference server: minimal, in-memory implementations of the five protocols,
//! exactly as specified in `shared/specs/` and the project's protocol notes.
