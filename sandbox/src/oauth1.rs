//! The OAuth 1.0a verifier: `/oauth1` and `/oauth1/*`, any method. Checks a one-legged
//! Mastercard-style `Authorization: OAuth …` header (with the body-hash extension) against the
//! public keys configured for each consumer key, recomputing the signature base string with
//! finauth's reference algorithm (`finauth::oauth1::signature_base_string`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{
    UnparsedPublicKey, VerificationAlgorithm, RSA_PKCS1_2048_8192_SHA256, RSA_PSS_2048_8192_SHA256,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::state::Shared;

/// Path prefix of the verifier (`/oauth1` itself and everything below it, any method).
pub const OAUTH1_PATH: &str = "/oauth1";

/// A consumer key and the RSA public key its requests must be signed with.
/// `Debug` shows the consumer key and the key size only.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuth1Key {
    pub consumer_key: String,
    /// DER of the public key (SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`).
    der: Vec<u8>,
}

impl fmt::Debug for OAuth1Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Key")
            .field("consumer_key", &self.consumer_key)
            .field(
                "public_key",
                &format_args!("<{} DER bytes>", self.der.len()),
            )
            .finish()
    }
}

impl OAuth1Key {
    /// From a PEM `PUBLIC KEY` (SubjectPublicKeyInfo, what `openssl pkey -pubout` writes) or
    /// `RSA PUBLIC KEY` (PKCS#1).
    pub fn from_pem(consumer_key: impl Into<String>, pem: &str) -> Result<Self, String> {
        let consumer_key = consumer_key.into();
        if consumer_key.is_empty() {
            return Err("consumer_key must not be empty".into());
        }
        let begin = pem
            .find("-----BEGIN ")
            .ok_or("public_key_pem: no PEM block")?;
        let rest = &pem[begin + 11..];
        let label_end = rest.find("-----").ok_or("public_key_pem: bad PEM header")?;
        let label = &rest[..label_end];
        if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
            return Err(format!(
                "public_key_pem: expected a PUBLIC KEY or RSA PUBLIC KEY block, found {label}"
            ));
        }
        let body = &rest[label_end + 5..];
        let end = body
            .find("-----END ")
            .ok_or("public_key_pem: no PEM END line")?;
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let der = STANDARD
            .decode(b64)
            .map_err(|_| "public_key_pem: bad base64".to_string())?;
        Self::from_der(consumer_key, der)
    }

    /// From DER (SubjectPublicKeyInfo or PKCS#1 `RSAPublicKey`).
    pub fn from_der(consumer_key: impl Into<String>, der: Vec<u8>) -> Result<Self, String> {
        let key = OAuth1Key {
            consumer_key: consumer_key.into(),
            der,
        };
        if !key.parses() {
            return Err("public_key_pem: not an RSA public key (2048–8192 bits)".into());
        }
        Ok(key)
    }

    fn parses(&self) -> bool {
        aws_lc_rs::rsa::PublicEncryptingKey::from_der(&self.der).is_ok() || parse_pkcs1(&self.der)
    }

    /// Parses `CONSUMER_KEY:PATH_TO_PUBLIC_PEM` (the `--oauth1-key` argument) and reads the
    /// file: the consumer key ends at the **first** `:` (so a path may contain `:`).
    pub fn from_arg(arg: &str) -> Result<Self, String> {
        let (ck, path) = arg
            .split_once(':')
            .ok_or("expected CONSUMER_KEY:PATH_TO_PUBLIC_PEM")?;
        let pem = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        Self::from_pem(ck, &pem)
    }
}

fn parse_pkcs1(der: &[u8]) -> bool {
    // Wrap a PKCS#1 RSAPublicKey in a SubjectPublicKeyInfo and let aws-lc-rs parse that.
    aws_lc_rs::rsa::PublicEncryptingKey::from_der(&spki_from_pkcs1(der)).is_ok()
}

/// DER length bytes.
fn der_len(n: usize) -> Vec<u8> {
    if n < 0x80 {
        vec![n as u8]
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        let mut out = vec![0x80 | bytes.len() as u8];
        out.extend(bytes);
        out
    }
}

