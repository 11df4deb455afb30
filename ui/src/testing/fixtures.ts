// Fixture data for the fake shell and the screen tests: builders of sources, backups, folder files
// and runs, and the scenarios (setups) a fake shell starts from. Pure data: no state, no handlers.

import type { AppStateView, BackupMetadata, FolderFile, Found, FoundFile, RunRecord, SourceView } from "../types";

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** The installation this fake shell is (as backups record it). */
export const THIS_INSTALLATION = "5f0c1e2a-this-computer";

/** 8 hex digits from a text (FNV-1a), so fake ids are stable from run to run. */
function hex8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** `backup_YYYYMMDD_HHMMSS_xxxxxxxx` (UTC), as the engine names backups. */
export function backupId(createdAt: string, salt = ""): string {
  const digits = new Date(createdAt).toISOString().replace(/[-:TZ.]/g, "");
  return `backup_${digits.slice(0, 8)}_${digits.slice(8, 14)}_${hex8(createdAt + salt)}`;
}

/** `<id>.keepsake` when encrypted, else `<id>.db.gz`. */
export function backupFileName(id: string, encrypted: boolean): string {
  return `${id}${encrypted ? ".keepsake" : ".db.gz"}`;
}

export function makeBackup(overrides: Partial<BackupMetadata> & { created_at: string }): BackupMetadata {
  const id = overrides.id ?? backupId(overrides.created_at);
  const encrypted = overrides.encrypted ?? true;
  return {
    id,
    file_name: backupFileName(id, encrypted),
    source_path: "/home/ada/notes.db",
    copied_while_held: false,
    with: null,
    backup_type: "scheduled",
    description: null,
    tags: [],
    original_size: 4_194_304,
    stored_size: 1_363_148,
    sha256: "ab".repeat(32),
    encrypted,
    compressed: true,
    codec: "gzip",
    compression_level: 6,
    encryption: encrypted ? { cipher: "aes-256-gcm", kdf: "pbkdf2-sha256", iterations: 600000, chunk_size: 1048576 } : null,
    schema: { user_version: 3, schema_hash: "cd".repeat(32), page_size: 4096, page_count: 1024, journal_mode: "wal" },
    row_counts: { notes: 1200, tags: 40, attachments: 85 },
    duration_ms: 1800,
    verification: "passed",
    verified_at: overrides.created_at,
    format_version: 2,
    origin: "recorded",
    concern: null,
    claimed_id: null,
    installation: THIS_INSTALLATION,
    kind: "full",
    chain: null,
    full_reason: null,
    db_checksum: "ef".repeat(32),
    internal_tables: [],
    source_integrity: true,
    soundness: "sound",
    pinned: null,
    ...overrides,
  };
}

/** A readable backup in the folder that this installation did not make (made on another computer by default). */
export function makeForeign(overrides: Partial<BackupMetadata> & { created_at: string }): BackupMetadata {
  return makeBackup({
    origin: "foreign",
    concern: "other_installation",
    installation: "9a7d3b10-another-computer",
    verification: "unverified",
    verified_at: null,
    backup_type: "manual",
    ...overrides,
  });
}

/** A file with a backup's name that cannot be read. */
export function makeFile(overrides: Partial<FolderFile> & { named_date: string | null }): FolderFile {
  const id = overrides.named_date ? backupId(overrides.named_date, "file") : "backup_unknown";
  return {
    file_name: backupFileName(id, true),
    size: 1_200_000,
    state: "locked",
    message: "the backup's password does not open it",
    ...overrides,
  };
}

