//! One open [`Engine`] per backup folder, for a host that works on many sources for a long time
//! (the desktop app, `keepsake daemon`): opened on first use with the host's installation and
//! password source, and kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::engine::Engine;
use crate::error::Result;
use crate::installation::Installation;
use crate::seams::SecretSource;

/// The engines of a host, by backup folder.
pub struct Engines {
    home: Installation,
    secrets: Arc<dyn SecretSource>,
    open: Mutex<HashMap<PathBuf, Arc<Engine>>>,
}

impl std::fmt::Debug for Engines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engines").field("home", &self.home).finish_non_exhaustive()
    }
}

impl Engines {
    /// No engine open yet; each will use `home` and `secrets`.
    pub fn new(home: Installation, secrets: Arc<dyn SecretSource>) -> Engines {
        Engines { home, secrets, open: Mutex::default() }
    }

    /// The engine of the backup folder `dir`, opened (and the folder created) on first use.
    pub fn get(&self, dir: &Path) -> Result<Arc<Engine>> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = open.get(dir) {
            return Ok(Arc::clone(e));
        }
        let engine = Arc::new(Engine::open_folder(&self.home, dir)?.with_secrets(Arc::clone(&self.secrets)));
        open.insert(dir.to_path_buf(), Arc::clone(&engine));
        Ok(engine)
    }

    /// The installation the engines belong to.
    pub fn home(&self) -> &Installation {
        &self.home
    }
}
