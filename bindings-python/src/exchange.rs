//! `Exchange` and `AsyncExchange`: one logical request under core's request policy, for HTTP
//! clients that send it themselves (the requests and httpx integrations, or a user's own code).
//! Python only does the I/O: which headers to set, whether to resend and when to stop are core's.

use crate::auth::{awaitable, Shared};
use crate::errors::IntoPy;
use finauth::exchange::policy::{Policy, Scheme};
use finauth::exchange::{Exchange as Core, Verdict};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The object whose runtime and fork handling an exchange uses.
#[derive(Clone)]
pub(crate) enum Owner {
    Finicity(Arc<Shared<finauth::PartnerAuth>>),
    OAuth2(Arc<Shared<finauth::ClientCredentials>>),
}

impl Owner {
    fn block_on<F>(&self, py: Python<'_>, fut: F) -> PyResult<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        match self {
            Owner::Finicity(s) => s.block_on(py, fut),
            Owner::OAuth2(s) => s.block_on(py, fut),
        }
    }

    fn awaitable<'py, F, T>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        F: Future<Output = finauth::Result<T>> + Send + 'static,
        T: for<'a> IntoPyObject<'a> + Send + 'static,
    {
        match self {
            Owner::Finicity(s) => awaitable(py, s, fut),
            Owner::OAuth2(s) => awaitable(py, s, fut),
        }
    }
}

/// What both classes hold.
struct State {
    owner: Owner,
    scheme: Scheme,
    core: Arc<Mutex<Core>>,
    label: String,
}

impl State {
    fn new(owner: Owner, core: Core) -> Self {
        State {
            owner,
            scheme: core.scheme(),
            label: format!("{} {}", core.method(), core.url()),
            core: Arc::new(Mutex::new(core)),
        }
    }

    fn prepare(
        &self,
    ) -> impl Future<Output = finauth::Result<HashMap<String, String>>> + Send + 'static {
        let core = self.core.clone();
        async move {
            let h = core.lock().await.prepare().await?;
            Ok(h.pairs()
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect())
        }
    }

    fn observe(
        &self,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> impl Future<Output = finauth::Result<bool>> + Send + 'static {
        let core = self.core.clone();
        async move {
            let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
            let verdict = core.lock().await.observe(status, pairs, &body).await?;
            Ok(verdict == Verdict::Resend)
        }
    }

    fn wants_body(&self, status: u16) -> bool {
        Policy::new(self.scheme).wants_body(status)
    }

    fn attempts(&self) -> u32 {
        self.core.try_lock().map(|c| c.attempts()).unwrap_or(0)
    }
}

pub(crate) fn new_sync(
    owner: Owner,
    core: finauth::Result<Core>,
    py: Python<'_>,
) -> PyResult<Exchange> {
    Ok(Exchange {
        state: State::new(owner, core.py_err(py)?),
    })
}

pub(crate) fn new_async(
    owner: Owner,
    core: finauth::Result<Core>,
    py: Python<'_>,
) -> PyResult<AsyncExchange> {
    Ok(AsyncExchange {
        state: State::new(owner, core.py_err(py)?),
    })
}

/// One logical request under finauth's request policy, for an HTTP client you drive yourself::
///
///     ex = auth.exchange("GET", url)
///     while True:
///         headers = ex.prepare()          # set these (replacing any of the same name), send
///         resp = send(headers)
///         body = resp.content if ex.wants_body(resp.status_code) else b""
///         if not ex.observe(resp.status_code, list(resp.headers.items()), body):
///             break                       # hand resp to the caller
///
/// ``observe`` returns True to resend (call ``prepare`` again first), False when the answer is
/// the caller's, and raises ``AccountLockedError`` (24302, recorded for every caller sharing the
/// store) or ``UnauthorizedError`` (the token was still rejected after the one resend).
#[pyclass(module = "finauth._finauth", frozen)]
pub struct Exchange {
    state: State,
}

#[pymethods]
impl Exchange {
    /// The headers of this attempt, as a dict (a token, waiting for one if none is fresh; with
    /// DPoP a new proof). The GIL is released while waiting.
    fn prepare<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let h = self
            .state
            .owner
            .block_on(py, self.state.prepare())?
            .py_err(py)?;
        let d = PyDict::new(py);
        for (k, v) in h {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// Whether ``observe`` needs the body of an answer with this status (pass ``b""`` otherwise).
    fn wants_body(&self, status: u16) -> bool {
        self.state.wants_body(status)
    }

    /// Judge the answer to the last attempt: True to resend, False to hand it to the caller.
    /// ``headers`` is a list of ``(name, value)`` pairs.
    #[pyo3(signature = (status, headers, body=None))]
    fn observe(
        &self,
        py: Python<'_>,
        status: u16,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> PyResult<bool> {
        let fut = self
            .state
            .observe(status, headers, body.unwrap_or_default());
        self.state.owner.block_on(py, fut)?.py_err(py)
    }

    /// HTTP attempts prepared so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.state.attempts()
    }

    fn __repr__(&self) -> String {
        format!("Exchange({})", self.state.label)
    }
}

/// The asyncio twin of :class:`Exchange`: ``await ex.prepare()`` and ``await ex.observe(...)``.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct AsyncExchange {
    state: State,
}

#[pymethods]
impl AsyncExchange {
    /// Awaitable: the headers of this attempt, as a dict.
    fn prepare<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.state.owner.awaitable(py, self.state.prepare())
    }

    /// Whether ``observe`` needs the body of an answer with this status.
    fn wants_body(&self, status: u16) -> bool {
        self.state.wants_body(status)
    }

    /// Awaitable: True to resend, False to hand the answer to the caller (see ``Exchange``).
    #[pyo3(signature = (status, headers, body=None))]
    fn observe<'py>(
        &self,
        py: Python<'py>,
        status: u16,
        headers: Vec<(String, String)>,
        body: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let fut = self
            .state
            .observe(status, headers, body.unwrap_or_default());
        self.state.owner.awaitable(py, fut)
    }

    /// HTTP attempts prepared so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.state.attempts()
    }

    fn __repr__(&self) -> String {
        format!("AsyncExchange({})", self.state.label)
    }
}
