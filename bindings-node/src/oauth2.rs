//! `ClientCredentials`: the native half of the JavaScript class of the same name (`oauth2.js`).
//! Every network call is an `async fn` on napi's tokio runtime (a Promise).

use crate::auth::{GuardStatus, Stats};
use crate::error::{outcome, throw, Outcome, SyncError};
use crate::oauth1::NativeSigningKey;
use crate::store::{FileStore, MemoryStore, RedisStore};
use finauth::{AccessToken, AuthMethod, ClientCredentials};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// The constructor's options (API.md names in camelCase; durations in seconds).
#[napi(object)]
pub struct NativeClientCredentialsOptions {
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub auth_method: Option<String>,
    pub scope: Option<String>,
    pub key_id: Option<String>,
    pub audience: Option<String>,
    pub dpop: Option<bool>,
    pub app_key: Option<String>,
    pub default_lifetime: Option<f64>,
    pub extra_params: Option<HashMap<String, String>>,
    pub store_spec: Option<String>,
    pub max_failed_attempts: Option<u32>,
    pub timeout: Option<f64>,
    pub allow_insecure_loopback: Option<bool>,
}

fn secs(field: &str, v: Option<f64>) -> Result<Option<Duration>, SyncError> {
    v.map(|s| {
        Duration::try_from_secs_f64(s).map_err(|_| {
            crate::error::config(format!("{field} must be a non-negative number of seconds"))
        })
    })
    .transpose()
}

#[napi]
pub struct NativeClientCredentials {
    core: ClientCredentials,
}

#[napi]
impl NativeClientCredentials {
    #[napi(constructor)]
    pub fn new(
        options: NativeClientCredentialsOptions,
        key: Option<&NativeSigningKey>,
        memory: Option<&MemoryStore>,
        file: Option<&FileStore>,
        redis: Option<&RedisStore>,
    ) -> Result<Self, SyncError> {
        let mut b = ClientCredentials::builder()
            .allow_insecure_loopback(options.allow_insecure_loopback.unwrap_or(false))
            .dpop(options.dpop.unwrap_or(false));
        if let Some(v) = options.token_url {
            b = b.token_url(v);
        }
        if let Some(v) = options.client_id {
            b = b.client_id(v);
        }
        if let Some(v) = options.client_secret {
            b = b.client_secret(v);
        }
        if let Some(v) = options.auth_method {
            b = b.auth_method(v.parse::<AuthMethod>().map_err(throw)?);
        }
        if let Some(v) = options.scope {
            b = b.scope(v);
        }
        if let Some(k) = key {
            b = b.signing_key(k.key.clone());
        }
        if let Some(v) = options.key_id {
            b = b.key_id(v);
        }
        if let Some(v) = options.audience {
            b = b.audience(v);
        }
        if let Some(v) = options.app_key {
            b = b.app_key(v);
        }
        if let Some(d) = secs("defaultLifetime", options.default_lifetime)? {
            b = b.default_lifetime(d);
        }
        b = b.extra_params(options.extra_params.unwrap_or_default());
        if let Some(s) = memory {
            b = b.store(Arc::clone(&s.inner));
        } else if let Some(s) = file {
            b = b.store(Arc::clone(&s.inner));
        } else if let Some(s) = redis {
            b = b.store(Arc::clone(&s.inner));
        } else if let Some(spec) = options.store_spec {
            b = b.store(finauth::store::store_from_spec(&spec).map_err(throw)?);
        }
        if let Some(n) = options.max_failed_attempts {
            b = b.max_failed_attempts(n);
        }
        if let Some(d) = secs("timeout", options.timeout)? {
            b = b.timeout(d);
        }
        Ok(NativeClientCredentials {
            core: b.build().map_err(throw)?,
        })
    }

    /// Build from the `FINAUTH_OAUTH2_*` environment variables.
    #[napi(factory)]
    pub fn from_env() -> Result<Self, SyncError> {
        Ok(NativeClientCredentials {
            core: ClientCredentials::from_env().map_err(throw)?,
        })
    }

    /// The cached token if fresh (no I/O), else null.
    /// One logical request under core's request policy (`exchange.js` drives it).
    #[napi]
    pub fn exchange(
        &self,
        method: String,
        url: String,
    ) -> Result<crate::exchange::NativeExchange, SyncError> {
        crate::exchange::NativeExchange::new(self.core.exchange(&method, &url))
    }

    #[napi]
    pub fn fresh_token(&self) -> Option<String> {
        self.core.fresh_token().map(|t| t.expose().to_owned())
    }

    #[napi]
    pub async fn token(&self) -> Outcome<String> {
        let core = self.core.clone();
        outcome(core.token().await.map(|t| t.expose().to_owned()))
    }

    /// `Authorization` (and a fresh `DPoP` proof for `method` and `url`).
    #[napi]
    pub async fn headers(&self, method: String, url: String) -> Outcome<HashMap<String, String>> {
        let core = self.core.clone();
        outcome(core.headers(&method, &url).await.map(|h| {
            h.pairs()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        }))
    }

    /// Remember a response's `DPoP-Nonce` (headers as a plain object); true if it was new.
    #[napi]
    pub fn learn_nonce(&self, url: String, headers: HashMap<String, String>) -> bool {
        let mut map = finauth::reqwest::header::HeaderMap::new();
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (
                finauth::reqwest::header::HeaderName::from_bytes(k.as_bytes()),
                finauth::reqwest::header::HeaderValue::from_str(&v),
            ) {
                map.insert(k, v);
            }
        }
        self.core.learn_nonce(&url, &map)
    }

    #[napi]
    pub async fn invalidate(&self, token: String) -> bool {
        let core = self.core.clone();
        core.invalidate(&AccessToken::new(token)).await
    }

    #[napi]
    pub async fn reset_lockout_guard(&self) -> Outcome<()> {
        let core = self.core.clone();
        outcome(core.reset_lockout_guard().await)
    }

    #[napi]
    pub async fn guard_status(&self) -> Outcome<GuardStatus> {
        let core = self.core.clone();
        outcome(core.guard_status().await.map(GuardStatus::from))
    }

    #[napi]
    pub fn stats(&self) -> Stats {
        Stats::from(self.core.stats())
    }

    #[napi(getter)]
    pub fn token_type(&self) -> String {
        self.core.token_type().to_owned()
    }

    #[napi(getter)]
    pub fn token_url(&self) -> String {
        self.core.token_url().to_string()
    }

    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.core.client_id().to_owned()
    }

    #[napi(getter)]
    pub fn auth_method(&self) -> String {
        self.core.auth_method().as_str().to_owned()
    }

    #[napi(getter)]
    pub fn scope(&self) -> Option<String> {
        self.core.scope().map(str::to_owned)
    }
}
