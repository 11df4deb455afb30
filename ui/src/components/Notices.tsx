// The error notices every failed action leaves: what happened and what to do, in plain words,
// with the technical line (the file involved) one click away.

import { useShared } from "../context";

export function Notices() {
  const { notices, dismiss } = useShared();
  if (notices.length === 0) return null;
  return (
    <section className="notices" aria-label="Problems">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice ${n.code === "cancelled" ? "notice-info" : "notice-error"}`}
          role="alert"
          data-testid="error-message"
          data-code={n.code}
        >
          <div className="notice-body">
            <strong>{n.doing ? `${n.doing}: ${n.title}` : n.title}</strong>
            <p>{n.action}</p>
            {n.detail && (
              <details>
                <summary>Details</summary>
                <code>{n.detail}</code>
              </details>
            )}
          </div>
          <button type="button" className="quiet" onClick={() => dismiss(n.id)} aria-label="Dismiss this message">
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
