//! `MemoryStore` and `FileStore`: where a token, the lockout guard and the refresh lease live.

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
    if let Ok(spec) = arg.extract::<String>() {
        return finauth::store::store_from_spec(&spec).py_err(py).map(Some);
    }
    Err(crate::errors::config_error(
        py,
        "store must be a MemoryStore, a FileStore or a string such as \"file:/path\"",
    ))
}
