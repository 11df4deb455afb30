// Settings: the databases Keepsake protects (add, rename, move, remove, encryption and
// compression), the backup password, notifications, start at login, pausing, and the theme.

import { useState } from "react";

import * as api from "../api";
import { useShared } from "../context";
import { Confirm } from "../components/Confirm";
import { ChooseButton } from "../components/ChooseButton";
import { EditableText } from "../components/EditableText";
import { EMPTY_PASSWORD, PasswordFields, passwordProblem, type PasswordValue } from "../components/PasswordFields";
import { useAction } from "../hooks";
import { CopiesElsewhere } from "./CopiesElsewhere";
import { loadTheme, saveTheme, type Theme } from "../theme";
import type { AppStateView, SourceView } from "../types";
import { entries, NOTIFICATION_WORDS, THEME_WORDS } from "../words";

export function Settings({ state, onSelect }: { state: AppStateView; onSelect: (name: string) => void }) {
  return (
    <section className="screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <section aria-labelledby="databases-title">
        <h2 id="databases-title">Databases</h2>
        {state.sources.length === 0 && <p className="muted">No databases yet. Add one below.</p>}
        {state.sources.map((s) => (
          <SourceSettings key={s.name} source={s} onRenamed={onSelect} />
        ))}
        <AddSource onAdded={onSelect} />
      </section>
      <CopiesElsewhere state={state} />
      <PasswordSettings keyring={state.keyring} />
      <AppSettings state={state} />
    </section>
  );
}

function SourceSettings({ source, onRenamed }: { source: SourceView; onRenamed: (name: string) => void }) {
  const [removing, setRemoving] = useState(false);
  const set = useAction((field: Parameters<typeof api.updateSource>[1], value: string) =>
    api.updateSource(source.name, field, value),
    { doing: `Changing ${source.name}` },
  );
  const rename = useAction((name: string) => api.updateSource(source.name, "name", name), {
    doing: `Renaming ${source.name}`,
    onSuccess: (s) => onRenamed(s.name),
  });
  const remove = useAction(() => api.removeSource(source.name), { doing: `Removing ${source.name}` });
  const busy = set.pending || rename.pending || remove.pending;

  return (
    <fieldset className="card source-settings" data-testid="source-settings">
      <legend>{source.name}</legend>
      <EditableText label="Name" value={source.name} onSave={(v) => void rename.run(v)} busy={busy} testId="source-name" />
      <EditableText
        label="Database file"
        value={source.database}
        onSave={(v) => void set.run("database", v)}
        busy={busy}
        placeholder="/home/me/app/data.db"
        testId="source-database"
        choose="database"
      />
      <EditableText
        label="Backup folder"
        value={source.backup_dir}
        onSave={(v) => void set.run("backup_dir", v)}
        busy={busy}
        help="New backups go here. Backups already made stay where they are."
        testId="source-backup-dir"
        choose="folder"
      />
      <label className="check">
        <input type="checkbox" checked={source.enabled} onChange={(e) => void set.run("enabled", String(e.target.checked))} disabled={busy} />
        Back up this database
      </label>
      <label className="check">
        <input type="checkbox" checked={source.encrypt} onChange={(e) => void set.run("encrypt", String(e.target.checked))} disabled={busy} />
        Encrypt its backups with the backup password
      </label>
      {!source.encrypt && (
        <p className="warning small">Without encryption, anyone who gets a copy of a backup file can read the data in it.</p>
      )}
      <label className="check">
        <input type="checkbox" checked={source.compress} onChange={(e) => void set.run("compress", String(e.target.checked))} disabled={busy} />
        Compress its backups
      </label>
      {source.compress && <CompressionLevel source={source} onChange={(level) => void set.run("level", String(level))} busy={busy} />}
      <SaveSpace source={source} onChange={(value) => void set.run("incremental", value)} busy={busy} />
      <RowLossAlert source={source} onChange={(value) => void set.run("row_loss_alert_percent", value)} busy={busy} />
      {removing ? (
        <Confirm danger confirmLabel={`Remove ${source.name}`} onConfirm={() => void remove.run()} onCancel={() => setRemoving(false)} busy={busy}>
          Stop protecting {source.name}? Its backups stay in {source.backup_dir}; the database itself is not touched.
        </Confirm>
      ) : (
        <button type="button" className="danger-quiet" onClick={() => setRemoving(true)} disabled={busy}>
          Remove from Keepsake
        </button>
      )}
    </fieldset>
  );
}

