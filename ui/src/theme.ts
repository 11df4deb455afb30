// Light, dark, or following the operating system (the default). The choice is a display
// preference of this window, so it lives in localStorage rather than in the engine's settings.

export type Theme = "system" | "light" | "dark";

const KEY = "keepsake.theme";

export function loadTheme(): Theme {
  try {
    const stored = localStorage.getItem(KEY);
    return stored === "light" || stored === "dark" ? stored : "system";
  } catch {
    return "system";
  }
}

/** Applies the theme to the document (CSS reads `data-theme`; "system" follows prefers-color-scheme). */
export function applyTheme(theme: Theme): void {
  const root = document.documentElement;
  if (theme === "system") delete root.dataset.theme;
  else root.dataset.theme = theme;
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Private mode or storage disabled: the choice lasts for this session only.
  }
  applyTheme(theme);
}
