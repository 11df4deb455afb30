// Where a destination is and how to log in: the kind, the address, the login and the secret, as
// a form (Settings › Copies elsewhere, and the lost-computer restore) and as the shell's type.

import { KIND_CHOICE_WORDS, SECRET_WORDS } from "../copies";
import type { Destination, DestinationKind } from "../types";
import { entries } from "../words";
import { ChooseButton } from "./ChooseButton";

/** The fields that say where a destination is and how to log in (shared with the lost-computer restore). */
export type WhereForm = {
  kind: DestinationKind;
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  account: string;
  prefix: string;
  accessKeyId: string;
  pathStyle: boolean;
  unsigned: boolean;
  /** Plain `http://` to a server that is not on this computer, allowed on purpose. */
  insecureHttp: boolean;
  user: string;
  keyFile: string;
  path: string;
  secret: string;
};

export const EMPTY_WHERE: WhereForm = {
  kind: "s3",
  name: "",
  endpoint: "",
  region: "",
  bucket: "",
  account: "",
  prefix: "",
  accessKeyId: "",
  pathStyle: false,
  unsigned: false,
  insecureHttp: false,
  user: "",
  keyFile: "",
  path: "",
  secret: "",
};

const text = (v: string) => (v.trim() === "" ? undefined : v.trim());

/** Whether `endpoint` is a plain `http://` address off this computer (the shell refuses it unless allowed). */
export function isPlainHttp(endpoint: string): boolean {
  const e = endpoint.trim().toLowerCase();
  if (!e.startsWith("http://")) return false;
  let host: string;
  try {
    host = new URL(e).hostname;
  } catch {
    return true;
  }
  const loopback = host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  return !loopback;
}

/** Where a destination is (only the fields of its kind). */
export function whereOf(f: WhereForm): Destination {
  const d: Destination = {
    name: f.name.trim(),
    kind: f.kind,
    prefix: text(f.prefix),
    ...(f.kind !== "folder" && f.kind !== "sftp" && f.insecureHttp && isPlainHttp(f.endpoint) ? { insecure_http: true } : {}),
  };
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
    case "azblob":
      return { ...d, endpoint: text(f.endpoint), account: text(f.account), bucket: text(f.bucket) };
    case "gcs":
      // The key file is read by the shell: its contents go to the keyring, its path is not kept.
      return { ...d, endpoint: text(f.endpoint), bucket: text(f.bucket), unsigned: f.unsigned, key_file: f.unsigned ? undefined : text(f.keyFile) };
    case "webdav":
      return { ...d, endpoint: text(f.endpoint), user: text(f.user) };
    case "sftp":
      return { ...d, endpoint: text(f.endpoint), user: text(f.user), key_file: text(f.keyFile) };
  }
}

export interface FieldProps {
  placeholder?: string;
  type?: string;
  testid: string;
}

/** One labelled text (or number, password) field of a destination's form. */
export function TextField({ label, value, onChange, placeholder, type, testid }: FieldProps & { label: string; value: string; onChange: (value: string) => void }) {
  return (
    <label>
      {label}
      <input
        type={type ?? "text"}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        data-testid={testid}
      />
    </label>
  );
}

