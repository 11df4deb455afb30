// Where a destination is and how to log in: the kind, the address, the login and the secret, as
// a form (Settings › Copies elsewhere, and the lost-computer restore) and as the shell's type.

import type { Destination, DestinationKind } from "../types";

/** The fields that say where a destination is and how to log in (shared with the lost-computer restore). */
export type WhereForm = {
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
};

export const EMPTY_WHERE: WhereForm = {
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

/** Where a destination is (only the fields of its kind). */
export function whereOf(f: WhereForm): Destination {
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
  const needsSecret = form.kind === "s3" || form.kind === "webdav";
  const field = (label: string, key: keyof WhereForm, props: FieldProps) => (
    <TextField label={label} value={String(form[key])} onChange={(v) => set({ [key]: v } as Partial<WhereForm>)} {...props} />
  );
  return (
    <>
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
    </>
  );
}

