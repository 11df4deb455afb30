// An in-memory stand-in for the Tauri shell, speaking the IPC contract the window codes against
// (commands, `{code, message, facts}` rejections, `job-progress` and `state-changed` events).
// Component tests install it under `@tauri-apps/api/mocks`' mockIPC; the screenshot harness runs
// the built window on it in a browser. It is a fake of the shell, not of SQLite: just enough
// behaviour to drive every screen.

import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import { parseSchedule, WEEKDAYS } from "../scheduleForm";
import type {
  AppState,
  BackupMetadata,
  CleanupPlan,
  ErrorCode,
  IpcError,
  JobPhase,
  RestoreOutcome,
  RunRecord,
  SchedulePreview,
  SourceView,
  Stats,
  TableComparison,
  VerifyReport,
} from "../types";

type Args = Record<string, unknown>;

export function ipcError(code: ErrorCode, message = `${code} (test)`, facts: IpcError["facts"] = {}): IpcError {
  return { code, message, facts };
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export function makeBackup(overrides: Partial<BackupMetadata> & { created_at: string }): BackupMetadata {
  const id = overrides.id ?? `backup_${overrides.created_at.replace(/[-:TZ]/g, "").slice(0, 14)}`;
  return {
    id,
    file_name: `${id}.ksb`,
    source_path: "/home/ada/notes.db",
    backup_type: "scheduled",
    description: null,
    tags: [],
    original_size: 4_194_304,
    stored_size: 1_363_148,
    sha256: "ab".repeat(32),
    encrypted: true,
    compressed: true,
    codec: "gzip",
    compression_level: 6,
    encryption: { cipher: "aes-256-gcm", kdf: "pbkdf2-sha256", iterations: 600000, chunk_size: 1048576 },
    schema: { user_version: 3, schema_hash: "cd".repeat(32), page_size: 4096, page_count: 1024, journal_mode: "wal" },
    row_counts: { notes: 1200, tags: 40, attachments: 85 },
    duration_ms: 1800,
    verification: "passed",
    verified_at: overrides.created_at,
    format_version: 1,
    ...overrides,
  };
}

export function makeSource(overrides: Partial<SourceView> = {}): SourceView {
  return {
    name: "Notes",
    database: "/home/ada/notes.db",
    backup_dir: "/home/ada/.local/share/keepsake/backups/Notes",
    enabled: true,
    paused: false,
    schedule: "daily 02:00",
    schedule_description: "Every day at 02:00",
    encrypt: true,
    compress: true,
    level: 6,
    verify_after_backup: true,
    retention: { keep_last: 10, keep_within_days: null, keep_daily: 7, keep_weekly: null, keep_monthly: null },
    next_run: new Date(Date.now() + 5 * HOUR).toISOString(),
    last_backup: null,
    health: "ok",
    ...overrides,
  };
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
    message: "writing /media/backup/Notes/backup_x.ksb: No space left on device",
  });
  return runs;
}

export interface FakeSetup {
  state?: Partial<AppState>;
  backups?: Record<string, BackupMetadata[]>;
  history?: Record<string, RunRecord[]>;
  /** Current row counts per source, for compare_backup. */
  current?: Record<string, Record<string, number>>;
}

/** A configured app with one source (Notes) and a week of backups: the "full" state. */
export function fullSetup(now = Date.now()): FakeSetup {
  const backups = weekOfBackups(now);
  return {
    state: { sources: [makeSource({ last_backup: backups[0] ?? null })] },
    backups: { Notes: backups },
    history: { Notes: runsFor(backups, now) },
    current: { Notes: { notes: 1250, tags: 40, attachments: 80, drafts: 3 } },
  };
}

export class FakeShell {
  state: AppState;
  backups: Record<string, BackupMetadata[]>;
  history: Record<string, RunRecord[]>;
  current: Record<string, Record<string, number>>;
  /** Every command received, in order. */
  calls: { cmd: string; args: Args }[] = [];
  /** What the next file dialog returns (`null`: the person cancels it). */
  chosenPath: string | null = null;
  /** Commands that reject with the given error. */
  failures = new Map<string, IpcError>();
  /** Commands that never answer (the loading state). */
  hanging = new Set<string>();
  /** Backups whose verification fails, with the code. */
  damaged = new Map<string, ErrorCode>();
  /** Milliseconds between progress steps of a job. */
  stepMs = 0;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private cancelled = new Set<string>();
  private lastRestore = new Map<string, RestoreOutcome>();
  private nextRunId = 1000;

