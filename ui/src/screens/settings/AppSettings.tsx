// Keepsake's own settings: desktop notifications, start at login, pausing every schedule, the
// theme (kept in this window, not in the engine's settings), and Quit (for a desktop without a tray).

import { useState } from "react";

import * as api from "../../api";
import { useAction } from "../../hooks";
import { loadTheme, saveTheme, type Theme } from "../../theme";
import type { AppStateView } from "../../types";
import { entries, NOTIFICATION_WORDS, THEME_WORDS } from "../../words";

export function AppSettings({ state }: { state: AppStateView }) {
  const [theme, setTheme] = useState<Theme>(loadTheme);
  const notify = useAction(api.setNotificationLevel, { doing: "Changing notifications" });
  const autostart = useAction(api.setAutostart, { doing: "Changing start at login" });
  const pause = useAction(api.setPaused, { doing: "Pausing schedules" });
  const quit = useAction(api.quitApp, { doing: "Quitting Keepsake" });
  return (
    <section className="card" aria-labelledby="app-title">
      <h2 id="app-title">Keepsake</h2>
      <fieldset>
        <legend>Desktop notifications</legend>
        {entries(NOTIFICATION_WORDS).map(([level, label]) => (
          <label className="check" key={level}>
            <input
              type="radio"
              name="notifications"
              value={level}
              checked={state.notification_level === level}
              onChange={() => void notify.run(level)}
              disabled={notify.pending}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={state.autostart} onChange={(e) => void autostart.run(e.target.checked)} disabled={autostart.pending} data-testid="autostart" />
        Start Keepsake when I log in (so scheduled backups run)
      </label>
      <label className="check">
        <input type="checkbox" checked={state.paused} onChange={(e) => void pause.run(e.target.checked)} disabled={pause.pending} data-testid="pause-all" />
        Pause all scheduled backups
      </label>
      <fieldset>
        <legend>Appearance</legend>
        {entries(THEME_WORDS).map(([value, label]) => (
          <label className="check" key={value}>
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => {
                setTheme(value);
                saveTheme(value);
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <p className="small">
        Closing the window leaves Keepsake running in the background, so scheduled backups go on.{" "}
        <button type="button" className="link" onClick={() => void quit.run()} disabled={quit.pending} data-testid="quit-app">
          Quit Keepsake
        </button>{" "}
        (scheduled backups then wait until it starts again).
      </p>
    </section>
  );
}
