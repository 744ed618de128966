//! [`ClientCredentials`]: OAuth 2.0 client credentials on the lifecycle engine.

use super::config::{AuthMethod, ClientCredentialsBuilder, Endpoint};
use super::dpop::DPOP_HEADER;
use super::metadata::MetadataSource;
use super::source::OAuth2Source;
use crate::error::{Error, Result};
use crate::exchange::policy::Scheme;
use crate::exchange::{Authority, Exchange};
use crate::lifecycle::{Engine, GuardStatus, Stats};
use crate::secret::{AccessToken, Secret};
use reqwest::{Method, Url};
use std::fmt;
use std::sync::Arc;

/// OAuth 2.0 client credentials: one token per (token endpoint, client id, scope set, DPoP key),
/// refreshed at 75 % of its lifetime, shared by every task (and, with a shared store, every
/// process), behind one lockout guard per (token endpoint, client id) that every scope set shares. With `dpop`, tokens are DPoP-bound and every request carries a
/// fresh proof. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct ClientCredentials {
    engine: Arc<Engine<OAuth2Source>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.engine.source();
        f.debug_struct("ClientCredentials")
            .field("token_url", &s.token_endpoint.get().map(Url::as_str))
            .field("issuer", &self.issuer().map(Url::as_str))
            .field("client_id", &s.client_id)
            .field("auth_method", &s.method)
            .field("scope", &s.scope)
            .field("dpop", &s.dpop.is_some())
            .field("client_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

/// The headers of one resource request: `Authorization` and, with DPoP, `DPoP`. `Debug` is
/// redacted.
#[derive(Clone)]
pub struct OAuth2Headers {
    token: AccessToken,
    authorization: Secret,
    dpop: Option<Secret>,
}

impl fmt::Debug for OAuth2Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OAuth2Headers([REDACTED])")
    }
}

impl OAuth2Headers {
    /// The token these headers carry (pass it to `invalidate` after a 401).
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// `(name, value)` pairs: `Authorization`, then `DPoP` when bound.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![("Authorization", self.authorization.expose())];
        if let Some(p) = &self.dpop {
            v.push((DPOP_HEADER, p.expose()));
        }
        v
    }
}

impl ClientCredentialsBuilder {
    /// Validate and build.
    pub fn build(self) -> Result<ClientCredentials> {
        ClientCredentials::from_builder(self)
    }
}

impl ClientCredentials {
    pub fn builder() -> ClientCredentialsBuilder {
        ClientCredentialsBuilder::new()
    }

    /// Build from the `FINAUTH_OAUTH2_*` variables of docs/API.md.
    pub fn from_env() -> Result<Self> {
        ClientCredentialsBuilder::from_env()?.build()
    }

    fn from_builder(b: ClientCredentialsBuilder) -> Result<Self> {
        let v = b.validate()?;
        let metadata = match &v.endpoint {
            Endpoint::Issuer(issuer) => Some(Arc::new(Engine::new(
                MetadataSource::new(
                    issuer.clone(),
                    b.common.timeout,
                    b.common.allow_insecure_loopback,
                )?,
                v.store.clone(),
                v.engine.clone(),
                b.common.clock.clone(),
            ))),
            Endpoint::Fixed(_) => None,
        };
        let source = OAuth2Source::new(
            v.endpoint,
            metadata,
            v.client_id,
            b.auth_method,
            b.client_secret.clone(),
            b.signing_key.clone(),
            b.key_id.clone(),
            v.audience,
            v.scope,
            b.extra_params.clone(),
            b.app_key.clone(),
            b.dpop,
            b.default_lifetime,
            b.common.allow_insecure_loopback,
            b.common.timeout,
        )?;
        Ok(ClientCredentials {
            engine: Arc::new(Engine::new(
                source,
                v.store,
                v.engine,
                b.common.clock.clone(),
            )),
        })
    }

    /// The token endpoint: the configured one, or the one discovered from the issuer (before
    /// the first token request, the issuer itself).
    pub fn token_url(&self) -> Url {
        let s = self.engine.source();
        s.token_endpoint
            .get()
            .unwrap_or_else(|| s.configured.configured())
            .clone()
    }

