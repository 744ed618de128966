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

use aws_lc_rs::signature::{
    RsaPublicKeyComponents, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, RSA_PSS_2048_8192_SHA256,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

use crate::state::Shared;

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

// ---- JOSE --------------------------------------------------------------------------------------

struct Jwt {
    header: Value,
    claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

fn parse_jwt(s: &str) -> Result<Jwt, String> {
    let mut parts = s.trim().split('.');
    let (h, c, sig) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(c), Some(sig), None) => (h, c, sig),
        _ => return Err("not a compact JWS".into()),
    };
    let dec = |p: &str| {
        URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| "bad base64url".to_string())
    };
    let header: Value = serde_json::from_slice(&dec(h)?).map_err(|_| "header is not JSON")?;
    let claims: Value = serde_json::from_slice(&dec(c)?).map_err(|_| "payload is not JSON")?;
    Ok(Jwt {
        header,
        claims,
        signing_input: format!("{h}.{c}"),
        signature: dec(sig)?,
    })
}

fn verify_with_jwk(jwt: &Jwt, jwk: &Value) -> Result<(), String> {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default();
    let b = |k: &str| {
        URL_SAFE_NO_PAD
            .decode(s(k))
            .map_err(|_| format!("jwk.{k} is not base64url"))
    };
    let alg = jwt
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let msg = jwt.signing_input.as_bytes();
    let ok = match (alg, s("kty")) {
        ("PS256", "RSA") => RsaPublicKeyComponents {
            n: b("n")?,
            e: b("e")?,
        }
        .verify(&RSA_PSS_2048_8192_SHA256, msg, &jwt.signature)
        .is_ok(),
        ("ES256", "EC") if s("crv") == "P-256" => {
            let mut point = vec![4u8];
            point.extend(b("x")?);
            point.extend(b("y")?);
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(msg, &jwt.signature)
                .is_ok()
        }
        (alg, kty) => {
            return Err(format!(
                "unsupported alg {alg} for a {kty} key (PS256 or ES256)"
            ))
        }
    };
    if ok {
        Ok(())
    } else {
        Err("signature does not verify".into())
    }
}

/// RFC 7638 thumbprint of a public JWK.
fn thumbprint(jwk: &Value) -> String {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default();
    let canonical = if s("kty") == "RSA" {
        json!({"e": s("e"), "kty": "RSA", "n": s("n")})
    } else {
        json!({"crv": s("crv"), "kty": s("kty"), "x": s("x"), "y": s("y")})
    };
    // serde_json's map is ordered by key: the canonical form.
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.to_string().as_bytes());
    URL_SAFE_NO_PAD.encode(d.as_ref())
}

fn num(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64)
}

/// Record a `jti`; false if it was seen before.
fn fresh_jti(st: &mut State2, jti: &str, forget_at: u64) -> bool {
    let now = now_secs();
    st.jtis.retain(|_, t| *t > now);
    if st.jtis.contains_key(jti) {
        return false;
    }
    st.jtis
        .insert(jti.to_owned(), forget_at.max(now + 2 * IAT_WINDOW_SECS));
    true
}

enum ProofError {
    Invalid(String),
    NeedNonce,
}

/// Checks a DPoP proof; its key's thumbprint on success.
fn check_proof(
    st: &mut State2,
    proof: &str,
    method: &Method,
    htu: &str,
    token: Option<&str>,
    nonce: Option<&str>,
) -> Result<String, ProofError> {
    let bad = |m: &str| ProofError::Invalid(m.to_owned());
    let jwt = parse_jwt(proof).map_err(|e| bad(&e))?;
    if jwt.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(bad("typ must be dpop+jwt"));
    }
    let jwk = jwt
        .header
        .get("jwk")
        .cloned()
        .ok_or_else(|| bad("no jwk"))?;
    if jwk.get("d").is_some() {
        return Err(bad("the jwk holds a private key"));
    }
    verify_with_jwk(&jwt, &jwk).map_err(|e| bad(&e))?;
    let c = &jwt.claims;
    if c.get("htm").and_then(Value::as_str) != Some(method.as_str()) {
        return Err(bad("htm does not match the request method"));
    }
    if c.get("htu").and_then(Value::as_str) != Some(htu) {
        return Err(bad("htu does not match the request URL"));
    }
    let now = now_secs();
    let iat = num(c, "iat").ok_or_else(|| bad("no iat"))?;
    if iat + IAT_WINDOW_SECS < now || iat > now + IAT_WINDOW_SECS {
        return Err(bad("iat is outside the accepted window"));
    }
    let jti = c
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty())
        .ok_or_else(|| bad("no jti"))?;
    if let Some(t) = token {
        let want = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            t.as_bytes(),
        ));
        if c.get("ath").and_then(Value::as_str) != Some(want.as_str()) {
            return Err(bad("ath does not match the access token"));
        }
    }
    if let Some(n) = nonce {
        if c.get("nonce").and_then(Value::as_str) != Some(n) {
            return Err(ProofError::NeedNonce);
        }
    }
    if !fresh_jti(st, &format!("dpop:{jti}"), iat + 2 * IAT_WINDOW_SECS) {
        return Err(bad("jti replayed"));
    }
    Ok(thumbprint(&jwk))
}

