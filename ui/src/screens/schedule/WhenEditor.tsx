// When to back up: the presets (off, hourly, daily, weekly, monthly), a cron expression checked
// as it is typed, or a schedule set in the configuration file; the plain-English meaning and the
// next five run times come from the shell once typing settles. Also pausing this database's
// scheduled backups.

import { useState } from "react";

import * as api from "../../api";
import { ERROR_WORDING } from "../../errors";
import { formatRelative, formatRunTime } from "../../format";
import { useAction, useDebounced, useQuery } from "../../hooks";
import {
  formFromSchedule,
  monthDayFromText,
  sameSchedule,
  scheduleFromForm,
  scheduleKey,
  WEEKDAYS,
  type ScheduleForm,
} from "../../scheduleForm";
import type { Schedule as ScheduleData, SourceView, Weekday } from "../../types";
import { clampInt, Preset, TimeInput } from "./Preset";

export function WhenEditor({ source, appPaused }: { source: SourceView; appPaused: boolean }) {
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
  const pause = useAction((paused: boolean) => api.updateSource(source.name, { paused }), {
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
          <Preset kind="advanced" form={form} update={update} label="Advanced: a rule of my own (for experts)" />
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
