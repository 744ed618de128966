use super::{IdentityKey, IdentityState, Store, StoreOp, StoreReply};
use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// State shared by every process on a host, across restarts and crash loops: one JSON file per
/// identity in a 0700 directory, files 0600, each operation under an exclusive lock of a sibling
/// lock file and written by atomic replace (so a crash never leaves half a file).
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// Use (and create, mode 0700) the directory `dir`.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| Error::Store(format!("cannot create {}: {e}", dir.display())))?;
        Ok(FileStore { dir })
    }

    /// The directory holding the state files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn paths(&self, key: &IdentityKey) -> (PathBuf, PathBuf) {
        let base = format!("finauth-{}", key.digest());
        (
            self.dir.join(format!("{base}.json")),
            self.dir.join(format!("{base}.lock")),
        )
    }

    fn apply_locked(&self, key: &IdentityKey, now_ms: u64, op: StoreOp) -> Result<StoreReply> {
        let (path, lock_path) = self.paths(key);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|e| store_err("open", &lock_path, e))?;
        lock.lock().map_err(|e| store_err("lock", &lock_path, e))?;
        let reset = matches!(op, StoreOp::ResetGuard);
        let mut state = match read_state(&path, key) {
            Ok(s) => s,
            // An operator reset rewrites an unreadable file; nothing else may guess its content.
            Err(_) if reset => IdentityState::default(),
            Err(e) => return Err(e),
        };
        let before = serde_json::to_vec(&state).ok();
        let reply = state.apply(now_ms, op);
        let after = serde_json::to_vec(&state)
            .map_err(|e| Error::Store(format!("cannot encode state: {e}")))?;
        if before.as_deref() != Some(after.as_slice()) {
            write_atomic(&self.dir, &path, &after)?;
        }
        // The lock is released when `lock` drops.
        Ok(reply)
    }
}

fn store_err(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::Store(format!("cannot {what} {}: {e}", path.display()))
}

fn read_state(path: &Path, key: &IdentityKey) -> Result<IdentityState> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(IdentityState::default()),
        Err(e) => return Err(store_err("open", path, e)),
    };
    let mut buf = zeroize::Zeroizing::new(Vec::new());
    f.read_to_end(&mut buf)
        .map_err(|e| store_err("read", path, e))?;
    if buf.is_empty() {
        return Ok(IdentityState::default());
    }
    serde_json::from_slice(&buf).map_err(|e| {
        Error::Store(format!(
            "{} is corrupt (line {}, column {}); {}",
            path.display(),
            e.line(),
            e.column(),
            key.repair_hint()
        ))
    })
}

fn write_atomic(dir: &Path, path: &Path, data: &[u8]) -> Result<()> {
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("state"),
        std::process::id()
    ));
    let result = (|| {
        let mut f = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .mode(0o600)
            .open(&tmp)?;
        // The mode above is masked by the umask on creation; set it explicitly.
        f.set_permissions(fs::Permissions::from_mode(0o600))?;
        f.write_all(data)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        store_err("write", path, e)
    })
}

impl Store for FileStore {
    fn execute<'a>(
        &'a self,
        key: &'a IdentityKey,
        now_ms: u64,
        op: StoreOp,
    ) -> BoxFuture<'a, Result<StoreReply>> {
        let this = self.clone();
        let key = key.clone();
        Box::pin(async move {
            match tokio::task::spawn_blocking(move || this.apply_locked(&key, now_ms, op)).await {
                Ok(r) => r,
                Err(e) => Err(Error::Store(format!("store task failed: {e}"))),
            }
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("file:{}", self.dir.display())
    }
}
