// How the window words copies elsewhere: a destination's state in one line ("Copied to Backblaze
// 2 hours ago", "Not copied to nas for 3 days: no connection"), and what a failed connection
// test means in terms a person can act on. The shell gives codes and reasons; the words are here.

import type { ApiError } from "./api";
import { ERROR_WORDING } from "./errors";
import { formatRelative, plural } from "./format";
import type { CopyProblem, CopyStatus, DestinationKind, Reason } from "./types";

/** What to fix, by the reason the shell gives for a `remote_failed` error. */
export const REMOTE_REASONS: Partial<Record<Reason, string>> = {
  unreachable: "the server can't be reached (check the address and the network)",
  credentials: "the server refused the login (check the key or the user name and password)",
  no_bucket: "there is no bucket or container of that name (check its spelling, or create it first)",
  clock_skew: "the server says this computer's clock is wrong (set the date and time)",
  certificate: "the server's certificate isn't trusted (check the address, or the server's certificate)",
  quota: "the storage is full or over its quota",
  timeout: "the server didn't answer in time",
  server: "the server had a problem",
  keyring: "the secret couldn't be saved in the system keyring (unlock it and try again)",
  host_key_changed:
    "the server's identity changed: it shows another key than when it was added, so nothing was sent (if you changed the server, remove and add the destination again)",
  host_key_unknown: "Keepsake doesn't know the server's identity yet (test the connection to see its fingerprint and keep it)",
};

/** A destination's kind in a word or two (the list of destinations). */
export const KIND_WORDS: Record<DestinationKind, string> = {
  s3: "S3-compatible storage",
  azblob: "Azure Blob Storage",
  gcs: "Google Cloud Storage",
  webdav: "WebDAV",
  sftp: "SFTP",
  folder: "A folder",
};

/** The kinds as the form offers them, in that order, with examples of each. */
export const KIND_CHOICE_WORDS: Record<DestinationKind, string> = {
  s3: "Amazon S3 or compatible (Backblaze B2, Cloudflare R2, Wasabi, MinIO)",
  folder: "An external disk, a USB stick or a synced folder",
  webdav: "Nextcloud, ownCloud or a NAS (WebDAV)",
  azblob: "Microsoft Azure Blob Storage",
  gcs: "Google Cloud Storage",
  sftp: "A server you reach with SSH (SFTP)",
};

/** The secret's field, for the kinds whose login is a secret typed in the form. */
export const SECRET_WORDS: Partial<Record<DestinationKind, string>> = {
  s3: "Secret key (kept in the system keyring)",
  azblob: "Account key (kept in the system keyring)",
  webdav: "Password (kept in the system keyring)",
};

/** The reason of a failure in words. */
export function problemWords(problem: CopyProblem | { reason?: Reason | null; message: string }): string {
  const reason = problem.reason ?? undefined;
  return (reason !== undefined ? REMOTE_REASONS[reason] : undefined) ?? problem.message;
}

/** What a failed connection to a destination says: the reason in words for `remote_failed`, the code's wording otherwise. */
export function connectionFailureWords(e: ApiError): string {
  if (e.code === "invalid_input" && e.facts.reason === "key_file")
    return "That file isn't a service account's key. Download a JSON key for the service account in the Google Cloud console (IAM › Service accounts › Keys) and give its path.";
  if (e.code === "remote_failed") return `It didn't work: ${problemWords({ reason: e.facts.reason, message: e.message })}.`;
  const w = ERROR_WORDING[e.code];
  return `${w.title}. ${w.action}`;
}

const DAY = 86_400_000;

/** The job id of the background copier's progress events (see the shell's copier). */
export const COPY_JOB = "copies";

/** One destination's state in a line, and its tone. */
export function copyStatusLine(s: CopyStatus, now: number = Date.now()): { text: string; tone: "ok" | "warn" | "bad" } {
  if (s.failing_since !== null) {
    const since = Date.parse(s.failing_since);
    const why = s.error ? problemWords(s.error) : "it didn't work";
    const last = s.last_copied_at === null ? "never copied yet" : `last copied ${formatRelative(s.last_copied_at, now)}`;
    if (now - since >= DAY) {
      const days = Math.floor((now - since) / DAY);
      return { text: `Not copied to ${s.destination} for ${plural(days, "day")}: ${why}`, tone: "bad" };
    }
    return { text: `Couldn't copy to ${s.destination} (${last}): ${why}. Keepsake tries again.`, tone: "warn" };
  }
  if (s.checked && s.checked.bad > 0) {
    const n = s.checked.bad;
    return {
      text: `${plural(n, "copy", "copies")} at ${s.destination} ${n === 1 ? "was" : "were"} missing or changed when Keepsake checked ${formatRelative(s.checked.at, now)}: a missing one is sent again; a changed file is left there for you to look at`,
      tone: "bad",
    };
  }
  if (s.waiting > 0) {
    return { text: `Copying to ${s.destination}: ${plural(s.waiting, "backup")} to send`, tone: "warn" };
  }
  if (s.last_copied_at === null) return { text: `Not copied to ${s.destination} yet`, tone: "warn" };
  return { text: `Copied to ${s.destination} ${formatRelative(s.last_copied_at, now)}`, tone: "ok" };
}
