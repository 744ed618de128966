//! `PartnerAuth`: Finicity partner authentication. Suspend functions for Kotlin coroutines and
//! `*Blocking` twins for Java threads, all over one `finauth::PartnerAuth`.

use crate::error::{int, long, Result};
use crate::fast::Fast;
use crate::runtime;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Optional settings of a `PartnerAuth`; `null` keeps the core's default (docs/API.md).
#[derive(uniffi::Record, Default)]
pub struct PartnerAuthOptions {
    /// Default `https://api.finicity.com`.
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Where the token and the lockout guard live; default a new `MemoryStore`.
    #[uniffi(default = None)]
    pub store: Option<Store>,
    /// Default 5400 s.
    #[uniffi(default = None)]
    pub refresh_after: Option<Duration>,
    /// Default 7200 s.
    #[uniffi(default = None)]
    pub token_lifetime: Option<Duration>,
    /// Default 3 (1–4).
    #[uniffi(default = None)]
    pub max_failed_attempts: Option<i32>,
    /// Default 30 s.
    #[uniffi(default = None)]
    pub timeout: Option<Duration>,
    /// Lets `http://` through for a loopback address (the sandbox). Default false.
    #[uniffi(default = false)]
    pub allow_insecure_loopback: bool,
}

/// Counters of one `PartnerAuth` since it was built.
#[derive(uniffi::Record)]
pub struct Stats {
    pub auth_requests: i64,
    pub auth_successes: i64,
    pub credential_failures: i64,
    pub refreshes_advisory: i64,
    pub refreshes_mandatory: i64,
    pub cache_hits: i64,
    pub invalidations: i64,
    pub guard_refusals: i64,
    pub tokens_adopted: i64,
    pub store_errors: i64,
}

impl From<finauth::Stats> for Stats {
    fn from(s: finauth::Stats) -> Self {
        Stats {
            auth_requests: long(s.auth_requests),
            auth_successes: long(s.auth_successes),
            credential_failures: long(s.credential_failures),
            refreshes_advisory: long(s.refreshes_advisory),
            refreshes_mandatory: long(s.refreshes_mandatory),
            cache_hits: long(s.cache_hits),
            invalidations: long(s.invalidations),
            guard_refusals: long(s.guard_refusals),
            tokens_adopted: long(s.tokens_adopted),
            store_errors: long(s.store_errors),
        }
    }
}

/// What the lockout guard knows (from the store, shared with other processes).
#[derive(uniffi::Record)]
pub struct GuardStatus {
    pub failed_attempts: i32,
    pub in_flight: i32,
    pub max_failed_attempts: i32,
    pub attempts_remaining: i32,
    pub rejected_secrets: i32,
    /// The server's lock code (24302) if the Partner ID is locked.
    pub locked: Option<i32>,
    pub current_secret_rejected: bool,
    /// Where the state lives (`memory`, `file:/path`, `redis://host/…`, no password).
    pub store: String,
}

impl From<finauth::GuardStatus> for GuardStatus {
    fn from(g: finauth::GuardStatus) -> Self {
        GuardStatus {
            failed_attempts: int(g.failed_attempts),
            in_flight: int(g.in_flight),
            max_failed_attempts: int(g.max_failed_attempts),
            attempts_remaining: int(g.attempts_remaining),
            rejected_secrets: int(g.rejected_secrets),
            locked: g.locked.map(int),
            current_secret_rejected: g.current_secret_rejected,
            store: g.store,
        }
    }
}

/// What a resource's answer means for the token (`PartnerAuth.observeResponse`).
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceVerdict {
    /// Nothing for finauth to do: hand the answer to the caller.
    Pass,
    /// The token was rejected (10022/10023): invalidate it and resend the request once.
    TokenRejected,
    /// The Partner ID is locked (24302); already recorded in the store, so every caller and
    /// process sharing it gets `AccountLocked` from now on without a request.
    AccountLocked,
}

impl From<finauth::finicity::ResourceVerdict> for ResourceVerdict {
    fn from(v: finauth::finicity::ResourceVerdict) -> Self {
        match v {
            finauth::finicity::ResourceVerdict::Pass => ResourceVerdict::Pass,
            finauth::finicity::ResourceVerdict::TokenRejected => ResourceVerdict::TokenRejected,
            finauth::finicity::ResourceVerdict::AccountLocked => ResourceVerdict::AccountLocked,
        }
    }
}

/// The headers of one Finicity call. `toString()` hides both values.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct FinicityHeaders {
    inner: finauth::FinicityHeaders,
}

impl std::fmt::Display for FinicityHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FinicityHeaders(Finicity-App-Key=<redacted>, Finicity-App-Token=<redacted>)")
    }
}

#[uniffi::export]
impl FinicityHeaders {
    /// The `Finicity-App-Token` value (the token these headers carry).
    pub fn token(&self) -> String {
        self.inner.token().expose().to_owned()
    }

    /// `{"Finicity-App-Key": …, "Finicity-App-Token": …}`, to set on a request.
    pub fn as_map(&self) -> HashMap<String, String> {
        self.inner
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// Finicity partner authentication: one token per Partner ID, refreshed before it expires and
/// shared by every coroutine and thread (and, with a `FileStore` or `RedisStore`, by every
/// process), behind a lockout guard that stops before the server locks the Partner ID.
///
/// Exported as `NativePartnerAuth`: the public Kotlin `PartnerAuth` (src/main/kotlin) extends it
/// with the fresh-token fast path (`fast.rs`).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct NativePartnerAuth {
    core: finauth::PartnerAuth,
    fast: Fast,
}

impl NativePartnerAuth {
    fn wrap(core: finauth::PartnerAuth) -> Arc<Self> {
        let fast = Fast::new(core.clone());
        Arc::new(NativePartnerAuth { core, fast })
    }
}

impl std::fmt::Display for NativePartnerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PartnerAuth(partnerId={:?}, baseUrl={:?})",
            self.core.partner_id(),
            self.core.base_url().as_str()
        )
    }
}

