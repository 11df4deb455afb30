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
pub mod discover;
pub mod inside;
pub mod keys;
pub mod settings;
pub mod sources;

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use tauri::Runtime;

use crate::error::{IpcError, IpcResult};

/// Expands the list of commands into the handlers, the names and the TypeScript contract. The
/// list is not written by hand: build.rs reads it from the `#[tauri::command]` functions of the
/// modules above (their window-sent arguments and their results, every type written from the
/// crate's root) into `$OUT_DIR/commands.rs`, included below.
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
include!(concat!(env!("OUT_DIR"), "/commands.rs"));

pub use crate::events::STATE_CHANGED;

pub(crate) use crate::events::changed;
pub(crate) use crate::service::{blocking, run_job, run_reading_job};

/// A value as the window sends it, checked by the command rather than by the call: a bad one (a
/// cron field out of range, a notification level that does not exist) is an `invalid_input`
/// error whose message says what is wrong, not a call the shell refuses. The window's type is
/// `T`'s.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Checked<T>(serde_json::Value, #[serde(skip)] PhantomData<T>);

impl<T: DeserializeOwned> Checked<T> {
    /// The value, or why it is not one.
    pub fn parse(self) -> IpcResult<T> {
        serde_json::from_value(self.0).map_err(|e| IpcError::invalid(e.to_string()))
    }
}

impl<T: ts_rs::TS + 'static> ts_rs::TS for Checked<T> {
    type WithoutGenerics = Checked<ts_rs::Dummy>;
    type OptionInnerType = Self;

    fn name(cfg: &ts_rs::Config) -> String {
        T::name(cfg)
    }

    fn inline(cfg: &ts_rs::Config) -> String {
        T::inline(cfg)
    }

    fn visit_dependencies(v: &mut impl ts_rs::TypeVisitor) {
        v.visit::<T>();
    }
}
