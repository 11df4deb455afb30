//! The catalogue of apps: which desktop apps keep SQLite files, where, and what those files
//! hold in a person's words. It is data (`catalogue/apps.toml`, reviewed like code), built into
//! the program and read strictly: an unknown key, a bad id or a place outside the known folders
//! is an error the catalogue's own test reports.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The catalogue as shipped.
pub const APPS_TOML: &str = include_str!("../catalogue/apps.toml");

/// Every app of the catalogue.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The apps, in the file's order.
    #[serde(rename = "app")]
    pub apps: Vec<App>,
}

/// One app and the files it keeps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// Its id (`keepsake source add --app firefox`): lowercase letters, digits and `-`.
    pub id: String,
    /// Its name as people say it ("Firefox").
    pub name: String,
    /// What it is, in plain words ("Web browser").
    pub kind: String,
    /// The folders that each hold one set of its files (a profile, a library).
    pub places: Vec<Place>,
    /// Whether putting its files back needs the app closed.
    #[serde(default = "yes")]
    pub close_to_restore: bool,
    /// The files of one place.
    pub files: Vec<AppFile>,
}

fn yes() -> bool {
    true
}

/// How an app was installed, which decides where it keeps its files.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Installed {
    /// From the system's packages (or the app's own installer).
    Native,
    /// As a Flatpak (`~/.var/app/ID`).
    Flatpak,
    /// As a Snap (`~/snap/NAME`).
    Snap,
}

/// A folder an app keeps one set of files in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// How the app is installed when its files are here.
    #[serde(rename = "where")]
    pub installed: Installed,
    /// The folder: starts with `~`, `{data}`, `{config}` or `{cache}`; `*` stands for one
    /// folder name (a profile's).
    pub path: String,
}

/// One kind of file in an app's place.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppFile {
    /// Its file name, directly in the place; `*` and `?` match any characters.
    pub name: String,
    /// What it holds, in a person's words ("History and bookmarks").
    pub holds: String,
    /// `false`: the app rebuilds it itself (a cache): offered, not recommended.
    #[serde(default = "yes")]
    pub important: bool,
    /// Encrypted by the app itself (SQLCipher): Keepsake keeps copies but cannot look inside.
    #[serde(default)]
    pub encrypted: bool,
}

/// The folders a place's path may start from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    /// The home folder (`~`).
    pub home: PathBuf,
    /// `$XDG_DATA_HOME` (`{data}`), by default `~/.local/share`.
    pub data: PathBuf,
    /// `$XDG_CONFIG_HOME` (`{config}`), by default `~/.config`.
    pub config: PathBuf,
    /// `$XDG_CACHE_HOME` (`{cache}`), by default `~/.cache`.
    pub cache: PathBuf,
}

impl Folders {
    /// The XDG defaults under `home`.
    pub fn under(home: &Path) -> Folders {
        Folders {
            home: home.to_path_buf(),
            data: home.join(".local/share"),
            config: home.join(".config"),
            cache: home.join(".cache"),
        }
    }

    /// This user's folders: the home folder and the XDG variables where they are set to an
    /// absolute path (as the XDG specification says; a relative one is ignored).
    pub fn of_user() -> Option<Folders> {
        let home = dirs::home_dir()?;
        let mut f = Folders::under(&home);
        let var = |name: &str| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
        if let Some(p) = var("XDG_DATA_HOME") {
            f.data = p;
        }
        if let Some(p) = var("XDG_CONFIG_HOME") {
            f.config = p;
        }
        if let Some(p) = var("XDG_CACHE_HOME") {
            f.cache = p;
        }
        Some(f)
    }

    /// The folder a place's path starts from and the rest of the path, or `None` when it
    /// starts with none of `~`, `{data}`, `{config}`, `{cache}`.
    pub fn split<'p>(&self, path: &'p str) -> Option<(&Path, &'p str)> {
        for (prefix, dir) in
            [("~", &self.home), ("{data}", &self.data), ("{config}", &self.config), ("{cache}", &self.cache)]
        {
            if let Some(rest) = path.strip_prefix(prefix) {
                if rest.is_empty() {
                    return Some((dir, ""));
                }
                if let Some(rest) = rest.strip_prefix('/') {
                    return Some((dir, rest));
                }
            }
        }
        None
    }
}

impl Catalogue {
    /// The catalogue built into the program.
    pub fn shipped() -> Catalogue {
        // The shipped file is checked by this crate's tests: it always parses.
        Catalogue::parse(APPS_TOML).unwrap_or_else(|e| panic!("catalogue/apps.toml: {e}"))
    }

    /// Reads and checks a catalogue.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let c: Catalogue = toml::from_str(text).map_err(|e| e.to_string())?;
        c.check()?;
        Ok(c)
    }

    /// The app with this id.
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    fn check(&self) -> Result<(), String> {
        let probe = Folders::under(Path::new("/home/probe"));
        let mut ids = std::collections::BTreeSet::new();
        for app in &self.apps {
            let bad = |why: String| Err(format!("app {:?}: {why}", app.id));
            let id_ok = !app.id.is_empty()
                && app.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if !id_ok {
                return bad("the id must be lowercase letters, digits and '-'".into());
            }
            if !ids.insert(app.id.as_str()) {
                return bad("two apps have this id".into());
            }
            if app.name.trim().is_empty() || app.kind.trim().is_empty() {
                return bad("name and kind must not be empty".into());
            }
            if app.places.is_empty() || app.files.is_empty() {
                return bad("an app needs at least one place and one file".into());
            }
            for place in &app.places {
                let Some((_, rest)) = probe.split(&place.path) else {
                    return bad(format!(
                        "place {:?} must start with ~, {{data}}, {{config}} or {{cache}}",
                        place.path
                    ));
                };
                if rest
                    .split('/')
                    .any(|c| c == ".." || c == "." || c == "**" || c.contains(['[', ']', '{', '}']))
                    || rest.contains("//")
                    || rest.ends_with('/')
                {
                    return bad(format!(
                        "place {:?}: no '.', '..', '**', brackets, braces or empty folder names",
                        place.path
                    ));
                }
            }
            for file in &app.files {
                if file.name.is_empty() || file.name.contains(['/', '[', ']', '{', '}']) || file.name == "*" {
                    return bad(format!(
                        "file {:?}: one file name (`*` and `?` only), not a path or '*'",
                        file.name
                    ));
                }
                if file.holds.trim().is_empty() || file.holds.ends_with('.') {
                    return bad(format!(
                        "file {:?}: `holds` says what it holds, without a final period",
                        file.name
                    ));
                }
            }
        }
        Ok(())
    }
}
