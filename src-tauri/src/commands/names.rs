// The app's commands, by name: read by build.rs (which generates an `allow-<name>` permission
// for each, listed in capabilities/default.json) and by the tests, which check that each is
// registered. Keep in step with `commands::handlers`.
pub const COMMANDS: &[&str] = &[
    "app_state",
    "list_backups",
    "get_stats",
    "get_history",
    "create_backup",
    "verify_backup",
    "restore_backup",
    "undo_restore",
    "compare_backup",
    "delete_backup",
    "preview_cleanup",
    "apply_cleanup",
    "cancel_job",
    "add_source",
    "update_source",
    "remove_source",
    "create_demo_source",
    "preview_schedule",
    "set_password",
    "set_notification_level",
    "set_autostart",
    "set_paused",
    "choose_path",
];
