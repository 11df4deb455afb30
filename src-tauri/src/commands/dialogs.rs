//! The system's file dialogs, for the window's "Choose…" buttons. The window gets only this
//! command, not the dialog plugin's own (which would let it open any dialog it likes).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};

/// What the dialog asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PathKind {
    /// A database file to protect (or a file to restore to).
    Database,
    /// A folder for backups.
    Folder,
    /// A new file to export a table to, as a spreadsheet (CSV).
    ExportCsv,
    /// A new file to export a table to, as a database.
    ExportDatabase,
    /// The file a restore writes to, other than the source's database: a new one, or an
    /// existing database to replace (the dialog asks before it names one).
    RestoreTo,
    /// A Google service account's key file (JSON), read once into the keyring.
    GoogleKey,
}

/// The dialog [`choose_path`] opens.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ChoosePathRequest {
    /// What it asks for.
    pub kind: PathKind,
    /// The path in the field now: the dialog opens there.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub start: Option<String>,
}

/// Asks the person for a file or a folder, starting near `start` when given. `None` when they
/// cancel. What they pick is remembered: the window may have a file written (a restore
/// elsewhere, a restore from a copy, an export) only where the person picked it here.
#[tauri::command]
pub async fn choose_path<R: Runtime>(
    app: AppHandle<R>,
    request: ChoosePathRequest,
) -> IpcResult<Option<String>> {
    let ChoosePathRequest { kind, start } = request;
    let mut dialog = app.dialog().file();
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    // Where the field points, else the home folder (GTK would open on "Recent").
    if let Some(dir) = start.as_deref().and_then(start_dir).or_else(|| app.path().home_dir().ok()) {
        dialog = dialog.set_directory(dir);
    }
    // The dialog runs on the main thread; this waits for it on a blocking thread.
    let picked = match kind {
        PathKind::Database => {
            let dialog = dialog
                .set_title("Choose the database to protect")
                .add_filter("SQLite databases", &["db", "sqlite", "sqlite3", "db3"])
                .add_filter("All files", &["*"]);
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file()).await
        }
        PathKind::Folder => {
            let dialog = dialog.set_title("Choose the folder for backups");
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_folder()).await
        }
        PathKind::GoogleKey => {
            let dialog = dialog
                .set_title("Choose the service account's key file")
                .add_filter("JSON key files", &["json"])
                .add_filter("All files", &["*"]);
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file()).await
        }
        PathKind::RestoreTo => {
            let name = start
                .as_deref()
                .and_then(|s| Path::new(s).file_name())
                .map(|n| n.to_string_lossy().into_owned());
            let mut dialog = dialog
                .set_title("Restore the backup to this file")
                .add_filter("SQLite databases", &["db", "sqlite", "sqlite3", "db3"])
                .add_filter("All files", &["*"]);
            if let Some(name) = name {
                dialog = dialog.set_file_name(name);
            }
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file()).await
        }
        PathKind::ExportCsv | PathKind::ExportDatabase => {
            let csv = kind == PathKind::ExportCsv;
            let name = start
                .as_deref()
                .and_then(|s| Path::new(s).file_name())
                .map(|n| n.to_string_lossy().into_owned());
            let mut dialog = dialog.set_title(if csv {
                "Export the table as a spreadsheet"
            } else {
                "Export the table as a database"
            });
            dialog = if csv {
                dialog.add_filter("Spreadsheets (CSV)", &["csv"])
            } else {
                dialog.add_filter("SQLite databases", &["db", "sqlite"])
            };
            if let Some(name) = name {
                dialog = dialog.set_file_name(name);
            }
            tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file()).await
        }
    }
    .map_err(|e| IpcError::dialog(format!("the file dialog failed: {e}")))?;
    let picked = picked
        .map(|p| p.into_path().map_err(|e| IpcError::dialog(format!("the chosen path cannot be used: {e}"))))
        .transpose()?;
    if let Some(p) = &picked {
        app.state::<crate::state::AppState>().picked(p);
    }
    Ok(picked.map(|p| p.to_string_lossy().into_owned()))
}

/// The folder to open the dialog in: `start` itself when it is a folder, else its parent.
fn start_dir(start: &str) -> Option<PathBuf> {
    let p = Path::new(start.trim());
    if p.as_os_str().is_empty() {
        return None;
    }
    if p.is_dir() {
        return Some(p.to_path_buf());
    }
    p.parent().filter(|d| d.is_dir()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialog_opens_where_the_current_path_is() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.db");
        std::fs::write(&file, b"").unwrap();
        let s = |p: &Path| p.to_string_lossy().into_owned();
        assert_eq!(start_dir(&s(&file)), Some(dir.path().to_path_buf()));
        assert_eq!(start_dir(&s(dir.path())), Some(dir.path().to_path_buf()));
        assert_eq!(start_dir(&s(&dir.path().join("not-yet.db"))), Some(dir.path().to_path_buf()));
        assert_eq!(start_dir(""), None);
        assert_eq!(start_dir("/no/such/folder/x.db"), None);
    }
}
