//! The OAuth 2.0 authorization server: `POST /oauth2/token` (client credentials with
//! `client_secret_basic`, `client_secret_post`, `private_key_jwt` and Finicity's JSON style;
//! DPoP-bound or Bearer tokens; an optional DPoP nonce) and a protected resource under
//! `/oauth2/resource` that checks Bearer and DPoP tokens. Every JOSE check (PS256/ES256
//! signatures, `aud`, `exp`, `jti` replay, `htm`/`htu`, `iat`, `ath`, `cnf.jkt`) is written here,
//! independently of finauth's client code.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::state::Shared;

mod jose;
mod metadata;
mod resource;
mod token;

pub(crate) use metadata::metadata;
pub(crate) use resource::resource;
pub(crate) use token::token_endpoint;

/// The issuer identifier's path (an issuer with a path, as Keycloak realms have).
pub const OAUTH2_ISSUER_PATH: &str = "/oauth2";
/// The token endpoint.
pub const OAUTH2_TOKEN_PATH: &str = "/oauth2/token";
/// The protected resource (and everything below it).
pub const OAUTH2_RESOURCE_PATH: &str = "/oauth2/resource";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// How far a DPoP proof's `iat` may be from the server's clock.
const IAT_WINDOW_SECS: u64 = 60;
/// Longest accepted client assertion (`exp - iat`).
const MAX_ASSERTION_SECS: u64 = 300;

/// A registered OAuth 2.0 client. `Debug` never shows the secret.
#[derive(Clone, Deserialize, Default)]
pub struct OAuth2Client {
    pub client_id: String,
    /// For `client_secret_basic`, `client_secret_post` and `finicity_json`.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Public JWK (RSA or EC P-256) that verifies this client's assertions (`private_key_jwt`).
    #[serde(default)]
    pub jwk: Option<Value>,
    /// The `Finicity-App-Key` `finicity_json` requests must carry.
    #[serde(default)]
    pub app_key: Option<String>,
    /// Scopes this client may ask for; `None`: any.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Answer `unauthorized_client` to this client.
    #[serde(default)]
    pub unauthorized: bool,
}

impl fmt::Debug for OAuth2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Client")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("jwk", &self.jwk.is_some())
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl OAuth2Client {
    pub const DEMO_CLIENT_ID: &'static str = "finauth-demo-client";
    pub const DEMO_CLIENT_SECRET: &'static str = "demo-client-secret";
    pub const DEMO_APP_KEY: &'static str = "demo-app-key";

    /// A client with a secret (and the demo App Key for `finicity_json`).
    pub fn with_secret(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        OAuth2Client {
            client_id: client_id.into(),
            client_secret: Some(secret.into()),
            app_key: Some(Self::DEMO_APP_KEY.into()),
            ..Default::default()
        }
    }

    /// A client that authenticates with `private_key_jwt` and this public JWK.
    pub fn with_jwk(client_id: impl Into<String>, jwk: Value) -> Self {
        OAuth2Client {
            client_id: client_id.into(),
            jwk: Some(jwk),
            ..Default::default()
        }
    }

    pub fn demo() -> Self {
        Self::with_secret(Self::DEMO_CLIENT_ID, Self::DEMO_CLIENT_SECRET)
    }
}

/// What the OAuth 2.0 server received, per client id named in a request.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OAuth2Stats {
    /// Every request to the token endpoint naming this client.
    pub token_requests: u64,
    pub tokens_issued: u64,
    /// `invalid_client` answers (wrong secret, bad assertion, unknown client).
    pub invalid_client: u64,
    /// Other error answers (`invalid_scope`, `invalid_dpop_proof`, ...), nonce challenges excluded.
    pub other_errors: u64,
    /// `use_dpop_nonce` challenges sent by the token endpoint.
    pub nonce_challenges: u64,
    /// Token requests per client authentication method.
    pub by_method: BTreeMap<String, u64>,
    pub resource_requests: u64,
    pub resource_ok: u64,
    /// 401 for a missing, unknown, expired or wrongly bound token.
    pub resource_rejected: u64,
    /// `use_dpop_nonce` challenges sent by the resource.
    pub resource_nonce_challenges: u64,
}

