//! Doors for the fuzz targets of `fuzz/` (cargo feature `fuzzing`): the crate-internal readers of
//! input that comes from outside the process, called the way the crate calls them. Not API:
//! hidden from the docs, unstable, and not compiled without the feature.

use crate::encryption::{DecryptionKey, FieldEncoding};
use crate::error::{Error, Result};
use crate::finicity::response::Answer;
use crate::finicity::source::RawResponse;
use crate::lifecycle::FetchError;
use crate::oauth2::config::Endpoint;
use crate::oauth2::discovery;
use crate::oauth2::dpop::Dpop;
use crate::oauth2::source::{self, OAuth2Source};
use crate::oauth2::AuthMethod;
use crate::secret::Secret;
use crate::store::{FileStore, IdentityKey, IdentityState, StoreOp, StoreReply};
use crate::SigningKey;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use serde_json::Value;
use std::time::Duration;

/// An answer as the HTTP client hands it over. Pairs the client could not have produced (an
/// invalid header name or value) are left out.
fn raw(status: u16, headers: &[(&str, &[u8])], body: &[u8]) -> RawResponse {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            map.append(n, v);
        }
    }
    RawResponse {
        status,
        version: reqwest::Version::HTTP_11,
        headers: map,
        body: zeroize::Zeroizing::new(body.to_vec()),
    }
}

/// A Finicity answer read as the partner authentication reads it (`Content-Type` and
/// `Retry-After` from the headers).
pub fn finicity_answer(status: u16, headers: &[(&str, &[u8])], body: &[u8]) -> Answer {
    raw(status, headers, body).answer()
}

/// The request policy's reading of an auth-param of `WWW-Authenticate`.
pub fn auth_param(header: &str, name: &str) -> Option<String> {
    crate::exchange::policy::auth_param(header, name)
}

/// What the OAuth 2.0 token endpoint's answer yields.
#[derive(Debug)]
pub struct TokenAnswer {
    /// The token, its lifetime and refresh time, or the error `parse_success` returned.
    pub success: std::result::Result<(String, Duration, Duration), String>,
    /// RFC 6749 §5.2 fields (scrubbed of `sent`).
    pub oauth_error: Option<crate::OAuthError>,
    pub correlation_id: Option<String>,
    pub retry_after: Option<Duration>,
}

/// Token answers read by a Bearer client and by a DPoP client, and `DPoP-Nonce` learning.
pub struct OAuth2Answers {
    bearer: OAuth2Source,
    dpop: OAuth2Source,
    nonces: Dpop,
}

impl OAuth2Answers {
    /// `key` is the DPoP key (no request is ever sent).
    pub fn new(key: SigningKey) -> Result<Self> {
        let url = Url::parse("https://auth.fuzz.invalid/token")
            .map_err(|e| Error::config(e.to_string()))?;
        let make = |key: Option<SigningKey>, dpop: bool| {
            OAuth2Source::new(
                Endpoint::Fixed(url.clone()),
                None,
                "client".into(),
                if key.is_some() {
                    AuthMethod::PrivateKeyJwt
                } else {
                    AuthMethod::ClientSecretBasic
                },
                Some(Secret::new("client-secret-fuzz")),
                key,
                None,
                url.to_string(),
                None,
                Vec::new(),
                None,
                dpop,
                Duration::from_secs(3600),
                false,
                Duration::from_secs(5),
            )
        };
        Ok(OAuth2Answers {
            bearer: make(None, false)?,
            dpop: make(Some(key.clone()), true)?,
            nonces: Dpop::new(key),
        })
    }

    pub fn token_answer(
        &self,
        dpop: bool,
        status: u16,
        headers: &[(&str, &[u8])],
        body: &[u8],
        sent: &[&str],
    ) -> TokenAnswer {
        let raw = raw(status, headers, body);
        let src = if dpop { &self.dpop } else { &self.bearer };
        let success = match src.parse_success(&raw) {
            Ok(f) => Ok((f.token.expose().to_owned(), f.lifetime, f.refresh_after)),
            Err(FetchError::Other(e) | FetchError::Unanswered(e)) => Err(e.to_string()),
            Err(FetchError::Credential { code, .. }) => Err(format!("credential {code:?}")),
            Err(FetchError::Locked { code }) => Err(format!("locked {code}")),
        };
        let secrets: Vec<Secret> = sent.iter().map(|s| Secret::new(*s)).collect();
        TokenAnswer {
            success,
            oauth_error: source::oauth_error(&raw, &secrets),
            correlation_id: source::correlation_id(&raw.headers),
            retry_after: source::retry_after(&raw),
        }
    }

    /// Learns the `DPoP-Nonce` of an answer from `url`; the nonce then kept for its origin.
    pub fn learn_nonce(&self, url: &str, headers: &[(&str, &[u8])]) -> (bool, Option<String>) {
        let Ok(url) = Url::parse(url) else {
            return (false, None);
        };
        let changed = self.nonces.learn(&url, &raw(200, headers, b"").headers);
        (changed, self.nonces.nonce_for(&url))
    }
}

