// The content alerts of one database on Home: what changed that may be data loss (in alarm red,
// named with the app) or an app's update (calmly), what is kept because of it, and one way on:
// see what is gone in the kept backup and take it back, or say it was you.

import * as api from "../api";
import { alertDetail, alertTitle, isCalm } from "../alerts";
import { useAction, useQuery } from "../hooks";
import type { Navigate } from "../navigation";
import type { SourceView } from "../types";

export function ContentAlerts({ source, navigate }: { source: SourceView; navigate: Navigate }) {
  const alerts = useQuery(`alerts:${source.name}`, () => api.listAlerts(source.name));
  const dismiss = useAction((id: number) => api.dismissAlert(source.name, id), { doing: "Dismissing the alert" });
  const list = alerts.data ?? [];
  if (list.length === 0) return null;
  const app = source.app ?? source.name;
  return (
    <section className="problems content-alerts" aria-label="Changes inside your data" data-testid="content-alerts">
      {list.map((a) => {
        const calm = isCalm(a);
        return (
          <div
            key={a.id}
            className={`problem ${calm ? "tone-warn" : "tone-bad"}`}
            role={calm ? "status" : "alert"}
            data-testid="content-alert"
            data-kind={a.kind}
          >
            <div>
              <strong>
                <span className={`icon ${calm ? "icon-warn" : "icon-bad"}`} aria-hidden="true">
                  {calm ? "i" : "!"}
                </span>{" "}
                {calm ? alertTitle(a, app) : `${app}: ${alertTitle(a, app)}`}
              </strong>
              <p>{alertDetail(a)}</p>
            </div>
            <div className="buttons">
              {a.pinned && !calm && (
                <button
                  type="button"
                  className="primary"
                  data-testid="alert-look-inside"
                  onClick={() => navigate("browse", { backupId: a.pinned ?? undefined })}
                >
                  See what&apos;s gone and get it back
                </button>
              )}
              <button type="button" className="quiet" data-testid="alert-dismiss" onClick={() => void dismiss.run(a.id)} disabled={dismiss.pending}>
                {calm ? "OK" : "This was me"}
              </button>
            </div>
          </div>
        );
      })}
    </section>
  );
}
