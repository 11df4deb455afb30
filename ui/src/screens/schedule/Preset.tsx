// One choice of the schedule editor (a radio, with its own fields while it is chosen), and the
// small inputs those fields use.

import type { ReactNode } from "react";

import type { ScheduleForm } from "../../scheduleForm";

export function Preset({
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

export function TimeInput({ value, onChange, label }: { value: string; onChange: (value: string) => void; label: string }) {
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

/** A whole number from typed text, held between `min` and `max` (`min` for anything else). */
export function clampInt(text: string, min: number, max: number): number {
  const n = Math.round(Number(text));
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min;
}