export function makeSource(overrides: Partial<SourceView> = {}): SourceView {
  return {
    name: "Notes",
    database: "/home/ada/notes.db",
    app: null,
    also: [],
    backup_dir: "/home/ada/.local/share/keepsake/backups/Notes",
    enabled: true,
    paused: false,
    schedule: { kind: "daily", time: "02:00" },
    schedule_description: "Every day at 02:00",
    encrypt: true,
    compress: true,
    level: 6,
    verify_after_backup: true,
    incremental: null,
    row_loss_alert_percent: 20,
    copies_to: [],
    retention: { keep_last: 10, keep_within_days: null, keep_daily: 7, keep_weekly: null, keep_monthly: null },
    next_run: new Date(Date.now() + 5 * HOUR).toISOString(),
    last_backup: null,
    last_run: null,
    health: "ok",
    space: null,
    demo: false,
    second_place: { kind: "other_disk", name: "Backup disk", has_newest: true },
    ...overrides,
  };
}

/** The app's state before any setup: no sources, the password in the keyring. */
export function appState(): AppStateView {
  return {
    first_run: false,
    sources: [],
    keyring: "ok",
    notification_level: "problems",
    autostart: false,
    paused: false,
    backups_root: "/home/ada/.local/share/app.keepsake.desktop/backups",
    copies_held: false,
    key: { has_key: false, made_at: null, kit_made_at: null, kit: null },
    password_check: true,
    password_check_due: false,
  };
}

/** The demo source, as the real shell makes it: unencrypted and unscheduled. */
export function demoSource(): SourceView {
  const database = "/home/ada/.local/share/keepsake/demo/astrology.db";
  return makeSource({ name: "Demo", database, health: "never", encrypt: false, schedule: null, schedule_description: null, next_run: null });
}

/** A week of daily backups of Notes, newest first, growing slowly. */
export function weekOfBackups(now = Date.now()): BackupMetadata[] {
  return Array.from({ length: 7 }, (_, i) => {
    const at = new Date(now - 2 * HOUR - i * DAY).toISOString();
    return makeBackup({
      created_at: at,
      original_size: 4_194_304 - i * 40_000,
      stored_size: 1_363_148 - i * 12_000,
      duration_ms: 1500 + i * 90,
      backup_type: i === 3 ? "manual" : "scheduled",
      description: i === 3 ? "Before the big import" : null,
      tags: i === 3 ? ["import"] : [],
      verification: i === 5 ? "unverified" : "passed",
    });
  });
}

function runsFor(backups: BackupMetadata[], now: number): RunRecord[] {
  const runs: RunRecord[] = backups.map((b, i) => ({
    id: 100 - i,
    operation: "backup",
    backup_type: b.backup_type,
    backup_id: b.id,
    source_path: b.source_path,
    started_at: b.created_at,
    duration_ms: b.duration_ms,
    status: "success",
    error_code: null,
    message: null,
    safety_backup_id: null,
  }));
  runs.splice(2, 0, {
    id: 42,
    operation: "backup",
    backup_type: "scheduled",
    backup_id: null,
    source_path: "/home/ada/notes.db",
    started_at: new Date(now - 2 * DAY - 3 * HOUR).toISOString(),
    duration_ms: 120,
    status: "failed",
    error_code: "destination_full",
    message: "writing /media/backup/Notes/backup_x.keepsake: No space left on device",
    safety_backup_id: null,
  });
  return runs;
}

export interface FakeSetup {
  state?: Partial<AppStateView>;
  /** The backups each source's installation recorded (list_backups), newest first. */
  backups?: Record<string, BackupMetadata[]>;
  /** Readable backups found in each source's folder that were not made here (scan_folder). */
  foreign?: Record<string, BackupMetadata[]>;
  /** Unreadable files with a backup's name in each source's folder (scan_folder). */
  files?: Record<string, FolderFile[]>;
  history?: Record<string, RunRecord[]>;
  /** Current row counts per source, for compare_backup. */
  current?: Record<string, Record<string, number>>;
}

/** A configured app with one source (Notes) and a week of backups: the "full" state. */
export function fullSetup(now = Date.now()): FakeSetup {
  const backups = weekOfBackups(now);
  return {
    state: { sources: [makeSource({ last_backup: backups[0] ?? null })], autostart: true },
    backups: { Notes: backups },
    history: { Notes: runsFor(backups, now) },
    current: { Notes: { notes: 1250, tags: 40, attachments: 80, drafts: 3 } },
  };
}

