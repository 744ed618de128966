//! `PartnerAuth` (sync: every wait releases the GIL) and `AsyncPartnerAuth` (awaitables on the
//! running asyncio loop), both over one `finauth::PartnerAuth`.

use crate::errors::{config_error, internal, to_pyerr, IntoPy};
use crate::runtime;
use arc_swap::ArcSwapOption;
use finauth::{AccessToken, GuardStatus, Stats};
use futures_util::FutureExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// A core object the binding wraps: it must be told when the process forked.
pub(crate) trait Core: finauth::TokenOwner + Clone + 'static {}

impl<T: finauth::TokenOwner + Clone + 'static> Core for T {}

/// What a sync object and its async twin share.
pub(crate) struct Shared<C: Core = finauth::PartnerAuth> {
    pub(crate) core: C,
    /// The fork generation this object was last used in.
    generation: AtomicU64,
    /// The Python string of the core's token generation last handed out: the fresh path compares
    /// two numbers and clones one reference, with no lock (the core bumps the generation on a new
    /// token and on a new App Key).
    last: ArcSwapOption<(u64, Py<PyString>)>,
}

impl<C: Core> Shared<C> {
    pub(crate) fn new(core: C) -> Arc<Self> {
        Arc::new(Shared {
            core,
            generation: AtomicU64::new(runtime::generation()),
            last: ArcSwapOption::empty(),
        })
    }

    /// The runtime, after resetting this object if the process forked since its last use.
    #[inline]
    pub(crate) fn runtime(&self, py: Python<'_>) -> PyResult<Arc<runtime::Tagged>> {
        let rt = runtime::get().map_err(|m| internal(py, m))?;
        if self.generation.load(Ordering::Acquire) != rt.generation {
            self.after_fork(py, rt.generation)?;
        }
        Ok(rt)
    }

    #[cold]
    fn after_fork(&self, py: Python<'_>, generation: u64) -> PyResult<()> {
        let prev = self.generation.swap(generation, Ordering::AcqRel);
        if prev != generation {
            self.core.reset_after_fork().py_err(py)?;
        }
        Ok(())
    }

    /// The fresh token as a Python string, or `None` when `token()` must refresh: one string per
    /// core generation, shared by every caller and thread.
    #[inline]
    pub(crate) fn fresh_str(&self, py: Python<'_>) -> Option<Py<PyString>> {
        let generation = self.core.fresh_generation()?;
        if let Some(last) = &*self.last.load() {
            if last.0 == generation {
                return Some(last.1.clone_ref(py));
            }
        }
        let (generation, token) = self.core.fresh_token_with_generation()?;
        Some(self.remember(py, generation, &token))
    }

    /// A token a wait returned, as a Python string: the generation's string when it is the
    /// core's fresh token (the usual case), else a string of its own.
    pub(crate) fn token_str(&self, py: Python<'_>, token: AccessToken) -> Py<PyString> {
        match self.core.fresh_token_with_generation() {
            // Not a secret comparison: both values are the core's.
            Some((generation, fresh)) if fresh.expose() == token.expose() => {
                if let Some(last) = &*self.last.load() {
                    if last.0 == generation {
                        return last.1.clone_ref(py);
                    }
                }
                self.remember(py, generation, &fresh)
            }
            _ => PyString::new(py, token.expose()).unbind(),
        }
    }

    fn remember(&self, py: Python<'_>, generation: u64, token: &AccessToken) -> Py<PyString> {
        let s = PyString::new(py, token.expose()).unbind();
        self.last
            .store(Some(Arc::new((generation, s.clone_ref(py)))));
        s
    }

    /// Run `fut` to completion: first one poll holding the GIL (a cache hit finishes there),
    /// then, if it must wait, on the runtime with the GIL released.
    pub(crate) fn block_on<F>(&self, py: Python<'_>, fut: F) -> PyResult<F::Output>
    where
        F: Future + Send,
        F::Output: Send,
    {
        let rt = self.runtime(py)?;
        let mut fut = pin!(fut);
        // A panic in the core is a bug: it surfaces as `FinauthError` (kind INTERNAL).
        let caught = catch_unwind(AssertUnwindSafe(|| {
            let _enter = rt.runtime.enter();
            let mut cx = Context::from_waker(Waker::noop());
            fut.as_mut().poll(&mut cx)
        }));
        match caught {
            Ok(Poll::Ready(v)) => return Ok(v),
            Ok(Poll::Pending) => {}
            Err(p) => return Err(internal(py, panic_text(p))),
        }
        py.detach(|| catch_unwind(AssertUnwindSafe(|| rt.runtime.block_on(fut))))
            .map_err(|p| internal(py, panic_text(p)))
    }
}

/// The message of a caught panic, for `FinauthError` (kind INTERNAL).
pub(crate) fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    let what = p
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("internal error in finauth (please report it): {what}")
}

