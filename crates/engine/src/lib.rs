//! Keepsake's backup engine.
pub mod error;
pub mod format;
pub mod model;
pub mod seams;
pub(crate) mod catalog;
pub(crate) mod lock;
pub(crate) mod pipeline;
pub(crate) mod snapshot;
