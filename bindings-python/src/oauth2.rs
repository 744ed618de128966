//! `ClientCredentials` (sync: every wait releases the GIL) and `AsyncClientCredentials`
//! (awaitables on the running asyncio loop), both over one `finauth::ClientCredentials`.

use crate::auth::{awaitable, guard_dict, secs, stats_dict, GuardOut, Shared, TokenOut};
use crate::errors::{config_error, IntoPy};
use finauth::{AccessToken, AuthMethod, ClientCredentials as Core};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyType};
use std::collections::HashMap;
use std::sync::Arc;

type SharedCc = Shared<Core>;

#[allow(clippy::too_many_arguments)]
fn build(
    py: Python<'_>,
    token_url: Option<String>,
    issuer: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    auth_method: &str,
    scope: Option<String>,
    signing_key: Option<&crate::oauth1::SigningKey>,
    key_id: Option<String>,
    audience: Option<String>,
    dpop: bool,
    app_key: Option<String>,
    default_lifetime: Option<f64>,
    extra_params: Option<HashMap<String, String>>,
    store: Option<&Bound<'_, PyAny>>,
    max_failed_attempts: Option<u32>,
    timeout: Option<f64>,
    allow_insecure_loopback: bool,
) -> PyResult<Arc<SharedCc>> {
    let method: AuthMethod = auth_method.parse().py_err(py)?;
    let mut b = Core::builder()
        .client_id(client_id)
        .auth_method(method)
        .dpop(dpop)
        .allow_insecure_loopback(allow_insecure_loopback);
    // Exactly one of the two; the core's check names the mistake.
    if let Some(u) = token_url {
        b = b.token_url(u);
    }
    if let Some(i) = issuer {
        b = b.issuer(i);
    }
    if let Some(s) = client_secret {
        b = b.client_secret(s);
    }
    if let Some(s) = scope {
        b = b.scope(s);
    }
    if let Some(k) = signing_key {
        b = b.signing_key(k.inner.clone());
    }
    if let Some(k) = key_id {
        b = b.key_id(k);
    }
    if let Some(a) = audience {
        b = b.audience(a);
    }
    if let Some(k) = app_key {
        b = b.app_key(k);
    }
    if let Some(d) = secs(py, "default_lifetime", default_lifetime)? {
        b = b.default_lifetime(d);
    }
    b = b.extra_params(extra_params.unwrap_or_default());
    if let Some(s) = crate::store::from_arg(py, store)? {
        b = b.store(s);
    }
    if let Some(n) = max_failed_attempts {
        b = b.max_failed_attempts(n);
    }
    if let Some(d) = secs(py, "timeout", timeout)? {
        b = b.timeout(d);
    }
    Ok(Shared::new(b.build().py_err(py)?))
}

fn from_env(py: Python<'_>) -> PyResult<Arc<SharedCc>> {
    Ok(Shared::new(Core::from_env().py_err(py)?))
}

/// The request URL the DPoP proof is bound to (the token URL when no proof is needed).
fn target(py: Python<'_>, core: &Core, url: Option<String>) -> PyResult<String> {
    match url {
        Some(u) => Ok(u),
        None if core.token_type() == "DPoP" => Err(config_error(
            py,
            "url is needed for DPoP-bound tokens (the proof is bound to the request URL)",
        )),
        None => Ok(core.token_url().to_string()),
    }
}

fn headers_map(h: &finauth::OAuth2Headers) -> HashMap<&'static str, String> {
    h.pairs()
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect()
}

fn header_map(headers: HashMap<String, String>) -> finauth::reqwest::header::HeaderMap {
    let mut map = finauth::reqwest::header::HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            finauth::reqwest::header::HeaderName::from_bytes(k.as_bytes()),
            finauth::reqwest::header::HeaderValue::from_str(&v),
        ) {
            map.insert(k, v);
        }
    }
    map
}

/// `'text'`-style quoting for an optional value, `None` when absent (a Python repr).
fn py_opt(v: Option<&str>) -> String {
    v.map_or_else(|| "None".to_owned(), |s| format!("{s:?}"))
}

