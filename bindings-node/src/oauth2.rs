//! `ClientCredentials`: the native half of the JavaScript class of the same name (`oauth2.js`).
//! Every network call is an `async fn` on napi's tokio runtime (a Promise).

use crate::auth::{GuardStatus, Stats};
use crate::error::{outcome, throw, Outcome, SyncError};
use crate::oauth1::NativeSigningKey;
use crate::options::{type_error, Options};
use finauth::{AccessToken, AuthMethod, ClientCredentials};
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use std::collections::HashMap;

/// The names `new ClientCredentials(options)` takes.
const KNOWN: &[&str] = &[
    "tokenUrl",
    "issuer",
    "clientId",
    "clientSecret",
    "authMethod",
    "scope",
    "signingKey",
    "keyId",
    "audience",
    "dpop",
    "appKey",
    "defaultLifetime",
    "extraParams",
    "store",
    "maxFailedAttempts",
    "timeout",
    "allowInsecureLoopback",
];

#[napi]
pub struct NativeClientCredentials {
    core: ClientCredentials,
}

#[napi]
impl NativeClientCredentials {
    /// `new ClientCredentials(options)`: the options object as JavaScript gave it
    /// (`options.rs`) and the native key behind `options.signingKey`, if it is a `SigningKey`.
    #[napi(constructor)]
    pub fn new(options: Unknown, key: Option<&NativeSigningKey>) -> Result<Self, SyncError> {
        let o = Options::read(options, "ClientCredentials", KNOWN)?;
        let mut b = ClientCredentials::builder()
            .allow_insecure_loopback(o.boolean("allowInsecureLoopback")?.unwrap_or(false))
            .dpop(o.boolean("dpop")?.unwrap_or(false));
        if let Some(v) = o.string("tokenUrl")? {
            b = b.token_url(v);
        }
        if let Some(v) = o.string("issuer")? {
            b = b.issuer(v);
        }
        if let Some(v) = o.string("clientId")? {
            b = b.client_id(v);
        }
        if let Some(v) = o.string("clientSecret")? {
            b = b.client_secret(v);
        }
        if let Some(v) = o.string("authMethod")? {
            b = b.auth_method(v.parse::<AuthMethod>().map_err(throw)?);
        }
        if let Some(v) = o.string("scope")? {
            b = b.scope(v);
        }
        match key {
            Some(k) => b = b.signing_key(k.key.clone()),
            None if o.is_given("signingKey")? => {
                return Err(type_error(
                    "finauth: option `signingKey` must be a SigningKey (loadPem / loadPkcs12)",
                ))
            }
            None => {}
        }
        if let Some(v) = o.string("keyId")? {
            b = b.key_id(v);
        }
        if let Some(v) = o.string("audience")? {
            b = b.audience(v);
        }
        if let Some(v) = o.string("appKey")? {
            b = b.app_key(v);
        }
        if let Some(d) = o.seconds("defaultLifetime")? {
            b = b.default_lifetime(d);
        }
        if let Some(params) = o.string_map("extraParams")? {
            b = b.extra_params(params);
        }
        if let Some(s) = o.store()? {
            b = b.store(s);
        }
        if let Some(n) = o.count("maxFailedAttempts", "1–4")? {
            b = b.max_failed_attempts(n);
        }
        if let Some(d) = o.seconds("timeout")? {
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

    /// One logical request under core's request policy (`exchange.js` drives it).
    #[napi]
    pub fn exchange(
        &self,
        method: String,
        url: String,
    ) -> Result<crate::exchange::NativeExchange, SyncError> {
        crate::exchange::NativeExchange::new(self.core.exchange(&method, &url))
    }

    /// The cached token if fresh (no I/O), else null.
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

    /// The token endpoint, read now from the issuer's metadata (once per process and store).
    #[napi]
    pub async fn discover(&self) -> Outcome<String> {
        let core = self.core.clone();
        outcome(core.discover().await.map(|u| u.to_string()))
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
    pub fn issuer(&self) -> Option<String> {
        self.core.issuer().map(|u| u.to_string())
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
