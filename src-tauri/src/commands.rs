//! The commands the window calls. Each only translates: it looks up the source and its engine,
//! calls one engine method, and maps the result (errors as [`IpcError`], never as prose). Work
//! runs off the main thread (`spawn_blocking`); operations that take a while run as jobs whose
//! progress is streamed as `job-progress` events and which `cancel_job` stops. Whatever changes
//! the sources, the backups or the settings is followed by a `state-changed` event.
//!
//! The verbs are the engine's and the CLI's: `create_backup` is `Engine::backup` is `keepsake
//! create`.

pub mod backups;
pub mod destinations;
pub mod dialogs;
pub mod inside;
pub mod settings;
pub mod sources;

use std::path::PathBuf;

use keepsake_engine::model::{BackupMetadata, RestoreOutcome, RunRecord, Stats, VerifyReport};
use keepsake_engine::scheduler::copies::CopyStatus;
use keepsake_engine::{
    Alert, CleanupPlan, CopyRecord, Destination, FolderReport, RowsPage, TableChange, TableDiff, TableSummary,
};
use tauri::Runtime;

use crate::error::IpcError;
use crate::settings::NotificationLevel;
use crate::view::{AppStateView, SourceReport, SourceView};
use backups::RestoreRequest;
use destinations::DestinationSaved;
use dialogs::PathKind;
use inside::ExportFormat;
use sources::{ScheduleInput, SchedulePreview};

/// Expands the one list of commands (`commands/list.rs`) into the handlers, the names and the
/// TypeScript contract.
macro_rules! contract {
    ($($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty;)*) => {
        /// Every command's name.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Every command, for `Builder::invoke_handler` (the app and the tests use the same list).
        pub fn handlers<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// The window's contract, as TypeScript (`ui/src/bindings.ts`).
        pub fn typescript() -> String {
            use ts_rs::TypeVisitor;
            let mut c = crate::contract::Contract::default();
            $(
                c.command(
                    stringify!($name),
                    &[$((stringify!($arg), crate::contract::ts::<$ty>())),*],
                    crate::contract::ts::<$ret>(),
                );
                $(c.visit::<$ty>();)*
                c.visit::<$ret>();
            )*
            c.visit::<IpcError>();
            c.render()
        }
    };
}
include!("commands/list.rs");

pub use crate::events::STATE_CHANGED;

pub(crate) use crate::events::changed;
pub(crate) use crate::service::{blocking, run_job, run_reading_job};
