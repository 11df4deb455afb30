// Restore: pick a backup, see what restoring changes (tables and rows, backup against now), read
// that a safety backup comes first, confirm, follow the progress, and undo if it was a mistake.
// A backup that was not made by Keepsake on this computer, or that is not encrypted while this
// database's backups are, gets a warning step of its own before the usual confirmation: the
// person says they know where it comes from, and only then is the shell told to go ahead.

import { useCallback, useEffect, useState } from "react";

import * as api from "../api";
import { ChooseButton } from "../components/ChooseButton";
import { Confirm } from "../components/Confirm";
import { needsOtherPassword, OtherPassword, type TypedPassword } from "../components/OtherPassword";
import { JobProgress } from "../components/JobProgress";
import { LoadError, Loading } from "../components/QueryState";
import { useShared } from "../context";
import { confirmationReasons, isNotPicked, wordingFor, type ApiError, type ConfirmationReasons } from "../errors";
import { formatBytes, formatDateTime, formatRelative, plural, sameMinute } from "../format";
import { useJob, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import { changeWords, rowWords, summariseCounts, summariseRows } from "../changes";
import type { BackupMetadata, RestoreOutcome, SourceView, TableChange } from "../types";
import { CONCERN_WORDS, noteOf, TYPE_WORDS } from "../words";

/** The sentence beside the target field when the shell refuses a path not picked in its file dialog. */
export const NOT_PICKED_SENTENCE = "Keepsake writes only to a file chosen with the Choose… button: choose the file there.";

const NO_REASONS: ConfirmationReasons = { foreign: false, unencrypted: false };

/** What restoring `backup` into `source` must be confirmed for, as far as the window can tell. */
export function restoreConcerns(backup: BackupMetadata, source: SourceView): ConfirmationReasons {
  return { foreign: backup.origin === "foreign", unencrypted: !backup.encrypted && source.encrypt };
}

type Step = "choose" | "warning" | "confirm";

export function Restore({
  source,
  initialBackupId,
  foreign,
  navigate,
}: {
  source: SourceView;
  initialBackupId: string | null;
  /** A backup found in the folder but not made here, handed over by History (list_backups lacks it). */
  foreign: BackupMetadata | null;
  navigate: Navigate;
}) {
  const name = source.name;
  const { report } = useShared();
  const backups = useQuery(`backups:${name}`, () => api.listBackups(name));
  const [picked, setPicked] = useState<string | null>(initialBackupId);
  const [elsewhere, setElsewhere] = useState(false);
  const [target, setTarget] = useState("");
  const [targetError, setTargetError] = useState<string | null>(null);
  const [verifyFirst, setVerifyFirst] = useState(true);
  const [step, setStep] = useState<Step>("choose");
  // What the shell asked to confirm for a backup, beyond what the window saw itself.
  const [asked, setAsked] = useState<{ id: string; reasons: ConfirmationReasons } | null>(null);
  // What the person confirmed in the warning step (passed as allowForeign / allowUnencrypted).
  const [allowed, setAllowed] = useState<ConfirmationReasons>(NO_REASONS);
  const [outcome, setOutcome] = useState<{ result: RestoreOutcome; backup: BackupMetadata } | null>(null);
  const [undone, setUndone] = useState<RestoreOutcome | null>(null);
  // The password typed for a backup the saved one doesn't open (used to compare and restore it),
  // and a restore that asks for it.
  const [typedFor, setTypedFor] = useState<{ id: string; typed: TypedPassword } | null>(null);
  const [askRestore, setAskRestore] = useState<{ id: string; tried: boolean } | null>(null);
  // The backup the comparison in step 2 could not open with the saved password (nor one typed):
  // it is not offered for restore until a password that opens it is typed there.
  const [lockedId, setLockedId] = useState<string | null>(null);
  const job = useJob();

  const list = backups.data ?? [];
  const choices = foreign ? [foreign, ...list] : list;
  const withSeconds = sameMinute(choices.map((b) => b.created_at));
  // By default the newest backup that isn't a safety backup (restoring that one is what Undo is for).
  const chosen = choices.find((b) => b.id === picked) ?? list.find((b) => b.backup_type !== "safety") ?? list[0] ?? null;
  const targetPath = elsewhere ? target.trim() : "";
  const seen = chosen ? restoreConcerns(chosen, source) : NO_REASONS;
  const extra = chosen && asked?.id === chosen.id ? asked.reasons : NO_REASONS;
  const concerns = { foreign: seen.foreign || extra.foreign, unencrypted: seen.unencrypted || extra.unencrypted };
  const needsWarning = concerns.foreign || concerns.unencrypted;
  const locked = chosen !== null && lockedId === chosen.id;
  const onOpened = useCallback((id: string, opened: boolean) => setLockedId((was) => (opened ? (was === id ? null : was) : id)), []);

  /** Any change to what is restored where starts the confirmation over. */
  const startOver = () => {
    setStep("choose");
    setAllowed(NO_REASONS);
  };

  const onRestoreError = (error: ApiError, backup: BackupMetadata) => {
    if (error.code === "confirmation_required") {
      // The shell knows something the window did not: ask, then try again with the go-ahead.
      setAsked({ id: backup.id, reasons: confirmationReasons(error.facts) });
      setAllowed(NO_REASONS);
      setStep("warning");
    } else if (needsOtherPassword(error.code)) {
      setAskRestore({ id: backup.id, tried: typedFor?.id === backup.id });
      setStep("choose");
    } else if (isNotPicked(error)) {
      setTargetError(NOT_PICKED_SENTENCE);
      setStep("choose");
    } else {
      report(error, "Restoring");
      setStep("choose");
    }
  };

  const restore = async (typedNow?: TypedPassword) => {
    if (!chosen) return;
    const backup = chosen;
    const typed = typedNow ?? (typedFor?.id === backup.id ? typedFor.typed : undefined);
    setAskRestore(null);
    // Keep the choice when the list refreshes with the new safety backup on top.
    setPicked(backup.id);
    setStep("choose");
    setUndone(null);
    setTargetError(null);
    const result = await job.start(
      (jobId) =>
        api.restoreBackup({
          source: name,
          id: backup.id,
          jobId,
          verifyFirst,
          target: targetPath || undefined,
          allowForeign: allowed.foreign || undefined,
          allowUnencrypted: allowed.unencrypted || undefined,
          password: typed?.password,
          rememberPassword: typed?.remember,
        }),
      { doing: "Restoring", onError: (error) => onRestoreError(error, backup) },
    );
    if (result) {
      setOutcome({ result, backup });
      setAllowed(NO_REASONS);
    }
  };

  const undo = async () => {
    const result = await job.start((jobId) => api.undoRestore({ source: name, jobId }), { doing: "Undoing the restore" });
    if (result) {
      setUndone(result);
      setOutcome(null);
    }
  };

  return (
    <section className="screen" aria-labelledby="restore-title">
      <h1 id="restore-title">Restore {name}</h1>

      {outcome && (
        <div className="card tone-ok done-panel" role="status" data-testid="restore-done">
          <h2>Restored</h2>
          <p>
            {outcome.result.target} now holds the backup from {formatDateTime(outcome.backup.created_at)}.
            {outcome.result.verified && " The backup was checked before it was used."}
          </p>
          {outcome.result.safety_backup_id ? (
            <>
              <p>The database as it was just before is kept as a safety backup, so you can go back.</p>
              <button type="button" className="primary" data-testid="undo-restore" onClick={() => void undo()} disabled={job.running}>
                Undo this restore
              </button>
            </>
          ) : (
            <p>There was no database at that place before, so there is nothing to undo.</p>
          )}
        </div>
      )}
      {undone && (
        <div className="card tone-ok done-panel" role="status" data-testid="undo-done">
          <h2>Restore undone</h2>
          <p>{undone.target} is back as it was before the restore.</p>
        </div>
      )}
      {(outcome || undone) && !job.running && (
        <div className="buttons">
          <button
            type="button"
            onClick={() => {
              setOutcome(null);
              setUndone(null);
            }}
          >
            Restore another backup
          </button>
        </div>
      )}
      <JobProgress job={job} label="Restoring" />

      {backups.loading && <Loading what="backups" />}
      {backups.error && <LoadError what="the backups" error={backups.error} retry={backups.reload} />}
      {backups.data && choices.length === 0 && (
        <div className="card empty">
          <p>There are no backups of {name} to restore yet.</p>
          <button type="button" onClick={() => navigate("home")}>
            Go to Home
          </button>
        </div>
      )}

      {chosen && !job.running && !outcome && !undone && (
        <>
          <fieldset className="card">
            <legend>1. Which backup?</legend>
            <div className="backup-picker" role="radiogroup" aria-label="Backup to restore">
              {choices.map((b) => (
                <BackupChoice
                  key={b.file_name}
                  backup={b}
                  source={source}
                  checked={b.id === chosen.id}
                  seconds={withSeconds.has(b.created_at)}
                  note={noteOf(b, list)}
                  onPick={() => {
                    setPicked(b.id);
                    startOver();
                  }}
                />
              ))}
            </div>
          </fieldset>

          <section className="card" aria-labelledby="changes-title">
            <h2 id="changes-title">2. What changes</h2>
            <Changes
              source={name}
              backup={chosen}
              typed={typedFor?.id === chosen.id ? typedFor.typed : undefined}
              onTyped={(typed) => setTypedFor({ id: chosen.id, typed })}
              askedElsewhere={askRestore?.id === chosen.id}
              onOpened={onOpened}
            />
          </section>

          <fieldset className="card">
            <legend>3. Where to</legend>
            <label className="check">
              <input
                type="radio"
                name="where"
                checked={!elsewhere}
                onChange={() => {
                  setElsewhere(false);
                  startOver();
                }}
              />
              Replace the database ({source.database})
            </label>
            <label className="check">
              <input
                type="radio"
                name="where"
                checked={elsewhere}
                onChange={() => {
                  setElsewhere(true);
                  startOver();
                }}
              />
              Restore to another location (the database stays as it is)
            </label>
            {elsewhere && (
              <>
                <label htmlFor="restore-target">Other file</label>
                <div className="row">
                  {/* Read-only: the shell writes only where its own file dialog was answered. */}
                  <input
                    id="restore-target"
                    value={target}
                    readOnly
                    placeholder="No file chosen yet"
                    data-testid="restore-target"
                    spellCheck={false}
                    aria-invalid={targetError !== null}
                    aria-describedby="restore-target-help restore-target-error"
                  />
                  <ChooseButton
                    kind="restore_to"
                    current={target}
                    onChosen={(path) => {
                      setTarget(path);
                      setTargetError(null);
                      startOver();
                    }}
                    label="Choose the file to restore to"
                    testId="restore-target-choose"
                  />
                </div>
                <p id="restore-target-help" className="muted small">
                  Use Choose… to name a new file, or to pick an existing database file to replace.
                </p>
                {targetError && (
                  <p id="restore-target-error" className="field-error" role="alert" data-testid="restore-target-error">
                    {targetError}
                  </p>
                )}
              </>
            )}
            <label className="check">
              <input
                type="checkbox"
                checked={verifyFirst}
                onChange={(e) => {
                  setVerifyFirst(e.target.checked);
                  startOver();
                }}
              />
              Check the backup before restoring it (recommended)
            </label>
            <p className="safety" data-testid="safety-note">
              Before anything is replaced, Keepsake makes a safety backup of {elsewhere ? "that file (if it exists)" : "the database"} as it
              is now, so you can undo this restore.
            </p>
          </fieldset>

          {step === "warning" && (
            <RestoreWarning
              backup={chosen}
              source={source}
              concerns={concerns}
              onContinue={() => {
                setAllowed(concerns);
                setStep("confirm");
              }}
              onCancel={startOver}
            />
          )}
          {step === "confirm" && (
            <Confirm confirmLabel="Restore now" onConfirm={() => void restore()} onCancel={startOver}>
              Replace {targetPath || source.database} with the backup from {formatDateTime(chosen.created_at)}? Close the
              app that uses the database first.
            </Confirm>
          )}
          {step === "choose" && askRestore?.id === chosen.id && (
            <OtherPassword
              key={String(askRestore.tried)}
              made={formatDateTime(chosen.created_at, true)}
              tried={askRestore.tried}
              busy={job.running}
              action="Restore it"
              onSubmit={(typed) => {
                setTypedFor({ id: chosen.id, typed });
                void restore(typed);
              }}
            />
          )}
          {step === "choose" && (
            <div className="buttons">
              <button
                type="button"
                className="primary big"
                data-testid="restore-start"
                onClick={() => setStep(needsWarning ? "warning" : "confirm")}
                disabled={(elsewhere && targetPath === "") || locked}
                aria-describedby={locked ? "restore-locked" : undefined}
              >
                Restore…
              </button>
            </div>
          )}
          {/* Said beside the button it disables, and announced, so the person knows what to do. */}
          <p id="restore-locked" className="field-error" role="status" aria-live="polite" data-testid="restore-locked">
            {step === "choose" && locked
              ? "The saved password doesn't open this backup, so it can't be restored yet. Type the password it was made with in step 2, “What changes”, above."
              : ""}
          </p>
        </>
      )}
    </section>
  );
}

/**
 * The extra step for a backup Keepsake can't vouch for: why, in plain words, and an explicit
 * "I know where this backup comes from" before the usual confirmation.
 */
function RestoreWarning({
  backup,
  source,
  concerns,
  onContinue,
  onCancel,
}: {
  backup: BackupMetadata;
  source: SourceView;
  concerns: ConfirmationReasons;
  onContinue: () => void;
  onCancel: () => void;
}) {
  const [sure, setSure] = useState(false);
  const why = backup.origin === "foreign" && backup.concern ? ` (${CONCERN_WORDS[backup.concern].toLowerCase()})` : "";
  return (
    <div className="card warning-step" role="alertdialog" aria-labelledby="restore-warning-title" data-testid="restore-warning">
      <h2 id="restore-warning-title">Before you restore this backup</h2>
      {concerns.foreign && (
        <p data-testid="restore-warning-foreign">
          <strong>This backup wasn't made by Keepsake on this computer{why}.</strong> It was found in the backup folder. A file
          someone else put there could hold anything, so restore it only if you know where it comes from.
        </p>
      )}
      {concerns.unencrypted && (
        <p data-testid="restore-warning-unencrypted">
          <strong>This backup isn't encrypted,</strong> while Keepsake encrypts the backups of {source.name}. Anyone who could
          write to the backup folder could have made or changed it.
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} data-testid="restore-warning-ack" />
        I know where this backup comes from
      </label>
      <div className="buttons">
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onContinue} disabled={!sure} data-testid="restore-warning-continue">
          Use this backup anyway
        </button>
      </div>
    </div>
  );
}

function BackupChoice({
  backup,
  source,
  checked,
  seconds,
  note,
  onPick,
}: {
  backup: BackupMetadata;
  source: SourceView;
  checked: boolean;
  seconds: boolean;
  note: string | null;
  onPick: () => void;
}) {
  const foreign = backup.origin === "foreign";
  return (
    <label className={`choice ${checked ? "checked" : ""}`} data-testid="restore-choice" data-origin={backup.origin}>
      <input type="radio" name="backup" checked={checked} onChange={onPick} />
      <span>
        <strong>{formatDateTime(backup.created_at, seconds)}</strong> <span className="muted">({formatRelative(backup.created_at)})</span>
        {foreign && <span className="concern"> · Not made here</span>}
        <br />
        <span className="muted small">
          {foreign ? (backup.concern ? CONCERN_WORDS[backup.concern] : "Found in the backup folder") : TYPE_WORDS[backup.backup_type]} ·{" "}
          {formatBytes(backup.original_size)}
          {backup.chain ? ` · changes only, read with the ${plural(backup.chain.seq, "backup")} it builds on` : ""}
          {backup.verification === "passed" ? " · verified" : backup.verification === "failed" ? " · failed its check" : ""}
          {!backup.encrypted && source.encrypt ? " · not encrypted" : ""}
          {!foreign && backup.concern ? ` · ${CONCERN_WORDS[backup.concern].toLowerCase()}` : ""}
          {note ? ` · ${note}` : ""}
        </span>
      </span>
    </label>
  );
}

/**
 * What restoring the backup changes, row by row: the backup is decoded and compared with the
 * database now (a job, with progress). Should that fail (a wrong password, say), the row counts
 * recorded with the backup are shown instead, with why.
 */
function Changes({
  source,
  backup,
  typed,
  onTyped,
  askedElsewhere,
  onOpened,
}: {
  source: string;
  backup: BackupMetadata;
  /** The restore asks for this backup's password below: one question, not two. */
  askedElsewhere: boolean;
  /** A password typed for this backup (the saved one didn't open it). */
  typed: TypedPassword | undefined;
  onTyped: (typed: TypedPassword) => void;
  /** Whether the comparison could open the backup (false: no password it has opens it). */
  onOpened: (id: string, opened: boolean) => void;
}) {
  const job = useJob();
  const { start } = job;
  // What the comparison found, for which backup and typed password (`key`).
  const [found, setFound] = useState<{ key: string; rows?: TableChange[]; error?: ApiError } | null>(null);
  const password = typed?.password;
  const remember = typed?.remember;
  const key = `${backup.id}\n${password ?? ""}`;

  useEffect(() => {
    let active = true;
    const id = backup.id;
    const key = `${id}\n${password ?? ""}`;
    let running: string | null = null;
    void start((jobId) => {
      running = jobId;
      return api.compareRows({ source, id, jobId, password, rememberPassword: remember });
    }, {
      refresh: false,
      onSuccess: (rows) => {
        if (!active) return;
        setFound({ key, rows });
        onOpened(id, true);
      },
      onError: (error) => {
        if (!active) return;
        setFound({ key, error });
        onOpened(id, !needsOtherPassword(error.code));
      },
    });
    return () => {
      active = false;
      // Another backup was picked (or the screen left): stop decoding this one.
      if (running) void api.cancelJob(running).catch(() => undefined);
    };
  }, [start, source, backup.id, password, remember, onOpened]);

  if (!found || found.key !== key) {
    return job.running ? <JobProgress job={job} label="Comparing the backup with the database now" /> : <Loading what="the comparison" />;
  }
  if (found.error) {
    const wording = wordingFor(found.error.code, found.error.facts);
    return (
      <>
        {needsOtherPassword(found.error.code) && !askedElsewhere && (
          <OtherPassword key={password ?? ""} made={formatDateTime(backup.created_at, true)} tried={password !== undefined} busy={job.running} action="Compare it" onSubmit={onTyped} />
        )}
        <p className="warning small" data-testid="compare-rows-failed">
          Couldn't compare row by row: {wording.title}. {wording.action} Here are the row counts recorded with the backup instead.
        </p>
        <CountChanges source={source} backup={backup} />
      </>
    );
  }
  return <RowChanges rows={found.rows ?? []} backup={backup} />;
}

function RowChanges({ rows, backup }: { rows: TableChange[]; backup: BackupMetadata }) {
  const [showInternal, setShowInternal] = useState(false);
  const internal = rows.filter((r) => r.internal).length;
  const shown = rows.filter((r) => showInternal || !r.internal);
  if (rows.length === 0) return <p>The backup holds no tables, and neither does the database.</p>;
  // Tables added, gone or with other columns since: the app was probably updated. Said plainly.
  const reshaped = rows.filter((r) => !r.internal && (r.backup_rows === null || r.current_rows === null || r.changed === null));
  return (
    <>
      {reshaped.length > 0 && (
        <p className="warning small" data-testid="layout-changed">
          The layout of the database changed since this backup ({reshaped.map((r) => r.table).join(", ")}): the app that uses it was
          probably updated. Restoring puts the old layout back, which that app may not expect. To bring back only some rows, use
          “Look inside” in History and take back one table.
        </p>
      )}
      <p data-testid="changes-summary">{summariseRows(rows, backup)}</p>
      <ComparisonTable
        last="What restoring does"
        rows={shown.map((r) => ({ table: r.table, backup: r.backup_rows, now: r.current_rows, words: rowWords(r), internal: r.internal }))}
      />
      {internal > 0 && (
        <label className="check small">
          <input type="checkbox" checked={showInternal} onChange={(e) => setShowInternal(e.target.checked)} data-testid="show-internal" />
          Show {plural(internal, "internal table")} (a search index and the like, kept in step by the database itself)
        </label>
      )}
    </>
  );
}

/** The row counts recorded with the backup against the database's now: no password needed. */
function CountChanges({ source, backup }: { source: string; backup: BackupMetadata }) {
  const compare = useQuery(`compare:${source}:${backup.id}`, () => api.compareBackup(source, backup.id));
  if (compare.loading) return <Loading what="the comparison" />;
  if (compare.error) return <LoadError what="the comparison" error={compare.error} retry={compare.reload} />;
  // Tables SQLite keeps itself (recorded with the backup since content alerts) are left out:
  // their counts mean nothing to a person.
  const rows = (compare.data ?? []).filter((r) => !backup.internal_tables.includes(r.table) && !r.table.startsWith("sqlite_"));
  if (rows.length === 0) return <p>The backup holds no tables.</p>;
  return (
    <>
      <p>{summariseCounts(rows, backup)}</p>
      <ComparisonTable
        last="After restoring"
        rows={rows.map((r) => ({ table: r.table, backup: r.backup_rows, now: r.current_rows, words: changeWords(r), internal: false }))}
      />
    </>
  );
}

/** One line of a comparison table: a table's rows in the backup and now, and what restoring does. */
interface ComparisonLine {
  table: string;
  backup: number | null;
  now: number | null;
  words: string;
  internal: boolean;
}

/** The comparison as a table (`last` heads the column of words). */
function ComparisonTable({ rows, last }: { rows: ComparisonLine[]; last: string }) {
  const count = (n: number | null) => (n === null ? "—" : n.toLocaleString());
  return (
    <div className="table-wrap">
      <table className="compare" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Table</th>
            <th scope="col">Rows in the backup</th>
            <th scope="col">Rows now</th>
            <th scope="col">{last}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.table} data-testid="compare-row" data-table={r.table} className={r.internal ? "muted" : undefined}>
              <th scope="row">{r.table}</th>
              <td>{count(r.backup)}</td>
              <td>{count(r.now)}</td>
              <td>{r.words}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

