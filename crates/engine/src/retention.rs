//! Retention: which backups a cleanup keeps, as a pure function of the backups, the policy and
//! `now`. A backup is kept when any rule keeps it (as restic's `forget`); with no rule at all,
//! everything is kept. Whatever the rules say, the newest backup, the newest backup that
//! passed verification, each database's newest backup known sound and pinned backups are never
//! deleted, and nothing at all of a database that fails its integrity check.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

use crate::model::{BackupMetadata, VerificationStatus};

pub use crate::model::{CleanupPlan, PlanEntry, RetentionPolicy};

/// Plans a cleanup. Days, weeks and months are those of `now`'s time zone.
pub fn plan_retention<Tz: TimeZone>(
    backups: &[BackupMetadata],
    policy: &RetentionPolicy,
    now: &DateTime<Tz>,
) -> CleanupPlan {
    let mut sorted: Vec<&BackupMetadata> = backups.iter().collect();
    sorted.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    let tz = now.timezone();
    let now_utc = now.with_timezone(&Utc);
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); sorted.len()];
    // The rules count restore points: an app's other files, backed up with its main database
    // in the same run (`with`), are not points of their own; they follow their run's below.
    let points: Vec<usize> = (0..sorted.len()).filter(|&i| sorted[i].with.is_none()).collect();

    if policy.is_empty() {
        for r in &mut reasons {
            r.push("no retention rule".into());
        }
    }
    if let Some(n) = policy.keep_last {
        for &i in points.iter().take(n as usize) {
            reasons[i].push(format!("one of the last {n}"));
        }
    }
    if let Some(days) = policy.keep_within_days {
        let since = now_utc - Duration::days(i64::from(days));
        for &i in &points {
            if sorted[i].created_at >= since {
                reasons[i].push(format!("within {days} days"));
            }
        }
    }
    let mut bucketed = |n: Option<u32>, label: &str, key: &dyn Fn(&DateTime<Tz>) -> (i32, u32)| {
        let Some(n) = n else { return };
        let mut seen = HashSet::new();
        for &i in &points {
            if seen.len() >= n as usize {
                break;
            }
            if seen.insert(key(&sorted[i].created_at.with_timezone(&tz))) {
                reasons[i].push(format!("{label} ({n})"));
            }
        }
    };
    bucketed(policy.keep_daily, "daily", &|d| (d.year(), d.ordinal()));
    bucketed(policy.keep_weekly, "weekly", &|d| (d.iso_week().year(), d.iso_week().week()));
    bucketed(policy.keep_monthly, "monthly", &|d| (d.year(), d.month()));

    if let Some(&i) = points.first() {
        reasons[i].push("newest backup".into());
    }
    if let Some(&i) = points.iter().find(|&&i| sorted[i].verification == VerificationStatus::Passed) {
        reasons[i].push("newest verified backup".into());
    }
    // Each database's newest backup known sound (it passed SQLite's check): the point to go
    // back to should the newer ones turn out damaged.
    let mut sound: HashSet<&std::path::Path> = HashSet::new();
    for (b, r) in sorted.iter().zip(&mut reasons) {
        if b.source_integrity == Some(true) && sound.insert(b.source_path.as_path()) {
            r.push("newest backup known sound".into());
        }
    }
    for (b, r) in sorted.iter().zip(&mut reasons) {
        if b.created_at > now_utc {
            r.push("made after now (clock change?)".into());
        }
        if b.pinned.is_some() {
            r.push("pinned".into());
        }
    }
    // While a database fails its integrity check (its newest backup whose check is known says
    // so), every backup of it stays: the older ones may be the only good copies left.
    let mut known: std::collections::HashMap<&std::path::Path, bool> = std::collections::HashMap::new();
    for b in &sorted {
        if let Some(ok) = b.source_integrity {
            known.entry(b.source_path.as_path()).or_insert(ok);
        }
    }
    for (b, r) in sorted.iter().zip(&mut reasons) {
        if known.get(b.source_path.as_path()) == Some(&false) {
            r.push("the database fails its integrity check".into());
        }
    }

    // An app's other files stay while the backup of its main database made in the same run does:
    // they are restored together.
    let kept_points: HashSet<&str> =
        points.iter().filter(|&&i| !reasons[i].is_empty()).map(|&i| sorted[i].id.as_str()).collect();
    for (b, r) in sorted.iter().zip(&mut reasons) {
        if let Some(main) = b.with.as_deref().filter(|m| kept_points.contains(m)) {
            r.push(format!("made with {main}"));
        }
    }

    // A kept increment needs every backup it builds on: they stay too (whatever the rules say
    // of them; the rules count restore points, and these are the kept points' foundations).
    let index: std::collections::HashMap<&str, usize> =
        sorted.iter().enumerate().map(|(i, b)| (b.id.as_str(), i)).collect();
    for i in 0..sorted.len() {
        if reasons[i].is_empty() || reasons[i].iter().any(|r| r.starts_with("needed by")) {
            continue;
        }
        let mut link = sorted[i].chain.as_ref().map(|c| c.base.clone());
        let dependent = sorted[i].id.clone();
        while let Some(base) = link {
            let Some(&j) = index.get(base.as_str()) else { break };
            if !reasons[j].iter().any(|r| r.starts_with("needed by")) {
                reasons[j].push(format!("needed by {dependent}"));
            }
            link = sorted[j].chain.as_ref().map(|c| c.base.clone());
        }
    }

    let mut plan = CleanupPlan::default();
    for (b, r) in sorted.into_iter().zip(reasons) {
        let entry =
            PlanEntry { id: b.id.clone(), created_at: b.created_at, stored_size: b.stored_size, reasons: r };
        if entry.reasons.is_empty() { plan.delete.push(entry) } else { plan.keep.push(entry) }
    }
    plan
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{BackupType, SchemaInfo};
    use proptest::prelude::*;

    fn backup(id: &str, at: &str, verified: bool) -> BackupMetadata {
        BackupMetadata {
            id: id.into(),
            file_name: format!("{id}.db.gz"),
            created_at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
            source_path: "/db".into(),
            backup_type: BackupType::Scheduled,
            description: None,
            tags: vec![],
            original_size: 100,
            stored_size: 10,
            sha256: String::new(),
            encrypted: false,
            compressed: true,
            codec: "gzip".into(),
            compression_level: 6,
            encryption: None,
            schema: SchemaInfo::default(),
            row_counts: Default::default(),
            duration_ms: 1,
            verification: if verified { VerificationStatus::Passed } else { VerificationStatus::Unverified },
            verified_at: None,
            format_version: 1,
            ..BackupMetadata::default()
        }
    }

    #[test]
    fn pinned_backups_and_every_backup_of_a_damaged_database_are_kept() {
        let mut list: Vec<BackupMetadata> =
            (1..=5).map(|d| backup(&format!("b{d}"), &format!("2026-03-0{d}T10:00:00Z"), false)).collect();
        list[1].pinned = Some(crate::model::Pin { pinned_at: now(), alert: Some(1) });
        let policy = RetentionPolicy { keep_last: Some(1), ..Default::default() };
        let plan = plan_retention(&list, &policy, &now());
        assert_eq!(deleted(&plan), vec!["b4", "b3", "b1"]);
        assert!(plan.keep.iter().any(|e| e.id == "b2" && e.reasons.contains(&"pinned".to_owned())));
        // The newest backup whose check is known fails it: nothing goes.
        list[4].source_integrity = None;
        list[3].source_integrity = Some(false);
        list[2].source_integrity = Some(true);
        assert!(deleted(&plan_retention(&list, &policy, &now())).is_empty());
        // Once a newer backup passes, the rules apply again.
        list[4].source_integrity = Some(true);
        assert_eq!(deleted(&plan_retention(&list, &policy, &now())), vec!["b4", "b3", "b1"]);
    }

    #[test]
    fn each_databases_newest_backup_known_sound_is_kept() {
        let mut list: Vec<BackupMetadata> =
            (1..=5).map(|d| backup(&format!("b{d}"), &format!("2026-03-0{d}T10:00:00Z"), false)).collect();
        // b1 and b2 passed the check, b3 and b4 are of another database, b5 is not known.
        list[0].source_integrity = Some(true);
        list[1].source_integrity = Some(true);
        list[2].source_path = "/other".into();
        list[2].source_integrity = Some(true);
        list[3].source_path = "/other".into();
        list[3].source_integrity = Some(true);
        let policy = RetentionPolicy { keep_last: Some(1), ..Default::default() };
        let plan = plan_retention(&list, &policy, &now());
        assert_eq!(deleted(&plan), vec!["b3", "b1"]);
        for id in ["b2", "b4"] {
            let kept = plan.keep.iter().find(|e| e.id == id).unwrap();
            assert_eq!(kept.reasons, vec!["newest backup known sound".to_owned()]);
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn deleted(plan: &CleanupPlan) -> Vec<&str> {
        plan.delete.iter().map(|e| e.id.as_str()).collect()
    }

    fn daily_series(days: u32) -> Vec<BackupMetadata> {
        (0..days)
            .map(|d| backup(&format!("b{d:03}"), &(now() - Duration::days(i64::from(d))).to_rfc3339(), false))
            .collect()
    }

    #[test]
    fn empty_policy_keeps_everything() {
        let plan = plan_retention(&daily_series(5), &RetentionPolicy::default(), &now());
        assert!(plan.delete.is_empty());
        assert_eq!(plan.keep.len(), 5);
    }

    #[test]
    fn keep_last() {
        let p = RetentionPolicy { keep_last: Some(3), ..Default::default() };
        let plan = plan_retention(&daily_series(5), &p, &now());
        assert_eq!(deleted(&plan), ["b003", "b004"]);
    }

    #[test]
    fn keep_within_days() {
        let p = RetentionPolicy { keep_within_days: Some(2), ..Default::default() };
        let plan = plan_retention(&daily_series(5), &p, &now());
        assert_eq!(deleted(&plan), ["b003", "b004"]);
    }

    #[test]
    fn rules_are_a_union() {
        let p = RetentionPolicy { keep_last: Some(1), keep_within_days: Some(3), ..Default::default() };
        let plan = plan_retention(&daily_series(6), &p, &now());
        assert_eq!(deleted(&plan), ["b004", "b005"]);
    }

    #[test]
    fn newest_verified_is_never_deleted() {
        let mut all = daily_series(5);
        all[3].verification = VerificationStatus::Passed;
        let p = RetentionPolicy { keep_last: Some(1), ..Default::default() };
        let plan = plan_retention(&all, &p, &now());
        assert_eq!(deleted(&plan), ["b001", "b002", "b004"]);
        assert!(
            plan.keep
                .iter()
                .any(|e| e.id == "b003" && e.reasons.contains(&"newest verified backup".to_string()))
        );
    }

    #[test]
    fn daily_keeps_newest_of_each_day() {
        let all = vec![
            backup("a", "2026-03-10T11:00:00Z", false),
            backup("b", "2026-03-10T09:00:00Z", false),
            backup("c", "2026-03-09T23:00:00Z", false),
            backup("d", "2026-03-09T01:00:00Z", false),
            backup("e", "2026-03-08T10:00:00Z", false),
        ];
        let p = RetentionPolicy { keep_daily: Some(2), ..Default::default() };
        assert_eq!(deleted(&plan_retention(&all, &p, &now())), ["b", "d", "e"]);
    }

    #[test]
    fn days_follow_the_time_zone_of_now() {
        // 23:00 UTC on the 9th is the 10th in UTC+2: it shares a day with "a".
        let all = vec![
            backup("a", "2026-03-10T11:00:00Z", false),
            backup("c", "2026-03-09T23:00:00Z", false),
            backup("d", "2026-03-09T01:00:00Z", false),
        ];
        let p = RetentionPolicy { keep_daily: Some(2), ..Default::default() };
        let plus2 = now().with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap());
        assert_eq!(deleted(&plan_retention(&all, &p, &plus2)), ["c"]);
    }

    #[test]
    fn weekly_and_monthly() {
        let all = daily_series(70);
        let p = RetentionPolicy { keep_weekly: Some(2), keep_monthly: Some(3), ..Default::default() };
        let plan = plan_retention(&all, &p, &now());
        let kept: Vec<&str> = plan.keep.iter().map(|e| e.id.as_str()).collect();
        // now = Tue 2026-03-10: newest of this ISO week (b000), of last week (Sun 03-08 = b002);
        // newest of March (b000), February (02-28 = b010), January (01-31 = b038).
        assert_eq!(kept, ["b000", "b002", "b010", "b038"]);
    }

    proptest! {
        #[test]
        fn plans_partition_and_protect(days in proptest::collection::vec(0i64..400, 0..40), verified in proptest::collection::vec(any::<bool>(), 40),
                                       last in proptest::option::of(0u32..10), within in proptest::option::of(0u32..100),
                                       daily in proptest::option::of(0u32..10), weekly in proptest::option::of(0u32..6), monthly in proptest::option::of(0u32..6)) {
            let all: Vec<_> = days.iter().enumerate().map(|(i, d)| backup(&format!("b{i:03}"), &(now() - Duration::hours(d * 7)).to_rfc3339(), verified[i])).collect();
            let p = RetentionPolicy { keep_last: last, keep_within_days: within, keep_daily: daily, keep_weekly: weekly, keep_monthly: monthly };
            let plan = plan_retention(&all, &p, &now());
            prop_assert_eq!(plan.keep.len() + plan.delete.len(), all.len());
            if !all.is_empty() {
                prop_assert!(!plan.keep.is_empty());
            }
            let newest_verified = all.iter().filter(|b| b.verification == VerificationStatus::Passed).max_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
            if let Some(v) = newest_verified {
                prop_assert!(plan.keep.iter().any(|e| e.id == v.id));
            }
            if let Some(n) = last {
                let mut sorted = all.clone();
                sorted.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
                for b in sorted.iter().take(n as usize) {
                    prop_assert!(plan.keep.iter().any(|e| e.id == b.id));
                }
            }
            // Deterministic.
            prop_assert_eq!(plan_retention(&all, &p, &now()), plan);
        }
    }
}
