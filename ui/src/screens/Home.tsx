// Home: is each database protected, when is the next backup, and a big "Back up now" with live
// progress. Problems (missed backups, a failed check, a locked keyring) come first.

import { useState } from "react";

import * as api from "../api";
import { ContentAlerts } from "../components/ContentAlerts";
import { JobProgress } from "../components/JobProgress";
import { LowSpace } from "../components/LowSpace";
import { formatBytes, formatDateTime, formatDuration } from "../format";
import { nextRunText, problems, sourceStatus } from "../health";
import { useAction, useJob, useNow, useQuery } from "../hooks";
import { isCalm } from "../alerts";
import type { AppStateView, BackupMetadata, SourceView } from "../types";
import type { Navigate } from "../navigation";
import { CopyStatusList } from "./copies/CopyStatusList";
import { KitCard, PasswordCheck } from "./home/KeyCards";
import { appFiles, ProblemCard, StatusIcon } from "./home/Parts";

export function Home({
  state,
  source,
  onSelect,
  navigate,
}: {
  state: AppStateView;
  source: SourceView | null;
  onSelect: (name: string) => void;
  navigate: Navigate;
}) {
  const now = useNow();
  const job = useJob();
  const [note, setNote] = useState("");
  const [tags, setTags] = useState("");
  const [made, setMade] = useState<{ source: string; backup: BackupMetadata } | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const resume = useAction(() => api.setPaused(false), { doing: "Resuming scheduled backups" });
  const startAtLogin = useAction(() => api.setAutostart(true), { doing: "Letting Keepsake start when you log in" });
  const runs = { autostart: state.autostart, paused: state.paused };
  // The alerts shown above the status, read here too: the status line agrees with them.
  const alerts = useQuery(`alerts:${source?.name ?? ""}`, () => (source ? api.listAlerts(source.name) : Promise.resolve([])));
  const alarms = (alerts.data ?? []).filter((a) => !isCalm(a)).length;
  const demo = useAction(api.createDemoSource, { doing: "Setting up the demo database", onSuccess: (s) => onSelect(s.name) });

  const backUp = async (name: string) => {
    onSelect(name);
    setMade(null);
    setCancelled(false);
    const description = note.trim() || undefined;
    const tagList = tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const backup = await job.start(
      (jobId) => api.createBackup({ source: name, jobId, description, tags: tagList.length ? tagList : undefined }),
      { doing: `Backing up ${name}`, onCancelled: () => setCancelled(true) },
    );
    if (backup) {
      setMade({ source: name, backup });
      setNote("");
      setTags("");
    }
  };

  const list = problems(state);

  if (state.sources.length === 0) {
    return (
      <section className="screen" aria-labelledby="home-title">
        <h1 id="home-title">Home</h1>
        <div className="card empty">
          <h2>No databases yet</h2>
          <p>Tell Keepsake which database to protect, or try it out with the demo database.</p>
          <div className="buttons">
            <button type="button" className="primary" onClick={() => navigate("settings")}>
              Add a database
            </button>
            <button type="button" onClick={() => void demo.run()} disabled={demo.pending}>
              Use the demo database
            </button>
          </div>
        </div>
      </section>
    );
  }

  const status = source ? sourceStatus(source, now, runs, alarms) : null;

  return (
    <section className="screen" aria-labelledby="home-title">
      <h1 id="home-title" className="visually-hidden">
        Home
      </h1>
      {list.length > 0 && (
        <section className="problems" aria-label="Needs your attention">
          {list.map((p) => (
            <ProblemCard
              key={p.key}
              problem={p}
              busy={job.running || resume.pending || startAtLogin.pending}
              onFix={() => {
                if (p.fix === "settings") navigate("settings");
                else if (p.fix === "resume") void resume.run();
                else if (p.fix === "autostart") void startAtLogin.run();
                else if (p.fix === "backup" && p.source) void backUp(p.source);
              }}
            />
          ))}
        </section>
      )}

      {source && <ContentAlerts source={source} navigate={navigate} />}
      {source && <LowSpace source={source} />}
      <KitCard state={state} />
      <PasswordCheck state={state} navigate={navigate} />

      {source && status && (
        <section className={`card hero tone-${status.tone}`} aria-labelledby="hero-name">
          <p className="eyebrow">{source.app ? "Your app" : state.sources.length > 1 ? "Selected database" : "Your database"}</p>
          <h2 id="hero-name">{source.name}</h2>
          <p className="path" title={source.database} data-testid="home-source-files">
            {appFiles(source)}
          </p>
          <p className="status-line" data-testid="source-status" data-tone={status.tone}>
            <StatusIcon tone={status.tone} /> {status.headline}
          </p>
          {source.enabled && source.demo && (
            <p className="small" data-testid="home-demo">
              The demo shows what Keepsake does with made-up data.{" "}
              <button type="button" className="link" onClick={() => navigate("settings")}>
                Protect your own data
              </button>
            </p>
          )}
          {source.enabled && !source.demo && !source.second_place && (
            <p className="small" data-testid="home-second-place">
              A copy somewhere else (an external disk, a synced folder or online storage) keeps your data safe if this computer&apos;s disk
              fails or the laptop is lost.{" "}
              <button type="button" className="link" onClick={() => navigate("settings")}>
                Add a second place
              </button>
            </p>
          )}
          <p className="next" data-testid="home-next-backup">
            {nextRunText(source, runs, now)}
          </p>
          {source.last_backup && (
            <p className="facts">
              Last backup {formatDateTime(source.last_backup.created_at)}: {formatBytes(source.last_backup.original_size)},
              stored in {formatBytes(source.last_backup.stored_size)}
              {source.last_backup.encrypted ? ", protected with your password" : ""}.
            </p>
          )}
          <details className="small where" data-testid="home-where">
            <summary>Details</summary>
            <p>
              {source.app ? `${source.app}'s files` : "The file"}: <span className="inline-path">{[source.database, ...source.also].join(", ")}</span>
              <br />
              Backups go to <span className="inline-path">{source.backup_dir}</span>
            </p>
          </details>

          <div className="backup-now">
            <button
              type="button"
              className="primary big"
              data-testid="backup-now"
              onClick={() => void backUp(source.name)}
              disabled={job.running || !source.enabled}
            >
              {job.running ? "Backing up…" : "Back up now"}
            </button>
            <details className="note">
              <summary>Add a note or tags</summary>
              <label>
                Note
                <input
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  placeholder="e.g. Before the big import"
                  disabled={job.running}
                />
              </label>
              <label>
                Tags (separated by commas)
                <input value={tags} onChange={(e) => setTags(e.target.value)} disabled={job.running} />
              </label>
            </details>
          </div>
          <CopyStatusList source={source} held={state.copies_held} />
          <JobProgress job={job} label="Backing up" />
          {made && made.source === source.name && !job.running && (
            <p className="done" role="status">
              Done: {formatBytes(made.backup.original_size)} backed up (stored in {formatBytes(made.backup.stored_size)}
              ) in {formatDuration(made.backup.duration_ms)}
              {made.backup.verification === "passed" ? ", verified." : "."}{" "}
              <button type="button" className="link" onClick={() => navigate("history")}>
                See it in History
              </button>
            </p>
          )}
          {cancelled && !job.running && (
            <p className="done" role="status">
              Backup cancelled. Nothing half-finished was kept.
            </p>
          )}
        </section>
      )}

      {state.sources.length > 1 && (
        <section aria-labelledby="all-title">
          <h2 id="all-title">All your databases</h2>
          <ul className="source-list">
            {state.sources.map((s) => {
              const st = sourceStatus(s, now, runs);
              return (
                <li key={s.name} className={`card tone-${st.tone}`}>
                  <div>
                    <strong>{s.name}</strong>
                    <p className="status-line">
                      <StatusIcon tone={st.tone} /> {st.headline}
                    </p>
                    <p className="next">{nextRunText(s, runs, now)}</p>
                  </div>
                  <button
                    type="button"
                    onClick={() => onSelect(s.name)}
                    aria-pressed={source?.name === s.name}
                    aria-label={`Show ${s.name}`}
                  >
                    {source?.name === s.name ? "Shown above" : "Show"}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}
    </section>
  );
}
