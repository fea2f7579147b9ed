//! Reports of a run: the result model and its renderers.

pub mod model;
