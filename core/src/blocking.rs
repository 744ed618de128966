//! A blocking facade over the async API, for C, sync Python and plain threads. Each object owns a
//! small tokio runtime that also runs background (advisory) refreshes between calls.

use crate::error::{Error, Result};
use crate::finicity::FinicityHeaders;
use crate::finicity::PartnerAuthBuilder;
use crate::lifecycle::{GuardStatus, Stats};
use crate::secret::{AccessToken, Secret};
use std::future::Future;
use std::sync::Arc;

/// The blocking twin of [`crate::PartnerAuth`]. Must not be called from inside an async runtime.
#[derive(Clone, Debug)]
pub struct PartnerAuth {
    inner: crate::PartnerAuth,
    runtime: Arc<tokio::runtime::Runtime>,
}

/// A runtime of one worker thread: enough for background refreshes, cheap to own per object.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("finauth-runtime")
        .enable_all()
        .build()
        .map_err(|e| Error::config(format!("cannot start finauth's runtime: {e}")))
}

impl PartnerAuthBuilder {
    /// Validate and build the blocking variant.
    pub fn build_blocking(self) -> Result<PartnerAuth> {
        PartnerAuth::new(self.build()?)
    }
}

impl PartnerAuth {
    /// Wrap an async `PartnerAuth` (clones share the same token and guard).
    pub fn new(inner: crate::PartnerAuth) -> Result<Self> {
        Ok(PartnerAuth {
            inner,
            runtime: Arc::new(runtime()?),
        })
    }

    pub fn builder() -> PartnerAuthBuilder {
        PartnerAuthBuilder::new()
    }

    pub fn from_env() -> Result<Self> {
        PartnerAuthBuilder::from_env()?.build_blocking()
    }

    /// The async object behind this one.
    pub fn as_async(&self) -> &crate::PartnerAuth {
        &self.inner
    }

    /// Refuse inside an async runtime, always (not only when a call would block), so a misuse
    /// shows on the first call rather than at the first refresh in production.
    fn outside_runtime(&self) -> Result<()> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::config(
                "finauth::blocking called from inside an async runtime; use the async API there",
            ));
        }
        Ok(())
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        self.outside_runtime()?;
        Ok(self.runtime.block_on(f))
    }

    pub fn token(&self) -> Result<AccessToken> {
        // The fresh path needs no runtime: skip block_on and its shared bookkeeping.
        self.outside_runtime()?;
        if let Some(t) = self.inner.fresh_token() {
            return Ok(t);
        }
        self.block_on(self.inner.token())?
    }

    pub fn headers(&self) -> Result<FinicityHeaders> {
        self.block_on(self.inner.headers())?
    }

    pub fn invalidate(&self, token: &AccessToken) -> Result<bool> {
        self.block_on(self.inner.invalidate(token))
    }

    /// See [`crate::PartnerAuth::observe_response`].
    pub fn observe_response(
        &self,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<crate::finicity::ResourceVerdict> {
        self.block_on(self.inner.observe_response(status, content_type, body))
    }

    pub fn modify_partner_secret(&self, new: impl Into<Secret>, immediate: bool) -> Result<()> {
        self.block_on(self.inner.modify_partner_secret(new, immediate))?
    }

    pub fn set_app_key(&self, key: impl Into<Secret>) -> Result<()> {
        self.inner.set_app_key(key)
    }

    pub fn reset_lockout_guard(&self) -> Result<()> {
        self.block_on(self.inner.reset_lockout_guard())?
    }

    pub fn guard_status(&self) -> Result<GuardStatus> {
        self.block_on(self.inner.guard_status())?
    }

    pub fn stats(&self) -> Stats {
        self.inner.stats()
    }

    /// Send a request with the Finicity headers (see [`crate::PartnerAuth::send`]).
    pub fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        self.block_on(self.inner.send(request))?
    }

    /// Run any future of the async API on this object's runtime.
    pub fn run<F: Future>(&self, f: F) -> Result<F::Output> {
        self.block_on(f)
    }
}

/// The blocking twin of [`crate::ClientCredentials`]. Must not be called from inside an async
/// runtime.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    inner: crate::ClientCredentials,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl crate::oauth2::ClientCredentialsBuilder {
    /// Validate and build the blocking variant.
    pub fn build_blocking(self) -> Result<ClientCredentials> {
        ClientCredentials::new(self.build()?)
    }
}

