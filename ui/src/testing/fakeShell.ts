// An in-memory stand-in for the Tauri shell, speaking the IPC contract the window codes against
// (commands, `{code, message, facts}` rejections, `job-progress` and `state-changed` events).
// Component tests install it under `@tauri-apps/api/mocks`' mockIPC; the screenshot harness runs
// the built window on it in a browser. It is a fake of the shell, not of SQLite: just enough
// behaviour to drive every screen.
//
// Its handlers are typed by the generated `Commands` map (../bindings): every command the shell
// has must be implemented here, with the shell's argument and result types, so the fake cannot
// drift from the contract without failing the build.

import { emit } from "@tauri-apps/api/event";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

import { WEEKDAYS } from "../scheduleForm";
import { appState, backupId, DAY, demoSource, foundFixture, makeBackup, makeSource, type FakeSetup } from "./fixtures";
import type {
  Alert, AppStateView, BackupMetadata, Changed, CleanupPlan, Code, Commands, CopyRecord, CopyStatus, Destination, ErrorCode,
  Facts, FolderFile, Found, IpcError, Phase, RestoreOutcome, RestoreRequest, RunRecord, Schedule, SchedulePreview, SourceView, Stats,
  TableChange, TableDiff, TableSummary, VerifyReport,
} from "../types";

type Name = keyof Commands;
type ArgsOf<K extends Name> = Commands[K]["args"];
type ResultOf<K extends Name> = Commands[K]["result"];
/** The request a command takes (`{ request }`), when it takes one. */
type RequestOf<K extends Name> = ArgsOf<K> extends { request: infer R } ? R : never;
/**
 * What one call of `K` asked, as `callsOf` gives it: the request of a command that takes one,
 * else its arguments. `restore_backup`'s calls stay as sent (`{ request }`): its screens' tests
 * read them so.
 */
type CallOf<K extends Name> = K extends "restore_backup" ? ArgsOf<K> : ArgsOf<K> extends { request: infer R } ? R : ArgsOf<K>;

/** One handler per command, each typed by the contract. */
type Handlers = { [K in Name]: (args: ArgsOf<K>) => ResultOf<K> | Promise<ResultOf<K>> };

export function ipcError(code: Code, message = `${code} (test)`, facts: Facts = {}): IpcError {
  return { code, message, facts };
}

export class FakeShell {
  state: AppStateView;
  backups: Record<string, BackupMetadata[]>;
  foreign: Record<string, BackupMetadata[]>;
  files: Record<string, FolderFile[]>;
  history: Record<string, RunRecord[]>;
  current: Record<string, Record<string, number>>;
  /** Every command received, in order. */
  calls: { cmd: string; args: Record<string, unknown> }[] = [];
  /** Quit Keepsake was pressed. */
  quit = false;
  /** The key of the kit made last (adopted once its last group is typed back). */
  kitKey: string | null = null;
  /** The recovery key typed after "Forgot your password?" (opens every backup, as in the shell). */
  recoveryKey: string | null = null;
  /** The password in the keyring, as "Do you still know it?" checks it. */
  savedPassword = "correct horse battery staple";
  /** What the next file dialog returns (`null`: the person cancels it). */
  chosenPath: string | null = null;
  /** Paths picked in the file dialog (only those may be written: a restore elsewhere, an export). */
  picked = new Set<string>();
  /** Files that exist on the fake disk besides the sources' databases. */
  existingPaths = new Set<string>();
  /** Commands that reject with the given error. */
  failures = new Map<Name, IpcError>();
  /** Commands that never answer (the loading state). */
  hanging = new Set<Name>();
  /** Backups whose verification fails, with the code. */
  damaged = new Map<string, ErrorCode>();
  /** Milliseconds between progress steps of a job. */
  stepMs = 0;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private cancelled = new Set<string>();
  private lastRestore = new Map<string, RestoreOutcome>();
  /** Per source, the tables that refer to any table taken back (as `referenced_by`). */
  referencedBy: Record<string, string[]> = {};
  private nextRunId = 1000;

  constructor(setup: FakeSetup = {}) {
    this.state = { ...appState(), ...setup.state };
    this.backups = setup.backups ?? {};
    this.foreign = setup.foreign ?? {};
    this.files = setup.files ?? {};
    this.history = setup.history ?? {};
    this.current = setup.current ?? {};
  }

  fail(cmd: Name, error: IpcError = ipcError("io")): this {
    this.failures.set(cmd, error);
    return this;
  }

  /** `cmd` fails once with `error`, then works again. */
  failOnce(cmd: Name, error: IpcError): this {
    this.failures.set(cmd, error);
    this.once.add(cmd);
    return this;
  }

  private once = new Set<Name>();

