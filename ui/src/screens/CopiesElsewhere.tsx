// Copies elsewhere: in Settings, the destinations backups are copied to (a form per kind with
// "Test connection", which databases copy there, remove), and on Home, how each destination of
// the selected database stands. The copying runs in the background in the shell.

import { useEffect, useState } from "react";

import * as api from "../api";
import { COPY_JOB, KIND_WORDS, connectionFailureWords, copyStatusLine } from "../copies";
import { formatPercent } from "../format";
import { useAction, useNow, useQuery } from "../hooks";
import type { AppStateView, Destination, SourceView } from "../types";
import { DestinationFields, EMPTY_WHERE, type FieldProps, TextField, type WhereForm, whereOf } from "../components/DestinationFields";
import { RestoreFromCopy } from "./RestoreFromCopy";

interface Form extends WhereForm {
  /** What stays there: the database folder's rules, every copy, or the last N. */
  keep: "source" | "all" | "last";
  keepLast: string;
  /** KiB per second; empty: no limit. */
  limit: string;
  /** Read every copy back every N days; "0": only when asked. */
  verifyDays: string;
  /** Tell the person once copying there has failed for N hours; "0": never. */
  alertHours: string;
  sources: string[];
}

const EMPTY: Omit<Form, "sources"> = { ...EMPTY_WHERE, keep: "source", keepLast: "10", limit: "", verifyDays: "30", alertHours: "24" };

/** A whole number typed in a field, or undefined when empty or not one. */
const count = (v: string): number | undefined => {
  const n = Number(v.trim());
  return v.trim() !== "" && Number.isInteger(n) && n >= 0 ? n : undefined;
};

const NO_RULES = { keep_last: null, keep_within_days: null, keep_daily: null, keep_weekly: null, keep_monthly: null };

/** The form as the shell's `Destination`: where it is, plus what stays there, how fast it is sent and how often it is checked. */
export function destinationOf(f: Form): Destination {
  const d = whereOf(f);
  const retention =
    f.keep === "source" ? undefined : f.keep === "all" ? NO_RULES : { ...NO_RULES, keep_last: count(f.keepLast) ?? 10 };
  const limit = count(f.limit);
  return {
    ...d,
    retention,
    upload_limit_kib: limit === undefined || limit === 0 ? undefined : limit,
    verify_every_days: count(f.verifyDays) ?? 30,
    alert_after_hours: count(f.alertHours) ?? 24,
  };
}

