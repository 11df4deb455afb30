// Schedule: when backups run (presets, or a cron expression checked as it is typed, with the
// plain-English meaning and the next five run times), how many backups to keep, and whether to
// check each backup after making it.

import * as api from "../api";
import { useAction } from "../hooks";
import type { SourceView } from "../types";
import { RetentionEditor } from "./schedule/RetentionEditor";
import { WhenEditor } from "./schedule/WhenEditor";

export function Schedule({ source, appPaused }: { source: SourceView; appPaused: boolean }) {
  return (
    <section className="screen" aria-labelledby="schedule-title">
      <h1 id="schedule-title">Schedule for {source.name}</h1>
      <WhenEditor key={source.name} source={source} appPaused={appPaused} />
      <RetentionEditor key={`${source.name}|${JSON.stringify(source.retention)}`} source={source} />
      <VerifyAfter source={source} />
    </section>
  );
}

function VerifyAfter({ source }: { source: SourceView }) {
  const toggle = useAction((on: boolean) => api.updateSource(source.name, { verify_after_backup: on }), {
    doing: "Saving",
  });
  return (
    <div className="card">
      <label className="check">
        <input
          type="checkbox"
          checked={source.verify_after_backup}
          onChange={(e) => void toggle.run(e.target.checked)}
          disabled={toggle.pending}
          data-testid="verify-after-backup"
        />
        Check each backup right after making it (reads it back and tests it; takes a little longer)
      </label>
    </div>
  );
}
