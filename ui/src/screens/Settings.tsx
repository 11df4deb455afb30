// Settings: the databases Keepsake protects (find an app's, add, rename, move, remove, encryption and
// compression), copies elsewhere, the backup password and the emergency kit, notifications, start at login, pausing,
// and the theme. Each section is a component of its own in settings/ (copies: CopiesElsewhere).

import { useState } from "react";

import type { AppStateView } from "../types";
import { CopiesElsewhere } from "./CopiesElsewhere";
import { AddSource } from "./settings/AddSource";
import { AppSettings } from "./settings/AppSettings";
import { FindApps } from "./settings/FindApps";
import { KeySettings } from "./settings/KeySettings";
import { PasswordSettings } from "./settings/PasswordSettings";
import { SourceSettings } from "./settings/SourceSettings";

export function Settings({ state, onSelect }: { state: AppStateView; onSelect: (name: string) => void }) {
  // A database "Find my databases" found that no app claims, for the form (counted, so picking it again refills it).
  const [picked, setPicked] = useState({ path: "", n: 0 });
  return (
    <section className="screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <section aria-labelledby="databases-title">
        <h2 id="databases-title">Databases</h2>
        {state.sources.length === 0 && <p className="muted">No databases yet. Add one below.</p>}
        {state.sources.map((s) => (
          <SourceSettings key={s.name} source={s} onRenamed={onSelect} />
        ))}
        <FindApps sources={state.sources} onAdded={onSelect} onPickFile={(path) => setPicked((p) => ({ path, n: p.n + 1 }))} />
        <AddSource key={picked.n} database={picked.path} onAdded={onSelect} />
      </section>
      <CopiesElsewhere state={state} />
      <PasswordSettings keyring={state.keyring} />
      <KeySettings state={state} />
      <AppSettings state={state} />
    </section>
  );
}
