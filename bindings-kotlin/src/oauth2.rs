//! `ClientCredentials`: OAuth 2.0 client credentials (client secret, `private_key_jwt`,
//! Finicity's JSON style, DPoP), suspend functions and `*Blocking` twins over one
//! `finauth::ClientCredentials`.

use crate::error::{FinauthError, Result};
use crate::fast::Fast;
use crate::oauth1::SigningKey;
use crate::runtime;
use crate::store::Store;
use finauth::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use finauth::AccessToken;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How the client authenticates at the token endpoint.
#[derive(uniffi::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1). The default.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A signed client assertion (RFC 7523) with `signingKey` and `keyId`: Mastercard's FAPI 2.0
    /// profile.
    PrivateKeyJwt,
    /// Finicity's JSON body `{client_id, client_secret, grant_type}` with `Finicity-App-Key`.
    FinicityJson,
}

impl From<AuthMethod> for finauth::AuthMethod {
    fn from(m: AuthMethod) -> Self {
        match m {
            AuthMethod::ClientSecretBasic => finauth::AuthMethod::ClientSecretBasic,
            AuthMethod::ClientSecretPost => finauth::AuthMethod::ClientSecretPost,
            AuthMethod::PrivateKeyJwt => finauth::AuthMethod::PrivateKeyJwt,
            AuthMethod::FinicityJson => finauth::AuthMethod::FinicityJson,
        }
    }
}

/// Optional settings of a `ClientCredentials`; `null` keeps the core's default (docs/API.md). The
/// secrets (client secret, App Key) are constructor arguments, not fields here, so that
/// `toString()` of these options never shows one.
#[derive(uniffi::Record, Default)]
pub struct ClientCredentialsOptions {
    /// Default `CLIENT_SECRET_BASIC`.
    #[uniffi(default = None)]
    pub auth_method: Option<AuthMethod>,
    /// Space-separated scopes; tokens are cached per scope set.
    #[uniffi(default = None)]
    pub scope: Option<String>,
    /// The private key for `PRIVATE_KEY_JWT` and DPoP proofs (RSA: PS256; P-256: ES256).
    #[uniffi(default = None)]
    pub signing_key: Option<Arc<SigningKey>>,
    /// The `kid` of the client assertion's header.
    #[uniffi(default = None)]
    pub key_id: Option<String>,
    /// The assertion's `aud`; default the token URL's origin.
    #[uniffi(default = None)]
    pub audience: Option<String>,
    /// DPoP-bound tokens and a proof on every request (FAPI 2.0). Default false.
    #[uniffi(default = false)]
    pub dpop: bool,
    /// The lifetime assumed when the answer has no `expires_in`; default 3600 s.
    #[uniffi(default = None)]
    pub default_lifetime: Option<Duration>,
    /// Extra form parameters of the token request (e.g. `resource`).
    #[uniffi(default = None)]
    pub extra_params: Option<HashMap<String, String>>,
    /// Where the token and the lockout guard live; default a new `MemoryStore`.
    #[uniffi(default = None)]
    pub store: Option<Store>,
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

/// The headers of one resource request: `Authorization` (`Bearer …` or `DPoP …`) and, with DPoP,
/// `DPoP` (a proof for this method and URL). `toString()` hides every value.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct OAuth2Headers {
    inner: finauth::OAuth2Headers,
}

impl std::fmt::Display for OAuth2Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.inner.pairs().into_iter().map(|(k, _)| k).collect();
        write!(
            f,
            "OAuth2Headers({}=<redacted>)",
            names.join("=<redacted>, ")
        )
    }
}

#[uniffi::export]
impl OAuth2Headers {
    /// The access token these headers carry (pass it to `invalidate` after a 401).
    pub fn token(&self) -> String {
        self.inner.token().expose().to_owned()
    }

    /// `{"Authorization": …}` and, with DPoP, `"DPoP": …`, to set on the request.
    pub fn as_map(&self) -> HashMap<String, String> {
        self.inner
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }
}