  hang(cmd: Name): this {
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

  /** What every call of `cmd` asked, in order (see `CallOf`). */
  callsOf<K extends Name>(cmd: K): CallOf<K>[] {
    const asked = (args: Record<string, unknown>) =>
      cmd !== "restore_backup" && Object.keys(args).length === 1 && "request" in args ? args.request : args;
    return this.calls.filter((c) => c.cmd === cmd).map((c) => asked(c.args) as CallOf<K>);
  }

  async handle(cmd: string, args: Record<string, unknown> = {}): Promise<unknown> {
    this.calls.push({ cmd, args });
    // A command of the contract: exactly the keys of `handlers`, which the `Handlers` type fixes.
    if (!Object.hasOwn(this.handlers, cmd)) throw ipcError("invalid_input", `unknown command ${cmd}`);
    const name = cmd as Name;
    if (this.hanging.has(name)) return new Promise(() => {});
    const failure = this.failures.get(name);
    if (failure) {
      if (this.once.delete(name)) this.failures.delete(name);
      throw failure;
    }
    const handler = this.handlers[name] as (args: unknown) => unknown;
    // The shell answers a unit result with null.
    return (await handler(args)) ?? null;
  }

  readonly handlers: Handlers = {
    app_state: () => structuredClone(this.state),
    list_backups: ({ request: { source, limit } }) => {
      const list = this.backupsOf(source);
      return typeof limit === "number" ? list.slice(0, limit) : list;
    },
    scan_folder: ({ source }) => {
      const name = this.sourceOf(source).name;
      return structuredClone({ backups: this.backupsOf(name), foreign: this.foreign[name] ?? [], files: this.files[name] ?? [] });
    },
    get_stats: ({ source }) => this.stats(this.backupsOf(source), this.history[this.sourceOf(source).name] ?? []),
    get_history: ({ request: { source, limit } }) => {
      const list = this.history[this.sourceOf(source).name] ?? [];
      return typeof limit === "number" ? list.slice(0, limit) : list;
    },
    create_backup: ({ request }) => this.createBackup(request),
    verify_backup: ({ request }) => this.verify(request),
    restore_backup: ({ request }) => this.restore(request),
    take_back_tables: ({ request }) => this.takeBack(request),
    undo_restore: ({ request }) => this.undo(request),
    compare_backup: ({ request }) => this.compare(request),
    compare_rows: ({ request }) => this.compareRows(request),
    delete_backup: ({ request: { source, id } }) => {
      const name = this.sourceOf(source).name;
      const list = this.backupsOf(name);
      if (!list.some((b) => b.id === id)) throw ipcError("backup_not_found", `no backup ${id}`, { backup_id: id });
      this.drop(name, [id]);
    },
    weekly_report: () =>
      this.state.sources.map((s) => {
        const list = this.backupsOf(s.name).filter((b) => Date.now() - Date.parse(b.created_at) < 7 * DAY);
        return {
          source: s.name,
          report: {
            database: s.database,
            since: new Date(Date.now() - 7 * DAY).toISOString(),
            until: new Date().toISOString(),
            made: list.length,
            failed: this.weeklyFailed,
            verified: list.filter((b) => b.verification === "passed").length,
            verify_failed: 0,
            space_used: this.backupsOf(s.name).reduce((n, b) => n + b.stored_size, 0),
            backups_kept: this.backupsOf(s.name).length,
            last_backup_at: list[0]?.created_at ?? null,
            copies: s.copies_to.length > 0 ? { [s.copies_to[0] ?? ""]: list.length } : {},
            alerts: [],
          },
          error: null,
        };
      }),
    take_pending_screen: () => {
      const s = this.pendingScreen;
      this.pendingScreen = null;
      return s;
    },
    free_up_space: ({ request: { source, ids } }) => {
      const name = this.sourceOf(source).name;
      const s = this.sourceOf(name);
      s.space = s.space ? { ...s.space, state: "enough", free_up: undefined } : null;
      this.drop(name, ids);
      return ids.length;
    },
    preview_cleanup: ({ source }) => this.plan(source),
    apply_cleanup: ({ source }) => {
      const plan = this.plan(source);
      this.drop(this.sourceOf(source).name, plan.delete.map((e) => e.id));
      return plan;
    },
    list_alerts: ({ request: { source, all } }) => {
      const list = this.alerts[this.sourceOf(source).name] ?? [];
      return structuredClone(all ? list : list.filter((a) => a.dismissed_at === null));
    },
    dismiss_alert: ({ request: { source, id } }) => {
      const alert = (this.alerts[this.sourceOf(source).name] ?? []).find((a) => a.id === id);
      if (alert) alert.dismissed_at ??= new Date().toISOString();
    },
    pin_backup: ({ request: { source, id, pinned } }) => {
      const backup = this.findBackup(this.sourceOf(source).name, id);
      backup.pinned = pinned ? (backup.pinned ?? { pinned_at: new Date().toISOString(), alert: null }) : null;
      return structuredClone(backup);
    },
    open_backup: async ({ request: { source, id, jobId, password, rememberPassword } }) => {
      const backup = this.findBackup(this.sourceOf(source).name, id);
      this.checkPassword(backup.id, password, rememberPassword);
      await this.progress(jobId, "verify", backup.original_size);
      this.open = { source, id };
      return this.tablesOf(backup);
    },
    backup_rows: ({ request: { source, id, table, offset, limit, search } }) => {
      if (this.open?.source !== source || this.open.id !== id) throw ipcError("invalid_input", `backup ${id} is not open`);
      const backup = this.findBackup(this.sourceOf(source).name, id);
      const summary = this.tablesOf(backup).find((t) => t.table === table);
      if (!summary) throw ipcError("invalid_input", `no table ${table}`, { reason: "no_such_table", tables: [table] });
      const all = Array.from({ length: summary.rows ?? 0 }, (_, i) =>
        summary.columns.map((c, j) => (j === 0 ? String(i + 1) : `${c} ${i + 1}`)),
      );
      const needle = search?.trim().toLowerCase();
      const matching = needle ? all.filter((r) => r.some((v) => v.toLowerCase().includes(needle))) : all;
      return { table, columns: summary.columns, rows: matching.slice(offset, offset + limit), offset, total: matching.length };
    },
    close_backup: () => void (this.open = null),
    export_table: ({ request: { source, id, table, target } }) => {
      this.mustBePicked(target);
      if (this.open?.source !== source || this.open.id !== id) throw ipcError("invalid_input", `backup ${id} is not open`);
      if (this.existingPaths.has(target)) {
        throw ipcError("invalid_input", `${target} already exists; choose a new file name`, { path: target, reason: "exists" });
      }
      this.existingPaths.add(target);
      return this.tablesOf(this.findBackup(this.sourceOf(source).name, id)).find((t) => t.table === table)?.rows ?? 0;
    },
    compare_backups: async ({ request: { source, older, newer, jobId } }) => {
      const name = this.sourceOf(source).name;
      const [a, b] = [this.findBackup(name, older), this.findBackup(name, newer)];
      await this.progress(jobId, "verify", a.original_size + b.original_size);
      const internal = (t: string) => a.internal_tables.includes(t) || b.internal_tables.includes(t);
      return rowChanges(a.row_counts, b.row_counts, internal, () => 0);
    },
    cancel_job: ({ jobId }) => {
      this.cancelled.add(jobId);
      this.release();
    },
    add_source: ({ request: { name, database, backupDir, schedule } }) => this.addSource({ name, database, backup_dir: backupDir ?? undefined }, schedule),
    find_databases: async ({ request: { jobId } }) => {
      if (this.gate) await this.gate;
      if (this.stepMs > 0) await new Promise((r) => setTimeout(r, 4 * this.stepMs));
      const found = structuredClone(this.found);
      // As the shell: Cancel stops the scan with what it found until then.
      return this.cancelled.has(jobId) ? { ...found, apps: found.apps.slice(0, 1), unknown: [], stopped: "cancelled" as const } : found;
    },
    protect_app: ({ request: { app: id, place, name, schedule } }) => {
      // As the shell: the app is protected only where a scan finds it again.
      const app = this.found.apps.find((a) => a.app === id && a.place === place);
      if (!app) throw ipcError("source_not_found", `no ${id} files were found in ${place}`, { reason: "not_picked", path: place });
      const [database, ...also] = app.files.filter((f) => f.important).map((f) => f.path);
      if (!database) throw ipcError("invalid_input", `${app.name} in ${place} has no file Keepsake can back up`);
      return this.addSource({ name: name?.trim() || app.name, database, app: app.name, also }, schedule);
    },
    update_source: ({ request }) => this.update(request),
    set_schedule: ({ request: { name, schedule } }) => {
      const source = this.sourceOf(name);
      this.applySchedule(source, schedule ?? null);
      return structuredClone(source);
    },
    remove_source: ({ name }) => {
      const source = this.sourceOf(name);
      this.state.sources = this.state.sources.filter((s) => s !== source);
    },
    create_demo_source: () => {
      const existing = this.state.sources.find((s) => s.name === "Demo");
      if (existing) return structuredClone(existing);
      const source = demoSource();
      this.state.sources.push(source);
      this.state.first_run = false;
      return structuredClone(source);
    },
    preview_schedule: ({ request: { schedule, count } }) => previewSchedule(schedule, count ?? 5),
    set_password: ({ password }) => {
      this.state.keyring = "ok";
      this.savedPassword = password;
      this.recoveryKey = null;
    },
    set_notification_level: ({ level }) => void (this.state.notification_level = level),
    set_autostart: ({ enabled }) => void (this.state.autostart = enabled),
    quit_app: () => void (this.quit = true),
    make_recovery_kit: () => {
      this.kitKey = "7KQ2-M9XA-44RT-ZZ01-ABCD-EFGH-JKMN-PQRS";
      return { key: this.kitKey, pdf: "/home/ada/Documents/Keepsake emergency kit.pdf", png: "/home/ada/Documents/Keepsake emergency kit.png" };
    },
    confirm_recovery_kit: ({ lastGroup }) => {
      if (!this.kitKey || lastGroup.trim().toUpperCase() !== this.kitKey.split("-").pop()) {
        throw ipcError("invalid_input", "not the last group", { reason: "recovery_key_typo" });
      }
      this.state.key = { has_key: true, made_at: "2026-12-08T10:00:00Z", kit_made_at: "2026-12-08T10:00:00Z", kit: "ab12cd34" };
      return this.state.key;
    },
    open_recovery_kit: () => undefined,
    use_recovery_key: ({ key }) => {
      if (key.replace(/[-\s]/g, "").length !== 32) throw ipcError("invalid_input", "typo", { reason: "recovery_key_typo" });
      this.recoveryKey = key;
    },
    check_password: ({ password }) => {
      const right = password === this.savedPassword;
      if (right) this.state.password_check_due = false;
      return right;
    },
    set_password_check: ({ enabled }) => void (this.state.password_check = enabled),
    set_paused: ({ paused }) => void (this.state.paused = paused),
    choose_path: () => {
      if (this.chosenPath !== null) this.picked.add(this.chosenPath);
      return this.chosenPath;
    },
    list_destinations: () => structuredClone(this.destinations),
    test_destination: ({ request: { destination, secret } }) => {
      // As the shell: a Google key file that is not a service account's key.
      if (destination.kind === "gcs" && destination.key_file !== undefined && !destination.key_file.endsWith(".json")) {
        throw ipcError("invalid_input", `${destination.key_file} is not a service account's key`, { reason: "key_file", path: destination.key_file });
      }
      if (secret !== undefined && secret !== null) this.login(secret);
      // As the shell: an SFTP server's fingerprint, seen now or checked against the form's.
      return destination.kind === "sftp" ? (destination.host_key ?? "SHA256:fakeHostKeyOfTheTestServer0123456789abcdefg") : null;
    },
    save_destination: ({ request: { destination, sources } }) => {
      this.destinations = [...this.destinations.filter((d) => d.name !== destination.name), destination];
      for (const s of this.state.sources) {
        s.copies_to = sources.includes(s.name)
          ? [...new Set([...s.copies_to, destination.name])]
          : s.copies_to.filter((d) => d !== destination.name);
      }
      return { secret_forgotten: false };
    },
    remove_destination: ({ name }) => {
      this.destinations = this.destinations.filter((d) => d.name !== name);
      for (const s of this.state.sources) s.copies_to = s.copies_to.filter((d) => d !== name);
    },
    copy_status: () => structuredClone(this.copyStatuses),
    backup_copies: ({ source }) => structuredClone(this.copies[this.sourceOf(source).name] ?? []),
    copy_now: () => void (this.state.copies_held = false),
    stop_copies: () => void (this.state.copies_held = true),
    remote_backups: ({ request: { secret, password } }) => {
      this.login(secret);
      if (password === this.remotePassword || this.recoveryKey !== null) return { backups: [], foreign: structuredClone(this.remoteBackups), files: [] };
      const locked = (b: BackupMetadata) => ({ file_name: b.file_name, size: b.stored_size, named_date: b.created_at, state: "locked" as const });
      return { backups: [], foreign: [], files: this.remoteBackups.map((b) => ({ ...locked(b), message: "encrypted with another password" })) };
    },
    restore_from_copy: ({ request: { id, target } }) => {
      this.mustBePicked(target);
      if (!this.remoteBackups.some((r) => r.id === id)) throw ipcError("backup_not_found", `no backup ${id} there`);
      this.restoredFromCopy.push({ id, target });
      return outcome({ backup_id: id, target, verified: true, duration_ms: 10 });
    },
  };

  /** The lost-computer restore: the backups at the destination, the password that opens them, what was restored. */
  remoteBackups: BackupMetadata[] = [];
  remotePassword = "the backup password";
  restoredFromCopy: { id: string; target: string }[] = [];

  /** Copies elsewhere: the destinations, the secret their test accepts, how each stands, the copies made. */
  destinations: Destination[] = [];
  destinationSecret = "the right secret";
  copyStatuses: CopyStatus[] = [];
  /** Failed backup runs in the week, for `weekly_report`. */
  weeklyFailed = 0;
  /** The screen a clicked notification asked for (`take_pending_screen`). */
  pendingScreen: string | null = null;
  copies: Record<string, CopyRecord[]> = {};

  /** As a destination answers: only its secret logs in. */
  private login(secret: string | null | undefined): void {
    if (secret !== this.destinationSecret) throw ipcError("remote_failed", "cannot list s3://b: the server refused the login", { reason: "credentials" });
  }

  private sourceOf(name: string): SourceView {
    const source = this.state.sources.find((s) => s.name === name);
    if (!source) throw ipcError("no_source", `no source named "${name}"`);
    return source;
  }

  private backupsOf(name: string): BackupMetadata[] {
    return this.backups[this.sourceOf(name).name] ?? [];
  }

  /** A backup of the source's folder: recorded, or foreign (by id or file name), as the engine finds it. */
  private findBackup(name: string, id: string): BackupMetadata {
    const backup =
      this.backupsOf(name).find((b) => b.id === id) ?? (this.foreign[name] ?? []).find((b) => b.id === id || b.file_name === id);
    if (!backup) throw ipcError("backup_not_found", `no backup "${id}"`, { backup_id: id });
    return backup;
  }

  /** What "Find my databases" finds (`find_databases`; `protect_app` protects only what is in it). */
  found: Found = foundFixture();

  private addSource(given: Partial<SourceView> & { name: string }, schedule: Schedule | null | undefined): SourceView {
    const backup_dir = given.backup_dir ?? `/home/ada/.local/share/keepsake/backups/${given.name}`;
    const source = makeSource({ health: "never", ...given, backup_dir });
    this.applySchedule(source, schedule ?? null);
    this.state.sources.push(source);
    this.state.first_run = false;
    return structuredClone(source);
  }

  private applySchedule(source: SourceView, schedule: Schedule | null): void {
    const preview = schedule && previewSchedule(schedule, 1);
    source.schedule = structuredClone(schedule);
    source.schedule_description = preview?.description ?? null;
    source.next_run = preview?.next_runs[0] ?? null;
  }

  /** Backups deleted from a source's folder. */
  private drop(name: string, ids: string[]): void {
    this.backups[name] = this.backupsOf(name).filter((b) => !ids.includes(b.id));
    this.refreshSource(name);
  }

  private refreshSource(name: string): void {
    const source = this.state.sources.find((s) => s.name === name);
    if (!source) return;
    const list = this.backups[name] ?? [];
    source.last_backup = list.find((b) => b.backup_type !== "safety") ?? list[0] ?? null;
    source.health = source.last_backup ? "ok" : "never";
  }

  private async progress(jobId: string, phase: Phase, total: number): Promise<void> {
    const steps = 4;
    for (let i = 0; i <= steps; i += 1) {
      if (this.cancelled.has(jobId)) throw ipcError("cancelled", "cancelled");
      await emit("job-progress", { job_id: jobId, phase, done: Math.round((total * i) / steps), total });
      if (i === steps / 2 && this.gate) await this.gate;
      if (this.stepMs > 0) await new Promise((r) => setTimeout(r, this.stepMs));
    }
    if (this.cancelled.has(jobId)) throw ipcError("cancelled", "cancelled");
  }

  /** A manual backup run of `source` in its history. */
  private record(source: SourceView, run: Pick<RunRecord, "backup_id" | "started_at" | "duration_ms" | "status" | "error_code" | "message">): void {
    const record = { id: this.nextRunId++, operation: "backup", backup_type: "manual", source_path: source.database, safety_backup_id: null } as const;
    (this.history[source.name] ??= []).unshift({ ...record, ...run });
  }

  private async createBackup({ source: name, jobId, description, tags }: RequestOf<"create_backup">): Promise<BackupMetadata> {
    const source = this.sourceOf(name);
    if (source.encrypt && this.state.keyring === "no_password") throw ipcError("password_required", "no password in the keyring");
    const size = 4_300_000;
    const started = new Date().toISOString();
    try {
      await this.progress(jobId, "backup", size);
      if (source.verify_after_backup) await this.progress(jobId, "verify", size);
    } catch (e) {
      this.record(source, { backup_id: null, started_at: started, duration_ms: 5, status: "cancelled", error_code: "cancelled", message: "cancelled" });
      throw e;
    }
    const backup = makeBackup({
      id: backupId(started, String(this.nextRunId)),
      created_at: started,
      source_path: source.database,
      backup_type: "manual",
      description: description ?? null,
      tags: tags ?? [],
      original_size: size,
      stored_size: Math.round(size * 0.31),
      encrypted: source.encrypt,
      verification: source.verify_after_backup ? "passed" : "unverified",
      verified_at: source.verify_after_backup ? new Date().toISOString() : null,
      duration_ms: 900,
    });
    (this.backups[source.name] ??= []).unshift(backup);
    this.record(source, { backup_id: backup.id, started_at: started, duration_ms: 900, status: "success", error_code: null, message: null });
    this.refreshSource(source.name);
    return backup;
  }

  private async verify({ source, id, jobId, password, rememberPassword }: RequestOf<"verify_backup">): Promise<VerifyReport> {
    const backup = this.findBackup(this.sourceOf(source).name, id);
    this.checkPassword(id, password, rememberPassword);
    await this.progress(jobId, "verify", backup.stored_size);
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

  /** As the shell: the window has a file written only where the person picked it in the dialog. */
  private mustBePicked(target: string): void {
    if (!this.picked.has(target)) {
      throw ipcError("invalid_input", `${target} was not chosen in the file dialog`, { path: target, reason: "not_picked" });
    }
  }

  /** As the shell: tables of the backup open now, from its open copy (checked, not decoded again, no password asked). */
  private async takeBack({ source, id, ...rest }: RequestOf<"take_back_tables">): Promise<RestoreOutcome> {
    if (this.open?.source !== source || this.open.id !== id) throw ipcError("invalid_input", `backup ${id} is not open; open it first`);
    return this.restore({ source, id, ...rest }, true);
  }

  private async restore(args: RestoreRequest, openCopy = false): Promise<RestoreOutcome> {
    const source = this.sourceOf(args.source);
    // As the shell: where to first (any other file than the database must have been picked)...
    const target = args.target ?? source.database;
    if (args.target != null && target !== source.database) this.mustBePicked(target);
    // ...then the engine: a foreign or (for a source that encrypts) unencrypted backup needs the go-ahead.
    const backup = this.findBackup(source.name, args.id);
    const foreign = backup.origin === "foreign" && !args.allowForeign;
    const plain = !backup.encrypted && source.encrypt && !args.allowUnencrypted;
    if (foreign || plain) {
      const reason = foreign && plain ? "foreign_unencrypted" : foreign ? "foreign" : "unencrypted";
      throw ipcError("confirmation_required", `backup ${backup.id} needs your confirmation (${reason})`, { backup_id: backup.id, reason });
    }
    if (!openCopy) this.checkPassword(backup.id, args.password, args.rememberPassword);
    const jobId = args.jobId;
    if (args.verifyFirst) await this.progress(jobId, openCopy ? "integrity_check" : "verify", backup.stored_size);
    let safetyId: string | null = null;
    if (target === source.database) {
      await this.progress(jobId, "safety_backup", backup.original_size);
      const at = new Date().toISOString();
      const id = backupId(at, `safety${this.nextRunId++}`);
      const safety = makeBackup({ id, created_at: at, backup_type: "safety", encrypted: source.encrypt, verification: "unverified", verified_at: null });
      (this.backups[source.name] ??= []).unshift(safety);
      safetyId = safety.id;
    }
    await this.progress(jobId, "restore", backup.original_size);
    const tables = args.tables ?? [];
    const now = (this.current[source.name] ??= {});
    const done = outcome({
      backup_id: backup.id,
      target,
      safety_backup_id: safetyId,
      verified: args.verifyFirst,
      tables: tables.map((t) => ({ table: t, rows_before: now[t] ?? null, rows_after: backup.row_counts[t] ?? 0 })),
      referenced_by: tables.length ? (this.referencedBy[source.name] ?? []) : [],
    });
    if (safetyId) this.lastRestore.set(source.name, done);
    else this.existingPaths.add(target);
    if (tables.length) for (const t of tables) now[t] = backup.row_counts[t] ?? 0;
    else this.current[source.name] = { ...backup.row_counts };
    return done;
  }

  /** Content alerts per source, newest first (as `list_alerts` answers with `all`). */
  alerts: Record<string, Alert[]> = {};

  /** The backup `open_backup` opened. */
  open: { source: string; id: string } | null = null;

  /** A backup's tables: its row counts, with columns made up from the names; `internal_tables` last. */
  tablesOf(backup: BackupMetadata): TableSummary[] {
    const columns = (t: string) => ["id", "title", `${t}_note`];
    return Object.entries(backup.row_counts)
      .map(([table, rows]) => ({ table, rows, columns: columns(table), internal: backup.internal_tables.includes(table) }))
      .sort((a, b) => Number(a.internal) - Number(b.internal) || a.table.localeCompare(b.table));
  }

  private async undo({ source: name, jobId }: RequestOf<"undo_restore">): Promise<RestoreOutcome> {
    const source = this.sourceOf(name);
    const last = this.lastRestore.get(source.name);
    if (!last || !last.safety_backup_id) throw ipcError("invalid_input", "there is no restore to undo");
    await this.progress(jobId, "restore", 4_000_000);
    this.lastRestore.delete(source.name);
    return outcome({ backup_id: last.safety_backup_id, target: last.target, duration_ms: 1500 });
  }

  private compare({ source: name, id }: RequestOf<"compare_backup">): TableDiff[] {
    const source = this.sourceOf(name);
    const backup = this.findBackup(source.name, id);
    const now = this.current[source.name] ?? {};
    return Object.keys(backup.row_counts).sort().map((table) => ({ table, backup_rows: backup.row_counts[table] ?? 0, current_rows: now[table] ?? null }));
  }

  /** Backups made under an older password (id → that password): the saved one doesn't open them. */
  oldPasswords = new Map<string, string>();
  /** Passwords typed with "remember until Keepsake closes". */
  rememberedPasswords = new Set<string>();

  /** As the shell and engine: a backup made under an older password opens only with it. */
  private checkPassword(id: string, password?: string | null, remember?: boolean | null): void {
    const needed = this.oldPasswords.get(id);
    if (needed === undefined) return;
    const opens = password === needed || this.rememberedPasswords.has(needed) || this.recoveryKey !== null;
    if (password && remember) this.rememberedPasswords.add(password);
    if (!opens) throw ipcError("wrong_password", `wrong password for ${id}`);
  }

  /** Rows changed in place per table, for compare_rows (the counts cannot tell). */
  changedRows: Record<string, number> = {};

  private async compareRows({ source: name, id, jobId, password, rememberPassword }: RequestOf<"compare_rows">): Promise<TableChange[]> {
    const source = this.sourceOf(name);
    const backup = this.findBackup(source.name, id);
    this.checkPassword(id, password, rememberPassword);
    await this.progress(jobId, "verify", backup.original_size);
    const internal = (t: string) => /_(data|idx|docsize|config|content)$|^sqlite_/.test(t);
    return rowChanges(backup.row_counts, this.current[source.name] ?? {}, internal, (t) => this.changedRows[t] ?? 0);
  }

  private plan(name: string): CleanupPlan {
    const source = this.sourceOf(name);
    const keepLast = source.retention.keep_last;
    const entries = this.backupsOf(name).map((b) => ({ id: b.id, created_at: b.created_at, stored_size: b.stored_size }));
    if (keepLast === null) return { keep: entries.map((e) => ({ ...e, reasons: ["no retention rule"] })), delete: [] };
    return {
      keep: entries.slice(0, keepLast).map((e) => ({ ...e, reasons: ["last"] })),
      delete: entries.slice(keepLast).map((e) => ({ ...e, reasons: [] })),
    };
  }

  /** As the shell: a patch of known settings only (any other refused), applied together. Its range checks are left to the real shell. */
  private update({ name, patch }: RequestOf<"update_source">): SourceView {
    const source = this.sourceOf(name);
    const unknown = Object.keys(patch).filter((k) => !PATCH_FIELDS.includes(k));
    if (unknown.length > 0) throw ipcError("invalid_input", `unknown field ${unknown.join(", ")}`);
    if (patch.name !== undefined && patch.name !== source.name) {
      for (const map of [this.backups, this.foreign, this.files, this.history, this.current] as Record<string, unknown>[]) {
        if (source.name in map) map[patch.name] = map[source.name];
        delete map[source.name];
      }
    }
    for (const [key, value] of Object.entries(patch)) {
      const target = key in source.retention ? source.retention : source;
      (target as unknown as Record<string, unknown>)[key] = value;
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

/** A restore's outcome: nothing taken back table by table, no safety backup, unless given. */
function outcome(given: Pick<RestoreOutcome, "backup_id" | "target"> & Partial<RestoreOutcome>): RestoreOutcome {
  return { safety_backup_id: null, verified: false, duration_ms: 2100, tables: [], referenced_by: [], triggers: [], ...given };
}

/** Row counts of a backup against others (the current ones, or a newer backup's), table by table. */
function rowChanges(then: Record<string, number>, now: Record<string, number>, internal: (table: string) => boolean, changed: (table: string) => number): TableChange[] {
  return [...new Set([...Object.keys(then), ...Object.keys(now)])].sort().map((table) => {
    const [before, after] = [then[table] ?? null, now[table] ?? null];
    return {
      table,
      internal: internal(table),
      backup_rows: before,
      current_rows: after,
      brought_back: Math.max(0, (before ?? 0) - (after ?? 0)),
      removed: Math.max(0, (after ?? 0) - (before ?? 0)),
      changed: before !== null && after !== null ? changed(table) : 0,
    };
  });
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function timeOf(text: string): [number, number] {
  const m = TIME.exec(text);
  if (!m) throw ipcError("invalid_input", `"${text}" is not a time of day (HH:MM, 24-hour)`);
  return [Number(m[1]), Number(m[2])];
}

/** The weekdays (0 = Sunday, as cron and `Date.getDay` count) a cron weekday field names. */
function cronWeekdays(field: string): number[] {
  if (field === "*") return [0, 1, 2, 3, 4, 5, 6];
  const days = new Set<number>();
  for (const item of field.split(",")) {
    const [from, to = from] = item.split("-").map(Number) as [number, number?];
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 7 || from > to) {
      throw ipcError("invalid_input", `day of the week: "${field}" is not 0-7`);
    }
    for (let d = from; d <= to; d += 1) days.add(d % 7);
  }
  return [...days].sort();
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A schedule other than `every_seconds` as its description, its minute, and which hours (as local dates) it runs in. */
function hoursOf(schedule: Exclude<Schedule, { kind: "every_seconds" }>): [string, number, (d: Date) => boolean] {
  if (schedule.kind === "hourly") return [`Every hour at :${pad(schedule.minute)}`, schedule.minute, () => true];
  if (schedule.kind === "cron") {
    const fields = schedule.expr.trim().split(/\s+/).filter(Boolean);
    if (fields.length !== 5) {
      throw ipcError("invalid_input", `a cron expression has 5 fields (minute hour day month weekday); this one has ${fields.length}`);
    }
    const [minute, hour, day, month, weekday] = fields as [string, string, string, string, string];
    if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour) || day !== "*" || month !== "*") {
      throw ipcError("invalid_input", "the fake shell only knows cron expressions of a fixed minute and hour on every day of the month");
    }
    const days = cronWeekdays(weekday);
    const time = `${pad(Number(hour))}:${pad(Number(minute))}`;
    const said = days.length === 7 ? `Every day at ${time}` : days.join() === "1,2,3,4,5" ? `At ${time} on weekdays` : `At ${time} on days ${days.join(", ")}`;
    return [said, Number(minute), (d) => d.getHours() === Number(hour) && days.includes(d.getDay())];
  }
  const [hh, mm] = timeOf(schedule.time);
  if (schedule.kind === "daily") return [`Every day at ${schedule.time}`, mm, (d) => d.getHours() === hh];
  if (schedule.kind === "weekly") {
    const index = WEEKDAYS.findIndex(([day]) => day === schedule.weekday);
    return [`Every ${WEEKDAYS[index]?.[1] ?? ""} at ${schedule.time}`, mm, (d) => d.getHours() === hh && d.getDay() === (index + 1) % 7];
  }
  const day = schedule.day;
  if (day !== "last" && (!Number.isInteger(day) || day < 1 || day > 28)) {
    throw ipcError("invalid_input", `day ${day} does not exist in every month; use 1-28 or "last"`);
  }
  const last = (d: Date) => new Date(d.getFullYear(), d.getMonth() + 1, 0).getDate() === d.getDate();
  const said = day === "last" ? `On the last day of every month at ${schedule.time}` : `On day ${day} of every month at ${schedule.time}`;
  return [said, mm, (d) => d.getHours() === hh && (day === "last" ? last(d) : d.getDate() === day)];
}

/**
 * Enough of the engine's schedule preview to drive the editor: the presets, `every_seconds`, and
 * cron expressions with a fixed minute and hour on every day of the month (weekdays may be listed).
 * Its words are the engine's for every schedule the tests show. The range checks are the real shell's.
 */
export function previewSchedule(schedule: Schedule, count: number, now = Date.now()): SchedulePreview {
  if (schedule.kind === "every_seconds") {
    const step = schedule.seconds * 1000;
    const first = Math.floor(now / step + 1) * step;
    const description = schedule.seconds === 1 ? "Every second" : `Every ${schedule.seconds} seconds`;
    return { description, next_runs: Array.from({ length: count }, (_, i) => new Date(first + i * step).toISOString()) };
  }
  const [description, minute, runsIn] = hoursOf(schedule);
  const next_runs: string[] = [];
  const at = new Date(now);
  at.setMinutes(minute, 0, 0);
  for (let t = at.getTime(); next_runs.length < count && t < now + 400 * DAY; t += 3600_000) {
    if (t > now && runsIn(new Date(t))) next_runs.push(new Date(t).toISOString());
  }
  return { description, next_runs };
}

/** Puts `fake` behind every `invoke` and `listen` of the window. */
export function installFake(fake: FakeShell): FakeShell {
  mockIPC((cmd, args) => fake.handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
  return fake;
}

export { clearMocks };

/** The settings a source patch may carry (the shell refuses any other). */
const PATCH_FIELDS = ("name database backup_dir enabled paused encrypt compress level verify_after_backup incremental keep_last " +
  "keep_within_days keep_daily keep_weekly keep_monthly overdue_after_days row_loss_alert_percent").split(" ");

/** Tell the window that something changed behind its back (`what`: everything by default). */
export function emitStateChanged(what: Changed = "everything"): Promise<void> {
  return emit("state-changed", what);
}
