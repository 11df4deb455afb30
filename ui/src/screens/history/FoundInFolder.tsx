// History's section on what else is in the backup folder: backups not made here (each with why,
// and a Restore… that warns first) and files that can't be read.

import { formatBytes, formatDateTime, formatRelative } from "../../format";
import type { BackupMetadata, FolderFile, SourceView } from "../../types";
import { CONCERN_WORDS, FILE_STATE_WORDS } from "../../words";

/** What a scan of the folder found besides the backups made here: foreign backups and unreadable files. */
export function FoundInFolder({
  source,
  foreign,
  files,
  busy,
  onRestore,
}: {
  source: SourceView;
  foreign: BackupMetadata[];
  files: FolderFile[];
  busy: boolean;
  onRestore: (backup: BackupMetadata) => void;
}) {
  return (
    <section aria-labelledby="found-title" data-testid="found-in-folder">
      <h2 id="found-title">Found in the backup folder, not made here</h2>
      <p className="muted">
        Keepsake on this computer didn't make these files, though they are in {source.name}'s backup folder (
        <span className="inline-path">{source.backup_dir}</span>). Restore one only if you know where it comes from.
      </p>
      {foreign.length > 0 && (
        <div className="table-wrap">
          <table className="backups">
            <caption className="visually-hidden">Backups found in the folder that Keepsake didn't make here, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Made</th>
                <th scope="col">Size</th>
                <th scope="col">Why it's listed here</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {foreign.map((b) => {
                const made = formatDateTime(b.created_at);
                return (
                  <tr key={b.file_name} data-testid="foreign-row" data-id={b.id}>
                    <td>
                      <span title={b.file_name}>{made}</span>
                      <br />
                      <span className="muted">{formatRelative(b.created_at)}</span>
                    </td>
                    <td className="num">{formatBytes(b.stored_size)}</td>
                    <td>
                      <span className="concern" data-testid="foreign-concern" data-concern={b.concern ?? ""}>
                        {b.concern ? CONCERN_WORDS[b.concern] : "Not made by Keepsake on this computer"}
                      </span>
                      {b.encrypted ? <span className="badge">Encrypted</span> : <span className="badge">Not encrypted</span>}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        data-testid="foreign-restore"
                        onClick={() => onRestore(b)}
                        disabled={busy}
                        aria-label={`Restore the backup from ${made} that was not made here`}
                      >
                        Restore…
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {files.length > 0 && (
        <>
          <h3>Files that can't be read</h3>
          <ul className="unreadable-files">
            {files.map((f) => (
              <li key={f.file_name} data-testid="unreadable-file" data-state={f.state}>
                <strong className="concern">{FILE_STATE_WORDS[f.state]}</strong>
                {" · "}
                {f.named_date ? `dated ${formatDateTime(f.named_date)} in its name` : "no date in its name"}
                {" · "}
                {formatBytes(f.size)}
                <br />
                <span className="muted small inline-path">{f.file_name}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