pub(crate) fn secs(py: Python<'_>, field: &str, v: Option<f64>) -> PyResult<Option<Duration>> {
    v.map(|s| {
        Duration::try_from_secs_f64(s).map_err(|_| {
            config_error(
                py,
                format!("{field} must be a non-negative number of seconds"),
            )
        })
    })
    .transpose()
}

#[allow(clippy::too_many_arguments)]
fn build(
    py: Python<'_>,
    partner_id: String,
    partner_secret: String,
    app_key: String,
    base_url: Option<String>,
    store: Option<&Bound<'_, PyAny>>,
    refresh_after: Option<f64>,
    token_lifetime: Option<f64>,
    max_failed_attempts: Option<u32>,
    timeout: Option<f64>,
    allow_insecure_loopback: bool,
) -> PyResult<Arc<Shared>> {
    let mut b = finauth::PartnerAuthBuilder::new()
        .partner_id(partner_id)
        .partner_secret(partner_secret)
        .app_key(app_key)
        .allow_insecure_loopback(allow_insecure_loopback);
    if let Some(u) = base_url {
        b = b.base_url(u);
    }
    if let Some(s) = crate::store::from_arg(py, store)? {
        b = b.store(s);
    }
    if let Some(d) = secs(py, "refresh_after", refresh_after)? {
        b = b.refresh_after(d);
    }
    if let Some(d) = secs(py, "token_lifetime", token_lifetime)? {
        b = b.token_lifetime(d);
    }
    if let Some(n) = max_failed_attempts {
        b = b.max_failed_attempts(n);
    }
    if let Some(d) = secs(py, "timeout", timeout)? {
        b = b.timeout(d);
    }
    Ok(Shared::new(b.build().py_err(py)?))
}

fn from_env(py: Python<'_>) -> PyResult<Arc<Shared>> {
    Ok(Shared::new(finauth::PartnerAuth::from_env().py_err(py)?))
}

pub(crate) fn stats_dict<'py>(py: Python<'py>, s: Stats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("auth_requests", s.auth_requests)?;
    d.set_item("auth_successes", s.auth_successes)?;
    d.set_item("credential_failures", s.credential_failures)?;
    d.set_item("refreshes_advisory", s.refreshes_advisory)?;
    d.set_item("refreshes_mandatory", s.refreshes_mandatory)?;
    d.set_item("cache_hits", s.cache_hits)?;
    d.set_item("invalidations", s.invalidations)?;
    d.set_item("guard_refusals", s.guard_refusals)?;
    d.set_item("tokens_adopted", s.tokens_adopted)?;
    d.set_item("store_errors", s.store_errors)?;
    Ok(d)
}

pub(crate) fn guard_dict<'py>(py: Python<'py>, g: GuardStatus) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("failed_attempts", g.failed_attempts)?;
    d.set_item("in_flight", g.in_flight)?;
    d.set_item("max_failed_attempts", g.max_failed_attempts)?;
    d.set_item("attempts_remaining", g.attempts_remaining)?;
    d.set_item("rejected_secrets", g.rejected_secrets)?;
    d.set_item("locked", g.locked)?;
    d.set_item("current_secret_rejected", g.current_secret_rejected)?;
    d.set_item("store", g.store)?;
    Ok(d)
}

fn headers_dict<'py>(
    py: Python<'py>,
    shared: &Shared,
    h: finauth::FinicityHeaders,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let [(key_name, key), (token_name, _)] = h.pairs();
    d.set_item(key_name, key)?;
    d.set_item(token_name, shared.token_str(py, h.token().clone()))?;
    Ok(d)
}

fn repr(kind: &str, core: &finauth::PartnerAuth) -> String {
    format!(
        "{kind}(partner_id={:?}, base_url={:?})",
        core.partner_id(),
        core.base_url().as_str()
    )
}