  constructor(setup: FakeSetup = {}) {
    this.state = {
      first_run: false,
      sources: [],
      keyring: "ok",
      notification_level: "problems",
      autostart: false,
      paused: false,
      backups_root: "/home/ada/.local/share/app.keepsake.desktop/backups",
      ...setup.state,
    };
    this.backups = setup.backups ?? {};
    this.history = setup.history ?? {};
    this.current = setup.current ?? {};
  }

  fail(cmd: string, error: IpcError = ipcError("io")): this {
    this.failures.set(cmd, error);
    return this;
  }

  hang(cmd: string): this {
    this.hanging.add(cmd);
    return this;
  }

  /** Jobs stop halfway (after one progress event) until `release()`. */
  holdJobs(): void {
    this.gate = new Promise((resolve) => {
      this.openGate = resolve;
    });
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
    this.openGate = null;
  }

  callsOf(cmd: string): Args[] {
    return this.calls.filter((c) => c.cmd === cmd).map((c) => c.args);
  }

  async handle(cmd: string, args: Args = {}): Promise<unknown> {
    this.calls.push({ cmd, args });
    if (this.hanging.has(cmd)) return new Promise(() => {});
    const failure = this.failures.get(cmd);
    if (failure) throw failure;
    switch (cmd) {
      case "app_state":
        return structuredClone(this.state);
      case "list_backups": {
        const list = this.backupsOf(args);
        return typeof args.limit === "number" ? list.slice(0, args.limit) : list;
      }
      case "get_stats":
        return this.stats(this.backupsOf(args), this.history[this.sourceOf(args).name] ?? []);
      case "get_history": {
        const list = this.history[this.sourceOf(args).name] ?? [];
        return typeof args.limit === "number" ? list.slice(0, args.limit) : list;
      }
      case "create_backup":
        return this.createBackup(args);
      case "verify_backup":
        return this.verify(args);
      case "restore_backup":
        return this.restore(args);
      case "undo_restore":
        return this.undo(args);
      case "compare_backup":
        return this.compare(args);
      case "delete_backup": {
        const source = this.sourceOf(args);
        const list = this.backupsOf(args);
        if (!list.some((b) => b.id === args.id)) throw ipcError("backup_not_found", `no backup ${String(args.id)}`);
        this.backups[source.name] = list.filter((b) => b.id !== args.id);
        this.refreshSource(source.name);
        return null;
      }
      case "preview_cleanup":
        return this.plan(args);
      case "apply_cleanup": {
        const plan = this.plan(args);
        const source = this.sourceOf(args);
        const gone = new Set(plan.delete.map((e) => e.id));
        this.backups[source.name] = this.backupsOf(args).filter((b) => !gone.has(b.id));
        this.refreshSource(source.name);
        return plan;
      }
      case "cancel_job":
        this.cancelled.add(String(args.jobId));
        this.release();
        return null;
      case "add_source": {
        const name = String(args.name);
        if (this.state.sources.some((s) => s.name === name)) throw ipcError("invalid_input", `a source named "${name}" exists`);
        const source = makeSource({
          name,
          database: String(args.database),
          backup_dir: typeof args.backupDir === "string" ? args.backupDir : `/home/ada/.local/share/keepsake/backups/${name}`,
          schedule: typeof args.schedule === "string" ? args.schedule : null,
          next_run: typeof args.schedule === "string" ? new Date(Date.now() + 5 * HOUR).toISOString() : null,
          health: "never",
        });
        this.state.sources.push(source);
        this.state.first_run = false;
        return source;
      }
      case "create_demo_source": {
        const existing = this.state.sources.find((s) => s.name === "Demo");
        if (existing) return existing;
        // As the real shell: the demo source starts unencrypted and unscheduled.
        const source = makeSource({ name: "Demo", database: "/home/ada/.local/share/keepsake/demo/astrology.db", health: "never", encrypt: false, schedule: null });
        this.state.sources.push(source);
        this.state.first_run = false;
        return source;
      }
      case "update_source":
        return this.update(args);
      case "remove_source": {
        const source = this.sourceOf({ source: args.name });
        this.state.sources = this.state.sources.filter((s) => s !== source);
        return null;
      }
      case "preview_schedule":
        return previewSchedule(String(args.expr), typeof args.count === "number" ? args.count : 5);
      case "set_password":
        if (String(args.password).length === 0) throw ipcError("invalid_input", "empty password");
        this.state.keyring = "ok";
        return null;
      case "set_notification_level":
        this.state.notification_level = args.level as AppState["notification_level"];
        return null;
      case "set_autostart":
        this.state.autostart = Boolean(args.enabled);
        return null;
      case "set_paused":
        this.state.paused = Boolean(args.paused);
        return null;
      case "choose_path":
        return this.chosenPath;
      default:
        throw ipcError("invalid_input", `unknown command ${cmd}`);
    }
  }

