//! Scenario files: the model and (soon) the parser.

pub mod model;
