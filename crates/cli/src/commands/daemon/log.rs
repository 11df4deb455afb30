//! The daemon's event log: one line per event on stdout, starting with the local time, or one
//! JSON object per line under `--json` (JSON Lines). Each event has a stable name (`backup`,
//! `catch_up`, `warning`...) and the same fields in both forms, so a person reading `journalctl`
//! and a script reading the JSON see the same thing.

use chrono::{DateTime, Local, SecondsFormat, Utc};
use keepsake_engine::error::{ErrorCode, Result as EngineResult};
use keepsake_engine::model::{RunStatus, ScheduledRun, VerificationStatus};
use keepsake_engine::schedule::{Jump, JumpDirection};
use serde_json::{Value, json};

use crate::output::{Output, human_duration, human_size};

/// The events of one scheduled run: the backup (or why there is none), then its cleanup.
pub(super) fn log_result(log: &Log, name: &str, result: &EngineResult<ScheduledRun>) {
    let run = match result {
        Ok(run) => run,
        Err(e) if e.code() == ErrorCode::Cancelled => {
            log.event(
                Some(name),
                "backup",
                "backup cancelled: stopping; nothing partial was kept",
                json!({ "status": "cancelled" }),
            );
            return;
        }
        Err(e) => {
            log.event(
                Some(name),
                "backup",
                &format!("backup FAILED {}: {} (hint: {})", e.code(), e.message(), crate::hints::hint(e.code())),
                json!({ "status": "failed", "error_code": e.code(), "message": e.message(), "hint": crate::hints::hint(e.code()) }),
            );
            return;
        }
    };
    let message = run.message.clone().unwrap_or_default();
    let fields = json!({
        "status": run.status,
        "backup_id": run.backup.as_ref().map(|b| &b.id),
        "stored_size": run.backup.as_ref().map(|b| b.stored_size),
        "original_size": run.backup.as_ref().map(|b| b.original_size),
        "verification": run.backup.as_ref().map(|b| b.verification),
        "kind": run.backup.as_ref().map(|b| b.kind),
        "full_reason": run.backup.as_ref().and_then(|b| b.full_reason),
        "duration_ms": run.duration_ms,
        "error_code": run.error_code,
        "message": run.message,
    });
    let text = match (run.status, &run.backup) {
        (RunStatus::Success, Some(b)) => format!(
            "backup ok {} {} {} {} in {}{}",
            b.id,
            human_size(b.stored_size),
            crate::commands::create::kind_words(b),
            match b.verification {
                VerificationStatus::Passed => "verified",
                VerificationStatus::Failed => "VERIFICATION FAILED",
                VerificationStatus::Unverified => "not verified",
            },
            human_duration(run.duration_ms),
            b.full_reason
                .map(|why| format!(
                    " (full, not an increment: {})",
                    crate::commands::create::full_reason_words(why)
                ))
                .unwrap_or_default()
        ),
        (RunStatus::Skipped, _) => format!("backup skipped: {message}"),
        (_, _) => format!("backup FAILED {}: {message}", run.error_code.map_or("", |c| c.as_str())),
    };
    log.event(Some(name), "backup", &text, fields);
    for a in &run.alerts {
        let kept = a.pinned.as_deref().map(|p| format!("; backup {p} pinned")).unwrap_or_default();
        log.event(
            Some(name),
            "alert",
            &format!("warning: content alert {}: {}{kept}", a.id, crate::commands::alerts::words(a)),
            json!({ "alert": a }),
        );
    }
    if let Some(plan) = run.cleanup.as_ref().filter(|p| !p.delete.is_empty()) {
        log.event(
            Some(name),
            "cleanup",
            &format!(
                "cleanup: deleted {} old backup(s) ({} freed), kept {}",
                plan.delete.len(),
                human_size(plan.freed_bytes()),
                plan.keep.len()
            ),
            json!({
                "deleted": plan.delete.iter().map(|e| &e.id).collect::<Vec<_>>(),
                "kept": plan.keep.len(),
                "freed_bytes": plan.freed_bytes(),
            }),
        );
    }
    if let Some(p) = &run.cleanup_error {
        log.event(
            Some(name),
            "cleanup",
            &format!("cleanup FAILED {}: {} (the backup is fine)", p.code, p.message),
            json!({ "status": "failed", "error_code": p.code, "message": p.message }),
        );
    }
}

/// A jump of the wall clock against the monotonic clock.
pub(super) fn jumped(log: &Log, jump: Jump) {
    let (dir, why) = match jump.direction {
        JumpDirection::Forward => ("forward", "the computer slept, or the clock was set ahead"),
        JumpDirection::Backward => ("back", "the clock was set back"),
    };
    log.event(
        None,
        "clock_jump",
        &format!(
            "clock jumped {dir} by {} ({why}); checking every source now",
            human_duration(u64::try_from(jump.by.as_millis()).unwrap_or(u64::MAX))
        ),
        json!({ "direction": jump.direction, "seconds": jump.by.as_secs() }),
    );
}

/// A time for log lines: local, to the second, with the offset.
pub(super) fn stamp<Tz: chrono::TimeZone>(t: DateTime<Tz>) -> String {
    t.with_timezone(&Local).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// One line per event on stdout: text for people, or one JSON object per line.
pub(super) struct Log<'a> {
    pub(super) out: &'a Output,
}

impl Log<'_> {
    pub(super) fn event(&self, source: Option<&str>, event: &str, text: &str, fields: Value) {
        let time = stamp(Utc::now());
        let line = if self.out.json_mode() {
            let mut obj = serde_json::Map::new();
            obj.insert("time".into(), time.into());
            obj.insert("event".into(), event.into());
            if let Some(s) = source {
                obj.insert("source".into(), s.into());
            }
            if let Value::Object(more) = fields {
                obj.extend(more);
            }
            Value::Object(obj).to_string()
        } else {
            match source {
                Some(s) => format!("{time} {s} {text}"),
                None => format!("{time} {text}"),
            }
        };
        // A log nobody reads any more (stdout closed) must not stop the backups.
        let _ = self.out.text(&line);
    }
}