/// Finicity partner authentication, for threads and plain synchronous code.
///
/// One token per Partner ID, refreshed before it expires and shared by every thread (and, with a
/// ``FileStore``, by every process on the host), behind a lockout guard that stops before the
/// server locks the Partner ID. Every wait releases the GIL. Safe to use after ``os.fork()``.
///
/// All arguments are keyword-only; durations are seconds (floats allowed)::
///
///     auth = finauth.PartnerAuth(partner_id="...", partner_secret="...", app_key="...")
///     requests.get(url, headers=auth.headers())
#[pyclass(module = "finauth._finauth", frozen)]
pub struct PartnerAuth {
    shared: Arc<Shared>,
}

#[pymethods]
impl PartnerAuth {
    #[new]
    #[pyo3(signature = (*, partner_id, partner_secret, app_key, base_url=None, store=None,
        refresh_after=None, token_lifetime=None, max_failed_attempts=None, timeout=None,
        allow_insecure_loopback=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        partner_id: String,
        partner_secret: String,
        app_key: String,
        base_url: Option<String>,
        store: Option<&Bound<'_, PyAny>>,
        refresh_after: Option<f64>,
        token_lifetime: Option<f64>,
        max_failed_attempts: Option<u32>,
        timeout: Option<f64>,
        allow_insecure_loopback: bool,
    ) -> PyResult<Self> {
        Ok(PartnerAuth {
            shared: build(
                py,
                partner_id,
                partner_secret,
                app_key,
                base_url,
                store,
                refresh_after,
                token_lifetime,
                max_failed_attempts,
                timeout,
                allow_insecure_loopback,
            )?,
        })
    }

    /// Build from the environment variables ``FINICITY_PARTNER_ID``, ``FINICITY_PARTNER_SECRET``,
    /// ``FINICITY_APP_KEY`` and the optional ``FINICITY_BASE_URL``, ``FINAUTH_STORE``,
    /// ``FINAUTH_MAX_FAILED_ATTEMPTS``, ``FINAUTH_REFRESH_AFTER``, ``FINAUTH_TOKEN_LIFETIME``,
    /// ``FINAUTH_TIMEOUT``, ``FINAUTH_ALLOW_INSECURE_LOOPBACK``.
    #[classmethod]
    fn from_env(_cls: &Bound<'_, PyType>, py: Python<'_>) -> PyResult<Self> {
        Ok(PartnerAuth {
            shared: from_env(py)?,
        })
    }

    /// A valid Finicity App Token. From memory when fresh; otherwise one authentication serves
    /// every concurrent caller (the GIL is released while waiting).
    fn token(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let s = &*self.shared;
        if let Some(t) = s.fresh_str(py) {
            return Ok(t);
        }
        let token = s.block_on(py, s.core.token())?.py_err(py)?;
        Ok(s.token_str(py, token))
    }

    /// The headers of a Finicity call: ``{"Finicity-App-Key": ..., "Finicity-App-Token": ...}``.
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &*self.shared;
        let h = s.block_on(py, s.core.headers())?.py_err(py)?;
        headers_dict(py, s, h)
    }

    /// After a Finicity resource rejected ``token`` (401 with code 10022 or 10023): drop it if it
    /// is still the current one, so the next ``token()`` fetches a new one. Many calls for the same
    /// token cause one refresh. Returns True if this call dropped it.
    fn invalidate(&self, py: Python<'_>, token: &str) -> PyResult<bool> {
        let s = &*self.shared;
        let t = AccessToken::new(token);
        s.block_on(py, s.core.invalidate(&t))
    }

    /// One logical request to ``url`` (absolute) under finauth's request policy, for an HTTP
    /// client you drive yourself: see :class:`Exchange`.
    fn exchange(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
    ) -> PyResult<crate::exchange::Exchange> {
        let owner = crate::exchange::Owner::Finicity(self.shared.clone());
        crate::exchange::new_sync(owner, self.shared.core.exchange(method, url), py)
    }

    /// For HTTP integrations that send the request themselves: judge a Finicity resource's answer.
    /// True if the token was rejected (10022/10023: ``invalidate`` it and resend once); raises
    /// ``AccountLockedError`` on 24302, after recording the lock so every caller and process sharing
    /// the store stops.
    fn observe_response(
        &self,
        py: Python<'_>,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> PyResult<bool> {
        let s = &*self.shared;
        s.block_on(py, s.core.observe_response(status, content_type, body))?
            .resend()
            .py_err(py)
    }

    /// Modify Partner Secret: replace the secret at Finicity, then here and in the store (other
    /// processes sharing it pick the new secret up). ``immediate=False`` keeps the old secret
    /// valid at the server for 30 days.
    #[pyo3(signature = (new, immediate=true))]
    fn modify_partner_secret(&self, py: Python<'_>, new: String, immediate: bool) -> PyResult<()> {
        let s = &*self.shared;
        s.block_on(py, s.core.modify_partner_secret(new, immediate))?
            .py_err(py)
    }

    /// Use ``app_key`` from now on (tokens already issued keep working).
    fn set_app_key(&self, py: Python<'_>, app_key: String) -> PyResult<()> {
        self.shared.core.set_app_key(app_key).py_err(py)
    }

    /// Operator action: clear the lockout guard (failures, rejected secrets, locked flag) for
    /// every process sharing the store. Do it after fixing the secret or after Finicity support
    /// unlocked the Partner ID.
    fn reset_lockout_guard(&self, py: Python<'_>) -> PyResult<()> {
        let s = &*self.shared;
        s.block_on(py, s.core.reset_lockout_guard())?.py_err(py)
    }

    /// What the lockout guard knows, as a dict: ``failed_attempts``, ``in_flight``,
    /// ``max_failed_attempts``, ``attempts_remaining``, ``rejected_secrets``, ``locked`` (the
    /// 24302 code or None), ``current_secret_rejected``, ``store``.
    fn guard_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &*self.shared;
        let g = s.block_on(py, s.core.guard_status())?.py_err(py)?;
        guard_dict(py, g)
    }

    /// Counters since this object was built, as a dict (``auth_requests``, ``auth_successes``,
    /// ``credential_failures``, ``refreshes_advisory``, ``refreshes_mandatory``, ``cache_hits``,
    /// ``invalidations``, ``guard_refusals``, ``tokens_adopted``, ``store_errors``).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.shared.core.stats())
    }

    /// An ``AsyncPartnerAuth`` sharing this object's token, guard and counters.
    fn as_async(&self) -> AsyncPartnerAuth {
        AsyncPartnerAuth {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The Partner ID (not a secret).
    #[getter]
    fn partner_id(&self) -> &str {
        self.shared.core.partner_id()
    }

    /// The Finicity base URL.
    #[getter]
    fn base_url(&self) -> &str {
        self.shared.core.base_url().as_str()
    }

    fn __repr__(&self) -> String {
        repr("PartnerAuth", &self.shared.core)
    }
}

/// Finicity partner authentication for asyncio: the same as ``PartnerAuth`` but every network
/// method returns an awaitable that runs on finauth's runtime, never blocking the event loop.
///
///     auth = finauth.AsyncPartnerAuth(partner_id="...", partner_secret="...", app_key="...")
///     headers = await auth.headers()
#[pyclass(module = "finauth._finauth", frozen)]
pub struct AsyncPartnerAuth {
    shared: Arc<Shared>,
}

/// Run `fut` on finauth's runtime as an asyncio awaitable.
pub(crate) fn awaitable<'py, C: Core, F, T>(
    py: Python<'py>,
    shared: &Arc<Shared<C>>,
    fut: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = finauth::Result<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    shared.runtime(py)?;
    pyo3_async_runtimes::generic::future_into_py::<crate::runtime::AsyncioRuntime, _, _>(
        py,
        async move {
            match AssertUnwindSafe(fut).catch_unwind().await {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(Python::attach(|py| to_pyerr(py, e))),
                Err(p) => Err(Python::attach(|py| internal(py, panic_text(p)))),
            }
        },
    )
}

