// First run: which database, where backups go, the password (or a clear "no encryption"), and
// when to back up, on one page that takes under a minute. Finishing makes the source, stores the
// password in the keyring and sets the schedule.

import { useState } from "react";

import * as api from "../api";
import { ChooseButton } from "../components/ChooseButton";
import { EMPTY_PASSWORD, PasswordFields, passwordProblem, type PasswordValue } from "../components/PasswordFields";
import { useAction } from "../hooks";
import type { Schedule, SourceView } from "../types";
import { type Restored, RestoreFromCopy } from "./RestoreFromCopy";

/** The schedules offered here (any other is a click away in Schedule), as the shell takes them. */
const SCHEDULES: readonly { choice: ScheduleChoice; schedule: Schedule | null; label: string }[] = [
  { choice: "daily", schedule: { kind: "daily", time: "02:00" }, label: "Every day at 02:00 (recommended)" },
  { choice: "hourly", schedule: { kind: "hourly", minute: 0 }, label: "Every hour" },
  { choice: "weekly", schedule: { kind: "weekly", weekday: "monday", time: "02:00" }, label: "Every Monday at 02:00" },
  { choice: "none", schedule: null, label: "Only when I click Back up now" },
];

type ScheduleChoice = "daily" | "hourly" | "weekly" | "none";