    /// The configured issuer, if the token endpoint is discovered.
    pub fn issuer(&self) -> Option<&Url> {
        match &self.engine.source().configured {
            Endpoint::Issuer(u) => Some(u),
            Endpoint::Fixed(_) => None,
        }
    }

    /// Read the issuer's metadata now (it is otherwise read by the first token request), so a
    /// configuration the server does not support fails at start-up.
    pub async fn discover(&self) -> Result<Url> {
        self.engine.source().token_url().await
    }

    pub fn client_id(&self) -> &str {
        &self.engine.source().client_id
    }

    pub fn auth_method(&self) -> AuthMethod {
        self.engine.source().method
    }

    /// The normalized scope set asked for (sorted, space-separated).
    pub fn scope(&self) -> Option<&str> {
        self.engine.source().scope.as_deref()
    }

    /// `DPoP` for DPoP-bound tokens, else `Bearer`: the `Authorization` scheme.
    pub fn token_type(&self) -> &'static str {
        if self.engine.source().dpop.is_some() {
            "DPoP"
        } else {
            "Bearer"
        }
    }

    /// A valid access token. Fresh: from memory, no lock. Otherwise one request serves all.
    pub async fn token(&self) -> Result<AccessToken> {
        self.engine.token().await
    }

    /// The cached token if no refresh is due yet, without waiting or I/O.
    pub fn fresh_token(&self) -> Option<AccessToken> {
        self.engine.fresh_token()
    }

    /// The fresh token and its generation (a number naming this token), for bindings that keep
    /// one string per generation without a lock; `None` when `token()` would have to refresh.
    pub fn fresh_token_with_generation(&self) -> Option<(u64, AccessToken)> {
        self.engine.fresh_token_with_generation()
    }

    /// The generation of the fresh token, without copying it.
    pub fn fresh_generation(&self) -> Option<u64> {
        self.engine.fresh_generation()
    }

    /// The headers for one request to `url` with `method`: `Authorization: Bearer|DPoP <token>`
    /// and, with DPoP, a fresh proof bound to the method, the URL and the token.
    pub async fn headers(&self, method: &str, url: &str) -> Result<OAuth2Headers> {
        let token = self.token().await?;
        self.headers_for(&token, method, url)
    }

    /// Like [`ClientCredentials::headers`] with a token already in hand.
    pub fn headers_for(
        &self,
        token: &AccessToken,
        method: &str,
        url: &str,
    ) -> Result<OAuth2Headers> {
        let s = self.engine.source();
        let dpop = match &s.dpop {
            Some(d) => {
                let method = Method::from_bytes(method.trim().as_bytes()).map_err(|_| {
                    Error::config(format!("method: `{method}` is not an HTTP method"))
                })?;
                let url = Url::parse(url.trim())
                    .map_err(|e| Error::config(format!("url: not a valid URL ({e})")))?;
                Some(d.proof(method.as_str(), &url, Some(token))?)
            }
            None => None,
        };
        Ok(OAuth2Headers {
            token: token.clone(),
            authorization: Secret::new(format!("{} {}", self.token_type(), token.expose())),
            dpop,
        })
    }

    /// Remember the `DPoP-Nonce` a resource server sent (for callers that send requests
    /// themselves and use [`ClientCredentials::headers`]); true if it changed.
    pub fn learn_nonce(&self, url: &str, headers: &reqwest::header::HeaderMap) -> bool {
        match (&self.engine.source().dpop, Url::parse(url)) {
            (Some(d), Ok(u)) => d.learn(&u, headers),
            _ => false,
        }
    }

    /// After a resource answered 401 for `token`: drop it if it is still current. Many calls for
    /// the same old token cause one refresh. `true` if this call dropped it.
    pub async fn invalidate(&self, token: &AccessToken) -> bool {
        self.engine.invalidate(token).await
    }

    /// In a child process after `fork()`, before any other call (see `PartnerAuth`).
    pub fn reset_after_fork(&self) -> Result<()> {
        self.engine.reset_after_fork();
        self.engine.source().rebuild_client()
    }

    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }

    pub async fn guard_status(&self) -> Result<GuardStatus> {
        self.engine.guard_status().await
    }

    /// Operator action: clear the guard's failures and rejected credentials everywhere.
    pub async fn reset_lockout_guard(&self) -> Result<()> {
        self.engine.reset_guard().await
    }

    /// A request on finauth's HTTP client (HTTPS, or loopback HTTP when allowed). Send it with
    /// [`ClientCredentials::send`].
    pub fn request(&self, method: Method, url: &str) -> Result<reqwest::RequestBuilder> {
        let s = self.engine.source();
        let url = Url::parse(url.trim())
            .map_err(|e| Error::config(format!("url: not a valid URL ({e})")))?;
        let ok = match url.scheme() {
            "https" => true,
            "http" => s.allow_insecure_loopback && crate::transport::is_loopback(&url),
            _ => false,
        };
        if !ok {
            return Err(Error::config(
                "url: must use https (plain http only for loopback with allow_insecure_loopback)",
            ));
        }
        Ok(s.client.load().request(method, url))
    }

    /// The request policy this object's exchanges follow, as data (which statuses it judges),
    /// for bindings that filter answers before calling into the core.
    pub fn policy(&self) -> crate::exchange::policy::Policy {
        crate::exchange::policy::Policy::new(Authority::scheme(self))
    }

    /// One logical request to a resource at `url` for an HTTP client of your own:
    /// [`Exchange::prepare`] gives `Authorization` (and a fresh DPoP proof) for each attempt,
    /// [`Exchange::observe`] learns the `DPoP-Nonce` and judges the answer.
    pub fn exchange(&self, method: &str, url: &str) -> Result<Exchange> {
        Exchange::new(Arc::new(self.clone()), method, url)
    }

    /// Send with `Authorization` (and a DPoP proof), by the rules of
    /// [`ClientCredentials::exchange`]: a 401 whose `WWW-Authenticate` asks for a DPoP nonce is
    /// resent once with it; any other 401 invalidates the token and the request is resent once
    /// with a new one (a second 401 is `Unauthorized`). Other answers are returned as they are.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let (client, request) = request.build_split();
        let request = request.map_err(|e| Error::config(format!("invalid request: {e}")))?;
        let timeout = self.engine.config().timeout;
        let mut ex = self.exchange(request.method().as_str(), request.url().as_str())?;
        crate::exchange::send_with(&mut ex, &client, &request, timeout).await
    }
}