#[uniffi::export]
impl NativePartnerAuth {
    /// Validate the configuration and build; every mistake is a `Config` exception naming the
    /// field. Nothing is sent until the first `token()`.
    #[uniffi::constructor(default(options = None))]
    pub fn new(
        partner_id: String,
        partner_secret: String,
        app_key: String,
        options: Option<PartnerAuthOptions>,
    ) -> Result<Arc<Self>> {
        let o = options.unwrap_or_default();
        let mut b = finauth::PartnerAuthBuilder::new()
            .partner_id(partner_id)
            .partner_secret(partner_secret)
            .app_key(app_key)
            .allow_insecure_loopback(o.allow_insecure_loopback);
        if let Some(u) = o.base_url {
            b = b.base_url(u);
        }
        if let Some(s) = o.store {
            b = b.store(s.core()?);
        }
        if let Some(d) = o.refresh_after {
            b = b.refresh_after(d);
        }
        if let Some(d) = o.token_lifetime {
            b = b.token_lifetime(d);
        }
        if let Some(n) = o.max_failed_attempts {
            // A negative count is out of range (1–4) like 0: the core names the field.
            b = b.max_failed_attempts(u32::try_from(n).unwrap_or(0));
        }
        if let Some(d) = o.timeout {
            b = b.timeout(d);
        }
        Ok(Self::wrap(b.build()?))
    }

    /// Build from `FINICITY_PARTNER_ID`, `FINICITY_PARTNER_SECRET`, `FINICITY_APP_KEY` and the
    /// optional `FINICITY_BASE_URL`, `FINAUTH_STORE`, `FINAUTH_MAX_FAILED_ATTEMPTS`,
    /// `FINAUTH_REFRESH_AFTER`, `FINAUTH_TOKEN_LIFETIME`, `FINAUTH_TIMEOUT`,
    /// `FINAUTH_ALLOW_INSECURE_LOOPBACK`.
    #[uniffi::constructor]
    pub fn from_env() -> Result<Arc<Self>> {
        Ok(Self::wrap(finauth::PartnerAuth::from_env()?))
    }

    /// The Partner ID (not a secret).
    pub fn partner_id(&self) -> String {
        self.core.partner_id().to_owned()
    }

    /// The Finicity base URL (with a trailing `/`).
    pub fn base_url(&self) -> String {
        self.core.base_url().as_str().to_owned()
    }

    /// `Finicity-App-Key` and `Finicity-App-Token` for a call.
    pub async fn headers(&self) -> Result<Arc<FinicityHeaders>> {
        let core = self.core.clone();
        let inner = runtime::spawn(async move { core.headers().await }).await?;
        Ok(Arc::new(FinicityHeaders { inner }))
    }

    /// `headers()` for threads that do not use coroutines.
    pub fn headers_blocking(&self) -> Result<Arc<FinicityHeaders>> {
        let inner = runtime::block_on(self.core.headers())?;
        Ok(Arc::new(FinicityHeaders { inner }))
    }

    /// Judge a resource's answer to a request made with this object's headers (an HTTP
    /// integration's job, e.g. `FinicityInterceptor`): `TOKEN_REJECTED` means invalidate the
    /// token sent and resend once; `ACCOUNT_LOCKED` (24302) is recorded in the store first.
    pub async fn observe_response(
        &self,
        status: i32,
        content_type: String,
        body: Vec<u8>,
    ) -> Result<ResourceVerdict> {
        let Ok(status) = u16::try_from(status) else {
            return Ok(ResourceVerdict::Pass);
        };
        let core = self.core.clone();
        runtime::spawn(async move { Ok(core.observe_response(status, &content_type, &body).await) })
            .await
            .map(ResourceVerdict::from)
    }

    /// `observeResponse()` for threads that do not use coroutines.
    pub fn observe_response_blocking(
        &self,
        status: i32,
        content_type: String,
        body: Vec<u8>,
    ) -> Result<ResourceVerdict> {
        let Ok(status) = u16::try_from(status) else {
            return Ok(ResourceVerdict::Pass);
        };
        runtime::block_on(async {
            Ok(self
                .core
                .observe_response(status, &content_type, &body)
                .await)
        })
        .map(ResourceVerdict::from)
    }

    /// Modify Partner Secret (Finicity's rules are checked before anything is sent); every
    /// process sharing the store switches to the new secret. `immediate = false` keeps the old
    /// secret valid at the server for 30 days.
    #[uniffi::method(default(immediate = true))]
    pub async fn modify_partner_secret(&self, new_secret: String, immediate: bool) -> Result<()> {
        let core = self.core.clone();
        runtime::spawn(async move { core.modify_partner_secret(new_secret, immediate).await }).await
    }

    /// `modifyPartnerSecret()` for threads that do not use coroutines.
    #[uniffi::method(default(immediate = true))]
    pub fn modify_partner_secret_blocking(
        &self,
        new_secret: String,
        immediate: bool,
    ) -> Result<()> {
        runtime::block_on(self.core.modify_partner_secret(new_secret, immediate))
    }

    /// Rotate the App Key used from now on.
    pub fn set_app_key(&self, app_key: String) -> Result<()> {
        Ok(self.core.set_app_key(app_key)?)
    }
}

crate::lifecycle::lifecycle_methods!(NativePartnerAuth);
