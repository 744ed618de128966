//! `Exchange`: one logical request under core's request policy, for the OkHttp interceptors (and
//! any JVM HTTP client). Kotlin only does the I/O: which headers to set, whether to resend and
//! when to stop are the core's.

use crate::error::Result;
use crate::runtime;
use finauth::exchange::policy::Policy;
use finauth::exchange::{Exchange as Core, Verdict};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Which answers the policy can act on, as data: an interceptor hands every other answer to its
/// caller without a call into the core.
#[derive(uniffi::Record)]
pub struct ObservedStatuses {
    /// HTTP statuses whose answers must be observed.
    pub statuses: Vec<i32>,
    /// Answers carrying `DPoP-Nonce` must be observed too (DPoP-bound clients).
    pub nonce_answers: bool,
}

/// The headers of one attempt and the token they carry (for the interceptors' reuse of Bearer
/// headers while that token stays fresh).
#[derive(uniffi::Record)]
pub struct PreparedAttempt {
    pub headers: HashMap<String, String>,
    pub token: String,
}

/// One logical request: `prepare` gives the headers of each attempt, `observe` says whether to
/// send again (`true`) or hand the answer over (`false`), and throws `AccountLocked` (24302,
/// recorded for every caller sharing the store) or `Unauthorized` (still rejected after the one
/// resend). One object per request.
#[derive(uniffi::Object)]
pub struct Exchange {
    core: Arc<Mutex<Core>>,
    policy: Policy,
}

impl Exchange {
    pub(crate) fn new(core: finauth::Result<Core>) -> Result<Arc<Self>> {
        let core = core?;
        Ok(Arc::new(Exchange {
            policy: Policy::new(core.scheme()),
            core: Arc::new(Mutex::new(core)),
        }))
    }
}

pub(crate) fn observed_statuses(policy: &Policy) -> ObservedStatuses {
    ObservedStatuses {
        statuses: policy
            .judged_statuses()
            .iter()
            .map(|s| i32::from(*s))
            .collect(),
        nonce_answers: policy.judges(200, true),
    }
}

fn status(s: i32) -> u16 {
    u16::try_from(s).unwrap_or(0)
}

#[uniffi::export]
impl Exchange {
    /// The headers of this attempt (set each, replacing any of the same name).
    pub fn prepare_blocking(&self) -> Result<PreparedAttempt> {
        let core = self.core.clone();
        runtime::block_on(async move {
            let h = core.lock().await.prepare().await?;
            Ok(PreparedAttempt {
                headers: h
                    .pairs()
                    .into_iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
                token: h.token().expose().to_owned(),
            })
        })
    }

    /// The first attempt was already sent with `token`, this object's fresh token (the
    /// interceptors' fast path): judge it as if `prepareBlocking` had made it.
    pub fn sent_with(&self, token: String) -> Result<()> {
        let core = self.core.clone();
        runtime::block_on(async move {
            core.lock()
                .await
                .sent_with(finauth::AccessToken::new(token))
        })
    }

    /// Whether `observeBlocking` needs the body of an answer with this status.
    pub fn wants_body(&self, status_code: i32) -> bool {
        self.policy.wants_body(status(status_code))
    }

    /// Judge the answer to the last attempt; `headers` flat (name, value, name, value, ...).
    /// `true`: prepare and send again; `false`: the answer is the caller's.
    pub fn observe_blocking(
        &self,
        status_code: i32,
        headers: Vec<String>,
        body: Vec<u8>,
    ) -> Result<bool> {
        let core = self.core.clone();
        runtime::block_on(async move {
            let pairs = finauth::exchange::flat_pairs(&headers);
            let v = core
                .lock()
                .await
                .observe(status(status_code), pairs, &body)
                .await?;
            Ok(v == Verdict::Resend)
        })
    }
}
