// A labelled text setting with its own Save button, shown once the value differs from the saved one.

import { useId, useState } from "react";

import type { PathKind } from "../types";
import { ChooseButton } from "./ChooseButton";

export function EditableText({
  label,
  value,
  onSave,
  placeholder,
  help,
  testId,
  busy = false,
  choose,
}: {
  label: string;
  value: string;
  onSave: (value: string) => void;
  placeholder?: string;
  help?: string;
  testId?: string;
  busy?: boolean;
  /** A path: a "Choose…" button opens the system's dialog, and its answer becomes the draft. */
  choose?: PathKind;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const [base, setBase] = useState(value);
  // A new saved value from outside replaces the draft (the "reset state on prop change" pattern).
  if (value !== base) {
    setBase(value);
    setDraft(value);
  }
  const changed = draft.trim() !== value && draft.trim() !== "";
  return (
    <form
      className="editable"
      onSubmit={(e) => {
        e.preventDefault();
        if (changed) onSave(draft.trim());
      }}
    >
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          value={draft}
          placeholder={placeholder}
          onChange={(e) => setDraft(e.target.value)}
          spellCheck={false}
          data-testid={testId}
          aria-describedby={help ? `${id}-help` : undefined}
        />
        {choose && <ChooseButton kind={choose} current={draft} onChosen={setDraft} disabled={busy} testId={testId && `${testId}-choose`} />}
        {changed && (
          <>
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setDraft(value)} disabled={busy}>
              Undo
            </button>
          </>
        )}
      </div>
      {help && (
        <p id={`${id}-help`} className="muted small">
          {help}
        </p>
      )}
    </form>
  );
}
