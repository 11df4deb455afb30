// First run: which database (an app "Find my databases" found, a file, or the demo), where
// backups go, the password (or a clear "no encryption"), and when to back up, on one page that
// takes under a minute. Finishing makes the source (protects the app), stores the password in the
// keyring and sets the schedule. The answers are a reducer (firstRun/wizard.ts).

import { useReducer } from "react";

import * as api from "../api";
import { ChooseButton } from "../components/ChooseButton";
import { PasswordFields } from "../components/PasswordFields";
import { useAction } from "../hooks";
import type { SourceView } from "../types";
import { destinationOf, EMPTY_FORM } from "./copies/destinationForm";
import {
  CLEANUP_LINE,
  firstRunReducer,
  initialState,
  problemOf,
  SCHEDULES,
  scheduleOf,
  SECOND_PLACES,
  secondFolderOf,
  sourceName,
} from "./firstRun/wizard";
import { WhichDatabase } from "./firstRun/WhichDatabase";
import { RestoreFromCopy } from "./RestoreFromCopy";

export function FirstRun({ onDone, backupsRoot }: { onDone: (source: SourceView) => void; backupsRoot: string }) {
  const [state, dispatch] = useReducer(firstRunReducer, initialState);
  const { demo, app, database, backupDir, encrypt, password, schedule, tried, fromCopy, restored, startAtLogin, secondPlace, secondFolder } = state;

  const finish = useAction(
    async () => {
      if (encrypt) await api.setPassword(password.password);
      let source: SourceView;
      const chosen = scheduleOf(state);
      // Encryption before the schedule (so not in add_source): a newly scheduled source is backed
      // up at once, and that first backup must already follow the choice made here (and go to the
      // folder chosen). A new source encrypts, so an app protected so takes its schedule at once.
      const scheduledNow = !demo && app !== null && encrypt && !backupDir.trim();
      if (demo) {
        source = await api.createDemoSource();
        if (backupDir.trim()) source = await api.updateSource(source.name, { backup_dir: backupDir.trim() });
      } else if (app) {
        source = await api.protectApp({ app: app.app, place: app.place, schedule: scheduledNow ? chosen : null });
        if (backupDir.trim()) source = await api.updateSource(source.name, { backup_dir: backupDir.trim() });
      } else {
        source = await api.addSource({ name: sourceName(state), database: database.trim(), backupDir: backupDir.trim() || undefined });
      }
      if (source.encrypt !== encrypt) source = await api.updateSource(source.name, { encrypt });
      if (chosen && !scheduledNow) source = await api.setSchedule(source.name, chosen);
      // Restored from a copy elsewhere: new backups go on being copied there.
      if (restored) {
        await api.saveDestination({ destination: restored.destination, secret: restored.secret, sources: [source.name] });
      }
      // A second place off this computer's disk: every backup is copied there.
      const second = secondFolderOf(state);
      if (second) {
        const destination = destinationOf({ ...EMPTY_FORM, kind: "folder", name: second.name, path: second.path, sources: [source.name] });
        await api.saveDestination({ destination, sources: [source.name] });
      }
      // Scheduled backups run only while Keepsake runs: it starts at login unless she said no.
      // Should the desktop refuse, the source stands and Home says so with the fix.
      if (startAtLogin && chosen) await api.setAutostart(true).catch(() => undefined);
      return source;
    },
    { doing: "Setting up", onSuccess: onDone },
  );

  const problem = problemOf(state);

  if (fromCopy) {
    return (
      <main className="first-run" aria-labelledby="from-copy-title">
        <RestoreFromCopy
          onCancel={() => dispatch({ type: "from_copy", open: false })}
          onRestored={(restored) => dispatch({ type: "restored", restored })}
        />
      </main>
    );
  }

  return (
    <main className="first-run" aria-labelledby="welcome">
      <h1 id="welcome">Welcome to Keepsake</h1>
      <p className="lead">Keepsake keeps safe copies of the data of the apps you use, on a schedule, and can put them back. Five questions and you are done.</p>
      {restored ? (
        <p className="done" role="status" data-testid="first-run-restored">
          Your database is back, at <span className="inline-path">{restored.target}</span>. Finish below to keep it safe from
          now on; new backups are copied to {restored.destination.name} again.
        </p>
      ) : (
        <p>
          <button type="button" className="link" onClick={() => dispatch({ type: "from_copy", open: true })} data-testid="first-run-from-copy">
            New computer? Restore from a copy elsewhere…
          </button>
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          dispatch({ type: "submitted" });
          if (!problem) void finish.run();
        }}
        noValidate
      >
        <fieldset className="card">
          <legend>1. Which database?</legend>
          <WhichDatabase state={state} dispatch={dispatch} />
        </fieldset>

        <fieldset className="card">
          <legend>2. Where should backups go?</legend>
          <label htmlFor="first-run-backup-dir">Backup folder</label>
          <div className="row">
            <input
              id="first-run-backup-dir"
              value={backupDir}
              onChange={(e) => dispatch({ type: "backup_dir", path: e.target.value })}
              placeholder="Keepsake's own folder (recommended)"
              spellCheck={false}
              data-testid="first-run-backup-dir"
            />
            <ChooseButton kind="folder" current={backupDir} onChosen={(path) => dispatch({ type: "backup_dir", path })} testId="first-run-backup-dir-choose" />
          </div>
          <p className="muted small" data-testid="first-run-default-folder">
            Leave it empty to use Keepsake's own folder, <span className="inline-path">{backupsRoot}</span>. A folder on another disk
            protects you from that disk failing too.
          </p>
        </fieldset>

        <fieldset className="card">
          <legend>3. Protect backups with a password?</legend>
          <label className="check">
            <input type="radio" name="encrypt" checked={encrypt} onChange={() => dispatch({ type: "encrypt", on: true })} data-testid="first-run-encrypt" />
            Yes, encrypt them (recommended)
          </label>
          <label className="check">
            <input type="radio" name="encrypt" checked={!encrypt} onChange={() => dispatch({ type: "encrypt", on: false })} data-testid="first-run-no-encrypt" />
            No, keep them unencrypted
          </label>
          {encrypt ? (
            <PasswordFields value={password} onChange={(value) => dispatch({ type: "password", value })} />
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
              <input type="radio" name="schedule" value={choice} checked={schedule === choice} onChange={() => dispatch({ type: "schedule", choice })} />
              {label}
            </label>
          ))}
          <p className="muted small" data-testid="first-run-laptop">
            A laptop that sleeps at night backs up when it wakes: a missed backup runs as soon as the computer is on again. You can pick
            another time in Schedule.
          </p>
          <label className="check">
            <input
              type="checkbox"
              checked={startAtLogin}
              onChange={(e) => dispatch({ type: "start_at_login", on: e.target.checked })}
              data-testid="first-run-start-at-login"
            />
            Start Keepsake when I log in (recommended), so backups run on time
          </label>
          <p className="muted small" data-testid="first-run-cleanup">
            {CLEANUP_LINE} You can change this in Settings.
          </p>
        </fieldset>

        {!demo && (
          <fieldset className="card" data-testid="first-run-second-place">
            <legend>5. A second place for copies</legend>
            <p className="small">
              Backups on this computer don&apos;t help if its disk fails or the laptop is lost. Keepsake can keep a copy of each backup
              somewhere else too.
            </p>
            {SECOND_PLACES.map(({ choice, label, hint }) => (
              <div key={choice} className="choice">
                <label className="check">
                  <input
                    type="radio"
                    name="second-place"
                    value={choice}
                    checked={secondPlace === choice}
                    onChange={() => dispatch({ type: "second_place", choice })}
                    data-testid={`first-run-second-${choice}`}
                  />
                  {label}
                </label>
                {secondPlace === choice && <p className="muted small choice-hint">{hint}</p>}
                {secondPlace === choice && (choice === "disk" || choice === "synced") && (
                  <div className="row">
                    <input
                      aria-label={choice === "disk" ? "Folder on the external disk" : "Folder inside the synced folder"}
                      value={secondFolder}
                      onChange={(e) => dispatch({ type: "second_folder", path: e.target.value })}
                      spellCheck={false}
                      data-testid="first-run-second-folder"
                    />
                    <ChooseButton
                      kind="folder"
                      current={secondFolder}
                      onChosen={(path) => dispatch({ type: "second_folder", path })}
                      testId="first-run-second-folder-choose"
                    />
                  </div>
                )}
              </div>
            ))}
          </fieldset>
        )}

        {tried && problem && (
          <p className="field-error" role="alert" data-testid="first-run-problem">
            {problem}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary big" data-testid="first-run-finish" disabled={finish.pending}>
            {finish.pending ? "Setting up…" : `Start protecting ${app ? app.name : "my database"}`}
          </button>
        </div>
      </form>
    </main>
  );
}
