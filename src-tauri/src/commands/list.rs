// Every command the window may call: its module, its arguments and its result. This is the one
// list: `commands.rs` expands it into the handlers and the TypeScript contract, and build.rs
// into the permissions and the capability file that grants the window exactly these.
contract! {
    sources::app_state() -> AppStateView;
    backups::list_backups(source: String, limit: Option<usize>) -> Vec<BackupMetadata>;
    backups::scan_folder(source: String) -> FolderReport;
    backups::get_stats(source: String) -> Stats;
    backups::get_history(source: String, limit: Option<usize>) -> Vec<RunRecord>;
    backups::create_backup(
        source: String,
        job_id: String,
        description: Option<String>,
        tags: Option<Vec<String>>
    ) -> BackupMetadata;
    backups::verify_backup(
        source: String,
        id: String,
        job_id: String,
        password: Option<String>,
        remember_password: Option<bool>
    ) -> VerifyReport;
    backups::restore_backup(request: RestoreRequest) -> RestoreOutcome;
    backups::undo_restore(source: String, job_id: String) -> RestoreOutcome;
    backups::compare_backup(source: String, id: String) -> Vec<TableDiff>;
    backups::compare_rows(
        source: String,
        id: String,
        job_id: String,
        password: Option<String>,
        remember_password: Option<bool>
    ) -> Vec<TableChange>;
    backups::delete_backup(source: String, id: String) -> ();
    backups::free_up_space(source: String, ids: Vec<String>) -> u32;
    backups::weekly_report() -> Vec<SourceReport>;
    backups::take_pending_screen() -> Option<String>;
    backups::preview_cleanup(source: String) -> CleanupPlan;
    backups::apply_cleanup(source: String) -> CleanupPlan;
    backups::cancel_job(job_id: String) -> ();
    inside::list_alerts(source: String, all: bool) -> Vec<Alert>;
    inside::dismiss_alert(source: String, id: i64) -> ();
    inside::pin_backup(source: String, id: String, pinned: bool) -> BackupMetadata;
    inside::open_backup(
        source: String,
        id: String,
        job_id: String,
        password: Option<String>,
        remember_password: Option<bool>
    ) -> Vec<TableSummary>;
    inside::backup_rows(
        source: String,
        id: String,
        table: String,
        offset: u64,
        limit: u64,
        search: Option<String>
    ) -> RowsPage;
    inside::close_backup() -> ();
    inside::export_table(
        source: String,
        id: String,
        table: String,
        format: ExportFormat,
        target: PathBuf
    ) -> u64;
    inside::compare_backups(source: String, older: String, newer: String, job_id: String) -> Vec<TableChange>;
    sources::add_source(
        name: String,
        database: PathBuf,
        backup_dir: Option<PathBuf>,
        schedule: Option<ScheduleInput>
    ) -> SourceView;
    sources::update_source(name: String, field: String, value: String) -> SourceView;
    sources::set_schedule(name: String, schedule: Option<ScheduleInput>) -> SourceView;
    sources::remove_source(name: String) -> ();
    sources::create_demo_source() -> SourceView;
    sources::preview_schedule(schedule: ScheduleInput, count: Option<usize>) -> SchedulePreview;
    settings::set_password(password: String) -> ();
    settings::set_notification_level(level: NotificationLevel) -> ();
    settings::set_autostart(enabled: bool) -> ();
    settings::set_paused(paused: bool) -> ();
    dialogs::choose_path(kind: PathKind, start: Option<String>) -> Option<String>;
    destinations::list_destinations() -> Vec<Destination>;
    destinations::test_destination(destination: Destination, secret: Option<String>) -> Option<String>;
    destinations::save_destination(destination: Destination, secret: Option<String>, sources: Vec<String>) -> DestinationSaved;
    destinations::remove_destination(name: String) -> ();
    destinations::copy_status() -> Vec<CopyStatus>;
    destinations::backup_copies(source: String) -> Vec<CopyRecord>;
    destinations::copy_now() -> ();
    destinations::stop_copies() -> ();
    destinations::remote_backups(destination: Destination, secret: Option<String>, password: Option<String>) -> FolderReport;
    destinations::restore_from_copy(
        job_id: String,
        destination: Destination,
        secret: Option<String>,
        password: Option<String>,
        id: String,
        target: PathBuf
    ) -> RestoreOutcome;
}