fn spki_from_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier rsaEncryption with NULL parameters.
    const ALG: [u8; 15] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut bitstring = vec![0x03];
    bitstring.extend(der_len(pkcs1.len() + 1));
    bitstring.push(0);
    bitstring.extend_from_slice(pkcs1);
    let mut out = vec![0x30];
    out.extend(der_len(ALG.len() + bitstring.len()));
    out.extend_from_slice(&ALG);
    out.extend(bitstring);
    out
}

/// Per consumer key counters of the verifier (in `GET /__admin/stats` under `oauth1`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct OAuth1Stats {
    pub accepted: u64,
    pub rejected: u64,
}

pub(crate) struct Verifier {
    inner: Mutex<VerifierState>,
}

struct VerifierState {
    keys: HashMap<String, OAuth1Key>,
    tolerance: Duration,
    /// Nonces accepted per consumer key, with the Unix second they were accepted at.
    nonces: HashMap<String, HashMap<String, u64>>,
    stats: BTreeMap<String, OAuth1Stats>,
}

impl Verifier {
    pub fn new(keys: &[OAuth1Key], tolerance: Duration) -> Self {
        Verifier {
            inner: Mutex::new(VerifierState {
                keys: keys
                    .iter()
                    .map(|k| (k.consumer_key.clone(), k.clone()))
                    .collect(),
                tolerance,
                nonces: HashMap::new(),
                stats: BTreeMap::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VerifierState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn add_key(&self, key: OAuth1Key) {
        self.lock().keys.insert(key.consumer_key.clone(), key);
    }

    pub fn set_tolerance(&self, d: Duration) {
        self.lock().tolerance = d;
    }

    pub fn stats(&self) -> BTreeMap<String, OAuth1Stats> {
        self.lock().stats.clone()
    }

    pub fn reset_stats(&self) {
        self.lock().stats.clear();
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `k="v"` items of an `OAuth …` header, values percent-decoded.
fn parse_header(value: &str) -> Result<Vec<(String, String)>, &'static str> {
    let value = value.trim();
    let rest = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("OAuth "))
        .map(|_| &value[6..])
        .ok_or("the Authorization header is not an OAuth one")?;
    let mut items = Vec::new();
    for item in rest.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (k, v) = item
            .split_once('=')
            .ok_or("malformed Authorization header")?;
        let v = v
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or("malformed Authorization header (values must be quoted)")?;
        let v = percent_decode(v).ok_or("malformed Authorization header (bad % escape)")?;
        let k = k.trim().to_string();
        if items.iter().any(|(seen, _): &(String, String)| *seen == k) {
            return Err("malformed Authorization header (a parameter is repeated)");
        }
        items.push((k, v));
    }
    Ok(items)
}

struct Rejection {
    error: &'static str,
    message: String,
}

fn reject(error: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        error,
        message: message.into(),
    }
}

/// Checks one request; `Ok(consumer_key)` when accepted. `consumer_key` is set as soon as the
/// header names one (for the stats).
fn verify(
    verifier: &Verifier,
    method: &Method,
    uri: &str,
    headers: &HeaderMap,
    body: &[u8],
    consumer_key: &mut Option<String>,
) -> Result<(), Rejection> {
    let header = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| reject("missing_authorization", "no Authorization header"))?
        .to_str()
        .map_err(|_| {
            reject(
                "malformed_authorization",
                "the Authorization header is not ASCII",
            )
        })?;
    let items =
        parse_header(header).map_err(|m| reject("malformed_authorization", m.to_string()))?;
    let get = |name: &str| {
        items
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let ck = get("oauth_consumer_key")
        .ok_or_else(|| reject("missing_parameter", "oauth_consumer_key is missing"))?;
    *consumer_key = Some(ck.to_string());
    for name in [
        "oauth_signature_method",
        "oauth_signature",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_version",
        "oauth_body_hash",
    ] {
        if get(name).is_none() {
            return Err(reject("missing_parameter", format!("{name} is missing")));
        }
    }
    let (key, tolerance) = {
        let state = verifier.lock();
        (state.keys.get(ck).cloned(), state.tolerance)
    };
    let key = key.ok_or_else(|| {
        reject(
            "unknown_consumer_key",
            "oauth_consumer_key is not configured in the sandbox",
        )
    })?;
    let algorithm: &'static dyn VerificationAlgorithm = match get("oauth_signature_method") {
        Some("RSA-SHA256") => &RSA_PKCS1_2048_8192_SHA256,
        Some("RSA-PSS") => &RSA_PSS_2048_8192_SHA256,
        _ => {
            return Err(reject(
                "unsupported_signature_method",
                "oauth_signature_method must be RSA-SHA256 or RSA-PSS",
            ))
        }
    };
    if get("oauth_version") != Some("1.0") {
        return Err(reject("bad_version", "oauth_version must be 1.0"));
    }
    if get("oauth_body_hash") != Some(finauth::oauth1::body_hash(body).as_str()) {
        return Err(reject(
            "body_hash_mismatch",
            "oauth_body_hash is not the Base64 SHA-256 of the body received",
        ));
    }
    let timestamp: u64 = get("oauth_timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| {
            reject(
                "bad_timestamp",
                "oauth_timestamp is not a number of seconds",
            )
        })?;
    let now = now_secs();
    if now.abs_diff(timestamp) > tolerance.as_secs() {
        return Err(reject(
            "stale_timestamp",
            format!(
                "oauth_timestamp is {} s away from the sandbox's clock (tolerance {} s)",
                now.abs_diff(timestamp),
                tolerance.as_secs()
            ),
        ));
    }
    let params: Vec<(&str, &str)> = items
        .iter()
        .filter(|(k, _)| k.starts_with("oauth_") && k != "oauth_signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sbs =
        finauth::oauth1::signature_base_string(method.as_str(), uri, &params).map_err(|e| {
            reject(
                "bad_request_uri",
                format!("cannot build the base string: {e}"),
            )
        })?;
    let signature = get("oauth_signature")
        .and_then(|s| STANDARD.decode(s).ok())
        .ok_or_else(|| reject("bad_signature", "oauth_signature is not Base64"))?;
    let der = if aws_lc_rs::rsa::PublicEncryptingKey::from_der(&key.der).is_ok() {
        key.der.clone()
    } else {
        spki_from_pkcs1(&key.der)
    };
    UnparsedPublicKey::new(algorithm, &der)
        .verify(sbs.as_bytes(), &signature)
        .map_err(|_| {
            reject(
                "bad_signature",
                "the signature does not verify with the consumer key's public key over the base string",
            )
        })?;
    let nonce = get("oauth_nonce").unwrap_or_default().to_string();
    let mut state = verifier.lock();
    let window = state.tolerance.as_secs().saturating_mul(2).max(1);
    let seen = state.nonces.entry(ck.to_string()).or_default();
    seen.retain(|_, at| now.saturating_sub(*at) <= window);
    if seen.contains_key(&nonce) {
        return Err(reject(
            "replayed_nonce",
            "oauth_nonce was already used by this consumer key",
        ));
    }
    seen.insert(nonce, now);
    Ok(())
}

/// The URI the client signed: `http://HOST/path?query`, the host from the `Host` header.
fn request_uri(headers: &HeaderMap, uri: &Uri) -> String {
    if uri.scheme().is_some() {
        return uri.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let pq = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/");
    format!("http://{host}{pq}")
}

/// Verifies a request for another endpoint (the encrypted API): the consumer key when it is
/// accepted, the verifier's 401 answer when not; counted like the verifier's own requests.
pub(crate) fn check(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, Box<Response>> {
    let full = request_uri(headers, uri);
    let mut consumer_key = None;
    let outcome = verify(
        &shared.oauth1,
        method,
        &full,
        headers,
        body,
        &mut consumer_key,
    );
    if let Some(ck) = &consumer_key {
        let mut state = shared.oauth1.lock();
        let entry = state.stats.entry(ck.clone()).or_default();
        match outcome {
            Ok(()) => entry.accepted += 1,
            Err(_) => entry.rejected += 1,
        }
    }
    match outcome {
        Ok(()) => Ok(consumer_key),
        Err(r) => Err(Box::new(
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "OAuth")],
                Json(serde_json::json!({ "ok": false, "error": r.error, "message": r.message })),
            )
                .into_response(),
        )),
    }
}

pub(crate) async fn endpoint(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared
        .lock()
        .count_endpoint(format!("{method} {}", uri.path()));
    match check(&shared, &method, &uri, &headers, &body) {
        Ok(consumer_key) => Json(serde_json::json!({
            "ok": true,
            "consumer_key": consumer_key,
            "method": method.as_str(),
            "path": uri.path(),
        }))
        .into_response(),
        Err(rejected) => *rejected,
    }
}
