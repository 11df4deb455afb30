// The content alerts of one database on Home: what changed that may be data loss, what is kept
// because of it, and the three ways on: look inside the kept backup, compare it with now (the
// Restore screen), or say it was you.

import * as api from "../api";
import { alertDetail, alertTitle } from "../alerts";
import { useAction, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type { SourceView } from "../types";

export function ContentAlerts({ source, navigate }: { source: SourceView; navigate: Navigate }) {
  const alerts = useQuery(`alerts:${source.name}`, () => api.listAlerts(source.name));
  const dismiss = useAction((id: number) => api.dismissAlert(source.name, id), { doing: "Dismissing the alert" });
  const list = alerts.data ?? [];
  if (list.length === 0) return null;
  return (
    <section className="problems content-alerts" aria-label="Changes inside your database" data-testid="content-alerts">
      {list.map((a) => (
        <div key={a.id} className="problem tone-bad" role="alert" data-testid="content-alert" data-kind={a.kind}>
          <div>
            <strong>
              <span className="icon icon-bad" aria-hidden="true">
                !
              </span>{" "}
              {alertTitle(a)}
            </strong>
            <p>{alertDetail(a)}</p>
          </div>
          <div className="buttons">
            {a.pinned && (
              <>
                <button type="button" data-testid="alert-look-inside" onClick={() => navigate("browse", { backupId: a.pinned ?? undefined })}>
                  Look inside the kept backup
                </button>
                <button type="button" onClick={() => navigate("restore", { backupId: a.pinned ?? undefined })}>
                  Compare with now
                </button>
              </>
            )}
            <button type="button" className="quiet" data-testid="alert-dismiss" onClick={() => void dismiss.run(a.id)} disabled={dismiss.pending}>
              This was me
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