/// OAuth 2.0 client credentials: one token per (token URL, client id, scope set), refreshed at
/// 75 % of its lifetime and shared by every coroutine and thread (and, with a `FileStore` or
/// `RedisStore`, every process), behind the lockout guard. With `dpop`, tokens are DPoP-bound
/// and `headers(method, url)` adds a fresh proof per request.
///
/// Exported as `NativeClientCredentials`: the public Kotlin `ClientCredentials`
/// (src/main/kotlin) extends it with the fresh-token fast path (`fast.rs`).
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct NativeClientCredentials {
    core: finauth::ClientCredentials,
    fast: Fast,
}

impl std::fmt::Display for NativeClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ClientCredentials(tokenUrl={:?}, issuer={}, clientId={:?}, authMethod={}, scope={:?}, tokenType={})",
            self.core.token_url().as_str(),
            self.core
                .issuer()
                .map_or_else(|| "null".to_owned(), |u| format!("{:?}", u.as_str())),
            self.core.client_id(),
            self.core.auth_method().as_str(),
            Scope(self.core.scope()),
            self.core.token_type()
        )
    }
}

/// `"a b"` or `null`, as Kotlin would print it.
struct Scope<'a>(Option<&'a str>);

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(s) => write!(f, "{s:?}"),
            None => f.write_str("null"),
        }
    }
}

fn nonce_headers(headers: HashMap<String, String>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            map.insert(k, v);
        }
    }
    map
}

#[uniffi::export]
impl NativeClientCredentials {
    /// Validate the configuration and build; every mistake is a `Config` exception naming the
    /// field. `clientSecret` for the secret methods and `FINICITY_JSON`; `appKey` (the
    /// `Finicity-App-Key`) for `FINICITY_JSON`. Nothing is sent until the first `token()`.
    #[uniffi::constructor(default(client_secret = None, app_key = None, options = None))]
    pub fn new(
        token_url: String,
        client_id: String,
        client_secret: Option<String>,
        app_key: Option<String>,
        options: Option<ClientCredentialsOptions>,
    ) -> Result<Arc<Self>> {
        let b = finauth::ClientCredentials::builder().token_url(token_url);
        Self::build(b, client_id, client_secret, app_key, options)
    }

    /// Like the constructor, with the issuer identifier instead of the token URL: the token
    /// endpoint is read from the issuer's RFC 8414 / OpenID Connect metadata (once per process,
    /// and once per store), and the assertion's default audience is the issuer.
    #[uniffi::constructor(default(client_secret = None, app_key = None, options = None))]
    pub fn with_issuer(
        issuer: String,
        client_id: String,
        client_secret: Option<String>,
        app_key: Option<String>,
        options: Option<ClientCredentialsOptions>,
    ) -> Result<Arc<Self>> {
        let b = finauth::ClientCredentials::builder().issuer(issuer);
        Self::build(b, client_id, client_secret, app_key, options)
    }

    /// Build from `FINAUTH_OAUTH2_TOKEN_URL`, `FINAUTH_OAUTH2_CLIENT_ID` and the optional
    /// `FINAUTH_OAUTH2_CLIENT_SECRET`, `_AUTH_METHOD`, `_SCOPE`, `_KEY` (a key file),
    /// `_KEY_PASSWORD`, `_KEY_ALIAS`, `_KEY_ID`, `_AUDIENCE`, `_DPOP` (`1`), `FINICITY_APP_KEY`,
    /// `FINAUTH_STORE`, `FINAUTH_MAX_FAILED_ATTEMPTS`, `FINAUTH_TIMEOUT`,
    /// `FINAUTH_ALLOW_INSECURE_LOOPBACK`.
    #[uniffi::constructor]
    pub fn from_env() -> Result<Arc<Self>> {
        Ok(Self::wrap(finauth::ClientCredentials::from_env()?))
    }

    /// The token endpoint: configured, or discovered (the issuer until discovery ran).
    pub fn token_url(&self) -> String {
        self.core.token_url().as_str().to_owned()
    }

    /// The configured issuer, or `null` when the token URL was given.
    pub fn issuer(&self) -> Option<String> {
        self.core.issuer().map(|u| u.as_str().to_owned())
    }

    /// The token endpoint, read now from the issuer's metadata (the first token request reads
    /// it otherwise), so a configuration the server does not support fails at start-up.
    pub async fn discover(&self) -> Result<String> {
        let core = self.core.clone();
        let url = runtime::spawn(async move { core.discover().await }).await?;
        Ok(url.to_string())
    }

