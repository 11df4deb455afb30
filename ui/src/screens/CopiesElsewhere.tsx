// Copies elsewhere: in Settings, the destinations backups are copied to (a form per kind with
// "Test connection", which databases copy there, remove), and on Home, how each destination of
// the selected database stands (copies/CopyStatusList). The copying runs in the background in
// the shell. Adding a destination is copies/AddDestination.

import { useState } from "react";

import * as api from "../api";
import { copyStatusLine, KIND_WORDS } from "../copies";
import { useAction, useNow, useQuery } from "../hooks";
import type { AppStateView } from "../types";
import { AddDestination } from "./copies/AddDestination";
import { RestoreFromCopy } from "./RestoreFromCopy";

export function CopiesElsewhere({ state }: { state: AppStateView }) {
  const destinations = useQuery("destinations", api.listDestinations);
  const status = useQuery("copy-status", api.copyStatus, "copies");
  const [adding, setAdding] = useState(false);
  const [fromCopy, setFromCopy] = useState(false);
  const [restoredTo, setRestoredTo] = useState<string | null>(null);
  const now = useNow();
  const remove = useAction((name: string) => api.removeDestination(name), { doing: "Removing a copy elsewhere" });
  const copyNow = useAction(api.copyNow, { doing: "Copying now" });
  const list = destinations.data ?? [];
  return (
    <section className="card" aria-labelledby="copies-title" data-testid="copies-elsewhere">
      <h2 id="copies-title">Copies elsewhere</h2>
      <p className="muted">
        A second copy of each backup somewhere else (a cloud bucket, a NAS, another disk) keeps your data safe when this
        computer is lost, stolen or broken. Keepsake sends each new backup there in the background and checks it arrived
        whole.
      </p>
      {list.length === 0 && <p className="muted">No copies elsewhere yet.</p>}
      {list.length > 0 && (
        <ul className="destinations">
          {list.map((d) => {
            const lines = (status.data ?? []).filter((s) => s.destination === d.name);
            const users = state.sources.filter((s) => s.copies_to.includes(d.name)).map((s) => s.name);
            return (
              <li key={d.name} data-testid="destination" data-name={d.name}>
                <strong>{d.name}</strong> <span className="muted">({KIND_WORDS[d.kind]})</span>
                <div className="muted small">{users.length > 0 ? `Copies of ${users.join(", ")}` : "No database copies here"}</div>
                {lines.map((s) => {
                  const line = copyStatusLine(s, now);
                  return (
                    <div key={s.source} className={`dest-line tone-${line.tone}`} data-testid="destination-status">
                      {s.source}: {line.text}
                    </div>
                  );
                })}
                <button type="button" className="link" onClick={() => void remove.run(d.name)} disabled={remove.pending}>
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="buttons">
        {!adding && (
          <button type="button" onClick={() => setAdding(true)} data-testid="add-destination">
            Add a copy elsewhere…
          </button>
        )}
        {list.length > 0 && (
          <button type="button" onClick={() => void copyNow.run()} disabled={copyNow.pending} data-testid="copy-now">
            Copy now
          </button>
        )}
        {!fromCopy && (
          <button
            type="button"
            onClick={() => {
              setFromCopy(true);
              setRestoredTo(null);
            }}
            data-testid="open-restore-from-copy"
          >
            Restore from a copy elsewhere…
          </button>
        )}
      </div>
      {adding && <AddDestination sources={state.sources} onDone={() => setAdding(false)} />}
      {restoredTo !== null && (
        <p className="done" role="status" data-testid="restored-from-copy">
          Restored to <span className="inline-path">{restoredTo}</span>. Add it as a database in Keepsake to protect it.
        </p>
      )}
      {fromCopy && (
        <RestoreFromCopy
          onCancel={() => setFromCopy(false)}
          onRestored={(r) => {
            setRestoredTo(r.target);
            setFromCopy(false);
          }}
        />
      )}
    </section>
  );
}