export function FirstRun({ onDone, backupsRoot }: { onDone: (source: SourceView) => void; backupsRoot: string }) {
  const [demo, setDemo] = useState(false);
  const [name, setName] = useState("");
  const [database, setDatabase] = useState("");
  const [backupDir, setBackupDir] = useState("");
  const [encrypt, setEncrypt] = useState(true);
  const [password, setPassword] = useState<PasswordValue>(EMPTY_PASSWORD);
  const [schedule, setSchedule] = useState<ScheduleChoice>("daily");
  const [tried, setTried] = useState(false);
  const [fromCopy, setFromCopy] = useState(false);
  const [restored, setRestored] = useState<Restored | null>(null);

  const finish = useAction(
    async () => {
      if (encrypt) await api.setPassword(password.password);
      let source: SourceView;
      if (demo) {
        source = await api.createDemoSource();
        if (backupDir.trim()) source = await api.updateSource(source.name, "backup_dir", backupDir.trim());
      } else {
        source = await api.addSource({
          name: name.trim() || defaultName(database),
          database: database.trim(),
          backupDir: backupDir.trim() || undefined,
        });
      }
      // Encryption before the schedule (so not in add_source): a newly scheduled source is backed
      // up at once, and that first backup must already follow the choice made here.
      if (source.encrypt !== encrypt) source = await api.updateSource(source.name, "encrypt", String(encrypt));
      const chosen = SCHEDULES.find((s) => s.choice === schedule)?.schedule ?? null;
      if (chosen) source = await api.setSchedule(source.name, chosen);
      // Restored from a copy elsewhere: new backups go on being copied there.
      if (restored) {
        await api.saveDestination({ destination: restored.destination, secret: restored.secret, sources: [source.name] });
      }
      return source;
    },
    { doing: "Setting up", onSuccess: onDone },
  );

  const databaseProblem = !demo && database.trim() === "" ? "Choose the database file (or type its path), or use the demo database." : null;
  const pwProblem = encrypt ? passwordProblem(password) : null;
  const problem = databaseProblem ?? pwProblem;

  if (fromCopy) {
    return (
      <main className="first-run" aria-labelledby="from-copy-title">
        <RestoreFromCopy
          onCancel={() => setFromCopy(false)}
          onRestored={(r) => {
            setRestored(r);
            setDemo(false);
            setDatabase(r.target);
            if (r.password) {
              setEncrypt(true);
              setPassword({ password: r.password, confirm: r.password, stored: true });
            }
            setFromCopy(false);
          }}
        />
      </main>
    );
  }

  return (
    <main className="first-run" aria-labelledby="welcome">
      <h1 id="welcome">Welcome to Keepsake</h1>
      <p className="lead">Keepsake keeps safe copies of a SQLite database, on a schedule, and can put them back. Four questions and you are done.</p>
      {restored ? (
        <p className="done" role="status" data-testid="first-run-restored">
          Your database is back, at <span className="inline-path">{restored.target}</span>. Finish below to keep it safe from
          now on; new backups are copied to {restored.destination.name} again.
        </p>
      ) : (
        <p>
          <button type="button" className="link" onClick={() => setFromCopy(true)} data-testid="first-run-from-copy">
            New computer? Restore from a copy elsewhere…
          </button>
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setTried(true);
          if (!problem) void finish.run();
        }}
        noValidate
      >
        <fieldset className="card">
          <legend>1. Which database?</legend>
          {demo ? (
            <div className="chosen" data-testid="demo-chosen">
              <p>
                <strong>The demo database</strong>: a small astrology app's data that Keepsake creates for you, to try things
                out safely.
              </p>
              <button type="button" className="link" onClick={() => setDemo(false)}>
                Choose my own database instead
              </button>
            </div>
          ) : (
            <>
              <label htmlFor="first-run-database">Database file</label>
              <div className="row">
                <input
                  id="first-run-database"
                  value={database}
                  onChange={(e) => setDatabase(e.target.value)}
                  placeholder="/home/me/.local/share/myapp/data.db"
                  spellCheck={false}
                  data-testid="first-run-database"
                  aria-invalid={tried && databaseProblem !== null}
                  autoFocus
                />
                <ChooseButton kind="database" current={database} onChosen={setDatabase} testId="first-run-database-choose" />
              </div>
              <label>
                A name for it (optional)
                <input value={name} onChange={(e) => setName(e.target.value)} placeholder={defaultName(database)} />
              </label>
              <p className="or">or</p>
              <button type="button" data-testid="first-run-demo" onClick={() => setDemo(true)}>
                Use the demo database
              </button>
            </>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>2. Where should backups go?</legend>
          <label htmlFor="first-run-backup-dir">Backup folder</label>
          <div className="row">
            <input
              id="first-run-backup-dir"
              value={backupDir}
              onChange={(e) => setBackupDir(e.target.value)}
              placeholder="Keepsake's own folder (recommended)"
              spellCheck={false}
              data-testid="first-run-backup-dir"
            />
            <ChooseButton kind="folder" current={backupDir} onChosen={setBackupDir} testId="first-run-backup-dir-choose" />
          </div>
          <p className="muted small" data-testid="first-run-default-folder">
            Leave it empty to use Keepsake's own folder, <span className="inline-path">{backupsRoot}</span>. A folder on another disk
            protects you from that disk failing too.
          </p>
        </fieldset>

        <fieldset className="card">
          <legend>3. Protect backups with a password?</legend>
          <label className="check">
            <input type="radio" name="encrypt" checked={encrypt} onChange={() => setEncrypt(true)} data-testid="first-run-encrypt" />
            Yes, encrypt them (recommended)
          </label>
          <label className="check">
            <input type="radio" name="encrypt" checked={!encrypt} onChange={() => setEncrypt(false)} data-testid="first-run-no-encrypt" />
            No, keep them unencrypted
          </label>
          {encrypt ? (
            <PasswordFields value={password} onChange={setPassword} />
          ) : (
            <p className="warning" role="note">
              Without a password, anyone who gets a copy of your backup files (a shared disk, a lost USB stick, a cloud
              folder) can read everything in them. You can turn encryption on later in Settings.
            </p>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>4. When should Keepsake back up?</legend>
          {SCHEDULES.map(({ choice, label }) => (
            <label className="check" key={choice}>
              <input type="radio" name="schedule" value={choice} checked={schedule === choice} onChange={() => setSchedule(choice)} />
              {label}
            </label>
          ))}
          <p className="muted small">You can change this any time, or pick another time, in Schedule.</p>
        </fieldset>

        {tried && problem && (
          <p className="field-error" role="alert" data-testid="first-run-problem">
            {problem}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary big" data-testid="first-run-finish" disabled={finish.pending}>
            {finish.pending ? "Setting up…" : "Start protecting my database"}
          </button>
        </div>
      </form>
    </main>
  );
}

/** "data" for /home/me/app/data.db: a name when the person gives none. */
export function defaultName(path: string): string {
  const file = path.trim().split(/[\\/]/).pop() ?? "";
  const stem = file.replace(/\.(db|sqlite3?|db3)$/i, "");
  return stem || "My database";
}
