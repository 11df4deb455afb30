// What "Find my databases" shows, without a window: an app's kind and how it is installed, what
// its files hold in words, which files are left out (those the app rebuilds) and which are kept
// whole (encrypted by the app), whether a source protects it already, a free name for a new source, and the line saying
// how much was looked at. The finder (FindDatabases.tsx) only lays these out.

import { formatDuration } from "../format";
import type { Found, FoundApp, FoundFile, Installed, SourceView, Stopped } from "../types";

const INSTALLED_WORDS: Record<Installed, string | null> = { native: null, flatpak: "Flatpak", snap: "Snap" };

/** "Web browser", or "Web browser · Flatpak" when not installed the usual way. */
export function appKind(app: FoundApp): string {
  const installed = INSTALLED_WORDS[app.installed];
  return installed ? `${app.kind} · ${installed}` : app.kind;
}

/** The files protecting the app backs up: the important ones (a file the app encrypts is kept whole). */
export function included(app: FoundApp): FoundFile[] {
  return app.files.filter((f) => f.important);
}

/** Files encrypted by the app itself: protected as whole files (Keepsake cannot check inside them). */
export function encrypted(app: FoundApp): FoundFile[] {
  return app.files.filter((f) => f.encrypted);
}

/** Files the app rebuilds itself (caches): left out. */
export function rebuildable(app: FoundApp): FoundFile[] {
  return app.files.filter((f) => !f.important);
}

/** "sign-ins to websites" for "Sign-ins to websites"; an acronym ("URLs") stays as it is. */
export function lowerFirst(text: string): string {
  const [first = "", second = ""] = text;
  return second && second === second.toUpperCase() && second !== second.toLowerCase() ? text : first.toLowerCase() + text.slice(1);
}

/** What some files hold, in one phrase: "History and bookmarks, sign-ins to websites". */
export function holdsOf(files: readonly FoundFile[]): string {
  const words = files.flatMap((f) => (f.holds ? [f.holds] : []));
  return words.map((w, i) => (i === 0 ? w : lowerFirst(w))).join(", ");
}

/** What protecting the app keeps, in words: its included files' `holds`. */
export function holdsWords(app: FoundApp): string {
  return holdsOf(included(app));
}

/** A file's name, from its path. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** The source that protects this app already: it has one of its files, or it is this app's in this place. */
export function protectedBy(app: FoundApp, sources: readonly SourceView[]): SourceView | undefined {
  const paths = new Set(app.files.map((f) => f.path));
  const place = app.place.endsWith("/") ? app.place : `${app.place}/`;
  return sources.find(
    (s) => [s.database, ...s.also].some((p) => paths.has(p)) || (s.app === app.name && s.database.startsWith(place)),
  );
}

/** The source that protects a file no app claims already. */
export function fileProtectedBy(file: FoundFile, sources: readonly SourceView[]): SourceView | undefined {
  return sources.find((s) => s.database === file.path || s.also.includes(file.path));
}

/** Ids that tell the cards apart: the app's id, then `firefox-2`, `firefox-3` for its other places. */
export function cardIds(apps: readonly FoundApp[]): string[] {
  const seen = new Map<string, number>();
  return apps.map((a) => {
    const n = (seen.get(a.app) ?? 0) + 1;
    seen.set(a.app, n);
    return n === 1 ? a.app : `${a.app}-${n}`;
  });
}

/** Whether the app was found in more than one place (each card then says its folder). */
export function foundTwice(app: FoundApp, apps: readonly FoundApp[]): boolean {
  return apps.filter((a) => a.app === app.app).length > 1;
}

/** A name no source has yet: the app's, else with its folder ("Firefox (x1y2.default-esr)"). */
export function freeName(app: FoundApp, sources: readonly SourceView[]): string {
  const taken = new Set(sources.map((s) => s.name));
  if (!taken.has(app.name)) return app.name;
  const here = `${app.name} (${fileName(app.place)})`;
  let n = 1;
  while (taken.has(n === 1 ? here : `${here} ${n}`)) n += 1;
  return n === 1 ? here : `${here} ${n}`;
}

/** "Looked at 12,345 files in 0.4 s". */
export function countsLine(found: Found): string {
  const took = found.took_ms < 60_000 ? `${(found.took_ms / 1000).toFixed(1)} s` : formatDuration(found.took_ms);
  return `Looked at ${found.counts.files.toLocaleString("en")} files in ${took}.`;
}

/** Why the list may be incomplete, or null when every place was looked at. */
export function stoppedWords(stopped: Stopped | null): string | null {
  switch (stopped) {
    case null:
      return null;
    case "cancelled":
      return "You stopped the search: this is what was found until then.";
    case "time_budget":
      return "The search took too long, so some places were not looked at. Choose the file yourself if yours is missing.";
    case "count_budget":
      return "There were too many files to look through, so some places were not looked at. Choose the file yourself if yours is missing.";
  }
}
