// Adding a copy elsewhere: where it is (a form per kind), what stays there and how it is sent
// and checked, which databases copy there; "Test connection" (which also shows an SFTP server's
// fingerprint, kept with the destination), and Save.

import { useState } from "react";

import * as api from "../../api";
import { DestinationFields, type FieldProps, TextField } from "../../components/DestinationFields";
import { connectionFailureWords } from "../../copies";
import { useAction } from "../../hooks";
import type { Destination, SourceView } from "../../types";
import { destinationOf, EMPTY_FORM, type DestinationForm as Form } from "./destinationForm";

export function AddDestination({ sources, onDone }: { sources: SourceView[]; onDone: () => void }) {
  const [form, setForm] = useState<Form>({ ...EMPTY_FORM, sources: sources.map((s) => s.name) });
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
