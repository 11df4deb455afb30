//! Everything the CLI shows: text for people, one JSON document for scripts, and errors.
//!
//! stdout carries the result only (a table, an id, or under `--json` exactly one JSON document);
//! stderr carries errors, hints, prompts, notes and progress, so `id=$(keepsake create)` and
//! `keepsake list --json | jq` work. Colour is plain ANSI, on only where `OutputMode` allows it.
//! The formatting helpers (sizes, times, tables) are pure functions so they are tested here.

use std::io::Write;

use serde::Serialize;

use crate::args::{ColorChoice, GlobalArgs};
use crate::env::{Env, Terminal};
use crate::error::{CliError, CliResult};
pub use crate::words::{human_duration, human_size, local_time, relative_time, safe};

/// How to print, decided before anything else so that even a bad config can be reported.
#[derive(Debug, Clone, Copy)]
pub struct OutputMode {
    pub json: bool,
    /// Colour on stdout.
    pub color: bool,
    /// Colour on stderr.
    pub err_color: bool,
    /// Progress bars on stderr.
    pub progress: bool,
}

impl OutputMode {
    pub fn new(global: &GlobalArgs, env: &Env, term: Terminal) -> OutputMode {
        // NO_COLOR: any non-empty value turns colour off (https://no-color.org).
        let plain_env = env.os("NO_COLOR").is_some() || env.os("TERM").is_some_and(|t| t == "dumb");
        let color_on = |tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !plain_env,
        };
        OutputMode {
            json: global.json,
            color: color_on(term.stdout),
            err_color: color_on(term.stderr),
            progress: term.stderr && env.os("TERM").is_none_or(|t| t != "dumb"),
        }
    }
}

/// The few styles the CLI uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    Dim,
    Good,
    Bad,
    Warn,
}

impl Style {
    fn ansi(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Bold => "\x1b[1m",
            Style::Dim => "\x1b[2m",
            Style::Good => "\x1b[32m",
            Style::Bad => "\x1b[1;31m",
            Style::Warn => "\x1b[33m",
        }
    }
}

fn paint(on: bool, text: &str, style: Style) -> String {
    if !on || style == Style::Plain || text.is_empty() {
        text.to_owned()
    } else {
        format!("{}{text}\x1b[0m", style.ansi())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub mode: OutputMode,
}

impl Output {
    pub fn new(mode: OutputMode) -> Output {
        Output { mode }
    }

    pub fn json_mode(&self) -> bool {
        self.mode.json
    }

    /// Styles text bound for stdout.
    pub fn paint(&self, text: &str, style: Style) -> String {
        paint(self.mode.color, text, style)
    }

    /// Writes text (and a newline) to stdout.
    pub fn text(&self, text: &str) -> CliResult<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}").and_then(|()| out.flush()).map_err(CliError::output)
    }

    /// Writes `value` as the one JSON document of this run.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> CliResult<()> {
        let text = serde_json::to_string_pretty(value).map_err(|e| {
            CliError::invalid(
                format!("cannot encode the output as JSON: {e}"),
                "This is a bug; please report it.",
            )
        })?;
        self.text(&text)
    }

    /// A note for people on stderr (never under `--json`'s stdout).
    pub fn note(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// `error:` and `hint:` on stderr; under `--json` also the error document on stdout.
    pub fn error(&self, e: &CliError) {
        if e.silent {
            return;
        }
        self.problem(&e.message, &e.hint);
        if self.mode.json {
            // Nothing useful is left to do if stdout is gone as well.
            let _ = self.json(&e.to_json());
        }
    }

    /// `error:` and `hint:` on stderr.
    pub fn problem(&self, message: &str, hint: &str) {
        let mut err = std::io::stderr().lock();
        // An error may name a table or a file from a database or a backup: nothing in it acts
        // on the terminal (its lines stay lines).
        let message = message.split('\n').map(safe).collect::<Vec<_>>().join("\n");
        let _ = writeln!(err, "{} {message}", paint(self.mode.err_color, "error:", Style::Bad));
        if !hint.is_empty() {
            let _ = writeln!(err, "{} {hint}", paint(self.mode.err_color, "hint:", Style::Bold));
        }
    }
}

/// A table with one header row; columns are padded to their widest cell, numbers right-aligned.
#[derive(Debug)]
pub struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<(String, Style)>>,
}

impl Table {
    /// `columns`: (header, right-aligned).
    pub fn new(columns: &[(&str, bool)]) -> Table {
        Table {
            headers: columns.iter().map(|c| c.0.to_owned()).collect(),
            right: columns.iter().map(|c| c.1).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<(String, Style)>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn render(&self, color: bool) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, (cell, _)) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let last = self.headers.len().saturating_sub(1);
        let line = |cells: Vec<(&str, Style)>| {
            let mut s = String::new();
            for (i, (cell, style)) in cells.into_iter().enumerate() {
                let pad = " ".repeat(widths[i] - width(cell));
                // Padding goes outside the colour codes, which would otherwise count as width.
                let painted = paint(color, cell, style);
                match (self.right[i], i == last) {
                    (true, _) => s.push_str(&format!("{pad}{painted}")),
                    (false, false) => s.push_str(&format!("{painted}{pad}")),
                    (false, true) => s.push_str(&painted),
                }
                if i != last {
                    s.push_str("  ");
                }
            }
            s.trim_end().to_owned()
        };
        let mut out = vec![line(self.headers.iter().map(|h| (h.as_str(), Style::Bold)).collect())];
        for row in &self.rows {
            out.push(line(row.iter().map(|(c, st)| (c.as_str(), *st)).collect()));
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&[("ID", false), ("SIZE", true), ("NOTE", false)]);
        t.row(vec![("a".into(), Style::Plain), ("1 B".into(), Style::Plain), ("x".into(), Style::Plain)]);
        t.row(vec![
            ("bbbb".into(), Style::Plain),
            ("10 KiB".into(), Style::Plain),
            (String::new(), Style::Plain),
        ]);
        assert_eq!(t.render(false), "ID      SIZE  NOTE\na        1 B  x\nbbbb  10 KiB");
    }
}
