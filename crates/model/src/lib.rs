//! Keepsake's floor of records: what a backup, a run, an alert, a cleanup plan and a copy are
//! ([`model`], whose field names are the JSON contract), the error every layer returns, with its
//! stable code and structured facts ([`error`]), and the seams a host supplies to the engine
//! (clock, password, progress and cancel: [`seams`]). It imports nothing of Keepsake; the engine
//! re-exports it (`keepsake_engine::model`, `::error`, `::seams`).
#![warn(missing_docs)]

pub mod destinations;
pub mod error;
pub mod model;
pub mod seams;