function CompressionLevel({ source, onChange, busy }: { source: SourceView; onChange: (level: number) => void; busy: boolean }) {
  return (
    <label>
      Compression
      <select value={source.level} onChange={(e) => onChange(Number(e.target.value))} disabled={busy} data-testid="compression-level">
        {Array.from({ length: 9 }, (_, i) => i + 1).map((level) => (
          <option key={level} value={level}>
            {level}
            {level === 1 ? " (fastest, larger files)" : level === 6 ? " (balanced, recommended)" : level === 9 ? " (smallest files, slowest)" : ""}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The `incremental` setting as the select knows it: automatic (null), on, off. */
type SaveSpaceChoice = "auto" | "true" | "false";

function SaveSpace({ source, onChange, busy }: { source: SourceView; onChange: (value: SaveSpaceChoice) => void; busy: boolean }) {
  const value: SaveSpaceChoice = source.incremental === null ? "auto" : source.incremental ? "true" : "false";
  return (
    <label>
      Save space: back up only what changed
      <select value={value} onChange={(e) => onChange(e.target.value as SaveSpaceChoice)} disabled={busy} data-testid="save-space">
        <option value="auto">Automatic (for databases of 64 MB and more)</option>
        <option value="true">Always</option>
        <option value="false">Never: every backup is a full copy</option>
      </select>
      <span className="muted small">
        A changes-only backup keeps just the parts of the database that changed since the backup before it, so it is much smaller.
        Restoring it also reads the backups it builds on; Keepsake makes a full copy again from time to time.
      </span>
    </label>
  );
}

const ROW_LOSS_CHOICES = [10, 20, 30, 50];

/** When a table losing rows between two backups is worth an alert (0: never). */
function RowLossAlert({ source, onChange, busy }: { source: SourceView; onChange: (value: string) => void; busy: boolean }) {
  const value = String(source.row_loss_alert_percent);
  const choices = ROW_LOSS_CHOICES.includes(source.row_loss_alert_percent) || source.row_loss_alert_percent === 0
    ? ROW_LOSS_CHOICES
    : [...ROW_LOSS_CHOICES, source.row_loss_alert_percent].sort((a, b) => a - b);
  return (
    <label>
      Warn me when a table loses rows
      <select value={value} onChange={(e) => onChange(e.target.value)} disabled={busy} data-testid="row-loss-alert">
        {choices.map((p) => (
          <option key={p} value={String(p)}>
            When it loses more than {p}% of its rows{p === 20 ? " (recommended)" : ""}
          </option>
        ))}
        <option value="0">Never</option>
      </select>
      <span className="muted small">
        After each backup Keepsake compares the tables with the backup before. A table emptied or gone, or one that lost this many
        rows, is announced, and the backup from before is kept until you say it was you.
      </span>
    </label>
  );
}

function AddSource({ onAdded }: { onAdded: (name: string) => void }) {
  const [name, setName] = useState("");
  const [database, setDatabase] = useState("");
  const [backupDir, setBackupDir] = useState("");
  const add = useAction(
    () => api.addSource({ name: name.trim(), database: database.trim(), backupDir: backupDir.trim() || undefined }),
    {
      doing: "Adding a database",
      onSuccess: (s) => {
        setName("");
        setDatabase("");
        setBackupDir("");
        onAdded(s.name);
      },
    },
  );
  const demo = useAction(api.createDemoSource, { doing: "Setting up the demo database", onSuccess: (s) => onAdded(s.name) });
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <fieldset>
        <legend>Add a database</legend>
        <label>
          Name (how Keepsake calls it)
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Notes" required data-testid="add-name" />
        </label>
        <label htmlFor="add-database">Database file</label>
        <div className="row">
          <input
            id="add-database"
            value={database}
            onChange={(e) => setDatabase(e.target.value)}
            placeholder="/home/me/.local/share/app/data.db"
            required
            spellCheck={false}
            data-testid="add-database"
          />
          <ChooseButton kind="database" current={database} onChosen={setDatabase} testId="add-database-choose" />
        </div>
        <label htmlFor="add-backup-dir">Backup folder (leave empty for Keepsake's own folder)</label>
        <div className="row">
          <input id="add-backup-dir" value={backupDir} onChange={(e) => setBackupDir(e.target.value)} spellCheck={false} data-testid="add-backup-dir" />
          <ChooseButton kind="folder" current={backupDir} onChosen={setBackupDir} testId="add-backup-dir-choose" />
        </div>
      </fieldset>
      <div className="buttons">
        <button type="submit" className="primary" disabled={add.pending || !name.trim() || !database.trim()}>
          Add database
        </button>
        <button type="button" onClick={() => void demo.run()} disabled={demo.pending}>
          Use the demo database
        </button>
      </div>
    </form>
  );
}

function PasswordSettings({ keyring }: { keyring: AppStateView["keyring"] }) {
  const [value, setValue] = useState<PasswordValue>(EMPTY_PASSWORD);
  const [done, setDone] = useState(false);
  const { settle } = useShared();
  const save = useAction(() => api.setPassword(value.password), {
    doing: "Saving the password",
    onSuccess: () => {
      setValue(EMPTY_PASSWORD);
      setDone(true);
      // "Keepsake needs your backup password" is answered now.
      settle({ codes: ["password_required"] });
    },
  });
  const problem = passwordProblem(value);
  const hasPassword = keyring === "ok" || keyring === "locked";
  return (
    <form
      className="card"
      aria-labelledby="password-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem) void save.run();
      }}
    >
      <h2 id="password-title">{hasPassword ? "Change the backup password" : "Set the backup password"}</h2>
      <p className="muted small">
        The password is kept in your system's keyring so scheduled backups run without asking. Backups made before a change
        still need the password they were made with, so keep the old one too.
      </p>
      <PasswordFields
        value={value}
        onChange={(v) => {
          setDone(false);
          setValue(v);
        }}
        label="New password"
      />
      <div className="buttons">
        <button type="submit" className="primary" disabled={problem !== null || save.pending} data-testid="password-save">
          Save password
        </button>
        {done && (
          <span role="status" className="ok">
            Password saved.
          </span>
        )}
      </div>
    </form>
  );
}

function AppSettings({ state }: { state: AppStateView }) {
  const [theme, setTheme] = useState<Theme>(loadTheme);
  const notify = useAction(api.setNotificationLevel, { doing: "Changing notifications" });
  const autostart = useAction(api.setAutostart, { doing: "Changing start at login" });
  const pause = useAction(api.setPaused, { doing: "Pausing schedules" });
  return (
    <section className="card" aria-labelledby="app-title">
      <h2 id="app-title">Keepsake</h2>
      <fieldset>
        <legend>Desktop notifications</legend>
        {entries(NOTIFICATION_WORDS).map(([level, label]) => (
          <label className="check" key={level}>
            <input
              type="radio"
              name="notifications"
              value={level}
              checked={state.notification_level === level}
              onChange={() => void notify.run(level)}
              disabled={notify.pending}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={state.autostart} onChange={(e) => void autostart.run(e.target.checked)} disabled={autostart.pending} data-testid="autostart" />
        Start Keepsake when I log in (so scheduled backups run)
      </label>
      <label className="check">
        <input type="checkbox" checked={state.paused} onChange={(e) => void pause.run(e.target.checked)} disabled={pause.pending} data-testid="pause-all" />
        Pause all scheduled backups
      </label>
      <fieldset>
        <legend>Appearance</legend>
        {entries(THEME_WORDS).map(([value, label]) => (
          <label className="check" key={value}>
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => {
                setTheme(value);
                saveTheme(value);
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