fn repr(kind: &str, core: &Core) -> String {
    format!(
        "{kind}(token_url={:?}, issuer={}, client_id={:?}, auth_method={:?}, scope={}, token_type={:?})",
        core.token_url().as_str(),
        py_opt(core.issuer().map(|u| u.as_str())),
        core.client_id(),
        core.auth_method().as_str(),
        py_opt(core.scope()),
        core.token_type()
    )
}

/// OAuth 2.0 client credentials, for threads and plain synchronous code.
///
/// One token per (token URL, client id, scope set), refreshed at 75 % of its lifetime and shared
/// by every thread (and, with a ``FileStore``/``RedisStore``, every process), behind the lockout
/// guard. ``auth_method`` is ``"client_secret_basic"`` (default), ``"client_secret_post"``,
/// ``"private_key_jwt"`` or ``"finicity_json"``; ``dpop=True`` gives DPoP-bound tokens
/// (Mastercard's FAPI 2.0 profile). Every wait releases the GIL. Keyword-only arguments;
/// durations in seconds.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct ClientCredentials {
    shared: Arc<SharedCc>,
}

#[pymethods]
impl ClientCredentials {
    #[new]
    #[pyo3(signature = (*, client_id, token_url=None, issuer=None, client_secret=None,
        auth_method="client_secret_basic", scope=None, signing_key=None, key_id=None, audience=None,
        dpop=false, app_key=None, default_lifetime=None, extra_params=None, store=None,
        max_failed_attempts=None, timeout=None, allow_insecure_loopback=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client_id: String,
        token_url: Option<String>,
        issuer: Option<String>,
        client_secret: Option<String>,
        auth_method: &str,
        scope: Option<String>,
        signing_key: Option<PyRef<'_, crate::oauth1::SigningKey>>,
        key_id: Option<String>,
        audience: Option<String>,
        dpop: bool,
        app_key: Option<String>,
        default_lifetime: Option<f64>,
        extra_params: Option<HashMap<String, String>>,
        store: Option<&Bound<'_, PyAny>>,
        max_failed_attempts: Option<u32>,
        timeout: Option<f64>,
        allow_insecure_loopback: bool,
    ) -> PyResult<Self> {
        Ok(ClientCredentials {
            shared: build(
                py,
                token_url,
                issuer,
                client_id,
                client_secret,
                auth_method,
                scope,
                signing_key.as_deref(),
                key_id,
                audience,
                dpop,
                app_key,
                default_lifetime,
                extra_params,
                store,
                max_failed_attempts,
                timeout,
                allow_insecure_loopback,
            )?,
        })
    }

    /// Build from the ``FINAUTH_OAUTH2_*`` environment variables (see the README).
    #[classmethod]
    fn from_env(_cls: &Bound<'_, PyType>, py: Python<'_>) -> PyResult<Self> {
        Ok(ClientCredentials {
            shared: from_env(py)?,
        })
    }

    /// A valid access token: from memory when fresh; otherwise one token request serves every
    /// concurrent caller (the GIL is released while waiting).
    fn token(&self, py: Python<'_>) -> PyResult<Py<PyString>> {
        let s = &*self.shared;
        if let Some(t) = s.fresh_str(py) {
            return Ok(t);
        }
        let token = s.block_on(py, s.core.token())?.py_err(py)?;
        Ok(s.token_str(py, token))
    }

    /// The headers of one request: ``{"Authorization": "Bearer …"}`` or, with DPoP,
    /// ``{"Authorization": "DPoP …", "DPoP": <proof for method and url>}`` (``url`` required).
    #[pyo3(signature = (method="GET", url=None))]
    fn headers<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        url: Option<String>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let s = &*self.shared;
        let url = target(py, &s.core, url)?;
        let h = s.block_on(py, s.core.headers(method, &url))?.py_err(py)?;
        let d = PyDict::new(py);
        for (k, v) in h.pairs() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// One logical request to ``url`` under finauth's request policy, for an HTTP client you
    /// drive yourself: see :class:`Exchange`.
    fn exchange(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
    ) -> PyResult<crate::exchange::Exchange> {
        let owner = crate::exchange::Owner::OAuth2(self.shared.clone());
        crate::exchange::new_sync(owner, self.shared.core.exchange(method, url), py)
    }

    /// Remember the ``DPoP-Nonce`` header of a response from ``url`` (a dict of its headers);
    /// True if it was new. The ``requests``/``httpx`` integrations call it for you.
    fn learn_nonce(&self, url: &str, headers: HashMap<String, String>) -> bool {
        self.shared.core.learn_nonce(url, &header_map(headers))
    }

    /// After a resource rejected ``token`` (401): drop it if it is still current. Many calls for
    /// the same token cause one refresh. True if this call dropped it.
    fn invalidate(&self, py: Python<'_>, token: &str) -> PyResult<bool> {
        let s = &*self.shared;
        let t = AccessToken::new(token);
        s.block_on(py, s.core.invalidate(&t))
    }

    /// The token endpoint, read now from the issuer's metadata (otherwise the first token
    /// request reads it), so that a configuration the server does not support fails at start.
    fn discover(&self, py: Python<'_>) -> PyResult<String> {
        let s = &*self.shared;
        let url = s.block_on(py, s.core.discover())?.py_err(py)?;
        Ok(url.to_string())
    }

    /// Operator action: clear the lockout guard for every process sharing the store.
    fn reset_lockout_guard(&self, py: Python<'_>) -> PyResult<()> {
        let s = &*self.shared;
        s.block_on(py, s.core.reset_lockout_guard())?.py_err(py)
    }

    /// What the lockout guard knows, as a dict (see ``PartnerAuth.guard_status``).
    fn guard_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &*self.shared;
        let g = s.block_on(py, s.core.guard_status())?.py_err(py)?;
        guard_dict(py, g)
    }

    /// Counters since this object was built, as a dict (see ``PartnerAuth.stats``).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.shared.core.stats())
    }

    /// An ``AsyncClientCredentials`` sharing this object's token, guard and counters.
    fn as_async(&self) -> AsyncClientCredentials {
        AsyncClientCredentials {
            shared: Arc::clone(&self.shared),
        }
    }

    /// ``"Bearer"`` or ``"DPoP"``: the ``Authorization`` scheme.
    #[getter]
    fn token_type(&self) -> &'static str {
        self.shared.core.token_type()
    }

    #[getter]
    fn token_url(&self) -> String {
        self.shared.core.token_url().to_string()
    }

    /// The configured issuer, or ``None`` when ``token_url`` was given.
    #[getter]
    fn issuer(&self) -> Option<String> {
        self.shared.core.issuer().map(|u| u.to_string())
    }

    #[getter]
    fn client_id(&self) -> &str {
        self.shared.core.client_id()
    }

    fn __repr__(&self) -> String {
        repr("ClientCredentials", &self.shared.core)
    }
}

