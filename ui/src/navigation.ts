// The window's screens and how one screen sends the person to another.

import type { BackupMetadata } from "./types";

export const SCREENS = [
  ["home", "Home"],
  ["history", "History"],
  ["restore", "Restore"],
  ["schedule", "Schedule"],
  ["settings", "Settings"],
] as const;

/** A screen behind a tab. */
export type Tab = (typeof SCREENS)[number][0];

/** Every screen: the tabs, and "browse" (inside one backup), reached from Home and History. */
export type Screen = Tab | "browse";

export interface NavigateOptions {
  /** Preselect this backup on the Restore screen; the backup to look inside on "browse". */
  backupId?: string;
  /**
   * A backup found in the folder but not made here (History's foreign section): list_backups
   * does not have it, so the Restore screen is handed the backup itself.
   */
  foreign?: { source: string; backup: BackupMetadata };
}

export type Navigate = (screen: Screen, options?: NavigateOptions) => void;
