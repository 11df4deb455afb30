// Copies elsewhere: in Settings, the destinations backups are copied to (a form per kind with
// "Test connection", which databases copy there, remove), and on Home, how each destination of
// the selected database stands. The copying runs in the background in the shell.

import { useState } from "react";

import * as api from "../api";
import { ApiError } from "../api";
import { KIND_WORDS, copyStatusLine, problemWords } from "../copies";
import { ERROR_WORDING } from "../errors";
import { useAction, useNow, useQuery } from "../hooks";
import type { AppStateView, Destination, DestinationKind, SourceView } from "../types";

interface Form {
  kind: DestinationKind;
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  pathStyle: boolean;
  user: string;
  keyFile: string;
  path: string;
  secret: string;
  sources: string[];
}

const EMPTY: Omit<Form, "sources"> = {
  kind: "s3",
  name: "",
  endpoint: "",
  region: "",
  bucket: "",
  prefix: "",
  accessKeyId: "",
  pathStyle: false,
  user: "",
  keyFile: "",
  path: "",
  secret: "",
};

const text = (v: string) => (v.trim() === "" ? undefined : v.trim());

/** The form as the shell's `Destination` (only the fields of its kind). */
export function destinationOf(f: Form): Destination {
  const d: Destination = { name: f.name.trim(), kind: f.kind, prefix: text(f.prefix) };
  switch (f.kind) {
    case "folder":
      return { ...d, path: text(f.path) };
    case "s3":
      return {
        ...d,
        endpoint: text(f.endpoint),
        region: text(f.region),
        bucket: text(f.bucket),
        access_key_id: text(f.accessKeyId),
        path_style: f.pathStyle,
      };
    case "webdav":
      return { ...d, endpoint: text(f.endpoint), user: text(f.user) };
    case "sftp":
      return { ...d, endpoint: text(f.endpoint), user: text(f.user), key_file: text(f.keyFile) };
  }
}

/** What a failed test says: the reason in words for `remote_failed`, the code's wording otherwise. */
function failureWords(e: ApiError): string {
  if (e.code === "remote_failed") return `It didn't work: ${problemWords({ reason: e.facts.reason, message: e.message })}.`;
  const w = ERROR_WORDING[e.code];
  return `${w.title}. ${w.action}`;
}

export function CopiesElsewhere({ state }: { state: AppStateView }) {
  const destinations = useQuery("destinations", api.listDestinations);
  const status = useQuery("copy-status", api.copyStatus);
  const [adding, setAdding] = useState(false);
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
      </div>
      {adding && <AddDestination sources={state.sources} onDone={() => setAdding(false)} />}
    </section>
  );
}

function AddDestination({ sources, onDone }: { sources: SourceView[]; onDone: () => void }) {
  const [form, setForm] = useState<Form>({ ...EMPTY, sources: sources.map((s) => s.name) });
  const [tested, setTested] = useState<{ ok: boolean; words: string } | null>(null);
  const set = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setTested(null);
  };
  const secret = form.secret === "" ? undefined : form.secret;
  const test = useAction(() => api.testDestination({ destination: destinationOf(form), secret }), {
    refresh: false,
    onSuccess: () => setTested({ ok: true, words: "The connection works: Keepsake reached it, listed it and wrote a test file." }),
    onError: (e) => setTested({ ok: false, words: failureWords(e) }),
  });
  const save = useAction(() => api.saveDestination({ destination: destinationOf(form), secret, sources: form.sources }), {
    doing: "Saving a copy elsewhere",
    onSuccess: onDone,
  });
  const needsSecret = form.kind === "s3" || form.kind === "webdav";
  const field = (label: string, key: keyof Form, props: { placeholder?: string; type?: string; testid: string }) => (
    <label>
      {label}
      <input
        type={props.type ?? "text"}
        value={String(form[key])}
        onChange={(e) => set({ [key]: e.target.value } as Partial<Form>)}
        placeholder={props.placeholder}
        spellCheck={false}
        autoComplete="off"
        data-testid={props.testid}
      />
    </label>
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
        <label>
          Kind
          <select value={form.kind} onChange={(e) => set({ kind: e.target.value as DestinationKind })} data-testid="dest-kind">
            <option value="s3">S3-compatible storage (AWS, Backblaze B2, Cloudflare R2, Wasabi, MinIO)</option>
            <option value="webdav">WebDAV (Nextcloud, ownCloud, a NAS)</option>
            <option value="sftp">SFTP (a NAS or a server)</option>
            <option value="folder">A folder (an external disk, a NAS mount, a synced folder)</option>
          </select>
        </label>
        {field("Name", "name", { placeholder: "Backblaze", testid: "dest-name" })}
        {form.kind === "folder" && field("Folder", "path", { placeholder: "/media/me/backup-disk", testid: "dest-path" })}
        {form.kind === "s3" && (
          <>
            {field("Endpoint", "endpoint", { placeholder: "https://s3.eu-central-003.backblazeb2.com", testid: "dest-endpoint" })}
            {field("Region (if your provider names one)", "region", { placeholder: "us-east-1", testid: "dest-region" })}
            {field("Bucket", "bucket", { testid: "dest-bucket" })}
            {field("Access key id", "accessKeyId", { testid: "dest-access-key" })}
            <label className="check">
              <input type="checkbox" checked={form.pathStyle} onChange={(e) => set({ pathStyle: e.target.checked })} data-testid="dest-path-style" />
              Path-style addresses (MinIO and most self-hosted servers)
            </label>
          </>
        )}
        {(form.kind === "webdav" || form.kind === "sftp") &&
          field(form.kind === "webdav" ? "Server address" : "Server (host or host:port)", "endpoint", {
            placeholder: form.kind === "webdav" ? "https://cloud.example.org/remote.php/dav/files/me" : "nas.local:22",
            testid: "dest-endpoint",
          })}
        {(form.kind === "webdav" || form.kind === "sftp") && field("User", "user", { testid: "dest-user" })}
        {form.kind === "sftp" && field("Private key file (empty: the SSH agent's keys)", "keyFile", { testid: "dest-key-file" })}
        {needsSecret &&
          field(form.kind === "s3" ? "Secret key (kept in the system keyring)" : "Password (kept in the system keyring)", "secret", {
            type: "password",
            testid: "dest-secret",
          })}
        {form.kind !== "folder" && field("Folder inside it (optional)", "prefix", { placeholder: "keepsake/laptop", testid: "dest-prefix" })}
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
      {tested && (
        <p className={tested.ok ? "done" : "field-error"} role={tested.ok ? "status" : "alert"} data-testid="dest-test-result">
          {tested.words}
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={() => void test.run()} disabled={test.pending || form.name.trim() === ""} data-testid="dest-test">
          {test.pending ? "Testing…" : "Test connection"}
        </button>
        <button type="submit" className="primary" disabled={save.pending || form.name.trim() === ""} data-testid="dest-save">
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
export function CopyStatusList({ source }: { source: SourceView }) {
  const status = useQuery(source.copies_to.length > 0 ? "copy-status" : null, api.copyStatus);
  const now = useNow();
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
    </ul>
  );
}
