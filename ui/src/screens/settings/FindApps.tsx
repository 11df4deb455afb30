// "Find my databases" in Settings: an app found is protected at once, with the recommended daily
// schedule, under a name no database has yet; a database no app claims goes to the plain form
// below (Add a database).

import * as api from "../../api";
import { FindDatabases } from "../../components/FindDatabases";
import { freeName } from "../../components/found";
import { useAction } from "../../hooks";
import type { FoundApp, SourceView } from "../../types";
import { RECOMMENDED_SCHEDULE } from "../firstRun/wizard";

export function FindApps({
  sources,
  onAdded,
  onPickFile,
}: {
  sources: readonly SourceView[];
  onAdded: (name: string) => void;
  onPickFile: (path: string) => void;
}) {
  const protect = useAction(
    (app: FoundApp) => api.protectApp({ app: app.app, place: app.place, name: freeName(app, sources), schedule: RECOMMENDED_SCHEDULE }),
    { doing: "Protecting an app", onSuccess: (s) => onAdded(s.name) },
  );
  return (
    <div className="card" data-testid="find-apps">
      <fieldset>
        <legend>Your apps' databases</legend>
        <p className="muted small">An app protected here is backed up every day at 02:00; change it in Schedule.</p>
        <FindDatabases sources={sources} onProtect={(app) => void protect.run(app)} onPickFile={onPickFile} busy={protect.pending} />
      </fieldset>
    </div>
  );
}
