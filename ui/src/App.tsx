// The window: first-run setup until a database is configured, then the five screens behind a
// tab bar (Alt+1 … Alt+5 from the keyboard), a database picker when there are several, and the
// error notices every failed action leaves.

import { useEffect, useState } from "react";

import * as api from "./api";
import { Notices } from "./components/Notices";
import { LoadError, Loading } from "./components/QueryState";
import { SharedProvider, useShared } from "./context";
import { useQuery } from "./hooks";
import { SCREENS, type Navigate, type NavigateOptions, type Screen } from "./navigation";
import { FirstRun } from "./screens/FirstRun";
import { History } from "./screens/History";
import { Home } from "./screens/Home";
import { Inside } from "./screens/Inside";
import { Restore } from "./screens/Restore";
import { Schedule } from "./screens/Schedule";
import { Settings } from "./screens/Settings";

export function App() {
  return (
    <SharedProvider>
      <Window />
    </SharedProvider>
  );
}

function Window() {
  const { refresh } = useShared();
  // Read again after a copy too: Home's "Protected" depends on the newest backup's copy.
  const state = useQuery("app_state", api.appState, "both");
  const [setupDone, setSetupDone] = useState(false);
  const [screen, setScreen] = useState<Screen>("home");
  const [selected, setSelected] = useState<string | null>(null);
  const [restoreChoice, setRestoreChoice] = useState<NavigateOptions>({});

  // A scheduled backup, the tray or another window changed something: refetch everything.
  useEffect(() => {
    let unsubscribe: api.Unsubscribe | undefined;
    let active = true;
    api
      .onStateChanged(refresh)
      .then((un) => {
        if (active) unsubscribe = un;
        else un();
      })
      .catch(() => {
        // Without the event the window still refetches after its own actions.
      });
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, [refresh]);

  // A clicked notification (the weekly summary) asks for a screen: shown once.
  useQuery("pending_screen", async () => {
    const wanted = await api.takePendingScreen();
    const asked = SCREENS.find(([id]) => id === wanted);
    if (asked) setScreen(asked[0]);
    return wanted;
  });

  const navigate: Navigate = (next, options) => {
    if (next === "restore" || next === "browse") setRestoreChoice(options ?? {});
    setScreen(next);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const index = Number(e.key) - 1;
      const target = SCREENS[index];
      if (target) {
        e.preventDefault();
        setScreen(target[0]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (state.loading) {
    return (
      <main className="centered">
        <Loading what="Keepsake" />
      </main>
    );
  }
  if (state.error || !state.data) {
    return (
      <main className="centered">
        {state.error && <LoadError what="Keepsake's settings" error={state.error} retry={state.reload} />}
      </main>
    );
  }

  const app = state.data;
  if (app.first_run && !setupDone) {
    return (
      <>
        <Notices />
        <FirstRun
          backupsRoot={app.backups_root}
          onDone={(source) => {
            setSetupDone(true);
            setSelected(source.name);
            setScreen("home");
          }}
        />
      </>
    );
  }

  const source = app.sources.find((s) => s.name === selected) ?? app.sources[0] ?? null;
  // A foreign backup handed over by History belongs to the source it was found for.
  const foreign = restoreChoice.foreign && restoreChoice.foreign.source === source?.name ? restoreChoice.foreign.backup : null;
  const needsSource = screen !== "home" && screen !== "settings" && source === null;

  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          Keepsake
        </span>
        <nav aria-label="Screens">
          {SCREENS.map(([id, label], i) => (
            <button
              key={id}
              type="button"
              data-testid={`nav-${id}`}
              aria-current={screen === id ? "page" : undefined}
              aria-keyshortcuts={`Alt+${i + 1}`}
              onClick={() => navigate(id)}
            >
              {label}
            </button>
          ))}
        </nav>
        {app.sources.length > 1 && source && (
          <label className="picker">
            <span>Database</span>
            <select value={source.name} onChange={(e) => setSelected(e.target.value)} data-testid="source-picker">
              {app.sources.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      <Notices />
      <main className="content">
        {screen === "home" && <Home state={app} source={source} onSelect={setSelected} navigate={navigate} />}
        {needsSource && (
          <section className="screen card empty">
            <p>Add a database first: Keepsake has nothing to show here yet.</p>
            <button type="button" onClick={() => navigate("settings")}>
              Open Settings
            </button>
          </section>
        )}
        {screen === "history" && source && <History key={source.name} source={source} navigate={navigate} />}
        {screen === "restore" && source && (
          <Restore
            key={`${source.name}|${restoreChoice.backupId ?? foreign?.id ?? ""}`}
            source={source}
            initialBackupId={restoreChoice.backupId ?? foreign?.id ?? null}
            foreign={foreign}
            navigate={navigate}
          />
        )}
        {screen === "browse" && source && restoreChoice.backupId && (
          <Inside key={`${source.name}|${restoreChoice.backupId}`} source={source} backupId={restoreChoice.backupId} navigate={navigate} />
        )}
        {screen === "schedule" && source && <Schedule key={source.name} source={source} appPaused={app.paused} />}
        {screen === "settings" && <Settings state={app} onSelect={setSelected} />}
      </main>
    </div>
  );
}
