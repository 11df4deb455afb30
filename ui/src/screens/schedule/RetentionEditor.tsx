// How many backups to keep: the retention rules (ticked, with their numbers), saved together;
// what the rules would delete now, and deleting it, asked first.

import { useState } from "react";

import * as api from "../../api";
import { Confirm } from "../../components/Confirm";
import { formatBytes, formatDateTime, plural } from "../../format";
import { useAction } from "../../hooks";
import type { CleanupPlan, SourcePatch, SourceView } from "../../types";
import { draftOf, ruleNumber, RULES, type RuleDraft } from "./retention";

export function RetentionEditor({ source }: { source: SourceView }) {
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(source.retention));
  const [plan, setPlan] = useState<CleanupPlan | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [cleaned, setCleaned] = useState<number | null>(null);

  const invalid = RULES.some((r) => draft[r.field].on && ruleNumber(draft[r.field].value) === null);
  const changes = RULES.filter((r) => {
    const d = draft[r.field];
    const want = d.on ? ruleNumber(d.value) : null;
    return want !== source.retention[r.field];
  });
  const save = useAction(
    async () => {
      // Every rule changed, in one patch: saved together or not at all.
      const patch: SourcePatch = {};
      for (const r of changes) {
        const d = draft[r.field];
        patch[r.field] = d.on ? ruleNumber(d.value) : null;
      }
      if (changes.length > 0) await api.updateSource(source.name, patch);
    },
    { doing: "Saving what to keep" },
  );
  const preview = useAction(() => api.previewCleanup(source.name), {
    doing: "Working out what to delete",
    refresh: false,
    onSuccess: (p) => {
      setPlan(p);
      setCleaned(null);
    },
  });
  const apply = useAction(() => api.applyCleanup(source.name), {
    doing: "Deleting old backups",
    onSuccess: () => {
      setCleaned(plan?.delete.length ?? 0);
      setPlan(null);
      setConfirming(false);
    },
  });
  const noRule = RULES.every((r) => !draft[r.field].on);

  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        if (!invalid) void save.run();
      }}
    >
      <fieldset>
        <legend>How many backups to keep</legend>
        <p className="muted small">
          A backup is kept when any ticked rule keeps it; the others are deleted when Keepsake tidies up after a scheduled
          backup. The newest backup, the newest verified one and the newest one known sound (it passed the database check)
          are never deleted. With no rule ticked, nothing is deleted.
        </p>
        {RULES.map((r) => {
          const d = draft[r.field];
          const id = `rule-${r.field}`;
          return (
            <div className="rule" key={r.field}>
              <input
                type="checkbox"
                id={id}
                checked={d.on}
                onChange={(e) => setDraft({ ...draft, [r.field]: { ...d, on: e.target.checked } })}
              />
              <label htmlFor={id}>{r.before}</label>
              <input
                type="number"
                min={1}
                max={9999}
                className="narrow"
                aria-label={`${r.before} … ${r.after}`}
                value={d.value}
                disabled={!d.on}
                aria-invalid={d.on && ruleNumber(d.value) === null}
                onChange={(e) => setDraft({ ...draft, [r.field]: { ...d, value: e.target.value } })}
              />
              <span>{r.after}</span>
            </div>
          );
        })}
      </fieldset>
      <div className="buttons">
        <button type="submit" className="primary" disabled={changes.length === 0 || invalid || save.pending}>
          Save
        </button>
        {invalid && <span className="field-error">Use a whole number from 1 to 9999.</span>}
        <button type="button" onClick={() => void preview.run()} disabled={preview.pending || changes.length > 0 || noRule}>
          Show what would be deleted now
        </button>
      </div>
      {plan && (
        <div className="cleanup-plan" role="status" data-testid="cleanup-plan">
          {plan.delete.length === 0 ? (
            <p>Nothing to delete: the rules keep all {plural(plan.keep.length, "backup")}.</p>
          ) : (
            <>
              <p>
                The rules keep {plural(plan.keep.length, "backup")} and would delete {plural(plan.delete.length, "backup")},
                freeing {formatBytes(plan.delete.reduce((sum, e) => sum + e.stored_size, 0))}:
              </p>
              <ul>
                {plan.delete.map((e) => (
                  <li key={e.id}>
                    {formatDateTime(e.created_at)} ({formatBytes(e.stored_size)})
                  </li>
                ))}
              </ul>
              {confirming ? (
                <Confirm
                  danger
                  confirmLabel={`Delete ${plural(plan.delete.length, "backup")}`}
                  onConfirm={() => void apply.run()}
                  onCancel={() => setConfirming(false)}
                  busy={apply.pending}
                >
                  These backup files are removed for good.
                </Confirm>
              ) : (
                <button type="button" className="danger" onClick={() => setConfirming(true)}>
                  Delete them now
                </button>
              )}
            </>
          )}
        </div>
      )}
      {cleaned !== null && (
        <p role="status" className="ok">
          Deleted {plural(cleaned, "old backup")}.
        </p>
      )}
    </form>
  );
}
