//! `MemoryStore` and `FileStore`: where a token, the lockout guard and the refresh lease live.

use crate::error::{throw, SyncError};
use crate::options::{type_error, Options};
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use std::sync::Arc;

/// State for this process (thread) only: the default store.
#[napi]
pub struct MemoryStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
}

#[napi]
impl MemoryStore {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        MemoryStore {
            inner: Arc::new(finauth::MemoryStore::new()),
        }
    }
}

/// State shared by every process and worker thread on this host: one file per Partner ID in
/// `path`, each change made under a file lock.
#[napi]
pub struct FileStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
    path: String,
}

#[napi]
impl FileStore {
    #[napi(constructor)]
    pub fn new(path: String) -> Result<Self, SyncError> {
        let store = finauth::FileStore::new(&path).map_err(throw)?;
        Ok(FileStore {
            inner: Arc::new(store),
            path,
        })
    }

    /// The directory holding the state files.
    #[napi(getter)]
    pub fn path(&self) -> String {
        self.path.clone()
    }
}

/// The names `new RedisStore(options)` takes (`url` is required; timeouts in seconds).
const REDIS_KNOWN: &[&str] = &["url", "prefix", "connectTimeout", "commandTimeout"];

/// State shared by every process on every host through Redis (`redis://` or `rediss://`).
#[napi]
pub struct RedisStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
}

#[napi]
impl RedisStore {
    /// `new RedisStore({ url, prefix, connectTimeout, commandTimeout })`, read by `options.rs`.
    #[napi(constructor)]
    pub fn new(options: Unknown) -> Result<Self, SyncError> {
        let o = Options::read(options, "RedisStore", REDIS_KNOWN)?;
        let url = o
            .string("url")?
            .ok_or_else(|| type_error("finauth: RedisStore option `url` must be a string"))?;
        let mut b = finauth::store::RedisStore::builder(&url);
        if let Some(p) = o.string("prefix")? {
            b = b.prefix(p);
        }
        if let Some(d) = o.seconds("connectTimeout")? {
            b = b.connect_timeout(d);
        }
        if let Some(d) = o.seconds("commandTimeout")? {
            b = b.command_timeout(d);
        }
        Ok(RedisStore {
            inner: Arc::new(b.build().map_err(throw)?),
        })
    }

    /// Where the state lives, without credentials (`redis://host:port/db`, prefix).
    #[napi(getter)]
    pub fn description(&self) -> String {
        self.inner.describe()
    }
}
