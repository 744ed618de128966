//! `MemoryStore` and `FileStore`: where a token, the lockout guard and the refresh lease live.

use crate::error::{throw, SyncError};
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

/// Options of `new RedisStore({ url, prefix, connectTimeout, commandTimeout })` (seconds).
#[napi(object)]
pub struct RedisStoreOptions {
    pub url: String,
    pub prefix: Option<String>,
    pub connect_timeout: Option<f64>,
    pub command_timeout: Option<f64>,
}

/// State shared by every process on every host through Redis (`redis://` or `rediss://`).
#[napi]
pub struct RedisStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
}

#[napi]
impl RedisStore {
    #[napi(constructor)]
    pub fn new(options: RedisStoreOptions) -> Result<Self, SyncError> {
        let mut b = finauth::store::RedisStore::builder(&options.url);
        if let Some(p) = options.prefix {
            b = b.prefix(p);
        }
        if let Some(d) = seconds("connectTimeout", options.connect_timeout)? {
            b = b.connect_timeout(d);
        }
        if let Some(d) = seconds("commandTimeout", options.command_timeout)? {
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

fn seconds(field: &str, v: Option<f64>) -> Result<Option<std::time::Duration>, SyncError> {
    v.map(|s| {
        std::time::Duration::try_from_secs_f64(s).map_err(|_| {
            crate::error::config(format!("{field} must be a non-negative number of seconds"))
        })
    })
    .transpose()
}