#[pymethods]
impl AsyncPartnerAuth {
    #[new]
    #[pyo3(signature = (*, partner_id, partner_secret, app_key, base_url=None, store=None,
        refresh_after=None, token_lifetime=None, max_failed_attempts=None, timeout=None,
        allow_insecure_loopback=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        partner_id: String,
        partner_secret: String,
        app_key: String,
        base_url: Option<String>,
        store: Option<&Bound<'_, PyAny>>,
        refresh_after: Option<f64>,
        token_lifetime: Option<f64>,
        max_failed_attempts: Option<u32>,
        timeout: Option<f64>,
        allow_insecure_loopback: bool,
    ) -> PyResult<Self> {
        Ok(AsyncPartnerAuth {
            shared: build(
                py,
                partner_id,
                partner_secret,
                app_key,
                base_url,
                store,
                refresh_after,
                token_lifetime,
                max_failed_attempts,
                timeout,
                allow_insecure_loopback,
            )?,
        })
    }

    /// Build from the environment variables (see ``PartnerAuth.from_env``).
    #[classmethod]
    fn from_env(_cls: &Bound<'_, PyType>, py: Python<'_>) -> PyResult<Self> {
        Ok(AsyncPartnerAuth {
            shared: from_env(py)?,
        })
    }

    /// Awaitable: a valid Finicity App Token (one authentication for every concurrent task).
    fn token<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = Arc::clone(&self.shared);
        let core = shared.core.clone();
        awaitable(py, &self.shared, async move {
            let t = core.token().await?;
            Ok(TokenOut(shared, t))
        })
    }

    /// Awaitable: ``{"Finicity-App-Key": ..., "Finicity-App-Token": ...}``.
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(py, &self.shared, async move {
            let h = core.headers().await?;
            Ok(h.pairs()
                .map(|(k, v)| (k, v.to_owned()))
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>())
        })
    }

    /// Awaitable: drop ``token`` if it is still current (see ``PartnerAuth.invalidate``).
    fn invalidate<'py>(&self, py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        let t = AccessToken::new(token);
        awaitable(
            py,
            &self.shared,
            async move { Ok(core.invalidate(&t).await) },
        )
    }

    /// One logical request to ``url`` under finauth's request policy: see :class:`AsyncExchange`.
    fn exchange(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
    ) -> PyResult<crate::exchange::AsyncExchange> {
        let owner = crate::exchange::Owner::Finicity(self.shared.clone());
        crate::exchange::new_async(owner, self.shared.core.exchange(method, url), py)
    }

    /// Awaitable: judge a Finicity resource's answer (see ``PartnerAuth.observe_response``).
    fn observe_response<'py>(
        &self,
        py: Python<'py>,
        status: u16,
        content_type: String,
        body: Vec<u8>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(py, &self.shared, async move {
            core.observe_response(status, &content_type, &body)
                .await
                .resend()
        })
    }

    /// Awaitable: Modify Partner Secret (see ``PartnerAuth.modify_partner_secret``).
    #[pyo3(signature = (new, immediate=true))]
    fn modify_partner_secret<'py>(
        &self,
        py: Python<'py>,
        new: String,
        immediate: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(py, &self.shared, async move {
            core.modify_partner_secret(new, immediate).await
        })
    }

    /// Use ``app_key`` from now on (no network: not awaitable).
    fn set_app_key(&self, py: Python<'_>, app_key: String) -> PyResult<()> {
        self.shared.core.set_app_key(app_key).py_err(py)
    }

    /// Awaitable: clear the lockout guard (see ``PartnerAuth.reset_lockout_guard``).
    fn reset_lockout_guard<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(
            py,
            &self.shared,
            async move { core.reset_lockout_guard().await },
        )
    }

    /// Awaitable: the lockout guard's state as a dict (see ``PartnerAuth.guard_status``).
    fn guard_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(py, &self.shared, async move {
            Ok(GuardOut(core.guard_status().await?))
        })
    }

    /// Counters since this object was built, as a dict (no network: not awaitable).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.shared.core.stats())
    }

    /// A sync ``PartnerAuth`` sharing this object's token, guard and counters.
    fn as_sync(&self) -> PartnerAuth {
        PartnerAuth {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The Partner ID (not a secret).
    #[getter]
    fn partner_id(&self) -> &str {
        self.shared.core.partner_id()
    }

    /// The Finicity base URL.
    #[getter]
    fn base_url(&self) -> &str {
        self.shared.core.base_url().as_str()
    }

    fn __repr__(&self) -> String {
        repr("AsyncPartnerAuth", &self.shared.core)
    }
}

/// A token on its way to Python through the shared string cache.
pub(crate) struct TokenOut<C: Core = finauth::PartnerAuth>(
    pub(crate) Arc<Shared<C>>,
    pub(crate) AccessToken,
);

impl<'py, C: Core> IntoPyObject<'py> for TokenOut<C> {
    type Target = PyString;
    type Output = Bound<'py, PyString>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        Ok(self.0.token_str(py, self.1).into_bound(py))
    }
}

pub(crate) struct GuardOut(pub(crate) GuardStatus);

impl<'py> IntoPyObject<'py> for GuardOut {
    type Target = PyDict;
    type Output = Bound<'py, PyDict>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        guard_dict(py, self.0)
    }
}
