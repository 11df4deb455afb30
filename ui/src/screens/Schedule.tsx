// Schedule: when backups run (presets, or a cron expression checked as it is typed, with the
// plain-English meaning and the next five run times), how many backups to keep, and whether to
// check each backup after making it.

import { useState, type ReactNode } from "react";

import * as api from "../api";
import { Confirm } from "../components/Confirm";
import { ERROR_WORDING } from "../errors";
import { formatBytes, formatDateTime, formatRelative, formatRunTime, plural } from "../format";
import { useAction, useDebounced, useQuery } from "../hooks";
import {
  formFromSchedule,
  monthDayFromText,
  sameSchedule,
  scheduleFromForm,
  scheduleKey,
  WEEKDAYS,
  type ScheduleForm,
} from "../scheduleForm";
import type { CleanupPlan, RetentionPolicy, Schedule as ScheduleData, SourceView, Weekday } from "../types";

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

function WhenEditor({ source, appPaused }: { source: SourceView; appPaused: boolean }) {
  const [form, setForm] = useState<ScheduleForm>(() => formFromSchedule(source.schedule));
  // What the source's schedule is known to be: the saved one after a save, so "Saved." shows even
  // while the refreshed source is on its way.
  const [saved, setSaved] = useState<{ schedule: ScheduleData | null } | null>(null);
  const schedule = scheduleFromForm(form);
  const key = scheduleKey(schedule);
  const settledKey = useDebounced(key, 250);
  const typing = settledKey !== key;
  // Asked once typing settles; the key names the schedule exactly, so the answer is about this one.
  const asked = typing ? null : schedule;
  const preview = useQuery(asked ? `preview:${key}` : null, () =>
    asked ? api.previewSchedule(asked, 5) : Promise.reject(new Error("no schedule to preview")),
  );
  const save = useAction(() => api.setSchedule(source.name, schedule), {
    doing: "Saving the schedule",
    onSuccess: () => setSaved({ schedule }),
  });
  const pause = useAction((paused: boolean) => api.updateSource(source.name, "paused", String(paused)), {
    doing: "Pausing",
  });

  const update = (patch: Partial<ScheduleForm>) => {
    setForm((f) => ({ ...f, ...patch }));
  };
  const invalid = schedule !== null && (typing || preview.loading || preview.error !== undefined);
  const baseline = saved !== null ? saved.schedule : source.schedule;
  const unchanged = sameSchedule(schedule, baseline);
  const previewError = typing ? undefined : preview.error;

  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        if (!invalid) void save.run();
      }}
    >
      <fieldset>
        <legend>When to back up</legend>
        <div className="presets">
          <Preset kind="off" form={form} update={update} label="Only when I click Back up now" />
          <Preset kind="hourly" form={form} update={update} label="Every hour">
            at
            <input
              type="number"
              min={0}
              max={59}
              aria-label="Minutes past the hour"
              value={form.minute}
              onChange={(e) => update({ minute: clampInt(e.target.value, 0, 59) })}
              className="narrow"
            />
            minutes past
          </Preset>
          <Preset kind="daily" form={form} update={update} label="Every day">
            at <TimeInput value={form.time} onChange={(time) => update({ time })} label="Time of day" />
          </Preset>
          <Preset kind="weekly" form={form} update={update} label="Every week">
            on
            <select
              aria-label="Day of the week"
              value={form.weekday}
              onChange={(e) => update({ weekday: e.target.value as Weekday })}
            >
              {WEEKDAYS.map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </select>
            at <TimeInput value={form.time} onChange={(time) => update({ time })} label="Time on that day" />
          </Preset>
          <Preset kind="monthly" form={form} update={update} label="Every month">
            on
            <select
              aria-label="Day of the month"
              value={String(form.monthDay)}
              onChange={(e) => update({ monthDay: monthDayFromText(e.target.value) })}
            >
              {Array.from({ length: 28 }, (_, i) => String(i + 1)).map((d) => (
                <option key={d} value={d}>
                  day {d}
                </option>
              ))}
              <option value="last">the last day</option>
            </select>
            at <TimeInput value={form.time} onChange={(time) => update({ time })} label="Time on that day" />
          </Preset>
          <Preset kind="advanced" form={form} update={update} label="Advanced: a cron expression" />
          {form.other !== null && (
            <Preset
              kind="other"
              form={form}
              update={update}
              label={`As set in Keepsake's configuration file${source.schedule_description ? ` (${source.schedule_description})` : ""}`}
            />
          )}
        </div>
        {form.kind === "advanced" && (
          <div className="advanced">
            <label htmlFor="cron">Cron expression</label>
            <input
              id="cron"
              data-testid="cron-input"
              value={form.cron}
              onChange={(e) => update({ cron: e.target.value })}
              spellCheck={false}
              autoComplete="off"
              aria-invalid={Boolean(previewError)}
              aria-describedby="cron-help cron-error"
            />
            <p id="cron-help" className="muted small">
              Five fields: minute, hour, day of the month, month, day of the week. For example <code>0 2 * * 1-5</code> means
              02:00 on weekdays, and <code>30 */6 * * *</code> means every six hours at half past.
            </p>
          </div>
        )}
      </fieldset>

      <div className="preview" aria-live="polite">
        {schedule === null && <p data-testid="schedule-description">No automatic backups. Keepsake backs up only when you ask.</p>}
        {previewError && (
          <p id="cron-error" className="field-error" role="alert" data-testid="schedule-error">
            {previewError.code === "invalid_input"
              ? `Not a valid schedule: ${previewError.message}`
              : `${ERROR_WORDING[previewError.code].title}. ${ERROR_WORDING[previewError.code].action}`}
          </p>
        )}
        {schedule !== null && !previewError && preview.data && !typing && (
          <>
            <p>
              <strong data-testid="schedule-description">{preview.data.description}</strong>
            </p>
            <p className="muted">Next backups:</p>
            <ol className="next-runs">
              {preview.data.next_runs.map((run) => (
                <li key={run} data-testid="next-run" data-time={run}>
                  {formatRunTime(run)} <span className="muted">({formatRelative(run)})</span>
                </li>
              ))}
            </ol>
          </>
        )}
        {schedule !== null && (typing || preview.loading) && <p className="muted">Checking…</p>}
      </div>

      <div className="buttons">
        <button type="submit" className="primary" disabled={invalid || unchanged || save.pending} data-testid="schedule-save">
          Save schedule
        </button>
        {saved !== null && unchanged && (
          <span role="status" className="ok">
            Saved.
          </span>
        )}
      </div>

      {source.schedule && (
        <label className="check">
          <input
            type="checkbox"
            checked={source.paused}
            onChange={(e) => void pause.run(e.target.checked)}
            disabled={pause.pending}
          />
          Pause scheduled backups of this database
          {appPaused && <span className="muted"> (all schedules are paused in Settings right now)</span>}
        </label>
      )}
    </form>
  );
}