/// An issuer's metadata document as discovery reads it, checked against every method, and its
/// store record read back. `Ok(record)` when the document is accepted.
pub fn issuer_metadata(issuer: &str, body: &[u8], dpop_alg: Option<&str>) -> Result<String> {
    let issuer = Url::parse(issuer).map_err(|e| Error::config(e.to_string()))?;
    let m = discovery::parse(&issuer, body, false)?;
    for method in [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::PrivateKeyJwt,
        AuthMethod::FinicityJson,
    ] {
        let _ = discovery::check(&m, method, dpop_alg, dpop_alg.is_some());
    }
    let record = discovery::to_record(&m);
    let back = discovery::from_record(&issuer, &record, false)?;
    if discovery::to_record(&back) != record {
        return Err(Error::config(
            "the metadata record does not read back the same",
        ));
    }
    Ok(record)
}

/// A stored issuer-metadata record (from any process sharing the store).
pub fn metadata_record(issuer: &str, record: &str) -> Result<()> {
    let issuer = Url::parse(issuer).map_err(|e| Error::config(e.to_string()))?;
    discovery::from_record(&issuer, record, false).map(|_| ())
}

/// The identity every store door uses.
pub fn identity() -> IdentityKey {
    IdentityKey::new("finicity", "https://api.fuzz.invalid", "partner")
}

/// `FileStore`: `doc` as the identity's state file in `dir`, then each op applied under the
/// file lock as the store applies it (read, apply, atomic rewrite).
pub fn file_store_apply(
    dir: &std::path::Path,
    doc: &[u8],
    now_ms: u64,
    ops: Vec<StoreOp>,
) -> Result<Vec<StoreReply>> {
    let store = FileStore::new(dir)?;
    let key = identity();
    let (path, _) = store.paths(&key);
    std::fs::write(&path, doc).map_err(|e| Error::Store(e.to_string()))?;
    ops.into_iter()
        .map(|op| store.apply_locked(&key, now_ms, op))
        .collect()
}

/// `RedisStore`: the steps of its `execute` between the `GET` and the compare-and-set, on one
/// stored document: decode, apply, encode, time to live. `None` for the document the `GET`
/// found missing.
pub fn redis_apply(
    doc: Option<&[u8]>,
    now_ms: u64,
    op: StoreOp,
) -> Result<(StoreReply, Vec<u8>, u64)> {
    let fresh = || IdentityState {
        fence_counter: now_ms,
        next_id: now_ms,
        ..IdentityState::default()
    };
    let mut state = match doc {
        None => fresh(),
        Some(b) => match serde_json::from_slice::<IdentityState>(b) {
            Ok(s) => s,
            Err(_) if matches!(op, StoreOp::ResetGuard) => fresh(),
            Err(e) => return Err(Error::Store(format!("corrupt: {e}"))),
        },
    };
    let reply = state.apply(now_ms, op);
    let after = serde_json::to_vec(&state).map_err(|e| Error::Store(e.to_string()))?;
    let ttl = crate::store::redis::ttl_ms(&state, now_ms);
    Ok((reply, after, ttl))
}

/// A stored rotation's sealed successor opened with `old` (as the engine opens it).
pub fn open_rotation(salt: &str, identity: &str, old: &str, sealed: &str) -> Option<String> {
    crate::fingerprint::open(salt, identity, &Secret::new(old), sealed).map(|s| s.expose().into())
}

/// `new` sealed under `old`, as Modify Partner Secret records it.
pub fn seal_rotation(salt: &str, identity: &str, old: &str, new: &str) -> Result<String> {
    crate::fingerprint::seal(salt, identity, &Secret::new(old), &Secret::new(new))
}

/// A compact JWE decrypted with `key`.
pub fn jwe_decrypt(key: &DecryptionKey, token: &str) -> Result<Vec<u8>> {
    crate::encryption::jwe::decrypt(key, token).map(|p| p.to_vec())
}

/// A field-level binary value (IV, wrapped key, ciphertext) read from its text.
pub fn field_decode(encoding: FieldEncoding, text: &str) -> Result<Vec<u8>> {
    encoding.decode(text, "value")
}

/// What the JSON-path operations of the encryption configuration make of `path` on `doc`:
/// `Err` if `path` does not parse; otherwise `doc` after each operation was tried once.
pub fn json_path(path: &str, other: &str, doc: &mut Value, value: Value) -> Result<String> {
    use crate::encryption::json_path::JsonPath;
    let p = JsonPath::parse(path)?;
    let text = p.to_string();
    let again = JsonPath::parse(&text)?;
    if again != p {
        return Err(Error::config("a JSON path does not read back as itself"));
    }
    let _ = (p.ends_with_name(), p.is_root(), p.has_wildcard());
    if let Some(b) = p.before_wildcard() {
        let _ = b.at_index(3).get(doc);
    }
    let _ = p.parent().map(|q| q.contains(&p));
    if let Ok(o) = JsonPath::parse(other) {
        let _ = (p.contains(&o), o.contains(&p));
    }
    let _ = p.get(doc).cloned();
    let _ = p.get_mut(doc).map(|v| v.take());
    let _ = p.object_mut(doc).map(|m| m.len());
    let set = p.set(doc, value);
    let _ = p.remove(doc);
    set.map(|()| text)
}