/// Run-time settings of the OAuth 2.0 server (`/__admin/oauth2/config`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OAuth2Settings {
    /// `expires_in` of new tokens, seconds; `null`: the answer has no `expires_in` (tokens then
    /// live `implicit_lifetime` seconds).
    pub expires_in: Option<u64>,
    pub implicit_lifetime: u64,
    /// DPoP proofs must carry the current server nonce.
    pub require_nonce: bool,
    /// Ignore DPoP and issue Bearer tokens (a misconfigured server).
    pub bearer_only: bool,
}

impl Default for OAuth2Settings {
    fn default() -> Self {
        OAuth2Settings {
            expires_in: Some(3600),
            implicit_lifetime: 3600,
            require_nonce: false,
            bearer_only: false,
        }
    }
}

struct Issued {
    client_id: String,
    scope: String,
    /// Thumbprint of the DPoP key the token is bound to; `None`: a Bearer token.
    jkt: Option<String>,
    expires_at: u64,
}

struct State2 {
    clients: HashMap<String, OAuth2Client>,
    settings: OAuth2Settings,
    token_nonce: String,
    resource_nonce: String,
    tokens: HashMap<String, Issued>,
    /// Seen `jti`s (assertions and proofs) with the second they may be forgotten.
    jtis: HashMap<String, u64>,
    stats: BTreeMap<String, OAuth2Stats>,
    seq: u64,
}

pub(crate) struct OAuth2Server {
    inner: Mutex<State2>,
    /// `https` when the sandbox serves TLS (for `htu` and `aud`).
    pub scheme: Mutex<&'static str>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn random_text(seq: u64) -> String {
    let mut buf = [0u8; 24];
    if aws_lc_rs::rand::fill(&mut buf).is_err() {
        buf[..8].copy_from_slice(&seq.to_le_bytes());
        buf[8..16].copy_from_slice(&now_secs().to_le_bytes());
    }
    URL_SAFE_NO_PAD.encode(buf)
}

impl OAuth2Server {
    pub fn new(clients: &[OAuth2Client]) -> Self {
        OAuth2Server {
            inner: Mutex::new(State2 {
                clients: clients
                    .iter()
                    .map(|c| (c.client_id.clone(), c.clone()))
                    .collect(),
                settings: OAuth2Settings::default(),
                token_nonce: random_text(1),
                resource_nonce: random_text(2),
                tokens: HashMap::new(),
                jtis: HashMap::new(),
                stats: BTreeMap::new(),
                seq: 2,
            }),
            scheme: Mutex::new("http"),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State2> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add_client(&self, c: OAuth2Client) {
        self.lock().clients.insert(c.client_id.clone(), c);
    }

    pub fn settings(&self) -> OAuth2Settings {
        self.lock().settings.clone()
    }

    pub fn set_settings(&self, s: OAuth2Settings) {
        self.lock().settings = s;
    }

    pub fn stats(&self) -> BTreeMap<String, OAuth2Stats> {
        self.lock().stats.clone()
    }

    pub fn reset_stats(&self) {
        self.lock().stats.clear();
    }

    /// New nonces: proofs with the old ones get a `use_dpop_nonce` challenge.
    pub fn rotate_nonces(&self) {
        let mut s = self.lock();
        s.seq += 2;
        let seq = s.seq;
        s.token_nonce = random_text(seq);
        s.resource_nonce = random_text(seq + 1);
    }

    /// Every token issued so far to the client is expired.
    pub fn expire_tokens(&self, client_id: &str) {
        for t in self.lock().tokens.values_mut() {
            if t.client_id == client_id {
                t.expires_at = 0;
            }
        }
    }

    fn scheme(&self) -> &'static str {
        *self.scheme.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `scheme://host` of the request, as a client would have written it (for `htu` and `aud`).
fn origin(shared: &Shared, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("{}://{host}", shared.oauth2.scheme())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut r = (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn with_header(mut r: Response, name: &'static str, value: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
    r
}