function Preset({
  kind,
  form,
  update,
  label,
  children,
}: {
  kind: ScheduleForm["kind"];
  form: ScheduleForm;
  update: (patch: Partial<ScheduleForm>) => void;
  label: string;
  children?: ReactNode;
}) {
  const checked = form.kind === kind;
  return (
    <div className={`preset ${checked ? "checked" : ""}`}>
      <label className="check">
        <input
          type="radio"
          name="schedule-kind"
          value={kind}
          checked={checked}
          onChange={() => update({ kind })}
          data-testid={`preset-${kind}`}
        />
        {label}
      </label>
      {checked && children && <span className="preset-extra">{children}</span>}
    </div>
  );
}

function TimeInput({ value, onChange, label }: { value: string; onChange: (value: string) => void; label: string }) {
  return (
    <input
      type="time"
      aria-label={label}
      value={value}
      required
      onChange={(e) => {
        if (e.target.value) onChange(e.target.value);
      }}
    />
  );
}

function clampInt(text: string, min: number, max: number): number {
  const n = Math.round(Number(text));
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}

const RULES: { field: keyof RetentionPolicy; before: string; after: string; fallback: number }[] = [
  { field: "keep_last", before: "Keep the newest", after: "backups", fallback: 10 },
  { field: "keep_within_days", before: "Keep every backup from the last", after: "days", fallback: 30 },
  { field: "keep_daily", before: "Keep one backup a day for", after: "days", fallback: 7 },
  { field: "keep_weekly", before: "Keep one backup a week for", after: "weeks", fallback: 4 },
  { field: "keep_monthly", before: "Keep one backup a month for", after: "months", fallback: 12 },
];

/** The typed text is kept as typed (so clearing the field to type a new number works). */
type RuleDraft = Record<keyof RetentionPolicy, { on: boolean; value: string }>;

function ruleNumber(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() !== "" && Number.isInteger(n) && n >= 1 && n <= 9999 ? n : null;
}

function draftOf(retention: RetentionPolicy): RuleDraft {
  const entries = RULES.map((r) => {
    const current = retention[r.field];
    return [r.field, { on: current !== null, value: String(current ?? r.fallback) }] as const;
  });
  return Object.fromEntries(entries) as RuleDraft;
}

function RetentionEditor({ source }: { source: SourceView }) {
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
      for (const r of changes) {
        const d = draft[r.field];
        await api.updateSource(source.name, r.field, d.on ? String(ruleNumber(d.value)) : "none");
      }
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

function VerifyAfter({ source }: { source: SourceView }) {
  const toggle = useAction((on: boolean) => api.updateSource(source.name, "verify_after_backup", String(on)), {
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