  private sourceOf(args: Args): SourceView {
    const name = String(args.source ?? args.name);
    const source = this.state.sources.find((s) => s.name === name);
    if (!source) throw ipcError("no_source", `no source named "${name}"`);
    return source;
  }

  private backupsOf(args: Args): BackupMetadata[] {
    return this.backups[this.sourceOf(args).name] ?? [];
  }

  private refreshSource(name: string): void {
    const source = this.state.sources.find((s) => s.name === name);
    if (!source) return;
    const list = this.backups[name] ?? [];
    source.last_backup = list.find((b) => b.backup_type !== "safety") ?? list[0] ?? null;
    source.health = source.last_backup ? "ok" : "never";
  }

  private async progress(jobId: string, phase: JobPhase, total: number): Promise<void> {
    const steps = 4;
    for (let i = 0; i <= steps; i += 1) {
      if (this.cancelled.has(jobId)) throw ipcError("cancelled", "cancelled");
      await emit("job-progress", { job_id: jobId, phase, done: Math.round((total * i) / steps), total });
      if (i === steps / 2 && this.gate) await this.gate;
      if (this.stepMs > 0) await new Promise((r) => setTimeout(r, this.stepMs));
    }
    if (this.cancelled.has(jobId)) throw ipcError("cancelled", "cancelled");
  }

  private record(name: string, run: Omit<RunRecord, "id">): void {
    (this.history[name] ??= []).unshift({ id: this.nextRunId++, ...run });
  }

  private async createBackup(args: Args): Promise<BackupMetadata> {
    const source = this.sourceOf(args);
    if (source.encrypt && this.state.keyring === "no_password") {
      throw ipcError("password_required", "no password in the keyring");
    }
    const jobId = String(args.jobId);
    const size = 4_300_000;
    const started = new Date();
    try {
      await this.progress(jobId, "backup", size);
      if (source.verify_after_backup) await this.progress(jobId, "verify", size);
    } catch (e) {
      this.record(source.name, {
        operation: "backup",
        backup_type: "manual",
        backup_id: null,
        source_path: source.database,
        started_at: started.toISOString(),
        duration_ms: 5,
        status: "cancelled",
        error_code: "cancelled",
        message: "cancelled",
      });
      throw e;
    }
    const list = (this.backups[source.name] ??= []);
    let id = `backup_${started.toISOString().replace(/[-:TZ]/g, "").slice(0, 8)}_${started.toISOString().slice(11, 19).replace(/:/g, "")}`;
    if (list.some((b) => b.id === id)) id = `${id}_${list.length + 1}`;
    const backup = makeBackup({
      id,
      created_at: started.toISOString(),
      source_path: source.database,
      backup_type: "manual",
      description: typeof args.description === "string" ? args.description : null,
      tags: Array.isArray(args.tags) ? (args.tags as string[]) : [],
      original_size: size,
      stored_size: Math.round(size * 0.31),
      encrypted: source.encrypt,
      verification: source.verify_after_backup ? "passed" : "unverified",
      verified_at: source.verify_after_backup ? new Date().toISOString() : null,
      duration_ms: 900,
    });
    list.unshift(backup);
    this.record(source.name, {
      operation: "backup",
      backup_type: "manual",
      backup_id: backup.id,
      source_path: source.database,
      started_at: backup.created_at,
      duration_ms: backup.duration_ms,
      status: "success",
      error_code: null,
      message: null,
    });
    this.refreshSource(source.name);
    return backup;
  }

  private async verify(args: Args): Promise<VerifyReport> {
    const list = this.backupsOf(args);
    const backup = list.find((b) => b.id === args.id);
    if (!backup) throw ipcError("backup_not_found", `no backup ${String(args.id)}`);
    await this.progress(String(args.jobId), "verify", backup.stored_size);
    const code = this.damaged.get(backup.id) ?? null;
    backup.verification = code ? "failed" : "passed";
    backup.verified_at = new Date().toISOString();
    const names = ["exists", "checksum", "decrypt", "decompress", "integrity", "metadata"];
    return {
      backup_id: backup.id,
      ok: code === null,
      code,
      checks: names.map((name) => ({
        name,
        status: code && name === "checksum" ? "failed" : "passed",
        message: code && name === "checksum" ? "the file's SHA-256 does not match the catalog" : `${name} ok`,
      })),
      verified_at: backup.verified_at,
      duration_ms: 640,
    };
  }

