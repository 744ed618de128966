use super::config::{check_new_secret, PartnerAuthBuilder};
use super::headers::FinicityHeaders;
use super::response::{auth_verdict, AuthVerdict, ResourceVerdict};
use super::source::{join, scrub_error, PartnerSource};
use super::{APP_KEY_HEADER, APP_TOKEN_HEADER};
use crate::error::{Error, Result};
use crate::exchange::policy::{Decision, Policy, Scheme};
use crate::exchange::{Authority, Exchange};
use crate::lifecycle::{CredentialAdvice, Engine, GuardStatus, Stats, TokenSource};
use crate::secret::{AccessToken, Secret};
use crate::settings::check_header_value;
use crate::store::AttemptOutcome;
use reqwest::{Method, Url};
use std::sync::Arc;

/// Finicity partner authentication: one token per Partner ID, refreshed before it expires, shared
/// by every task (and, with a shared store, every process), behind a lockout guard.
///
/// Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct PartnerAuth {
    engine: Arc<Engine<PartnerSource>>,
    rotation: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for PartnerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.engine.source();
        f.debug_struct("PartnerAuth")
            .field("partner_id", &s.partner_id)
            .field("base_url", &s.base_url.as_str())
            .field("partner_secret", &"[REDACTED]")
            .field("app_key", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl PartnerAuthBuilder {
    /// Validate and build.
    pub fn build(self) -> Result<PartnerAuth> {
        PartnerAuth::from_builder(self)
    }
}

impl PartnerAuth {
    pub fn builder() -> PartnerAuthBuilder {
        PartnerAuthBuilder::new()
    }

    /// Build from the environment variables of docs/API.md.
    pub fn from_env() -> Result<Self> {
        PartnerAuthBuilder::from_env()?.build()
    }

    fn from_builder(b: PartnerAuthBuilder) -> Result<Self> {
        let v = b.validate()?;
        let source = PartnerSource::new(
            v.partner_id,
            v.secret,
            v.app_key,
            v.base_url,
            b.refresh_after,
            b.token_lifetime,
            b.common.timeout,
        )?;
        Ok(PartnerAuth {
            engine: Arc::new(Engine::new(
                source,
                v.store,
                v.engine,
                b.common.clock.clone(),
            )),
            rotation: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    pub fn partner_id(&self) -> &str {
        &self.engine.source().partner_id
    }

    pub fn base_url(&self) -> &Url {
        &self.engine.source().base_url
    }

    /// A valid token. Fresh: from memory, no lock. Otherwise one refresh serves every caller.
    pub async fn token(&self) -> Result<AccessToken> {
        self.engine.token().await
    }

    /// The cached token if no refresh is due yet, without waiting or any I/O; `None` when
    /// `token()` would have to refresh (or start a background refresh).
    pub fn fresh_token(&self) -> Option<AccessToken> {
        self.engine.fresh_token()
    }

    /// The fresh token and its generation, a number that changes whenever the token or the App
    /// Key does: a binding hands out one cached string (or header pair) per generation without a
    /// lock. `None` when `token()` would have to refresh.
    pub fn fresh_token_with_generation(&self) -> Option<(u64, AccessToken)> {
        self.engine.fresh_token_with_generation()
    }

    /// The generation of the fresh token (see [`PartnerAuth::fresh_token_with_generation`]),
    /// without copying the token.
    pub fn fresh_generation(&self) -> Option<u64> {
        self.engine.fresh_generation()
    }

    /// `Finicity-App-Key` and `Finicity-App-Token` for a call.
    pub async fn headers(&self) -> Result<FinicityHeaders> {
        let token = self.token().await?;
        Ok(FinicityHeaders {
            app_key: (**self.engine.source().app_key.load()).clone(),
            token,
        })
    }

    /// After a resource answered 401 (10022/10023) for `token`: drop it if it is still current.
    /// Many calls for the same old token cause one refresh. `true` if this call dropped it.
    pub async fn invalidate(&self, token: &AccessToken) -> bool {
        self.engine.invalidate(token).await
    }

    /// In a child process after `fork()`, before any other call: forget the refresh in flight
    /// (its task ran on the parent's runtime, which does not exist in the child) and build a new
    /// HTTP client (the pooled connections belong to the parent). The cached token, the guard and
    /// the counters are kept. Bindings for pre-forking servers (Python's gunicorn) call it.
    pub fn reset_after_fork(&self) -> Result<()> {
        self.engine.reset_after_fork();
        self.engine.source().rebuild_client()
    }

    /// Counters since this object was built.
    pub fn stats(&self) -> Stats {
        self.engine.stats()
    }

    /// What the lockout guard knows (from the store, shared with other processes).
    pub async fn guard_status(&self) -> Result<GuardStatus> {
        self.engine.guard_status().await
    }

    /// Operator action: clear the guard's failures, rejected secrets and locked flag for every
    /// process sharing the store. Do it after fixing the secret, or after support unlocked the ID.
    pub async fn reset_lockout_guard(&self) -> Result<()> {
        self.engine.reset_guard().await
    }

    /// Rotate the App Key used from now on. The current token is kept: where the server ties
    /// tokens to the key that obtained them (the sandbox does), the first call answered 10022
    /// renews it under the new key and is resent once, by the request policy.
    pub fn set_app_key(&self, key: impl Into<Secret>) -> Result<()> {
        let key = key.into();
        check_header_value("app_key", key.expose())?;
        self.engine.source().app_key.store(Arc::new(key));
        self.engine.bump_generation();
        tracing::info!("App Key replaced");
        Ok(())
    }

    /// Modify Partner Secret. Checks Finicity's rules first, sends the PUT under the refresh lease
    /// and the lockout guard, and on success swaps the secret here and, sealed under the old one,
    /// in the store, so no process sharing the store sends the old secret again. `immediate`
    /// `false` keeps the old secret valid for 30 days at the server.
    pub async fn modify_partner_secret(
        &self,
        new: impl Into<Secret>,
        immediate: bool,
    ) -> Result<()> {
        let new = new.into();
        check_new_secret(new.expose())?;
        let _one_at_a_time = self.rotation.lock().await;
        let engine = &self.engine;
        if engine.source().credential().ct_eq(&new) {
            return Err(Error::config(
                "new_partner_secret must differ from the current secret",
            ));
        }
        let fence = engine.acquire_lease().await?;
        let result = self.modify_holding(new, immediate).await;
        engine.release_lease(fence).await;
        result
    }

    async fn modify_holding(&self, new: Secret, immediate: bool) -> Result<()> {
        let engine = &self.engine;
        let source = engine.source();
        let (reservation, current, fp) = engine.reserve().await?;
        let body = serde_json::json!({
            "partnerId": source.partner_id,
            "partnerSecret": current.expose(),
            "newPartnerSecret": new.expose(),
            "immediate": immediate,
        });
        let answer = match source.call(Method::PUT, &body).await {
            Ok(a) => a,
            Err(e) => {
                // Unanswered, the server may have judged the current secret: the guard counts it.
                engine.settle(reservation, fp, e.outcome()).await;
                return Err(e.into_error());
            }
        };
        match auth_verdict(&answer) {
            AuthVerdict::Ok(_) => {
                engine
                    .settle(reservation, fp, AttemptOutcome::Success)
                    .await;
                engine.publish_rotation(&current, new).await?;
                tracing::info!(immediate, "partner secret modified");
                Ok(())
            }
            AuthVerdict::Credential(code) => {
                engine
                    .settle(reservation, fp, AttemptOutcome::CredentialFailure)
                    .await;
                let remaining = engine
                    .guard_status()
                    .await
                    .map(|s| s.attempts_remaining)
                    .unwrap_or(0);
                Err(Error::InvalidCredentials {
                    attempts_remaining: remaining,
                    code,
                    oauth: None,
                    hint: CredentialAdvice::PARTNER_SECRET.after_rejection(),
                })
            }
            AuthVerdict::Locked(code) => {
                engine
                    .settle(reservation, fp, AttemptOutcome::Locked { code })
                    .await;
                Err(Error::AccountLocked { code })
            }
            AuthVerdict::Other(e) => {
                engine
                    .settle(reservation, fp, AttemptOutcome::Neutral)
                    .await;
                let app_key = source.app_key.load_full();
                Err(scrub_error(e, &[&current, &new, &app_key]))
            }
        }
    }

    /// What a resource's answer (made with this object's headers outside [`PartnerAuth::send`],
    /// by an HTTP client of your own) means, by the same rule as [`PartnerAuth::exchange`]:
    /// `TokenRejected` (10022/10023 with HTTP 401 or 500) tells the caller to
    /// [`invalidate`](PartnerAuth::invalidate) the token it sent and resend once;
    /// `AccountLocked` (24302 with HTTP 401 or 500) has already been recorded in the store, so
    /// every caller and process sharing it gets `AccountLocked` from now on without a request.
    /// Prefer [`PartnerAuth::exchange`], which also counts the resends.
    pub async fn observe_response(
        &self,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> ResourceVerdict {
        let policy = Policy::new(Scheme::Finicity);
        let reading = policy.read(status, [("content-type", content_type)], body);
        match policy.clone().decide(&reading, false) {
            Decision::Locked { code } => {
                self.engine.mark_locked(code).await;
                ResourceVerdict::AccountLocked
            }
            Decision::Resend { .. } | Decision::Unauthorized { .. } => {
                ResourceVerdict::TokenRejected
            }
            Decision::Done => ResourceVerdict::Pass,
        }
    }

    /// The request policy this object's exchanges follow, as data (which statuses it judges),
    /// for bindings that filter answers before calling into the core.
    pub fn policy(&self) -> crate::exchange::policy::Policy {
        Policy::new(Scheme::Finicity)
    }

    /// One logical request to a Finicity resource at `url` (absolute), for an HTTP client of
    /// your own: [`Exchange::prepare`] gives the headers of each attempt, [`Exchange::observe`]
    /// judges each answer (`Done`, `Resend`, or `AccountLocked` / `Unauthorized`).
    pub fn exchange(&self, method: &str, url: &str) -> Result<Exchange> {
        Exchange::new(Arc::new(self.clone()), method, url)
    }

    /// A request to `path` under the base URL (e.g. `/aggregation/v1/customers`), on finauth's
    /// client. Send it with [`PartnerAuth::send`].
    pub fn request(&self, method: Method, path: &str) -> Result<reqwest::RequestBuilder> {
        let source = self.engine.source();
        let url = join(&source.base_url, path)?;
        Ok(source
            .client
            .load()
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json"))
    }

    /// Send with the Finicity headers, by the rules of [`PartnerAuth::exchange`]: a 10022/10023
    /// answer invalidates the token and the request is resent once with a new one (a second
    /// rejection is `Unauthorized`); a 24302 is `AccountLocked` and stops every process sharing
    /// the store. Other answers are returned as they are.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let (client, request) = request.build_split();
        let request = request.map_err(|e| Error::config(format!("invalid request: {e}")))?;
        let timeout = self.engine.config().timeout;
        let mut ex = self.exchange(request.method().as_str(), request.url().as_str())?;
        crate::exchange::send_with(&mut ex, &client, &request, timeout).await
    }
}

impl Authority for PartnerAuth {
    fn scheme(&self) -> Scheme {
        Scheme::Finicity
    }

    fn prepare<'a>(
        &'a self,
        _method: &'a str,
        _url: &'a Url,
    ) -> futures_util::future::BoxFuture<'a, Result<crate::exchange::Attempt>> {
        Box::pin(async move {
            let h = self.headers().await?;
            let pairs = vec![
                (APP_KEY_HEADER, h.app_key.clone()),
                (APP_TOKEN_HEADER, h.token.0.clone()),
            ];
            Ok((h.token, pairs))
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
}

impl crate::lifecycle::TokenOwner for PartnerAuth {
    fn fresh_generation(&self) -> Option<u64> {
        self.engine.fresh_generation()
    }

    fn fresh_token_with_generation(&self) -> Option<(u64, AccessToken)> {
        self.engine.fresh_token_with_generation()
    }

    fn reset_after_fork(&self) -> Result<()> {
        PartnerAuth::reset_after_fork(self)
    }
}
