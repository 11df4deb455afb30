//! Words for a person at a terminal: sizes, times and durations as people read them, and text
//! from outside made safe to print.

use chrono::{DateTime, Local, Utc};

/// Text from a backup folder, a backup or a database (a file name, a table's name, a value),
/// safe to print for a person: every character a terminal would act on instead of showing is
/// escaped as `\u{..}` (`\n`, `\r`, `\t` as such), so a name cannot set the window's title,
/// move the cursor, clear the screen, ring the bell, fake a line or turn text around. That is
/// C0 controls (ESC, CR, BEL...), DEL, C1 controls (U+0080-U+009F, of which U+009B starts an
/// escape sequence on its own), Unicode's direction marks, embeddings, overrides and isolates,
/// and the line and paragraph separators.
///
/// Every name or value from outside printed for a person goes through this one helper.
pub fn safe(text: &str) -> String {
    if !text.chars().any(unsafe_char) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A character a terminal acts on, or that changes how the text around it is shown.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Arabic letter mark, left-to-right and right-to-left marks.
            '\u{061c}' | '\u{200e}' | '\u{200f}'
            // Line and paragraph separators.
            | '\u{2028}' | '\u{2029}'
            // Embeddings, pop, overrides.
            | '\u{202a}'..='\u{202e}'
            // Isolates.
            | '\u{2066}'..='\u{2069}'
        )
}

/// `1.5 MiB`, `512 B`: binary units, as file managers on Linux and Windows count.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 { format!("{value:.1} {}", UNITS[unit]) } else { format!("{value:.0} {}", UNITS[unit]) }
}

/// `just now`, `5 minutes ago`, `2 hours ago`, `3 days ago`; past a month, the local date.
pub fn relative_time(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 0 {
        // A clock that went backwards, or a backup from another machine: say it plainly.
        return then.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string();
    }
    let plural = |n: i64, unit: &str| {
        if n == 1 { format!("1 {unit} ago") } else { format!("{n} {unit}s ago") }
    };
    match secs {
        0..45 => "just now".to_owned(),
        45..3_600 => plural((secs + 30) / 60, "minute"),
        3_600..86_400 => plural(secs / 3_600, "hour"),
        86_400..2_592_000 => plural(secs / 86_400, "day"),
        _ => then.with_timezone(&Local).format("%Y-%m-%d").to_string(),
    }
}

/// A local timestamp for detailed views.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `850 ms`, `4.2 s`, `3 min 12 s`.
pub fn human_duration(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(20 * 1024 * 1024), "20 MiB");
        assert_eq!(human_size(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }

    #[test]
    fn times() {
        let now = Utc::now();
        assert_eq!(relative_time(now, now), "just now");
        assert_eq!(relative_time(now - Duration::seconds(60), now), "1 minute ago");
        assert_eq!(relative_time(now - Duration::minutes(5), now), "5 minutes ago");
        assert_eq!(relative_time(now - Duration::hours(2), now), "2 hours ago");
        assert_eq!(relative_time(now - Duration::days(1), now), "1 day ago");
        assert_eq!(relative_time(now - Duration::days(3), now), "3 days ago");
        assert_eq!(relative_time(now - Duration::days(90), now).len(), "2025-01-01".len());
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(850), "850 ms");
        assert_eq!(human_duration(4_200), "4.2 s");
        assert_eq!(human_duration(192_000), "3 min 12 s");
    }

    #[test]
    fn safe_escapes_everything_a_terminal_would_act_on() {
        assert_eq!(safe("plain name_1 é 日本"), "plain name_1 é 日本");
        assert_eq!(safe("\x1b]0;pwned\x07"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(safe("\x1b[2Jgone"), "\\u{1b}[2Jgone");
        assert_eq!(safe("a\rb\nc\td"), "a\\rb\\nc\\td");
        assert_eq!(safe("\u{9b}31m\u{85}\u{7f}"), "\\u{9b}31m\\u{85}\\u{7f}");
        assert_eq!(safe("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(safe("\u{2066}x\u{2069}\u{200f}\u{2028}"), "\\u{2066}x\\u{2069}\\u{200f}\\u{2028}");
    }
}
