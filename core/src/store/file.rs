use super::{IdentityKey, IdentityState, Store, StoreOp, StoreReply};
use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What is on disk: the state, and whose it is (a document copied over another identity's file
/// must not lend it its guard count). Written flattened; read back in two plain passes
/// (`Owner`, then the state), because serde's flatten buffers unknown members and then refuses
/// some that a plain decode skips (found by fuzzing): `RedisStore` and `FileStore` must read the
/// same state out of the same bytes.
#[derive(serde::Serialize)]
struct Document<'a> {
    /// The identity's digest (the one in the file name); absent in files of older versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<String>,
    #[serde(flatten)]
    state: &'a IdentityState,
}

/// The owner of a document read back.
#[derive(serde::Deserialize)]
struct Owner {
    #[serde(default)]
    identity: Option<String>,
}

/// Written into the (otherwise empty) lock file once the identity's document exists, so a
/// document that disappears later is noticed instead of read as a guard that never counted.
const WRITTEN_MARK: &[u8] = b"written\n";

/// The repair for a document that cannot be opened or read (a directory, a mode, an owner).
const MUST_BE_A_FILE: &str = "it must be a regular file this user can read and write (0600)";

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

    pub(crate) fn paths(&self, key: &IdentityKey) -> (PathBuf, PathBuf) {
        let base = format!("finauth-{}", key.digest());
        (
            self.dir.join(format!("{base}.json")),
            self.dir.join(format!("{base}.lock")),
        )
    }

    pub(crate) fn apply_locked(
        &self,
        key: &IdentityKey,
        now_ms: u64,
        op: StoreOp,
    ) -> Result<StoreReply> {
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
        let written_before = lock.metadata().is_ok_and(|m| m.len() > 0);
        let mut state = match read_state(&path, key, written_before) {
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
            let doc = serde_json::to_vec(&Document {
                identity: Some(key.digest()),
                state: &state,
            })
            .map_err(|e| Error::Store(format!("cannot encode state: {e}")))?;
            write_atomic(&self.dir, &path, &doc)?;
            if !written_before {
                // Best effort: without the mark a later deletion is only not detected.
                let _ = (&lock).write_all(WRITTEN_MARK);
            }
        }
        // The lock is released when `lock` drops.
        Ok(reply)
    }
}

fn store_err(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::Store(format!("cannot {what} {}: {e}", path.display()))
}

/// The identity's state; a missing document is a new identity unless `written_before` (the lock
/// file's mark) says it existed. Anything else that cannot be read is an error naming the repair.
fn read_state(path: &Path, key: &IdentityKey, written_before: bool) -> Result<IdentityState> {
    let unusable =
        |what: String| Error::Store(format!("{} {what}; {}", path.display(), key.repair_hint()));
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && written_before => {
            return Err(unusable(
                "is missing, but this identity's state was written before (it was deleted)".into(),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(IdentityState::default()),
        Err(e) => {
            return Err(unusable(format!(
                "cannot be opened ({e}); {MUST_BE_A_FILE}"
            )))
        }
    };
    let mut buf = zeroize::Zeroizing::new(Vec::new());
    f.read_to_end(&mut buf)
        .map_err(|e| unusable(format!("cannot be read ({e}); {MUST_BE_A_FILE}")))?;
    // finauth never writes an empty document (atomic replace): someone truncated it.
    if buf.is_empty() {
        return Err(unusable("is empty (truncated)".into()));
    }
    let corrupt = |e: serde_json::Error| {
        unusable(format!(
            "is corrupt (line {}, column {})",
            e.line(),
            e.column()
        ))
    };
    // Only an object names its owner: serde also reads a struct's fields from an array, which
    // made the first element of `["x"]` an owner (found by fuzzing).
    let owner = if buf.trim_ascii_start().first() == Some(&b'{') {
        serde_json::from_slice::<Owner>(&buf)
            .map_err(corrupt)?
            .identity
    } else {
        None
    };
    if owner.as_ref().is_some_and(|id| *id != key.digest()) {
        return Err(unusable(
            "holds the state of another identity (copied or renamed)".into(),
        ));
    }
    serde_json::from_slice(&buf).map_err(corrupt)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "finauth-unit-{name}-{}-{nanos}",
            std::process::id()
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_document_of_an_older_version_without_identity_is_read_as_before() {
        let dir = scratch("old-doc");
        let key = IdentityKey::new("finicity", "https://x", "p");
        let path = dir.join("doc.json");
        fs::write(&path, br#"{"failed_attempts":2}"#).unwrap();
        let state = read_state(&path, &key, true).unwrap();
        assert_eq!(state.failed_attempts, 2);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn unknown_members_are_skipped_as_redis_store_skips_them() {
        // A flattened decode refused both (found by fuzzing); the state's own decode skips them.
        let dir = scratch("unknown");
        let key = IdentityKey::new("finicity", "https://x", "p");
        let path = dir.join("doc.json");
        let mut doc = br#"{"failed_attempts":2,"future":176400e100000,"later":{"k"#.to_vec();
        doc.extend_from_slice(b"\xff\xfe\":1}}");
        fs::write(&path, &doc).unwrap();
        let state = read_state(&path, &key, true).unwrap();
        assert_eq!(state.failed_attempts, 2);
        assert_eq!(
            serde_json::from_slice::<IdentityState>(&doc)
                .unwrap()
                .failed_attempts,
            2
        );
        // An array is no owner's document: read as the state is read, owner unnamed.
        fs::write(&path, br#"["["]"#).unwrap();
        assert!(read_state(&path, &key, true).is_ok());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_a_document_never_written_may_be_missing() {
        let dir = scratch("missing");
        let key = IdentityKey::new("finicity", "https://x", "p");
        let path = dir.join("doc.json");
        assert_eq!(read_state(&path, &key, false).unwrap().failed_attempts, 0);
        let e = read_state(&path, &key, true).unwrap_err();
        assert!(e.to_string().contains("is missing"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_written_document_names_its_identity_and_no_other_reads_it() {
        let dir = scratch("identity");
        let store = FileStore::new(&dir).unwrap();
        let ours = IdentityKey::new("finicity", "https://x", "ours");
        let theirs = IdentityKey::new("finicity", "https://x", "theirs");
        store.apply_locked(&ours, 1, StoreOp::Load).unwrap();
        let (path, lock) = store.paths(&ours);
        assert_eq!(fs::read(&lock).unwrap(), WRITTEN_MARK);
        assert!(read_state(&path, &ours, true).is_ok());
        let e = read_state(&path, &theirs, true).unwrap_err();
        assert!(e.to_string().contains("another identity"), "{e}");
        let _ = fs::remove_dir_all(&dir);
    }
}
