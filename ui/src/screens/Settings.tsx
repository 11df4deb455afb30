// Settings: the databases Keepsake protects (add, rename, move, remove, encryption and
// compression), copies elsewhere, the backup password, notifications, start at login, pausing,
// and the theme. Each section is a component of its own in settings/ (copies: CopiesElsewhere).

import type { AppStateView } from "../types";
import { CopiesElsewhere } from "./CopiesElsewhere";
import { AddSource } from "./settings/AddSource";
import { AppSettings } from "./settings/AppSettings";
import { PasswordSettings } from "./settings/PasswordSettings";
import { SourceSettings } from "./settings/SourceSettings";

export function Settings({ state, onSelect }: { state: AppStateView; onSelect: (name: string) => void }) {
  return (
    <section className="screen" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <section aria-labelledby="databases-title">
        <h2 id="databases-title">Databases</h2>
        {state.sources.length === 0 && <p className="muted">No databases yet. Add one below.</p>}
        {state.sources.map((s) => (
          <SourceSettings key={s.name} source={s} onRenamed={onSelect} />
        ))}
        <AddSource onAdded={onSelect} />
      </section>
      <CopiesElsewhere state={state} />
      <PasswordSettings keyring={state.keyring} />
      <AppSettings state={state} />
    </section>
  );
}
