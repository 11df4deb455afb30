// How a screen looks while its data loads or when loading failed.

import { detailOf, wordingFor, type ApiError } from "../errors";

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function LoadError({ error, what, retry }: { error: ApiError; what: string; retry?: () => void }) {
  const wording = wordingFor(error.code, error.facts);
  const detail = detailOf(error);
  return (
    <div className="notice notice-error" role="alert" data-testid="error-message" data-code={error.code}>
      <div className="notice-body">
        <strong>
          Couldn't load {what}: {wording.title}
        </strong>
        <p>{wording.action}</p>
        {detail && (
          <details>
            <summary>Details</summary>
            <code>{detail}</code>
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
