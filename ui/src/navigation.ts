// The window's screens and how one screen sends the person to another.

export const SCREENS = [
  ["home", "Home"],
  ["history", "History"],
  ["restore", "Restore"],
  ["schedule", "Schedule"],
  ["settings", "Settings"],
] as const;

export type Screen = (typeof SCREENS)[number][0];

export interface NavigateOptions {
  /** Preselect this backup on the Restore screen. */
  backupId?: string;
}

export type Navigate = (screen: Screen, options?: NavigateOptions) => void;
