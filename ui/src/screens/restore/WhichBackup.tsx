// Step 1 of a restore: the backups to choose from, each with when it was made, what it is, its
// size, whether it was checked, and anything that needs a look (not made here, not encrypted).

import { formatBytes, formatDateTime, formatRelative, plural, sameMinute } from "../../format";
import type { BackupMetadata, SourceView } from "../../types";
import { CONCERN_WORDS, noteOf, TYPE_WORDS } from "../../words";

export function WhichBackup({
  choices,
  list,
  chosen,
  source,
  onPick,
}: {
  choices: BackupMetadata[];
  /** The backups made here (notes of safety backups name them). */
  list: BackupMetadata[];
  chosen: BackupMetadata;
  source: SourceView;
  onPick: (id: string) => void;
}) {
  const withSeconds = sameMinute(choices.map((b) => b.created_at));
  return (
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
            onPick={() => onPick(b.id)}
          />
        ))}
      </div>
    </fieldset>
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