/// OAuth 2.0 client credentials for asyncio: like ``ClientCredentials`` but every network method
/// returns an awaitable that runs on finauth's runtime, never blocking the event loop.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct AsyncClientCredentials {
    shared: Arc<SharedCc>,
}

#[pymethods]
impl AsyncClientCredentials {
    #[new]
    #[pyo3(signature = (*, client_id, token_url=None, issuer=None, client_secret=None,
        auth_method="client_secret_basic", scope=None, signing_key=None, key_id=None, audience=None,
        dpop=false, app_key=None, default_lifetime=None, extra_params=None, store=None,
        max_failed_attempts=None, timeout=None, allow_insecure_loopback=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client_id: String,
        token_url: Option<String>,
        issuer: Option<String>,
        client_secret: Option<String>,
        auth_method: &str,
        scope: Option<String>,
        signing_key: Option<PyRef<'_, crate::oauth1::SigningKey>>,
        key_id: Option<String>,
        audience: Option<String>,
        dpop: bool,
        app_key: Option<String>,
        default_lifetime: Option<f64>,
        extra_params: Option<HashMap<String, String>>,
        store: Option<&Bound<'_, PyAny>>,
        max_failed_attempts: Option<u32>,
        timeout: Option<f64>,
        allow_insecure_loopback: bool,
    ) -> PyResult<Self> {
        Ok(AsyncClientCredentials {
            shared: build(
                py,
                token_url,
                issuer,
                client_id,
                client_secret,
                auth_method,
                scope,
                signing_key.as_deref(),
                key_id,
                audience,
                dpop,
                app_key,
                default_lifetime,
                extra_params,
                store,
                max_failed_attempts,
                timeout,
                allow_insecure_loopback,
            )?,
        })
    }

    /// Build from the ``FINAUTH_OAUTH2_*`` environment variables.
    #[classmethod]
    fn from_env(_cls: &Bound<'_, PyType>, py: Python<'_>) -> PyResult<Self> {
        Ok(AsyncClientCredentials {
            shared: from_env(py)?,
        })
    }

    /// Awaitable: a valid access token (one token request for every concurrent task).
    fn token<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let shared = Arc::clone(&self.shared);
        let core = shared.core.clone();
        awaitable(py, &self.shared, async move {
            let t = core.token().await?;
            Ok(TokenOut(shared, t))
        })
    }

    /// Awaitable: the headers of one request (see ``ClientCredentials.headers``).
    #[pyo3(signature = (method="GET", url=None))]
    fn headers<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        url: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        let url = target(py, &core, url)?;
        let method = method.to_owned();
        awaitable(py, &self.shared, async move {
            let h = core.headers(&method, &url).await?;
            Ok(headers_map(&h))
        })
    }

    /// One logical request to ``url`` under finauth's request policy: see :class:`AsyncExchange`.
    fn exchange(
        &self,
        py: Python<'_>,
        method: &str,
        url: &str,
    ) -> PyResult<crate::exchange::AsyncExchange> {
        let owner = crate::exchange::Owner::OAuth2(self.shared.clone());
        crate::exchange::new_async(owner, self.shared.core.exchange(method, url), py)
    }

    /// Remember a response's ``DPoP-Nonce`` (no network: not awaitable).
    fn learn_nonce(&self, url: &str, headers: HashMap<String, String>) -> bool {
        self.shared.core.learn_nonce(url, &header_map(headers))
    }

    /// Awaitable: drop ``token`` if it is still current.
    fn invalidate<'py>(&self, py: Python<'py>, token: &str) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        let t = AccessToken::new(token);
        awaitable(
            py,
            &self.shared,
            async move { Ok(core.invalidate(&t).await) },
        )
    }

    /// Awaitable: the token endpoint, read now from the issuer's metadata.
    fn discover<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(py, &self.shared, async move {
            Ok(core.discover().await?.to_string())
        })
    }

    /// Awaitable: clear the lockout guard.
    fn reset_lockout_guard<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(
            py,
            &self.shared,
            async move { core.reset_lockout_guard().await },
        )
    }

    /// Awaitable: the lockout guard's state as a dict.
    fn guard_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = self.shared.core.clone();
        awaitable(py, &self.shared, async move {
            Ok(GuardOut(core.guard_status().await?))
        })
    }

    /// Counters since this object was built (no network: not awaitable).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.shared.core.stats())
    }

    /// A sync ``ClientCredentials`` sharing this object's token, guard and counters.
    fn as_sync(&self) -> ClientCredentials {
        ClientCredentials {
            shared: Arc::clone(&self.shared),
        }
    }

    #[getter]
    fn token_type(&self) -> &'static str {
        self.shared.core.token_type()
    }

    #[getter]
    fn token_url(&self) -> String {
        self.shared.core.token_url().to_string()
    }

    /// The configured issuer, or ``None`` when ``token_url`` was given.
    #[getter]
    fn issuer(&self) -> Option<String> {
        self.shared.core.issuer().map(|u| u.to_string())
    }

    #[getter]
    fn client_id(&self) -> &str {
        self.shared.core.client_id()
    }

    fn __repr__(&self) -> String {
        repr("AsyncClientCredentials", &self.shared.core)
    }
}