    /// `discover()` for threads that do not use coroutines.
    pub fn discover_blocking(&self) -> Result<String> {
        Ok(runtime::block_on(self.core.discover())?.to_string())
    }

    /// The client id (not a secret).
    pub fn client_id(&self) -> String {
        self.core.client_id().to_owned()
    }

    pub fn auth_method(&self) -> AuthMethod {
        match self.core.auth_method() {
            finauth::AuthMethod::ClientSecretPost => AuthMethod::ClientSecretPost,
            finauth::AuthMethod::PrivateKeyJwt => AuthMethod::PrivateKeyJwt,
            finauth::AuthMethod::FinicityJson => AuthMethod::FinicityJson,
            _ => AuthMethod::ClientSecretBasic,
        }
    }

    /// The normalized scope set asked for (sorted, space-separated), if any.
    pub fn scope(&self) -> Option<String> {
        self.core.scope().map(str::to_owned)
    }

    /// `"DPoP"` for DPoP-bound tokens, else `"Bearer"`: the `Authorization` scheme.
    pub fn token_type(&self) -> String {
        self.core.token_type().to_owned()
    }

    /// The headers of one request with `method` to `url`: `Authorization` and, with DPoP, a
    /// fresh `DPoP` proof bound to the method, the URL and the token.
    pub async fn headers(&self, method: String, url: String) -> Result<Arc<OAuth2Headers>> {
        if let Some(t) = self.core.fresh_token() {
            return self.headers_with(&t, &method, &url);
        }
        let core = self.core.clone();
        let inner = runtime::spawn(async move { core.headers(&method, &url).await }).await?;
        Ok(Arc::new(OAuth2Headers { inner }))
    }

    /// `headers()` for threads that do not use coroutines.
    pub fn headers_blocking(&self, method: String, url: String) -> Result<Arc<OAuth2Headers>> {
        if let Some(t) = self.core.fresh_token() {
            return self.headers_with(&t, &method, &url);
        }
        let inner = runtime::block_on(self.core.headers(&method, &url))?;
        Ok(Arc::new(OAuth2Headers { inner }))
    }

    /// Remember the `DPoP-Nonce` header among a response's `headers` (name → value) from `url`;
    /// `true` if it was new. `OAuth2Interceptor` calls it for every response.
    pub fn learn_nonce(&self, url: String, headers: HashMap<String, String>) -> bool {
        self.core.learn_nonce(&url, &nonce_headers(headers))
    }
}

crate::lifecycle::lifecycle_methods!(NativeClientCredentials);

impl NativeClientCredentials {
    fn build(
        b: finauth::ClientCredentialsBuilder,
        client_id: String,
        client_secret: Option<String>,
        app_key: Option<String>,
        options: Option<ClientCredentialsOptions>,
    ) -> Result<Arc<Self>> {
        let o = options.unwrap_or_default();
        let mut b = b
            .client_id(client_id)
            .auth_method(
                o.auth_method
                    .unwrap_or(AuthMethod::ClientSecretBasic)
                    .into(),
            )
            .dpop(o.dpop)
            .allow_insecure_loopback(o.allow_insecure_loopback);
        if let Some(s) = client_secret {
            b = b.client_secret(s);
        }
        if let Some(k) = app_key {
            b = b.app_key(k);
        }
        if let Some(s) = o.scope {
            b = b.scope(s);
        }
        if let Some(k) = o.signing_key {
            b = b.signing_key(k.inner.clone());
        }
        if let Some(k) = o.key_id {
            b = b.key_id(k);
        }
        if let Some(a) = o.audience {
            b = b.audience(a);
        }
        if let Some(d) = o.default_lifetime {
            b = b.default_lifetime(d);
        }
        b = b.extra_params(o.extra_params.unwrap_or_default());
        if let Some(s) = o.store {
            b = b.store(s.core()?);
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

    fn wrap(core: finauth::ClientCredentials) -> Arc<Self> {
        let fast = Fast::new(core.clone());
        Arc::new(NativeClientCredentials { core, fast })
    }

    fn headers_with(
        &self,
        token: &AccessToken,
        method: &str,
        url: &str,
    ) -> Result<Arc<OAuth2Headers>> {
        let inner = self
            .core
            .headers_for(token, method, url)
            .map_err(FinauthError::from)?;
        Ok(Arc::new(OAuth2Headers { inner }))
    }
}
