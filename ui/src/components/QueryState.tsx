// How a screen looks while its data loads or when loading failed.

import { ERROR_WORDING } from "../errors";
import type { ApiError } from "../api";

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function LoadError({ error, what, retry }: { error: ApiError; what: string; retry?: () => void }) {
  const wording = ERROR_WORDING[error.code];
  return (
    <div className="notice notice-error" role="alert" data-testid="error-message" data-code={error.code}>
      <div className="notice-body">
        <strong>
          Couldn't load {what}: {wording.title}
        </strong>
        <p>{wording.action}</p>
        {error.message && (
          <details>
            <summary>Details</summary>
            <code>{error.message}</code>
          </details>
        )}
      </div>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
