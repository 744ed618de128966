//! One logical request to a resource, around however many HTTP attempts the policy allows. The
//! integration does the I/O; this decides everything else:
//!
//! ```no_run
//! # async fn demo(auth: finauth::PartnerAuth) -> finauth::Result<()> {
//! use finauth::exchange::Verdict;
//! let mut ex = auth.exchange("GET", "https://api.finicity.com/aggregation/v1/customers")?;
//! loop {
//!     let headers = ex.prepare().await?; // set these (replace, never add) and send
//!     # let _ = headers.pairs();
//!     # let (status, answer_headers, body): (u16, Vec<(&str, &str)>, Vec<u8>) = (200, vec![], vec![]);
//!     // ... send with your HTTP client, then:
//!     match ex.observe(status, answer_headers, &body).await? {
//!         Verdict::Done => break,      // hand this answer to the caller
//!         Verdict::Resend => continue, // send the same request again
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The rules ([`policy`]): the token actually sent is the one invalidated (a burst of rejections
//! causes one refresh); Finicity's 10022/10023 (HTTP 401 or 500) cost one resend with a new
//! token, a second rejection is `Unauthorized`; 24302 (HTTP 401 or 500) is recorded for every
//! caller sharing the store on every attempt and fails with `AccountLocked`; an OAuth 2.0 401
//! invalidates the token and resends once, a `use_dpop_nonce` challenge resends once with the new
//! nonce and the same token; a `DPoP-Nonce` is learned from every answer. Everything else is
//! handed to the caller as it came.

pub mod policy;

use crate::error::{Error, Result};
use crate::secret::{AccessToken, Secret};
use futures_util::future::BoxFuture;
use policy::{Decision, Policy, Scheme};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use std::sync::Arc;

/// What the integration does with the answer it just observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Hand this answer to the caller.
    Done,
    /// Send the request again, with the headers of the next [`Exchange::prepare`].
    Resend,
}

/// The headers of one attempt: set each, replacing any of the same name.
#[derive(Clone)]
pub struct PreparedHeaders {
    pairs: Vec<(&'static str, Secret)>,
    token: AccessToken,
}

impl PreparedHeaders {
    /// The token these headers carry (the exchange invalidates it itself when needed).
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        self.pairs.iter().map(|(n, v)| (*n, v.expose())).collect()
    }

    /// As a header map with every value marked sensitive.
    pub fn to_header_map(&self) -> Result<HeaderMap> {
        let mut map = HeaderMap::new();
        for (name, value) in &self.pairs {
            let mut v = HeaderValue::from_str(value.expose())
                .map_err(|_| Error::config(format!("{name} is not a valid header value")))?;
            v.set_sensitive(true);
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("{name} is not a header name")))?;
            map.insert(name, v);
        }
        Ok(map)
    }
}

impl std::fmt::Debug for PreparedHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.pairs.iter().map(|(n, _)| *n).collect();
        write!(f, "PreparedHeaders({names:?}, values redacted)")
    }
}

/// The token of one attempt and the headers that carry it.
pub(crate) type Attempt = (AccessToken, Vec<(&'static str, Secret)>);

/// What an exchange needs from the object whose credentials it uses. Implemented by
/// [`crate::PartnerAuth`] and [`crate::ClientCredentials`] (and fakes in tests).
pub(crate) trait Authority: Send + Sync + 'static {
    fn scheme(&self) -> Scheme;
    /// The token for the next attempt and the headers that carry it.
    fn prepare<'a>(&'a self, method: &'a str, url: &'a Url) -> BoxFuture<'a, Result<Attempt>>;
    fn invalidate<'a>(&'a self, token: &'a AccessToken) -> BoxFuture<'a, bool>;
    fn mark_locked(&self, code: u32) -> BoxFuture<'_, ()>;
    /// Remember a `DPoP-Nonce` from an answer of `url`'s server.
    fn learn_nonce(&self, _url: &Url, _headers: &HeaderMap) {}
    fn nonce_known(&self, _url: &Url) -> bool {
        false
    }
}

