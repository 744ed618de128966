//! `PartnerAuth`: the native half of the JavaScript class of the same name (`index.js`).
//! Every network call is an `async fn` on napi's tokio runtime (a Promise; the event loop never
//! waits); `freshGeneration` (a free function, the hot path) answers a fresh token at once.

use crate::error::{outcome, throw, Outcome, SyncError};
use crate::options::Options;
use finauth::AccessToken;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use std::sync::Arc;

/// The names `new PartnerAuth(options)` takes.
const KNOWN: &[&str] = &[
    "partnerId",
    "partnerSecret",
    "appKey",
    "baseUrl",
    "store",
    "refreshAfter",
    "tokenLifetime",
    "maxFailedAttempts",
    "timeout",
    "allowInsecureLoopback",
];

/// `Finicity-App-Key` and `Finicity-App-Token`.
#[napi(object)]
pub struct Headers {
    #[napi(js_name = "Finicity-App-Key")]
    pub app_key: String,
    #[napi(js_name = "Finicity-App-Token")]
    pub app_token: String,
}

/// Counters since this object was built.
#[napi(object)]
pub struct Stats {
    pub auth_requests: f64,
    pub auth_successes: f64,
    pub credential_failures: f64,
    pub refreshes_advisory: f64,
    pub refreshes_mandatory: f64,
    pub cache_hits: f64,
    pub invalidations: f64,
    pub guard_refusals: f64,
    pub tokens_adopted: f64,
    pub store_errors: f64,
}

/// What the lockout guard knows.
#[napi(object)]
pub struct GuardStatus {
    pub failed_attempts: u32,
    pub in_flight: u32,
    pub max_failed_attempts: u32,
    pub attempts_remaining: u32,
    pub rejected_secrets: u32,
    /// The 24302 code if the server locked the Partner ID, else null.
    pub locked: Option<u32>,
    pub current_secret_rejected: bool,
    pub store: String,
}

impl From<finauth::Stats> for Stats {
    fn from(s: finauth::Stats) -> Self {
        Stats {
            auth_requests: s.auth_requests as f64,
            auth_successes: s.auth_successes as f64,
            credential_failures: s.credential_failures as f64,
            refreshes_advisory: s.refreshes_advisory as f64,
            refreshes_mandatory: s.refreshes_mandatory as f64,
            cache_hits: s.cache_hits as f64,
            invalidations: s.invalidations as f64,
            guard_refusals: s.guard_refusals as f64,
            tokens_adopted: s.tokens_adopted as f64,
            store_errors: s.store_errors as f64,
        }
    }
}

impl From<finauth::GuardStatus> for GuardStatus {
    fn from(g: finauth::GuardStatus) -> Self {
        GuardStatus {
            failed_attempts: g.failed_attempts,
            in_flight: g.in_flight,
            max_failed_attempts: g.max_failed_attempts,
            attempts_remaining: g.attempts_remaining,
            rejected_secrets: g.rejected_secrets,
            locked: g.locked,
            current_secret_rejected: g.current_secret_rejected,
            store: g.store,
        }
    }
}

/// The core object. The façade keeps the JavaScript string of the core's token generation and
/// asks for the string again only when the number changes: no lock on the fresh path.
struct Shared {
    core: finauth::PartnerAuth,
}

/// The core's generation as a non-negative JavaScript number (-1 means "none").
fn js_generation(g: u64) -> i32 {
    (g & 0x7fff_ffff) as i32
}

thread_local! {
    /// This JavaScript thread's objects by handle, for [`fresh_generation`]: a free function with
    /// a number argument costs a fraction of a method call in napi-rs (no receiver unwrap, no
    /// borrow scope), and the fresh path is the hot one. Objects live on the thread (main or
    /// worker) that made them, and so do their handles.
    static HANDLES: std::cell::RefCell<Vec<Option<Arc<Shared>>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn register(shared: &Arc<Shared>) -> u32 {
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        let slot = h.iter().position(Option::is_none).unwrap_or_else(|| {
            h.push(None);
            h.len() - 1
        });
        h[slot] = Some(Arc::clone(shared));
        slot as u32
    })
}

/// The generation of the fresh token of the object `handle` (see `NativePartnerAuth.handle`),
/// or -1 when `token()` must be awaited. No I/O, no waiting.
#[napi]
pub fn fresh_generation(handle: u32) -> i32 {
    HANDLES.with(|h| {
        let h = h.borrow();
        let Some(Some(shared)) = h.get(handle as usize) else {
            return -1;
        };
        shared.core.fresh_generation().map_or(-1, js_generation)
    })
}

#[napi]
pub struct NativePartnerAuth {
    shared: Arc<Shared>,
    handle: u32,
}

impl Drop for NativePartnerAuth {
    fn drop(&mut self) {
        let _ = HANDLES.try_with(|h| {
            if let Ok(mut h) = h.try_borrow_mut() {
                if let Some(slot) = h.get_mut(self.handle as usize) {
                    if slot.as_ref().is_some_and(|s| Arc::ptr_eq(s, &self.shared)) {
                        *slot = None;
                    }
                }
            }
        });
    }
}

