// "Choose…": the system's file dialog for a database file, a backup folder or a file to restore
// to. The chosen path goes to `onChosen`; cancelling the dialog changes nothing. The shell writes
// only to paths answered in its dialog, so a field for a file to write is filled from here alone.

import * as api from "../api";
import { useAction } from "../hooks";
import type { PathKind } from "../types";

export function ChooseButton({
  kind,
  current,
  onChosen,
  testId,
  disabled = false,
  label,
}: {
  kind: PathKind;
  current?: string;
  onChosen: (path: string) => void;
  testId?: string;
  disabled?: boolean;
  /** What the button does, for screen readers (by default: choose the database file / the backup folder). */
  label?: string;
}) {
  const choose = useAction(() => api.choosePath(kind, current), {
    doing: kind === "folder" ? "Opening the folder chooser" : "Opening the file chooser",
    refresh: false,
    onSuccess: (path) => {
      if (path) onChosen(path);
    },
  });
  return (
    <button
      type="button"
      onClick={() => void choose.run()}
      disabled={disabled || choose.pending}
      aria-label={label ?? (kind === "database" ? "Choose the database file" : "Choose the backup folder")}
      data-testid={testId}
    >
      Choose…
    </button>
  );
}
