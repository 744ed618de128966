//! `MemoryStore`, `FileStore` and `RedisStore`: where a token, the lockout guard and the refresh lease live.

use crate::errors::IntoPy;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// State for this process only (the default store).
///
/// Pass the same object to several ``PartnerAuth`` objects to share one lockout guard.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct MemoryStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
}

#[pymethods]
impl MemoryStore {
    #[new]
    fn new() -> Self {
        MemoryStore {
            inner: Arc::new(finauth::MemoryStore::new()),
        }
    }

    fn __repr__(&self) -> String {
        "MemoryStore()".into()
    }
}

/// State shared by every process on this host (and across restarts): one file per Partner ID in
/// ``path`` (created with mode 0700), each change made under a file lock.
///
/// Use it with pre-forking servers (gunicorn) so that all workers share one token, one refresh
/// and one lockout guard.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct FileStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
    path: PathBuf,
}

#[pymethods]
impl FileStore {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let store = finauth::FileStore::new(&path).py_err(py)?;
        Ok(FileStore {
            inner: Arc::new(store),
            path,
        })
    }

    /// The directory holding the state files.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    fn __repr__(&self) -> String {
        format!("FileStore('{}')", self.path.display())
    }
}

/// State shared by every host that reaches one Redis server: the token, the lockout guard and the
/// refresh lease of each Partner ID under ``<prefix>:<digest of base URL and Partner ID>``.
///
/// ``url`` is ``redis://[user[:password]@]host[:port][/db]`` or ``rediss://…`` (TLS). No
/// connection is made until first use; if Redis cannot be reached, each ``PartnerAuth`` goes on
/// with process-local state and a one-attempt lockout guard, and logs a warning. The password
/// never appears in ``repr``, errors or logs.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct RedisStore {
    pub(crate) inner: Arc<dyn finauth::Store>,
    describe: String,
    prefix: String,
}

#[pymethods]
impl RedisStore {
    #[new]
    #[pyo3(signature = (url, *, prefix = None, connect_timeout = None, command_timeout = None))]
    fn new(
        py: Python<'_>,
        url: &str,
        prefix: Option<String>,
        connect_timeout: Option<f64>,
        command_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let secs = |v: f64, what: &str| {
            if v.is_finite() && v > 0.0 {
                Ok(std::time::Duration::from_secs_f64(v))
            } else {
                Err(crate::errors::config_error(
                    py,
                    format!("{what} must be a positive number of seconds"),
                ))
            }
        };
        let mut b = finauth::RedisStore::builder(url);
        if let Some(p) = &prefix {
            b = b.prefix(p.as_str());
        }
        if let Some(v) = connect_timeout {
            b = b.connect_timeout(secs(v, "connect_timeout")?);
        }
        if let Some(v) = command_timeout {
            b = b.command_timeout(secs(v, "command_timeout")?);
        }
        let store = b.build().py_err(py)?;
        let describe = finauth::Store::describe(&store);
        Ok(RedisStore {
            inner: Arc::new(store),
            describe,
            prefix: prefix.unwrap_or_else(|| "finauth".into()),
        })
    }

    /// The key prefix.
    #[getter]
    fn prefix(&self) -> String {
        self.prefix.clone()
    }

    fn __repr__(&self) -> String {
        format!("RedisStore('{}')", self.describe)
    }
}

/// The store a `store=` argument names: a store object, a `FINAUTH_STORE`-style string, or None.
pub fn from_arg(
    py: Python<'_>,
    arg: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Arc<dyn finauth::Store>>> {
    let Some(arg) = arg else { return Ok(None) };
    if arg.is_none() {
        return Ok(None);
    }
    if let Ok(s) = arg.cast::<MemoryStore>() {
        return Ok(Some(Arc::clone(&s.get().inner)));
    }
    if let Ok(s) = arg.cast::<FileStore>() {
        return Ok(Some(Arc::clone(&s.get().inner)));
    }
    if let Ok(s) = arg.cast::<RedisStore>() {
        return Ok(Some(Arc::clone(&s.get().inner)));
    }
    if let Ok(spec) = arg.extract::<String>() {
        return finauth::store::store_from_spec(&spec).py_err(py).map(Some);
    }
    Err(crate::errors::config_error(
        py,
        "store must be a MemoryStore, a FileStore, a RedisStore or a string such as \"file:/path\" or \"redis://host:6379/0\"",
    ))
}
