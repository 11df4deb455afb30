//! One file per user verb. Each takes the folder lock when it changes the folder, records its
//! run in the history, and leaves nothing partial behind when it fails or is cancelled.

pub(crate) mod backup;
pub(crate) mod compare;
pub(crate) mod copy;
pub(crate) mod decode;
pub(crate) mod keys;
pub(crate) mod manage;
pub(crate) mod restore;
pub(crate) mod scheduled;
pub(crate) mod tables;
pub(crate) mod take_back;
pub(crate) mod undo;
pub(crate) mod verify;
pub(crate) mod watch;