#[napi]
impl NativePartnerAuth {
    /// `new PartnerAuth(options)`: the options object as JavaScript gave it (`options.rs`).
    #[napi(constructor)]
    pub fn new(options: Unknown) -> Result<Self, SyncError> {
        let o = Options::read(options, "PartnerAuth", KNOWN)?;
        let mut b = finauth::PartnerAuthBuilder::new()
            .allow_insecure_loopback(o.boolean("allowInsecureLoopback")?.unwrap_or(false));
        if let Some(v) = o.string("partnerId")? {
            b = b.partner_id(v);
        }
        if let Some(v) = o.string("partnerSecret")? {
            b = b.partner_secret(v);
        }
        if let Some(v) = o.string("appKey")? {
            b = b.app_key(v);
        }
        if let Some(u) = o.string("baseUrl")? {
            b = b.base_url(u);
        }
        if let Some(s) = o.store()? {
            b = b.store(s);
        }
        if let Some(d) = o.seconds("refreshAfter")? {
            b = b.refresh_after(d);
        }
        if let Some(d) = o.seconds("tokenLifetime")? {
            b = b.token_lifetime(d);
        }
        if let Some(n) = o.count("maxFailedAttempts", "1–4")? {
            b = b.max_failed_attempts(n);
        }
        if let Some(d) = o.seconds("timeout")? {
            b = b.timeout(d);
        }
        Ok(Self::wrap(b.build().map_err(throw)?))
    }

    fn wrap(core: finauth::PartnerAuth) -> Self {
        let shared = Arc::new(Shared { core });
        let handle = register(&shared);
        NativePartnerAuth { shared, handle }
    }

    /// This object's handle for [`fresh_generation`].
    #[napi(getter)]
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// Build from the environment variables of docs/API.md.
    #[napi(factory)]
    pub fn from_env() -> Result<Self, SyncError> {
        Ok(Self::wrap(finauth::PartnerAuth::from_env().map_err(throw)?))
    }

    /// The fresh token if its generation is still `generation` (from `freshGeneration`), else
    /// null (the façade then awaits `token()`).
    #[napi]
    pub fn last_token(&self, generation: i32) -> Option<String> {
        match self.shared.core.fresh_token_with_generation() {
            Some((g, t)) if js_generation(g) == generation => Some(t.expose().to_owned()),
            _ => None,
        }
    }

    /// A valid token (one authentication serves every concurrent caller).
    #[napi]
    pub async fn token(&self) -> Outcome<String> {
        let shared = Arc::clone(&self.shared);
        outcome(shared.core.token().await.map(|t| t.expose().to_owned()))
    }

    #[napi]
    pub async fn headers(&self) -> Outcome<Headers> {
        let shared = Arc::clone(&self.shared);
        outcome(shared.core.headers().await.map(|h| {
            let [(_, key), _] = h.pairs();
            Headers {
                app_key: key.to_owned(),
                app_token: h.token().expose().to_owned(),
            }
        }))
    }

    #[napi]
    pub async fn invalidate(&self, token: String) -> bool {
        let shared = Arc::clone(&self.shared);
        shared.core.invalidate(&AccessToken::new(token)).await
    }

    /// One logical request under core's request policy (`exchange.js` drives it).
    #[napi]
    pub fn exchange(
        &self,
        method: String,
        url: String,
    ) -> Result<crate::exchange::NativeExchange, SyncError> {
        crate::exchange::NativeExchange::new(self.shared.core.exchange(&method, &url))
    }

    /// `true` if a resource's answer rejected the token; an error (AccountLocked) on 24302, recorded
    /// in the store first.
    #[napi]
    pub async fn observe_response(
        &self,
        status: u32,
        content_type: String,
        body: String,
    ) -> Outcome<bool> {
        let shared = Arc::clone(&self.shared);
        let status = u16::try_from(status).unwrap_or(0);
        outcome(
            shared
                .core
                .observe_response(status, &content_type, body.as_bytes())
                .await
                .resend(),
        )
    }

    #[napi]
    pub async fn modify_partner_secret(&self, new_secret: String, immediate: bool) -> Outcome<()> {
        let shared = Arc::clone(&self.shared);
        outcome(
            shared
                .core
                .modify_partner_secret(new_secret, immediate)
                .await,
        )
    }

    #[napi]
    pub async fn reset_lockout_guard(&self) -> Outcome<()> {
        let shared = Arc::clone(&self.shared);
        outcome(shared.core.reset_lockout_guard().await)
    }

    #[napi]
    pub async fn guard_status(&self) -> Outcome<GuardStatus> {
        let shared = Arc::clone(&self.shared);
        outcome(shared.core.guard_status().await.map(|g| GuardStatus {
            failed_attempts: g.failed_attempts,
            in_flight: g.in_flight,
            max_failed_attempts: g.max_failed_attempts,
            attempts_remaining: g.attempts_remaining,
            rejected_secrets: g.rejected_secrets,
            locked: g.locked,
            current_secret_rejected: g.current_secret_rejected,
            store: g.store,
        }))
    }

    #[napi]
    pub fn set_app_key(&self, app_key: String) -> Result<(), SyncError> {
        self.shared.core.set_app_key(app_key).map_err(throw)
    }

    #[napi]
    pub fn stats(&self) -> Stats {
        let s = self.shared.core.stats();
        Stats {
            auth_requests: s.auth_requests as f64,
            auth_successes: s.auth_successes as f64,
            credential_failures: s.credential_failures as f64,
            refreshes_advisory: s.refreshes_advisory as f64,
            refreshes_mandatory: s.refreshes_mandatory as f64,
            cache_hits: s.cache_hits as f64,
            invalidations: s.invalidations as f64,
            guard_refusals: s.guard_refusals as f64,
            tokens_adopted: s.tokens_adopted as f64,
            store_errors: s.store_errors as f64,
        }
    }

    #[napi(getter)]
    pub fn partner_id(&self) -> String {
        self.shared.core.partner_id().to_owned()
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.shared.core.base_url().as_str().to_owned()
    }
}