export function CopiesElsewhere({ state }: { state: AppStateView }) {
  const destinations = useQuery("destinations", api.listDestinations);
  const status = useQuery("copy-status", api.copyStatus);
  const [adding, setAdding] = useState(false);
  const [fromCopy, setFromCopy] = useState(false);
  const [restoredTo, setRestoredTo] = useState<string | null>(null);
  const now = useNow();
  const remove = useAction((name: string) => api.removeDestination(name), { doing: "Removing a copy elsewhere" });
  const copyNow = useAction(api.copyNow, { doing: "Copying now" });
  const list = destinations.data ?? [];
  return (
    <section className="card" aria-labelledby="copies-title" data-testid="copies-elsewhere">
      <h2 id="copies-title">Copies elsewhere</h2>
      <p className="muted">
        A second copy of each backup somewhere else (a cloud bucket, a NAS, another disk) keeps your data safe when this
        computer is lost, stolen or broken. Keepsake sends each new backup there in the background and checks it arrived
        whole.
      </p>
      {list.length === 0 && <p className="muted">No copies elsewhere yet.</p>}
      {list.length > 0 && (
        <ul className="destinations">
          {list.map((d) => {
            const lines = (status.data ?? []).filter((s) => s.destination === d.name);
            const users = state.sources.filter((s) => s.copies_to.includes(d.name)).map((s) => s.name);
            return (
              <li key={d.name} data-testid="destination" data-name={d.name}>
                <strong>{d.name}</strong> <span className="muted">({KIND_WORDS[d.kind]})</span>
                <div className="muted small">{users.length > 0 ? `Copies of ${users.join(", ")}` : "No database copies here"}</div>
                {lines.map((s) => {
                  const line = copyStatusLine(s, now);
                  return (
                    <div key={s.source} className={`dest-line tone-${line.tone}`} data-testid="destination-status">
                      {s.source}: {line.text}
                    </div>
                  );
                })}
                <button type="button" className="link" onClick={() => void remove.run(d.name)} disabled={remove.pending}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="buttons">
        {!adding && (
          <button type="button" onClick={() => setAdding(true)} data-testid="add-destination">
            Add a copy elsewhere…
          </button>
        )}
        {list.length > 0 && (
          <button type="button" onClick={() => void copyNow.run()} disabled={copyNow.pending} data-testid="copy-now">
            Copy now
          </button>
        )}
        {!fromCopy && (
          <button
            type="button"
            onClick={() => {
              setFromCopy(true);
              setRestoredTo(null);
            }}
            data-testid="open-restore-from-copy"
          >
            Restore from a copy elsewhere…
          </button>
        )}
      </div>
      {adding && <AddDestination sources={state.sources} onDone={() => setAdding(false)} />}
      {restoredTo !== null && (
        <p className="done" role="status" data-testid="restored-from-copy">
          Restored to <span className="inline-path">{restoredTo}</span>. Add it as a database in Keepsake to protect it.
        </p>
      )}
      {fromCopy && (
        <RestoreFromCopy
          onCancel={() => setFromCopy(false)}
          onRestored={(r) => {
            setRestoredTo(r.target);
            setFromCopy(false);
          }}
        />
      )}
    </section>
  );
}

function AddDestination({ sources, onDone }: { sources: SourceView[]; onDone: () => void }) {
  const [form, setForm] = useState<Form>({ ...EMPTY, sources: sources.map((s) => s.name) });
  const [tested, setTested] = useState<{ ok: boolean; words: string } | null>(null);
  // An SFTP server's fingerprint, seen by "Test connection" and kept with the destination on save.
  const [hostKey, setHostKey] = useState<string | null>(null);
  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setTested(null);
    // Another server (or kind): the fingerprint seen says nothing about it.
    if ("kind" in patch || "endpoint" in patch) setHostKey(null);
  };
  const secret = form.secret === "" ? undefined : form.secret;
  const sftp = form.kind === "sftp";
  const destination = (): Destination => ({ ...destinationOf(form), host_key: sftp ? (hostKey ?? undefined) : undefined });
  const test = useAction(() => api.testDestination({ destination: destination(), secret }), {
    refresh: false,
    onSuccess: (fingerprint) => {
      setHostKey(fingerprint ?? null);
      setTested({
        ok: true,
        words:
          "The connection works: Keepsake reached it, listed it and wrote a test file." +
          (fingerprint
            ? ` The server's fingerprint is ${fingerprint}: Keepsake keeps it and refuses the server if it ever shows another (compare it with the server's own if you can).`
            : ""),
      });
    },
    onError: (e) => setTested({ ok: false, words: connectionFailureWords(e) }),
  });
  const save = useAction(() => api.saveDestination({ destination: destination(), secret, sources: form.sources }), {
    doing: "Saving a copy elsewhere",
    onSuccess: (saved) => {
      // The place changed and no new secret came with it: the old one was forgotten, so the
      // form stays open to take the new place's.
      if (saved.secret_forgotten) {
        setTested({
          ok: false,
          words: `Saved. ${form.name.trim()} now points at another place, so Keepsake forgot the password or key it had for the old one. Type the new place's and save again.`,
        });
        return;
      }
      onDone();
    },
  });
  const field = (label: string, key: keyof Form, props: FieldProps) => (
    <TextField label={label} value={String(form[key])} onChange={(v) => set({ [key]: v } as Partial<Form>)} {...props} />
  );
  return (
    <form
      className="card inner"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
      data-testid="destination-form"
    >
      <fieldset>
        <legend>Add a copy elsewhere</legend>
        <DestinationFields form={form} set={set} />
        <label>
          Keep there
          <select value={form.keep} onChange={(e) => set({ keep: e.target.value as Form["keep"] })} data-testid="dest-keep">
            <option value="source">The same backups as the database's backup folder</option>
            <option value="all">Every copy</option>
            <option value="last">Only the newest copies</option>
          </select>
        </label>
        {form.keep === "last" && field("How many", "keepLast", { type: "number", testid: "dest-keep-last" })}
        {field("Upload speed limit in KB/s (empty: no limit)", "limit", { type: "number", placeholder: "no limit", testid: "dest-limit" })}
        {field("Check every copy there every … days (0: never)", "verifyDays", { type: "number", testid: "dest-verify-days" })}
        {field("Tell me when copying there has failed for … hours (0: never)", "alertHours", { type: "number", testid: "dest-alert-hours" })}
        {sources.length > 0 && (
          <div className="checks">
            <p>Copy the backups of</p>
            {sources.map((s) => (
              <label key={s.name} className="check">
                <input
                  type="checkbox"
                  checked={form.sources.includes(s.name)}
                  onChange={(e) =>
                    set({ sources: e.target.checked ? [...form.sources, s.name] : form.sources.filter((n) => n !== s.name) })
                  }
                />
                {s.name}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      {sftp && hostKey === null && (
        <p className="muted small" data-testid="dest-host-key-needed">
          Test the connection first: Keepsake shows the server's fingerprint and keeps it, so that it can tell if another server ever takes its place.
        </p>
      )}
      {sftp && hostKey !== null && (
        <p className="muted small" data-testid="dest-host-key">
          Server's fingerprint: <code>{hostKey}</code>
        </p>
      )}
      {tested && (
        <p className={tested.ok ? "done" : "field-error"} role={tested.ok ? "status" : "alert"} data-testid="dest-test-result">
          {tested.words}
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => void test.run()} disabled={test.pending || form.name.trim() === ""} data-testid="dest-test">
          {test.pending ? "Testing…" : "Test connection"}
        </button>
        <button
          type="submit"
          className="primary"
          disabled={save.pending || form.name.trim() === "" || (sftp && hostKey === null)}
          data-testid="dest-save"
        >
          Save
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** On Home: how each copy elsewhere of `source` stands. */
export function CopyStatusList({ source, held }: { source: SourceView; held: boolean }) {
  const status = useQuery(source.copies_to.length > 0 ? "copy-status" : null, api.copyStatus);
  const now = useNow();
  const copying = useBackgroundCopy();
  const stop = useAction(api.stopCopies, { doing: "Stopping the copy" });
  const copyNow = useAction(api.copyNow, { doing: "Copying now" });
  const lines = (status.data ?? []).filter((s) => s.source === source.name);
  if (lines.length === 0) return null;
  return (
    <ul className="copies" aria-label="Copies elsewhere" data-testid="home-copies">
      {lines.map((s) => {
        const line = copyStatusLine(s, now);
        return (
          <li key={s.destination} className={`tone-${line.tone}`} data-testid="home-copy" data-tone={line.tone}>
            {line.text}
          </li>
        );
      })}
      {copying && !held && (
        <li className="tone-warn" data-testid="home-copying">
          Copying elsewhere… {formatPercent(copying.total > 0 ? copying.done / copying.total : 0)}{" "}
          <button type="button" className="link" onClick={() => void stop.run()} disabled={stop.pending} data-testid="stop-copies">
            Stop
          </button>
        </li>
      )}
      {held && (
        <li className="tone-warn" data-testid="home-copies-stopped">
          Copying elsewhere is stopped.{" "}
          <button type="button" className="link" onClick={() => void copyNow.run()} disabled={copyNow.pending} data-testid="resume-copies">
            Copy now
          </button>
        </li>
      )}
    </ul>
  );
}

/** The background copier's progress while it sends something (its events stop when it is done). */
function useBackgroundCopy(): { done: number; total: number } | null {
  const [progress, setProgress] = useState<{ done: number; total: number; at: number } | null>(null);
  useEffect(() => {
    let unsubscribe: api.Unsubscribe | undefined;
    let cancelled = false;
    void api
      .onJobProgress((p) => {
        if (p.job_id !== COPY_JOB) return;
        setProgress(p.total > 0 && p.done >= p.total ? null : { done: p.done, total: p.total, at: Date.now() });
      })
      .then((u) => {
        if (cancelled) u();
        else unsubscribe = u;
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, []);
  const now = useNow(1000);
  if (progress === null || now - progress.at > 5000) return null;
  return progress;
}