enum Phase {
    /// `prepare` is next.
    Ready,
    /// Sent with this token; `observe` is next.
    Sent(AccessToken),
    Finished,
}

/// One logical request. Not shared between tasks: each request has its own.
pub struct Exchange {
    authority: Arc<dyn Authority>,
    method: String,
    url: Url,
    policy: Policy,
    phase: Phase,
    attempts: u32,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("scheme", &self.policy.scheme())
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// The path names Finicity's partner authentication endpoint, however it is spelled: servers
/// and proxies merge `//`, decode `%2F` and may ignore case, so the check does too.
fn is_partner_authentication(url: &Url) -> bool {
    let decoded = percent_encoding::percent_decode_str(url.path()).decode_utf8_lossy();
    let segments = decoded.split('/').filter(|s| !s.is_empty());
    let wanted = crate::finicity::AUTH_PATH
        .split('/')
        .filter(|s| !s.is_empty());
    segments
        .map(str::to_ascii_lowercase)
        .eq(wanted.map(str::to_owned))
}

impl Exchange {
    pub(crate) fn new(authority: Arc<dyn Authority>, method: &str, url: &str) -> Result<Self> {
        let method = method.trim();
        reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::config(format!("method: `{method}` is not an HTTP method")))?;
        let url = Url::parse(url.trim())
            .map_err(|e| Error::config(format!("url: not an absolute URL ({e})")))?;
        // A token request sent through the exchange would bypass the lockout guard and the
        // single flight (and carry a token to get a token): a generated client's CreateToken
        // operation, for one, must not reach Finicity this way.
        if authority.scheme() == Scheme::Finicity && is_partner_authentication(&url) {
            return Err(Error::config(format!(
                "{method} {}: finauth requests partner tokens itself, guarded against lockout; \
                 call token() (or modify_partner_secret() to rotate) instead of sending this \
                 request",
                crate::finicity::AUTH_PATH
            )));
        }
        Ok(Exchange {
            policy: Policy::new(authority.scheme()),
            authority,
            method: method.to_ascii_uppercase(),
            url,
            phase: Phase::Ready,
            attempts: 0,
        })
    }

    /// The headers to send on this attempt (a token, waiting for one if none is fresh; with
    /// DPoP a new proof carrying the nonce the server last gave).
    pub async fn prepare(&mut self) -> Result<PreparedHeaders> {
        match self.phase {
            Phase::Ready => {}
            Phase::Sent(_) => {
                return Err(Error::config(
                    "exchange: observe the answer before preparing another attempt",
                ))
            }
            Phase::Finished => {
                return Err(Error::config(
                    "exchange: this request is done; start a new exchange",
                ))
            }
        }
        let (token, pairs) = self.authority.prepare(&self.method, &self.url).await?;
        self.phase = Phase::Sent(token.clone());
        self.attempts += 1;
        Ok(PreparedHeaders { pairs, token })
    }

    /// Declare that the first attempt was already sent with `token`, taken from the object's
    /// fresh token (a binding's lock-free fast path): the exchange then judges that attempt as if
    /// [`Exchange::prepare`] had made it. Only before the first attempt.
    pub fn sent_with(&mut self, token: AccessToken) -> Result<()> {
        if !matches!(self.phase, Phase::Ready) || self.attempts > 0 {
            return Err(Error::config(
                "exchange: sent_with only stands for the first attempt",
            ));
        }
        self.phase = Phase::Sent(token);
        self.attempts = 1;
        Ok(())
    }

    /// Whether `observe` needs the body of an answer with this status (others may pass `&[]`).
    pub fn wants_body(&self, status: u16) -> bool {
        self.policy.wants_body(status)
    }

