//! Black-box tests of the `keepsake` binary: each test runs the real program in its own temp
//! folder, with a cleared environment and a config directory of its own, so neither the
//! developer's variables nor a real config file can leak in. Databases are made with rusqlite.

mod util;

mod backup;
mod config;
mod copies;
mod copy_failures;
mod core_dumps;
mod daemon;
mod email;
mod errors;
mod find;
mod hostile_content;
mod hostkey;
mod increments;
mod interrupt;
mod manage;
mod output;
mod real_apps;
mod recovery;
mod restore;
mod restore_from;
mod schedule;
mod soundness;
mod sources;
mod trust;
mod trust_remote;
mod watch;