  private async restore(args: Args): Promise<RestoreOutcome> {
    const source = this.sourceOf(args);
    const backup = this.backupsOf(args).find((b) => b.id === args.id);
    if (!backup) throw ipcError("backup_not_found", `no backup ${String(args.id)}`);
    const jobId = String(args.jobId);
    if (args.verifyFirst) await this.progress(jobId, "verify", backup.stored_size);
    const target = typeof args.target === "string" ? args.target : source.database;
    let safetyId: string | null = null;
    if (target === source.database) {
      await this.progress(jobId, "safety_backup", backup.original_size);
      const safety = makeBackup({
        id: `backup_safety_${this.nextRunId}`,
        created_at: new Date().toISOString(),
        backup_type: "safety",
        verification: "unverified",
        verified_at: null,
      });
      this.backups[source.name]?.unshift(safety);
      safetyId = safety.id;
    }
    await this.progress(jobId, "restore", backup.original_size);
    const outcome: RestoreOutcome = { backup_id: backup.id, target, safety_backup_id: safetyId, verified: Boolean(args.verifyFirst), duration_ms: 2100 };
    if (safetyId) this.lastRestore.set(source.name, outcome);
    this.current[source.name] = { ...backup.row_counts };
    return outcome;
  }

  private async undo(args: Args): Promise<RestoreOutcome> {
    const source = this.sourceOf(args);
    const last = this.lastRestore.get(source.name);
    if (!last || !last.safety_backup_id) throw ipcError("invalid_input", "there is no restore to undo");
    await this.progress(String(args.jobId), "restore", 4_000_000);
    this.lastRestore.delete(source.name);
    return { backup_id: last.safety_backup_id, target: last.target, safety_backup_id: null, verified: false, duration_ms: 1500 };
  }

  private compare(args: Args): TableComparison[] {
    const source = this.sourceOf(args);
    const backup = this.backupsOf(args).find((b) => b.id === args.id);
    if (!backup) throw ipcError("backup_not_found", `no backup ${String(args.id)}`);
    const now = this.current[source.name] ?? {};
    const tables = new Set([...Object.keys(backup.row_counts), ...Object.keys(now)]);
    return [...tables].sort().flatMap((table) => {
      const inBackup = backup.row_counts[table];
      if (inBackup === undefined) return [];
      return [{ table, backup_rows: inBackup, current_rows: now[table] ?? null }];
    });
  }

  private plan(args: Args): CleanupPlan {
    const source = this.sourceOf(args);
    const keepLast = source.retention.keep_last;
    const entries = this.backupsOf(args).map((b) => ({ id: b.id, created_at: b.created_at, stored_size: b.stored_size }));
    if (keepLast === null) return { keep: entries.map((e) => ({ ...e, reasons: ["no retention rule"] })), delete: [] };
    return {
      keep: entries.slice(0, keepLast).map((e) => ({ ...e, reasons: ["last"] })),
      delete: entries.slice(keepLast).map((e) => ({ ...e, reasons: [] })),
    };
  }

  private update(args: Args): SourceView {
    const source = this.sourceOf({ source: args.name });
    const field = String(args.field);
    const value = String(args.value);
    const clear = value === "none";
    const number = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw ipcError("invalid_input", `${field} must be a whole number, not "${value}"`);
      return n;
    };
    switch (field) {
      case "name":
        if (this.state.sources.some((s) => s.name === value)) throw ipcError("invalid_input", `a source named "${value}" exists`);
        for (const map of [this.backups, this.history, this.current] as Record<string, unknown>[]) {
          if (source.name in map) {
            map[value] = map[source.name];
            delete map[source.name];
          }
        }
        source.name = value;
        break;
      case "database":
        source.database = value;
        break;
      case "backup_dir":
        source.backup_dir = value;
        break;
      case "schedule": {
        if (clear) {
          source.schedule = null;
          source.schedule_description = null;
          source.next_run = null;
        } else {
          const preview = previewSchedule(value, 1);
          source.schedule = value;
          source.schedule_description = preview.description;
          source.next_run = preview.next_runs[0] ?? null;
        }
        break;
      }
      case "enabled":
      case "paused":
      case "encrypt":
      case "compress":
      case "verify_after_backup":
        source[field] = value === "true";
        break;
      case "level":
        source.level = number();
        break;
      case "keep_last":
      case "keep_within_days":
      case "keep_daily":
      case "keep_weekly":
      case "keep_monthly":
        source.retention[field] = clear ? null : number();
        break;
      default:
        throw ipcError("invalid_input", `unknown field ${field}`);
    }
    return structuredClone(source);
  }

  private stats(backups: BackupMetadata[], history: RunRecord[]): Stats {
    const ratios = backups.filter((b) => b.original_size > 0).map((b) => b.stored_size / b.original_size);
    const times = backups.map((b) => b.created_at).sort();
    return {
      count: backups.length,
      total_original_size: backups.reduce((s, b) => s + b.original_size, 0),
      total_stored_size: backups.reduce((s, b) => s + b.stored_size, 0),
      average_compression_ratio: ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : null,
      verified_count: backups.filter((b) => b.verification === "passed").length,
      failed_count: backups.filter((b) => b.verification === "failed").length,
      unverified_count: backups.filter((b) => b.verification === "unverified").length,
      oldest: times[0] ?? null,
      newest: times[times.length - 1] ?? null,
      failed_runs: history.filter((r) => r.status === "failed").length,
    };
  }
}

