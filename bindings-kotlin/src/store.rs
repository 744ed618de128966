//! `MemoryStore`, `FileStore`, `RedisStore` (where a token, the lockout guard and the refresh
//! lease live) and `Store`, the choice passed in `PartnerAuthOptions.store`.

use crate::error::{FinauthError, Result};
use std::sync::Arc;
use std::time::Duration;

/// State for this process only (the default). Pass one object to several `PartnerAuth`s to
/// share one lockout guard.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct MemoryStore {
    inner: Arc<dyn finauth::Store>,
}

impl std::fmt::Display for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore()")
    }
}

#[uniffi::export]
impl MemoryStore {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MemoryStore {
            inner: Arc::new(finauth::MemoryStore::new()),
        })
    }
}

/// State shared by every process on this host, across restarts: one file per Partner ID in
/// `path` (mode 0700), each change under a file lock.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct FileStore {
    inner: Arc<dyn finauth::Store>,
    path: String,
}

impl std::fmt::Display for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({:?})", self.path)
    }
}

#[uniffi::export]
impl FileStore {
    #[uniffi::constructor]
    pub fn new(path: String) -> Result<Arc<Self>> {
        let store = finauth::FileStore::new(&path)?;
        Ok(Arc::new(FileStore {
            inner: Arc::new(store),
            path,
        }))
    }

    /// The directory holding the state files.
    pub fn path(&self) -> String {
        self.path.clone()
    }
}

/// State shared by every host that reaches one Redis server. `url` is
/// `redis://[user[:password]@]host[:port][/db]` or `rediss://…`; no connection is made until
/// first use. The password never appears in `toString()`, errors or logs.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct RedisStore {
    inner: Arc<dyn finauth::Store>,
    describe: String,
}

impl std::fmt::Display for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisStore({:?})", self.describe)
    }
}

fn positive(d: Option<Duration>, what: &str) -> Result<Option<Duration>> {
    match d {
        Some(d) if d.is_zero() => Err(FinauthError::config(format!("{what} must be positive"))),
        other => Ok(other),
    }
}

#[uniffi::export]
impl RedisStore {
    /// `prefix` defaults to `finauth`; the time-outs to the core's.
    #[uniffi::constructor(default(prefix = None, connect_timeout = None, command_timeout = None))]
    pub fn new(
        url: String,
        prefix: Option<String>,
        connect_timeout: Option<Duration>,
        command_timeout: Option<Duration>,
    ) -> Result<Arc<Self>> {
        let mut b = finauth::RedisStore::builder(&url);
        if let Some(p) = prefix {
            b = b.prefix(p);
        }
        if let Some(d) = positive(connect_timeout, "connectTimeout")? {
            b = b.connect_timeout(d);
        }
        if let Some(d) = positive(command_timeout, "commandTimeout")? {
            b = b.command_timeout(d);
        }
        let store = b.build()?;
        let describe = finauth::Store::describe(&store);
        Ok(Arc::new(RedisStore {
            inner: Arc::new(store),
            describe,
        }))
    }
}

/// The store of a `PartnerAuth`: one of the three objects, or a `FINAUTH_STORE`-style spec
/// (`memory`, `file:/path`, `redis://…`).
#[derive(uniffi::Enum)]
pub enum Store {
    Memory { store: Arc<MemoryStore> },
    File { store: Arc<FileStore> },
    Redis { store: Arc<RedisStore> },
    Spec { spec: String },
}

impl Store {
    pub(crate) fn core(&self) -> Result<Arc<dyn finauth::Store>> {
        Ok(match self {
            Store::Memory { store } => Arc::clone(&store.inner),
            Store::File { store } => Arc::clone(&store.inner),
            Store::Redis { store } => Arc::clone(&store.inner),
            Store::Spec { spec } => finauth::store::store_from_spec(spec)?,
        })
    }
}
