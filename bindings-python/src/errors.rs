//! The one place where finauth's `Error` becomes a Python exception. The classes live in
//! `finauth/_errors.py` (so `finauth.TimeoutError` can also subclass the builtin); each carries
//! the error's fields as attributes. Messages come from the core and never hold a secret.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(PyModule::import(py, "finauth._errors")?.unbind())
        })
        .map(|m| m.bind(py))
}

/// Build the exception of class `class` with `message` and keyword attributes.
fn raise(py: Python<'_>, class: &str, message: String, kwargs: &Bound<'_, PyDict>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let cls = module(py)?.getattr(class)?;
        let value = cls.call((message,), Some(kwargs))?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|e| e)
}

/// finauth's error as its Python exception.
pub fn to_pyerr(py: Python<'_>, e: finauth::Error) -> PyErr {
    use finauth::Error as E;
    let kw = PyDict::new(py);
    let set = |k: &str, v: Bound<'_, PyAny>| {
        let _ = kw.set_item(k, v);
    };
    let none = || py.None().into_bound(py);
    let opt_u32 = |v: Option<u32>| {
        v.map(|c| c.into_pyobject(py).map(|o| o.into_any()))
            .transpose()
            .ok()
            .flatten()
            .unwrap_or_else(none)
    };
    let int = |v: u64| {
        v.into_pyobject(py)
            .map(|o| o.into_any())
            .unwrap_or_else(|_| none())
    };
    let text = |v: &str| pyo3::types::PyString::new(py, v).into_any();
    set("kind", text(e.kind()));
    if let Some(o) = e.oauth_error() {
        set("error", text(&o.error));
        if let Some(d) = &o.error_description {
            set("error_description", text(d));
        }
        if let Some(c) = &o.correlation_id {
            set("correlation_id", text(c));
        }
    }
    let class = match &e {
        E::Config(_) => "ConfigError",
        E::InvalidCredentials {
            attempts_remaining,
            code,
            ..
        } => {
            set("attempts_remaining", int(u64::from(*attempts_remaining)));
            set("code", opt_u32(*code));
            "InvalidCredentialsError"
        }
        E::AccountLocked { code } => {
            set("code", int(u64::from(*code)));
            "AccountLockedError"
        }
        E::LockoutGuard {
            failed_attempts,
            reason,
            hint,
        } => {
            set("failed_attempts", int(u64::from(*failed_attempts)));
            set("reason", text(reason.as_str()));
            set("hint", text(hint));
            "LockoutGuardError"
        }
        E::RateLimited { retry_after, hint } => {
            let ra = retry_after
                .map(|d| {
                    d.as_secs_f64()
                        .into_pyobject(py)
                        .map(|o| o.into_any())
                        .unwrap_or_else(|_| none())
                })
                .unwrap_or_else(none);
            set("retry_after", ra);
            set("hint", text(hint));
            "RateLimitedError"
        }
        E::Unauthorized { status, code } => {
            set("status", int(u64::from(*status)));
            set("code", opt_u32(*code));
            "UnauthorizedError"
        }
        E::Server { status, code, .. } => {
            set("status", int(u64::from(*status)));
            set("code", opt_u32(*code));
            "ServerError"
        }
        E::Transport(_) => "TransportError",
        E::Timeout { after, .. } => {
            let after = after
                .as_secs_f64()
                .into_pyobject(py)
                .map(|o| o.into_any())
                .unwrap_or_else(|_| none());
            set("after", after);
            "TimeoutError"
        }
        E::Store(_) => "StoreError",
        E::SigningKey(_) => "SigningKeyError",
        E::Encryption(_) => "EncryptionError",
        _ => "FinauthError",
    };
    raise(py, class, e.to_string(), &kw)
}

/// A `ConfigError` raised by the binding itself (a bad argument).
pub fn config_error(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_pyerr(py, finauth_config(message.into()))
}

/// `finauth::Error::Config` (its constructor is crate-private).
pub fn finauth_config(message: String) -> finauth::Error {
    finauth::Error::Config(message)
}

/// A failure of the binding's own machinery (the runtime): `FinauthError` with kind `INTERNAL`.
pub fn internal(py: Python<'_>, message: String) -> PyErr {
    let kw = PyDict::new(py);
    let _ = kw.set_item("kind", "INTERNAL");
    raise(py, "FinauthError", message, &kw)
}

/// Map a result's error under the GIL.
pub trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for finauth::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_pyerr(py, e))
    }
}
