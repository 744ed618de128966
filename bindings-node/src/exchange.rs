//! `NativeExchange`: one logical request under core's request policy, the native half of
//! `exchange.js`. JavaScript only does the I/O (fetch, axios): which headers to set, whether to
//! resend and when to stop are decided here, by core.

use crate::error::{outcome, throw, Outcome, SyncError};
use finauth::exchange::policy::{Policy, Scheme};
use finauth::exchange::{Exchange, Verdict};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

#[napi]
pub struct NativeExchange {
    core: Arc<Mutex<Exchange>>,
    scheme: Scheme,
}

impl NativeExchange {
    pub(crate) fn new(core: finauth::Result<Exchange>) -> Result<Self, SyncError> {
        let core = core.map_err(throw)?;
        Ok(NativeExchange {
            scheme: core.scheme(),
            core: Arc::new(Mutex::new(core)),
        })
    }
}

#[napi]
impl NativeExchange {
    /// The headers of this attempt (name → value).
    #[napi]
    pub async fn prepare(&self) -> Outcome<HashMap<String, String>> {
        let core = Arc::clone(&self.core);
        let h = core.lock().await.prepare().await;
        outcome(h.map(|h| {
            h.pairs()
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect()
        }))
    }

    #[napi]
    pub fn wants_body(&self, status: u32) -> bool {
        Policy::new(self.scheme).wants_body(u16::try_from(status).unwrap_or(0))
    }

    /// `headers` flat: name, value, name, value, ... `true` to resend.
    #[napi]
    pub async fn observe(&self, status: u32, headers: Vec<String>, body: String) -> Outcome<bool> {
        let core = Arc::clone(&self.core);
        let status = u16::try_from(status).unwrap_or(0);
        let pairs = finauth::exchange::flat_pairs(&headers);
        let verdict = core
            .lock()
            .await
            .observe(status, pairs, body.as_bytes())
            .await;
        outcome(verdict.map(|v| v == Verdict::Resend))
    }

    #[napi(getter)]
    pub fn attempts(&self) -> u32 {
        self.core.try_lock().map(|c| c.attempts()).unwrap_or(0)
    }
}
