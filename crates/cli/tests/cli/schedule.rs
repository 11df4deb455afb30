//! `keepsake schedule preview`: the description and the exact next run times in a fixed time
//! zone (`TZ`), and messages that say what is wrong with a bad expression.

use crate::util::*;

#[test]
fn preview_lists_the_next_runs_in_local_time() {
    let w = Work::new();
    let out = run(w.src(&["schedule", "preview", "0 2 * * *", "-n", "3", "--after", "2026-01-30T12:00:00Z"]));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "Every day at 02:00\n  Sat 2026-01-31 02:00 +00:00\n  Sun 2026-02-01 02:00 +00:00\n  Mon 2026-02-02 02:00 +00:00\n"
    );
    let doc = ok_json(w.src(&[
        "schedule",
        "preview",
        "monthly last 23:30",
        "-n",
        "3",
        "--after",
        "2026-01-01T00:00:00Z",
        "--json",
    ]));
    assert_eq!(doc["schedule"], "monthly last 23:30");
    assert_eq!(doc["description"], "On the last day of every month at 23:30");
    assert_eq!(
        doc["next_runs"],
        serde_json::json!([
            "2026-01-31T23:30:00+00:00",
            "2026-02-28T23:30:00+00:00",
            "2026-03-31T23:30:00+00:00"
        ])
    );
    // Five by default, from now.
    let doc = ok_json(w.src(&["schedule", "preview", "weekly mon 02:00", "--json"]));
    assert_eq!(doc["description"], "Every Monday at 02:00");
    assert_eq!(doc["next_runs"].as_array().map(Vec::len), Some(5));
}

#[test]
fn preview_follows_daylight_saving() {
    if !std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
        eprintln!("skipped: no time zone database");
        return;
    }
    let w = Work::new();
    let out = run(w
        .src(&["schedule", "preview", "30 2 * * *", "-n", "3", "--after", "2026-03-27T12:00:00Z"])
        .env("TZ", "Europe/Berlin"));
    // 02:30 does not exist on the 29th: that day's run is at the end of the gap, not skipped.
    assert_eq!(
        stdout(&out),
        "Every day at 02:30\n  Sat 2026-03-28 02:30 +01:00\n  Sun 2026-03-29 03:00 +02:00\n  Mon 2026-03-30 02:30 +02:00\n"
    );
    let out = run(w
        .src(&["schedule", "preview", "30 2 * * *", "-n", "2", "--after", "2026-10-24T12:00:00Z"])
        .env("TZ", "Europe/Berlin"));
    // 02:30 happens twice on the 25th: it runs once.
    assert_eq!(
        stdout(&out),
        "Every day at 02:30\n  Sun 2026-10-25 02:30 +02:00\n  Mon 2026-10-26 02:30 +01:00\n"
    );
}

#[test]
fn a_bad_expression_says_what_is_wrong() {
    let w = Work::new();
    for (expr, message) in [
        ("0 2 * *", "schedule \"0 2 * *\": expected 5 fields (minute hour day month weekday), got 4"),
        ("0 25 * * *", "schedule \"0 25 * * *\": hour field: 25 is out of range 0-23"),
        (
            "0 0 2 * * *",
            "schedule \"0 0 2 * * *\": expected 5 fields (minute hour day month weekday), got 6; a seconds field is not supported",
        ),
        (
            "",
            "schedule \"\": the schedule is empty; write a cron expression such as \"0 2 * * *\" or a phrase such as \"daily 02:00\"",
        ),
    ] {
        let out = run(w.src(&["schedule", "preview", expr]));
        assert_error(&out, 2, "invalid_input");
        assert!(stderr(&out).starts_with(&format!("error: {message}\n")), "{expr:?}: {}", stderr(&out));
        let doc = json(&run(w.src(&["schedule", "preview", expr, "--json"])));
        assert_eq!(doc["error"]["message"], message);
    }
    let out = run(w.src(&["schedule", "preview", "daily 02:00", "--after", "yesterday"]));
    assert_error(&out, 2, "invalid_input");
    assert!(stderr(&out).contains("--after"), "{}", stderr(&out));
}