/** Enough of the engine's schedule preview to drive the editor: presets and daily-style cron. */
export function previewSchedule(expr: string, count: number, now = Date.now()): SchedulePreview {
  const text = expr.trim();
  if (text === "") throw ipcError("invalid_input", "the schedule is empty");
  const form = parseSchedule(text);
  const at = (time: string) => time.split(":").map(Number) as [number, number];
  const runs: number[] = [];
  const start = new Date(now);
  const push = (d: Date) => d.getTime() > now && runs.push(d.getTime());
  let description: string;
  switch (form.kind) {
    case "hourly":
      description = `Every hour at :${String(form.minute).padStart(2, "0")}`;
      for (let h = 0; runs.length < count; h += 1) {
        const d = new Date(start);
        d.setMinutes(form.minute, 0, 0);
        d.setHours(d.getHours() + h);
        push(d);
      }
      break;
    case "daily":
    case "weekly": {
      const [hh, mm] = at(form.time);
      const weekday = WEEKDAYS.findIndex(([code]) => code === form.weekday);
      const weekdayName = WEEKDAYS[weekday]?.[1] ?? "Monday";
      description = form.kind === "daily" ? `Every day at ${form.time}` : `Every ${weekdayName} at ${form.time}`;
      for (let day = 0; runs.length < count && day < 400; day += 1) {
        const d = new Date(start);
        d.setHours(hh, mm, 0, 0);
        d.setDate(d.getDate() + day);
        if (form.kind === "daily" || (d.getDay() + 6) % 7 === weekday) push(d);
      }
      break;
    }
    case "monthly": {
      const [hh, mm] = at(form.time);
      description =
        form.monthDay === "last" ? `On the last day of every month at ${form.time}` : `On day ${form.monthDay} of every month at ${form.time}`;
      for (let m = 0; runs.length < count; m += 1) {
        const d = new Date(start.getFullYear(), start.getMonth() + m, 1, hh, mm);
        if (form.monthDay === "last") d.setMonth(d.getMonth() + 1, 0);
        else d.setDate(Number(form.monthDay));
        push(d);
      }
      break;
    }
    case "advanced": {
      const fields = text.split(/\s+/);
      if (fields.length !== 5) {
        throw ipcError("invalid_input", `a cron expression has 5 fields (minute hour day month weekday); this one has ${fields.length}`);
      }
      const [minute, hour] = fields.map(Number) as [number, number];
      if (!Number.isInteger(minute) || minute > 59) throw ipcError("invalid_input", `minute: "${fields[0]}" is not 0-59`);
      if (!Number.isInteger(hour) || hour > 23) throw ipcError("invalid_input", `hour: "${fields[1]}" is not 0-23`);
      const time = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
      description = `At ${time} every day`;
      for (let day = 0; runs.length < count; day += 1) {
        const d = new Date(start);
        d.setHours(hour, minute, 0, 0);
        d.setDate(d.getDate() + day);
        push(d);
      }
      break;
    }
    case "off":
      throw ipcError("invalid_input", "the schedule is empty");
  }
  return { description, next_runs: runs.slice(0, count).map((t) => new Date(t).toISOString()) };
}

/** Puts `fake` behind every `invoke` and `listen` of the window. */
export function installFake(fake: FakeShell): FakeShell {
  mockIPC((cmd, args) => fake.handle(cmd, (args ?? {}) as Args), { shouldMockEvents: true });
  return fake;
}

export { clearMocks };

/** Tell the window that something changed behind its back. */
export function emitStateChanged(): Promise<void> {
  return emit("state-changed", null);
}
