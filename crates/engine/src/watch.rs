//! Content alerts: what changed inside a database between two of its backups that may be data
//! loss (a table emptied or gone, many rows lost, the schema or `user_version` changed, the
//! database failing its integrity check), as a pure function of the two backups' records.
//!
//! Each backup records its fingerprint when it is made (rows per table, the schema's hash, the
//! tables SQLite keeps itself, `user_version`) and, once verified, whether the database passed
//! `PRAGMA integrity_check`; all of it lives in this installation's catalog (and, for an
//! encrypted source, inside the encrypted header), never read back from a backup folder.

use crate::model::BackupMetadata;

pub use crate::model::{Alert, AlertKind, DEFAULT_ROW_LOSS_PERCENT, WatchRules};

/// What changed from `previous` to `new` (two backups of one database) that `rules` call an
/// alert. Tables SQLite keeps itself are left out; so is everything when the rules are off.
pub fn changes(previous: &BackupMetadata, new: &BackupMetadata, rules: WatchRules) -> Vec<Alert> {
    if rules.row_loss_percent == 0 {
        return Vec::new();
    }
    let alert = |kind, table: Option<&String>, before: Option<i64>, after: Option<i64>| Alert {
        id: 0,
        kind,
        source_path: new.source_path.clone(),
        backup_id: new.id.clone(),
        previous_id: Some(previous.id.clone()),
        table: table.cloned(),
        before,
        after,
        raised_at: new.created_at,
        pinned: None,
        dismissed_at: None,
    };
    let internal = |name: &String| {
        name.starts_with("sqlite_")
            || previous.internal_tables.contains(name)
            || new.internal_tables.contains(name)
    };
    let mut out = Vec::new();
    for (table, &before) in previous.row_counts.iter().filter(|(t, _)| !internal(t)) {
        let before_rows = i64::try_from(before).unwrap_or(i64::MAX);
        match new.row_counts.get(table) {
            None => out.push(alert(AlertKind::TableGone, Some(table), Some(before_rows), None)),
            Some(0) if before > 0 => {
                out.push(alert(AlertKind::TableEmptied, Some(table), Some(before_rows), Some(0)))
            }
            Some(&after) if after < before => {
                let lost = (before - after) as f64 / before as f64;
                if lost * 100.0 > f64::from(rules.row_loss_percent.min(100)) {
                    let after = i64::try_from(after).unwrap_or(i64::MAX);
                    out.push(alert(AlertKind::RowsLost, Some(table), Some(before_rows), Some(after)));
                }
            }
            Some(_) => {}
        }
    }
    if previous.schema.user_version != new.schema.user_version {
        out.push(alert(
            AlertKind::UserVersionChanged,
            None,
            Some(previous.schema.user_version),
            Some(new.schema.user_version),
        ));
    }
    if !previous.schema.schema_hash.is_empty()
        && !new.schema.schema_hash.is_empty()
        && previous.schema.schema_hash != new.schema.schema_hash
    {
        out.push(alert(AlertKind::SchemaChanged, None, None, None));
    }
    out
}

/// The alert for a backup whose database fails its integrity check.
pub fn integrity_failed(backup: &BackupMetadata) -> Alert {
    Alert {
        id: 0,
        kind: AlertKind::IntegrityFailed,
        source_path: backup.source_path.clone(),
        backup_id: backup.id.clone(),
        previous_id: None,
        table: None,
        before: None,
        after: None,
        raised_at: backup.created_at,
        pinned: None,
        dismissed_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(id: &str, rows: &[(&str, u64)], version: i64, hash: &str) -> BackupMetadata {
        let mut b = BackupMetadata { id: id.into(), ..Default::default() };
        b.row_counts = rows.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect();
        b.schema.user_version = version;
        b.schema.schema_hash = hash.into();
        b.internal_tables = vec!["notes_fts_data".into()];
        b
    }

    fn kinds(a: &[Alert]) -> Vec<(AlertKind, Option<&str>)> {
        a.iter().map(|a| (a.kind, a.table.as_deref())).collect()
    }

    #[test]
    fn emptied_gone_and_lost_tables_are_alerts_small_losses_and_internal_tables_are_not() {
        let before = backup(
            "a",
            &[("orders", 100), ("customers", 50), ("notes", 10), ("old", 5), ("notes_fts_data", 9)],
            3,
            "h",
        );
        let after = backup(
            "b",
            &[("orders", 79), ("customers", 0), ("notes", 9), ("notes_fts_data", 0), ("new", 1)],
            3,
            "h",
        );
        let found = changes(&before, &after, WatchRules::default());
        assert_eq!(
            kinds(&found),
            vec![
                (AlertKind::TableEmptied, Some("customers")),
                (AlertKind::TableGone, Some("old")),
                (AlertKind::RowsLost, Some("orders")),
            ]
        );
        let lost = &found[2];
        assert_eq!((lost.before, lost.after), (Some(100), Some(79)));
        assert_eq!(lost.previous_id.as_deref(), Some("a"));
        assert_eq!(lost.backup_id, "b");
        // Exactly the threshold is not more than it.
        let at = backup("c", &[("orders", 80), ("customers", 50), ("notes", 10), ("old", 5)], 3, "h");
        assert!(changes(&before, &at, WatchRules::default()).is_empty());
        // A stricter source sees the 10 % loss of `notes`.
        let strict = changes(&before, &after, WatchRules { row_loss_percent: 5 });
        assert!(kinds(&strict).contains(&(AlertKind::RowsLost, Some("notes"))));
        // Off is off.
        assert!(changes(&before, &after, WatchRules { row_loss_percent: 0 }).is_empty());
    }

    #[test]
    fn an_upgrade_of_the_owning_app_is_said_and_growth_is_not() {
        let before = backup("a", &[("orders", 100)], 3, "h1");
        let after = backup("b", &[("orders", 1000)], 4, "h2");
        let found = changes(&before, &after, WatchRules::default());
        assert_eq!(
            kinds(&found),
            vec![(AlertKind::UserVersionChanged, None), (AlertKind::SchemaChanged, None)]
        );
        assert_eq!((found[0].before, found[0].after), (Some(3), Some(4)));
    }
}