impl Authority for ClientCredentials {
    fn scheme(&self) -> Scheme {
        Scheme::OAuth2 {
            dpop: self.engine.source().dpop.is_some(),
        }
    }

    fn prepare<'a>(
        &'a self,
        method: &'a str,
        url: &'a Url,
    ) -> futures_util::future::BoxFuture<'a, Result<crate::exchange::Attempt>> {
        Box::pin(async move {
            let token = self.token().await?;
            let h = self.headers_for(&token, method, url.as_str())?;
            let mut pairs = vec![("Authorization", h.authorization.clone())];
            if let Some(proof) = &h.dpop {
                pairs.push((DPOP_HEADER, proof.clone()));
            }
            if let Some(key) = &self.engine.source().app_key {
                pairs.push((crate::finicity::APP_KEY_HEADER, key.clone()));
            }
            Ok((token, pairs))
        })
    }

    fn invalidate<'a>(
        &'a self,
        token: &'a AccessToken,
    ) -> futures_util::future::BoxFuture<'a, bool> {
        Box::pin(self.engine.invalidate(token))
    }

    fn mark_locked(&self, code: u32) -> futures_util::future::BoxFuture<'_, ()> {
        Box::pin(self.engine.mark_locked(code))
    }

    fn learn_nonce(&self, url: &Url, headers: &reqwest::header::HeaderMap) {
        if let Some(d) = &self.engine.source().dpop {
            d.learn(url, headers);
        }
    }

    fn nonce_known(&self, url: &Url) -> bool {
        self.engine
            .source()
            .dpop
            .as_ref()
            .is_some_and(|d| d.nonce_for(url).is_some())
    }
}

impl crate::lifecycle::TokenOwner for ClientCredentials {
    fn fresh_generation(&self) -> Option<u64> {
        self.engine.fresh_generation()
    }

    fn fresh_token_with_generation(&self) -> Option<(u64, AccessToken)> {
        self.engine.fresh_token_with_generation()
    }

    fn reset_after_fork(&self) -> Result<()> {
        ClientCredentials::reset_after_fork(self)
    }
}
