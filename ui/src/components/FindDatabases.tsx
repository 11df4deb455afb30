// "Find my databases": looks in the places apps keep their data (a job, with Cancel), then lists
// each app found as a card in its own words (what its files hold, a folder others can change,
// files it encrypts itself) with "Protect <name>", or "Protected" when a source has it already;
// the databases no app claims go in a collapsed list, each a click from the plain form. What
// "Protect" does is the screen's: the first run takes it as its answer, Settings protects at once.

import { useState } from "react";

import * as api from "../api";
import { formatBytes } from "../format";
import { useJob } from "../hooks";
import type { Found, FoundApp, FoundFile, SourceView } from "../types";
import {
  appKind,
  cardIds,
  countsLine,
  encrypted,
  fileName,
  fileProtectedBy,
  foundTwice,
  holdsOf,
  holdsWords,
  included,
  lowerFirst,
  protectedBy,
  rebuildable,
  stoppedWords,
} from "./found";

const SHARED = "Found in a folder other people can change: check it is yours.";

export function FindDatabases({
  sources = [],
  onProtect,
  onPickFile,
  busy = false,
}: {
  /** The sources already made: their apps and files show "Protected". */
  sources?: readonly SourceView[];
  onProtect: (app: FoundApp) => void;
  /** "Protect this file" for a database no app claims: the plain form takes it. */
  onPickFile: (path: string) => void;
  busy?: boolean;
}) {
  const [found, setFound] = useState<Found | null>(null);
  const job = useJob();
  const find = async () => {
    const result = await job.start((jobId) => api.findDatabases(jobId), { doing: "Finding databases", refresh: false });
    setFound(result ?? null);
  };

  if (job.running) {
    return (
      <div className="finder" data-testid="finding" aria-live="polite">
        <p>
          Looking in the places apps keep their data…
          {job.status.phase === "find" && job.status.done > 0 && (
            <span className="muted small" data-testid="finding-count">
              {" "}
              {job.status.done.toLocaleString()} files looked at so far
            </span>
          )}
        </p>
        <button type="button" data-testid="find-cancel" onClick={job.cancel} disabled={job.cancelling}>
          {job.cancelling ? "Stopping…" : "Cancel"}
        </button>
      </div>
    );
  }
  if (!found) {
    return (
      <div className="finder">
        <button type="button" className="primary" data-testid="find-databases" onClick={() => void find()}>
          Find my databases
        </button>
        <p className="muted small">Keepsake looks where apps keep their data and says what each file holds. Nothing is changed.</p>
      </div>
    );
  }
  const ids = cardIds(found.apps);
  const stopped = stoppedWords(found.stopped);
  return (
    <div className="finder" data-testid="found">
      {stopped && (
        <p className="warning small" data-testid="found-stopped" data-stopped={found.stopped}>
          {stopped}
        </p>
      )}
      {found.apps.length === 0 && <p data-testid="found-nothing">No app databases found. Choose the database file instead.</p>}
      {found.apps.map((app, i) => (
        <AppCard
          key={`${app.app} ${app.place}`}
          app={app}
          id={ids[i] ?? app.app}
          showPlace={foundTwice(app, found.apps)}
          protectedAs={protectedBy(app, sources)}
          onProtect={() => onProtect(app)}
          busy={busy}
        />
      ))}
      {found.unknown.length > 0 && <OtherDatabases files={found.unknown} sources={sources} onPickFile={onPickFile} />}
      <p className="muted small" data-testid="found-counts">
        {countsLine(found)}{" "}
        <button type="button" className="link" data-testid="find-again" onClick={() => void find()}>
          Look again
        </button>
      </p>
    </div>
  );
}

function AppCard({
  app,
  id,
  showPlace,
  protectedAs,
  onProtect,
  busy,
}: {
  app: FoundApp;
  id: string;
  showPlace: boolean;
  protectedAs: SourceView | undefined;
  onProtect: () => void;
  busy: boolean;
}) {
  const words = holdsWords(app);
  const leftOut = rebuildable(app);
  const canProtect = included(app).length > 0;
  return (
    <div className="card inner found-app" data-testid={`found-app-${id}`} data-place={app.place}>
      <p>
        <strong>{app.name}</strong> <span className="muted">· {appKind(app)}</span>
        {showPlace && (
          <>
            <br />
            <span className="inline-path">{app.place}</span>
          </>
        )}
      </p>
      {words && <p data-testid="found-holds">{words}</p>}
      {app.files.some((f) => f.shared) && (
        <p className="warning small" data-testid="found-shared">
          {SHARED}
        </p>
      )}
      {encrypted(app).map((f) => (
        <p key={f.path} className="small" data-testid="found-encrypted">
          {f.holds ?? fileName(f.path)} ({fileName(f.path)}): {app.name} encrypts this file itself. Keepsake can keep copies of this
          file but cannot check inside it.
        </p>
      ))}
      {leftOut.length > 0 && (
        <p className="muted small" data-testid="found-rebuildable">
          Left out: {lowerFirst(holdsOf(leftOut)) || leftOut.map((f) => fileName(f.path)).join(", ")}, which {app.name} can rebuild itself.
        </p>
      )}
      {canProtect && app.close_to_restore && <p className="muted small">Putting its files back needs {app.name} closed.</p>}
      {protectedAs ? (
        <p className="ok" data-testid={`app-protected-${id}`}>
          ✓ Protected{protectedAs.name !== app.name && ` as ${protectedAs.name}`}
        </p>
      ) : canProtect ? (
        <button type="button" className="primary" data-testid={`protect-app-${id}`} onClick={onProtect} disabled={busy}>
          Protect {app.name}
        </button>
      ) : (
        <p className="muted small">Nothing here Keepsake can protect yet.</p>
      )}
    </div>
  );
}

function OtherDatabases({ files, sources, onPickFile }: { files: FoundFile[]; sources: readonly SourceView[]; onPickFile: (path: string) => void }) {
  return (
    <details className="found-other" data-testid="found-other">
      <summary>Other databases ({files.length})</summary>
      <p className="muted small">No app Keepsake knows keeps these files.</p>
      <ul>
        {files.map((f) => (
          <li key={f.path} data-testid="found-file">
            <span className="inline-path">{f.path}</span> <span className="muted">{formatBytes(f.size)}</span>{" "}
            {fileProtectedBy(f, sources) ? (
              <span className="ok">✓ Protected</span>
            ) : (
              <button type="button" className="link" onClick={() => onPickFile(f.path)} data-testid="protect-file">
                Protect this file
              </button>
            )}
            {f.shared && <span className="warning small"> {SHARED}</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}