    /// Judge the answer to the last attempt: `Done` (give it to the caller), `Resend`, or an
    /// error (`AccountLocked` on 24302, `Unauthorized` once the resends are spent).
    pub async fn observe<'h>(
        &mut self,
        status: u16,
        headers: impl IntoIterator<Item = (&'h str, &'h str)>,
        body: &[u8],
    ) -> Result<Verdict> {
        let sent = match std::mem::replace(&mut self.phase, Phase::Finished) {
            Phase::Sent(t) => t,
            other => {
                self.phase = other;
                return Err(Error::config(
                    "exchange: prepare and send an attempt before observing",
                ));
            }
        };
        let headers: Vec<(&str, &str)> = headers.into_iter().collect();
        if matches!(self.policy.scheme(), Scheme::OAuth2 { dpop: true }) {
            let mut map = HeaderMap::new();
            for (n, v) in &headers {
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(n.as_bytes()),
                    HeaderValue::from_str(v),
                ) {
                    map.append(n, v);
                }
            }
            self.authority.learn_nonce(&self.url, &map);
        }
        let reading = self.policy.read(status, headers, body);
        let nonce_known = self.authority.nonce_known(&self.url);
        match self.policy.decide(&reading, nonce_known) {
            Decision::Done => Ok(Verdict::Done),
            Decision::Resend { new_token } => {
                if new_token {
                    tracing::info!(status, code = ?reading.finicity_code, "the server rejected the token; resending once with a new one");
                    self.authority.invalidate(&sent).await;
                } else {
                    tracing::debug!("the server asked for a DPoP nonce; resending once with it");
                }
                self.phase = Phase::Ready;
                Ok(Verdict::Resend)
            }
            Decision::Locked { code } => {
                self.authority.mark_locked(code).await;
                Err(Error::AccountLocked { code })
            }
            Decision::Unauthorized { status, code } => Err(Error::Unauthorized { status, code }),
        }
    }

    /// Whose answers these are (Finicity, OAuth 2.0 with or without DPoP).
    pub fn scheme(&self) -> Scheme {
        self.policy.scheme()
    }

    /// HTTP attempts prepared so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn method(&self) -> &str {
        &self.method
    }

    pub fn url(&self) -> &Url {
        &self.url
    }
}

/// The reqwest loop over an exchange, shared by [`crate::PartnerAuth::send`] and
/// [`crate::ClientCredentials::send`].
pub(crate) async fn send_with(
    ex: &mut Exchange,
    client: &reqwest::Client,
    request: &reqwest::Request,
    timeout: std::time::Duration,
) -> Result<reqwest::Response> {
    loop {
        let mut req = request.try_clone().ok_or_else(|| {
            Error::config("request body must be replayable (not a stream) so it can be resent")
        })?;
        for (name, value) in ex.prepare().await?.to_header_map()? {
            if let Some(name) = name {
                req.headers_mut().insert(name, value);
            }
        }
        let resp = client
            .execute(req)
            .await
            .map_err(|e| crate::transport::map_err(e, timeout, "request"))?;
        let status = resp.status().as_u16();
        if !ex.wants_body(status) {
            let verdict = {
                let pairs = header_pairs(resp.headers());
                ex.observe(status, pairs.iter().map(|(n, v)| (*n, *v)), &[])
                    .await?
            };
            match verdict {
                Verdict::Done => return Ok(resp),
                Verdict::Resend => continue,
            }
        }
        let raw = crate::finicity::source::read_raw(resp, timeout).await?;
        let verdict = {
            let pairs = header_pairs(&raw.headers);
            ex.observe(status, pairs.iter().map(|(n, v)| (*n, *v)), &raw.body)
                .await?
        };
        match verdict {
            Verdict::Done => return Ok(raw.into_response()),
            Verdict::Resend => continue,
        }
    }
}

/// Header pairs from a flat list (name, value, name, value, ...): how bindings whose foreign
/// side has no tuple type (JS, the JVM) pass an answer's headers to [`Exchange::observe`].
pub fn flat_pairs(flat: &[String]) -> impl Iterator<Item = (&str, &str)> {
    flat.chunks_exact(2).map(|c| (c[0].as_str(), c[1].as_str()))
}

fn header_pairs(headers: &HeaderMap) -> Vec<(&str, &str)> {
    headers
        .iter()
        .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str(), v)))
        .collect()
}

#[cfg(test)]
mod tests;