impl ClientCredentials {
    /// Wrap an async `ClientCredentials` (clones share the same token and guard).
    pub fn new(inner: crate::ClientCredentials) -> Result<Self> {
        Ok(ClientCredentials {
            inner,
            runtime: Arc::new(runtime()?),
        })
    }

    pub fn builder() -> crate::oauth2::ClientCredentialsBuilder {
        crate::oauth2::ClientCredentialsBuilder::new()
    }

    pub fn from_env() -> Result<Self> {
        crate::oauth2::ClientCredentialsBuilder::from_env()?.build_blocking()
    }

    /// The async object behind this one.
    pub fn as_async(&self) -> &crate::ClientCredentials {
        &self.inner
    }

    fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::config(
                "finauth::blocking called from inside an async runtime; use the async API there",
            ));
        }
        Ok(self.runtime.block_on(f))
    }

    pub fn token(&self) -> Result<AccessToken> {
        if tokio::runtime::Handle::try_current().is_err() {
            if let Some(t) = self.inner.fresh_token() {
                return Ok(t);
            }
        }
        self.block_on(self.inner.token())?
    }

    /// `Authorization` (and a DPoP proof) for one request.
    pub fn headers(&self, method: &str, url: &str) -> Result<crate::OAuth2Headers> {
        self.block_on(self.inner.headers(method, url))?
    }

    pub fn invalidate(&self, token: &AccessToken) -> Result<bool> {
        self.block_on(self.inner.invalidate(token))
    }

    /// Read the issuer's metadata now (see [`crate::ClientCredentials::discover`]).
    pub fn discover(&self) -> Result<reqwest::Url> {
        self.block_on(self.inner.discover())?
    }

    pub fn reset_lockout_guard(&self) -> Result<()> {
        self.block_on(self.inner.reset_lockout_guard())?
    }

    pub fn guard_status(&self) -> Result<GuardStatus> {
        self.block_on(self.inner.guard_status())?
    }

    pub fn stats(&self) -> Stats {
        self.inner.stats()
    }

    /// Send a request (see [`crate::ClientCredentials::send`]).
    pub fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        self.block_on(self.inner.send(request))?
    }

    /// Run any future of the async API on this object's runtime.
    pub fn run<F: Future>(&self, f: F) -> Result<F::Output> {
        self.block_on(f)
    }
}

/// The blocking twin of [`crate::exchange::Exchange`], on its owner's runtime.
#[derive(Debug)]
pub struct Exchange {
    inner: crate::exchange::Exchange,
    runtime: Arc<tokio::runtime::Runtime>,
}

fn refuse_inside_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::config(
            "finauth::blocking called from inside an async runtime; use the async API there",
        ));
    }
    Ok(())
}

impl Exchange {
    /// See [`crate::exchange::Exchange::prepare`].
    pub fn prepare(&mut self) -> Result<crate::exchange::PreparedHeaders> {
        refuse_inside_runtime()?;
        let rt = self.runtime.clone();
        rt.block_on(self.inner.prepare())
    }

    /// See [`crate::exchange::Exchange::wants_body`].
    pub fn wants_body(&self, status: u16) -> bool {
        self.inner.wants_body(status)
    }

    /// See [`crate::exchange::Exchange::observe`].
    pub fn observe<'h>(
        &mut self,
        status: u16,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        body: &[u8],
    ) -> Result<crate::exchange::Verdict> {
        refuse_inside_runtime()?;
        let rt = self.runtime.clone();
        rt.block_on(self.inner.observe(status, headers, body))
    }

    /// The async exchange behind this one.
    pub fn as_async(&self) -> &crate::exchange::Exchange {
        &self.inner
    }
}

impl PartnerAuth {
    /// See [`crate::PartnerAuth::exchange`].
    pub fn exchange(&self, method: &str, url: &str) -> Result<Exchange> {
        Ok(Exchange {
            inner: self.inner.exchange(method, url)?,
            runtime: self.runtime.clone(),
        })
    }
}

impl ClientCredentials {
    /// See [`crate::ClientCredentials::exchange`].
    pub fn exchange(&self, method: &str, url: &str) -> Result<Exchange> {
        Ok(Exchange {
            inner: self.inner.exchange(method, url)?,
            runtime: self.runtime.clone(),
        })
    }
}