// ---- HTTP --------------------------------------------------------------------------------------

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

struct ClientAuth {
    client_id: String,
    method: &'static str,
    secret: Option<String>,
    assertion: Option<String>,
}

fn form_pairs(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let raw = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let dec = |s: &str| -> Option<String> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .into_owned()
            .collect();
        pairs.into_iter().next().map(|(_, v)| v)
    };
    Some((dec(id)?, dec(secret)?))
}

pub(crate) async fn token_endpoint(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "use POST",
        );
    }
    let latency = shared.lock().settings.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let origin = origin(&shared, &headers);
    let server = &shared.oauth2;
    let seq = {
        let mut st = server.lock();
        st.seq += 1;
        st.seq
    };
    let correlation = format!("sandbox-{seq}");
    let r = token_inner(server, &origin, &headers, &body);
    with_header(r, "correlation-id", &correlation)
}

fn token_inner(server: &OAuth2Server, origin: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let json_style = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("json"));
    let params: HashMap<String, String> = if json_style {
        match serde_json::from_slice::<HashMap<String, Value>>(body) {
            Ok(m) => m
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                .collect(),
            Err(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "body is not JSON",
                )
            }
        }
    } else {
        form_pairs(body)
    };
    let p = |k: &str| params.get(k).map(String::as_str);
    // Who is asking, and how.
    let auth = if json_style {
        ClientAuth {
            client_id: p("client_id").unwrap_or_default().to_owned(),
            method: "finicity_json",
            secret: p("client_secret").map(str::to_owned),
            assertion: None,
        }
    } else if let Some((id, secret)) = basic(headers) {
        ClientAuth {
            client_id: id,
            method: "client_secret_basic",
            secret: Some(secret),
            assertion: None,
        }
    } else if let Some(a) = p("client_assertion") {
        let id = p("client_id")
            .map(str::to_owned)
            .or_else(|| {
                parse_jwt(a).ok().and_then(|j| {
                    j.claims
                        .get("iss")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
            })
            .unwrap_or_default();
        ClientAuth {
            client_id: id,
            method: "private_key_jwt",
            secret: None,
            assertion: Some(a.to_owned()),
        }
    } else {
        ClientAuth {
            client_id: p("client_id").unwrap_or_default().to_owned(),
            method: "client_secret_post",
            secret: p("client_secret").map(str::to_owned),
            assertion: None,
        }
    };
    let mut st = server.lock();
    let stats = st.stats.entry(auth.client_id.clone()).or_default();
    stats.token_requests += 1;
    *stats.by_method.entry(auth.method.into()).or_default() += 1;
    let fail = |st: &mut State2, client: &str, status: StatusCode, error: &str, d: &str| {
        let s = st.stats.entry(client.to_owned()).or_default();
        if error == "invalid_client" {
            s.invalid_client += 1;
        } else {
            s.other_errors += 1;
        }
        let r = oauth_error(status, error, d);
        if error == "invalid_client" && status == StatusCode::UNAUTHORIZED {
            with_header(r, "www-authenticate", "Basic realm=\"finauth-sandbox\"")
        } else {
            r
        }
    };
    if p("grant_type") != Some("client_credentials") {
        return fail(
            &mut st,
            &auth.client_id,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    let Some(client) = st.clients.get(&auth.client_id).cloned() else {
        return fail(
            &mut st,
            &auth.client_id,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client",
        );
    };
    // Client authentication.
    let verdict: Result<(), String> = match auth.method {
        "private_key_jwt" => check_assertion(
            &mut st,
            &client,
            auth.assertion.as_deref().unwrap_or(""),
            p("client_assertion_type"),
            origin,
        ),
        m => match (&client.client_secret, &auth.secret) {
            (Some(want), Some(got)) if want == got => {
                if m == "finicity_json" {
                    let key = headers
                        .get("finicity-app-key")
                        .and_then(|v| v.to_str().ok());
                    if key.is_none() || key != client.app_key.as_deref() {
                        Err("wrong or missing Finicity-App-Key".into())
                    } else {
                        Ok(())
                    }
                } else {
                    Ok(())
                }
            }
            _ => Err("client authentication failed".into()),
        },
    };
    if let Err(why) = verdict {
        return fail(
            &mut st,
            &auth.client_id,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            &why,
        );
    }
    if client.unauthorized {
        return fail(
            &mut st,
            &auth.client_id,
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "this client may not use client credentials",
        );
    }
    let scope = p("scope")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .collect::<Vec<_>>();
    if let Some(allowed) = &client.scopes {
        if let Some(s) = scope.iter().find(|s| !allowed.iter().any(|a| a == *s)) {
            return fail(
                &mut st,
                &auth.client_id,
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                &format!("scope `{s}` is not allowed"),
            );
        }
    }
    // DPoP.
    let settings = st.settings.clone();
    let mut jkt = None;
    let mut nonce_header = None;
    if let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) {
        if !settings.bearer_only {
            let nonce = settings.require_nonce.then(|| st.token_nonce.clone());
            nonce_header = Some(st.token_nonce.clone());
            let htu = format!("{origin}{OAUTH2_TOKEN_PATH}");
            match check_proof(&mut st, proof, &Method::POST, &htu, None, nonce.as_deref()) {
                Ok(t) => jkt = Some(t),
                Err(ProofError::NeedNonce) => {
                    st.stats
                        .entry(auth.client_id.clone())
                        .or_default()
                        .nonce_challenges += 1;
                    let r = oauth_error(
                        StatusCode::BAD_REQUEST,
                        "use_dpop_nonce",
                        "use the DPoP-Nonce this server sent",
                    );
                    return with_header(r, "dpop-nonce", nonce.as_deref().unwrap_or_default());
                }
                Err(ProofError::Invalid(why)) => {
                    return fail(
                        &mut st,
                        &auth.client_id,
                        StatusCode::BAD_REQUEST,
                        "invalid_dpop_proof",
                        &why,
                    );
                }
            }
        }
    }
    st.seq += 1;
    let token = random_text(st.seq);
    let lifetime = settings.expires_in.unwrap_or(settings.implicit_lifetime);
    let scope = scope.join(" ");
    st.tokens.insert(
        token.clone(),
        Issued {
            client_id: auth.client_id.clone(),
            scope: scope.clone(),
            jkt: jkt.clone(),
            expires_at: now_secs() + lifetime,
        },
    );
    st.stats
        .entry(auth.client_id.clone())
        .or_default()
        .tokens_issued += 1;
    let mut answer = json!({
        "access_token": token,
        "token_type": if jkt.is_some() { "DPoP" } else { "Bearer" },
    });
    if let Some(e) = settings.expires_in {
        answer["expires_in"] = Value::from(e);
    }
    if !scope.is_empty() {
        answer["scope"] = Value::from(scope);
    }
    let mut r = Json(answer).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match nonce_header {
        Some(n) => with_header(r, "dpop-nonce", &n),
        None => r,
    }
}

fn check_assertion(
    st: &mut State2,
    client: &OAuth2Client,
    assertion: &str,
    assertion_type: Option<&str>,
    origin: &str,
) -> Result<(), String> {
    if assertion_type != Some(ASSERTION_TYPE) {
        return Err("client_assertion_type must be jwt-bearer".into());
    }
    let jwk = client
        .jwk
        .as_ref()
        .ok_or("no public key registered for this client")?;
    let jwt = parse_jwt(assertion)?;
    verify_with_jwk(&jwt, jwk)?;
    let c = &jwt.claims;
    let s = |k: &str| c.get(k).and_then(Value::as_str);
    if s("iss") != Some(client.client_id.as_str()) || s("sub") != Some(client.client_id.as_str()) {
        return Err("iss and sub must be the client id".into());
    }
    let token_url = format!("{origin}{OAUTH2_TOKEN_PATH}");
    let aud_ok = match c.get("aud") {
        Some(Value::String(a)) => a == origin || *a == token_url,
        Some(Value::Array(v)) => v
            .iter()
            .any(|a| a.as_str().is_some_and(|a| a == origin || a == token_url)),
        _ => false,
    };
    if !aud_ok {
        return Err("aud is not this server".into());
    }
    let now = now_secs();
    let exp = num(c, "exp").ok_or("no exp")?;
    if exp <= now {
        return Err("the assertion has expired".into());
    }
    let iat = num(c, "iat").unwrap_or(now);
    if exp.saturating_sub(iat) > MAX_ASSERTION_SECS {
        return Err("the assertion lives too long".into());
    }
    if num(c, "nbf").is_some_and(|nbf| nbf > now + 5) {
        return Err("the assertion is not valid yet".into());
    }
    let jti = s("jti").filter(|j| !j.is_empty()).ok_or("no jti")?;
    if !fresh_jti(
        st,
        &format!("assertion:{}:{jti}", client.client_id),
        exp + 1,
    ) {
        return Err("jti replayed".into());
    }
    Ok(())
}

pub(crate) async fn resource(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let origin = origin(&shared, &headers);
    let htu = format!("{origin}{}", uri.path());
    let mut st = shared.oauth2.lock();
    let (scheme, token) = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
    {
        Some((s, t)) => (s.to_ascii_lowercase(), t.trim().to_owned()),
        None => {
            return challenge("Bearer", "invalid_request", "no access token", None);
        }
    };
    let Some(issued) = st.tokens.get(&token) else {
        return challenge(
            if scheme == "dpop" { "DPoP" } else { "Bearer" },
            "invalid_token",
            "unknown token",
            None,
        );
    };
    let (client_id, scope, jkt, expires_at) = (
        issued.client_id.clone(),
        issued.scope.clone(),
        issued.jkt.clone(),
        issued.expires_at,
    );
    let stats = st.stats.entry(client_id.clone()).or_default();
    stats.resource_requests += 1;
    let reject = |st: &mut State2, scheme: &str, error: &str, d: &str, nonce: Option<&str>| {
        st.stats
            .entry(client_id.clone())
            .or_default()
            .resource_rejected += 1;
        challenge(scheme, error, d, nonce)
    };
    if expires_at <= now_secs() {
        let s = if jkt.is_some() { "DPoP" } else { "Bearer" };
        return reject(
            &mut st,
            s,
            "invalid_token",
            "the access token expired",
            None,
        );
    }
    match (&jkt, scheme.as_str()) {
        (None, "bearer") => {}
        (Some(want), "dpop") => {
            let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) else {
                return reject(&mut st, "DPoP", "invalid_dpop_proof", "no DPoP proof", None);
            };
            let nonce = st.settings.require_nonce.then(|| st.resource_nonce.clone());
            match check_proof(
                &mut st,
                proof,
                &method,
                &htu,
                Some(&token),
                nonce.as_deref(),
            ) {
                Ok(t) if t == *want => {}
                Ok(_) => {
                    return reject(
                        &mut st,
                        "DPoP",
                        "invalid_dpop_proof",
                        "the proof's key is not the token's key",
                        None,
                    )
                }
                Err(ProofError::NeedNonce) => {
                    st.stats
                        .entry(client_id.clone())
                        .or_default()
                        .resource_nonce_challenges += 1;
                    return challenge(
                        "DPoP",
                        "use_dpop_nonce",
                        "use the DPoP-Nonce this server sent",
                        nonce.as_deref(),
                    );
                }
                Err(ProofError::Invalid(why)) => {
                    return reject(&mut st, "DPoP", "invalid_dpop_proof", &why, None)
                }
            }
        }
        (Some(_), _) => {
            return reject(
                &mut st,
                "DPoP",
                "invalid_token",
                "a DPoP-bound token needs the DPoP scheme",
                None,
            )
        }
        (None, _) => {
            return reject(
                &mut st,
                "Bearer",
                "invalid_token",
                "a Bearer token needs the Bearer scheme",
                None,
            )
        }
    }
    st.stats.entry(client_id.clone()).or_default().resource_ok += 1;
    let nonce = jkt.as_ref().map(|_| st.resource_nonce.clone());
    let r = Json(json!({ "ok": true, "client_id": client_id, "scope": scope, "path": uri.path(), "method": method.as_str() })).into_response();
    match nonce {
        Some(n) => with_header(r, "dpop-nonce", &n),
        None => r,
    }
}

fn challenge(scheme: &str, error: &str, description: &str, nonce: Option<&str>) -> Response {
    let value = format!("{scheme} error=\"{error}\", error_description=\"{description}\"");
    let r = with_header(
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
        "www-authenticate",
        &value,
    );
    match nonce {
        Some(n) => with_header(r, "dpop-nonce", n),
        None => r,
    }
}