/** Kind, address, login and secret of a destination: the part of the form that says where it is. */
export function DestinationFields<F extends WhereForm>({ form, set }: { form: F; set: (patch: Partial<WhereForm>) => void }) {
  const needsSecret = form.kind === "s3" || form.kind === "webdav" || form.kind === "azblob";
  const field = (label: string, key: keyof WhereForm, props: FieldProps) => (
    <TextField label={label} value={String(form[key])} onChange={(v) => set({ [key]: v } as Partial<WhereForm>)} {...props} />
  );
  return (
    <>
        <label>
          Kind
          <select value={form.kind} onChange={(e) => set({ kind: e.target.value as DestinationKind })} data-testid="dest-kind">
            {entries(KIND_CHOICE_WORDS).map(([kind, words]) => (
              <option key={kind} value={kind}>
                {words}
              </option>
            ))}
          </select>
        </label>
        {field("Name", "name", { placeholder: "Backblaze", testid: "dest-name" })}
        {form.kind === "folder" && field("Folder", "path", { placeholder: "/media/me/backup-disk", testid: "dest-path" })}
        {form.kind === "s3" && (
          <>
            <p className="muted small">
              Your storage provider gives you these when you create a bucket and a key for it (Backblaze B2: Buckets, then App
              Keys; Amazon: S3, then IAM).
            </p>
            {field("Bucket (the storage space you created there)", "bucket", { testid: "dest-bucket" })}
            {field("Key ID (also called access key)", "accessKeyId", { testid: "dest-access-key" })}
            {field("Server address (as your provider shows it; leave it empty for Amazon)", "endpoint", {
              placeholder: "https://s3.eu-central-003.backblazeb2.com",
              testid: "dest-endpoint",
            })}
            {field("Region (if your provider names one)", "region", { placeholder: "us-east-1", testid: "dest-region" })}
          </>
        )}
        {form.kind === "azblob" && (
          <>
            {field("Storage account", "account", { placeholder: "familyphotos", testid: "dest-account" })}
            {field("Container", "bucket", { placeholder: "backups", testid: "dest-container" })}
          </>
        )}
        {form.kind === "gcs" && (
          <>
            {field("Bucket", "bucket", { testid: "dest-bucket" })}
            {!form.unsigned && (
              // Filled from the file dialog alone: the shell reads only a key file picked there.
              <>
                <label htmlFor="dest-key-file">Service account key file (JSON; its contents are kept in the system keyring)</label>
                <div className="row">
                  <input
                    id="dest-key-file"
                    type="text"
                    value={form.keyFile}
                    readOnly
                    placeholder="Choose the JSON key you downloaded from Google"
                    spellCheck={false}
                    data-testid="dest-key-file"
                  />
                  <ChooseButton
                    kind="google_key"
                    current={form.keyFile === "" ? undefined : form.keyFile}
                    onChosen={(p) => set({ keyFile: p })}
                    testId="dest-key-file-choose"
                    label="Choose the service account's key file"
                  />
                </div>
              </>
            )}
            <label className="check">
              <input type="checkbox" checked={form.unsigned} onChange={(e) => set({ unsigned: e.target.checked })} data-testid="dest-unsigned" />
              No key (a public bucket, or a test server)
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
          field(SECRET_WORDS[form.kind] ?? "Password (kept in the system keyring)", "secret", {
            type: "password",
            testid: "dest-secret",
          })}
        {form.kind !== "folder" && form.kind !== "sftp" && isPlainHttp(form.endpoint) && (
          <label className="check">
            <input type="checkbox" checked={form.insecureHttp} onChange={(e) => set({ insecureHttp: e.target.checked })} data-testid="dest-insecure-http" />
            Send over plain http:// without encryption (only for a server on your own network; anyone in between could read the login)
          </label>
        )}
        {form.kind !== "folder" && form.kind !== "webdav" && form.kind !== "sftp" && (
          // What most people never need, folded away (the technical terms are said there only).
          <details className="more" data-testid="dest-more-options">
            <summary data-testid="dest-more">More options</summary>
            {form.kind === "s3" && (
              <label className="check">
                <input type="checkbox" checked={form.pathStyle} onChange={(e) => set({ pathStyle: e.target.checked })} data-testid="dest-path-style" />
                Path-style addresses (MinIO and most self-hosted servers)
              </label>
            )}
            {form.kind === "azblob" &&
              field("Endpoint (empty: Azure's own)", "endpoint", { placeholder: "https://familyphotos.blob.core.windows.net", testid: "dest-endpoint" })}
            {form.kind === "gcs" &&
              field("Endpoint (empty: Google's own)", "endpoint", { placeholder: "https://storage.googleapis.com", testid: "dest-endpoint" })}
            {field("Folder inside it (optional)", "prefix", { placeholder: "keepsake/laptop", testid: "dest-prefix" })}
          </details>
        )}
        {(form.kind === "webdav" || form.kind === "sftp") && field("Folder inside it (optional)", "prefix", { placeholder: "keepsake/laptop", testid: "dest-prefix" })}
    </>
  );
}