/** The full state plus what a scan of the folder finds besides: a foreign backup and two unreadable files. */
export function foreignSetup(now = Date.now()): FakeSetup {
  const setup = fullSetup(now);
  setup.foreign = {
    Notes: [
      makeForeign({ created_at: new Date(now - 3 * DAY - 4 * HOUR).toISOString(), stored_size: 1_400_000 }),
      makeForeign({
        created_at: new Date(now - 10 * DAY).toISOString(),
        concern: "not_recorded",
        installation: null,
        encrypted: false,
        stored_size: 2_100_000,
      }),
    ],
  };
  setup.files = {
    Notes: [
      makeFile({ named_date: new Date(now - 20 * DAY).toISOString(), state: "locked", size: 1_250_000 }),
      makeFile({ named_date: new Date(now - 30 * DAY).toISOString(), state: "damaged", size: 88_000, message: "header checksum mismatch" }),
    ],
  };
  return setup;
}

/** The full state gone wrong: the keyring locked, the last three days missed, a recorded backup's file gone. */
export function problemsSetup(now = Date.now()): FakeSetup {
  const setup = fullSetup(now);
  const old = (setup.backups?.Notes ?? []).slice(3);
  const missing = old[1];
  if (missing) missing.concern = "missing";
  setup.backups = { Notes: old };
  setup.state = { keyring: "locked", sources: [makeSource({ last_backup: old[0] ?? null, health: { overdue_days: 4 } })] };
  return setup;
}

/** One file "Find my databases" found: important, not encrypted, not in use, not shared, unless given. */
export function foundFile(overrides: Partial<FoundFile> & { path: string }): FoundFile {
  return { size: 5_242_880, modified: 1_764_000_000, holds: null, important: true, encrypted: false, wal: true, in_use: false, shared: false, ...overrides };
}

/** What "Find my databases" finds in Ada's home folder: Firefox, Zotero, Signal (encrypted) and a database no app claims. */
export function foundFixture(): Found {
  const firefox = "/home/ada/.config/mozilla/firefox/x1y2.default-esr";
  const signal = "/home/ada/.var/app/org.signal.Signal/config/Signal";
  return {
    apps: [
      {
        app: "firefox",
        name: "Firefox",
        kind: "Web browser",
        installed: "native",
        place: firefox,
        close_to_restore: true,
        files: [
          foundFile({ path: `${firefox}/places.sqlite`, holds: "History and bookmarks", size: 10_485_760, in_use: true }),
          foundFile({ path: `${firefox}/cookies.sqlite`, holds: "Sign-ins to websites (cookies)", size: 524_288, in_use: true }),
          foundFile({ path: `${firefox}/formhistory.sqlite`, holds: "Words typed into forms", size: 262_144 }),
          foundFile({ path: `${firefox}/favicons.sqlite`, holds: "Website icons", important: false, size: 5_242_880 }),
        ],
      },
      {
        app: "zotero",
        name: "Zotero",
        kind: "Reference manager",
        installed: "native",
        place: "/home/ada/Zotero",
        close_to_restore: true,
        files: [foundFile({ path: "/home/ada/Zotero/zotero.sqlite", holds: "Your library: items, notes and collections", wal: false, shared: true })],
      },
      {
        app: "signal",
        name: "Signal",
        kind: "Messenger",
        installed: "flatpak",
        place: signal,
        close_to_restore: true,
        files: [foundFile({ path: `${signal}/sql/db.sqlite`, holds: "Your messages", encrypted: true, size: 52_428_800 })],
      },
    ],
    unknown: [foundFile({ path: "/home/ada/projects/inventory.db", size: 196_608, wal: false })],
    counts: { entries: 13_120, folders: 775, files: 12_345, databases: 6, links: 14, other_file_systems: 1, unreadable: 2, special: 0 },
    stopped: null,
    took_ms: 420,
  };
}
