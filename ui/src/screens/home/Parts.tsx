// Home's small parts: a problem card with its fix, the status icon, an app's files in a few words.

import type { Problem } from "../../health";
import type { SourceView } from "../../types";
import { FIX_WORDS } from "../../words";

export function ProblemCard({ problem, onFix, busy }: { problem: Problem; onFix: () => void; busy: boolean }) {
  const fixLabel = problem.fix ? FIX_WORDS[problem.fix] : null;
  return (
    <div className={`problem tone-${problem.tone}`} role={problem.tone === "bad" ? "alert" : "status"}>
      <div>
        <strong>
          <StatusIcon tone={problem.tone} /> {problem.title}
        </strong>
        <p>{problem.action}</p>
      </div>
      {fixLabel && (
        <button type="button" onClick={onFix} disabled={busy}>
          {fixLabel}
        </button>
      )}
    </div>
  );
}

const ICONS = { ok: "✓", warn: "!", bad: "✕", idle: "–" } as const;

export function StatusIcon({ tone }: { tone: keyof typeof ICONS }) {
  return (
    <span className={`icon icon-${tone}`} aria-hidden="true">
      {ICONS[tone]}
    </span>
  );
}

/** The files a source protects, in a few words: "Anki's files: 1 file" or the file's name (the paths are under Details). */
export function appFiles(source: SourceView): string {
  if (!source.app) return source.database.split(/[\\/]/).pop() ?? source.database;
  const count = 1 + source.also.length;
  return `${source.app}'s data: ${count} ${count === 1 ? "file" : "files"}`;
}
