//! DPoP (RFC 9449): one proof per request, and the nonce each server last sent.

use super::jose;
use crate::error::Result;
use crate::oauth1::SigningKey;
use crate::secret::{AccessToken, Secret};
use reqwest::header::HeaderMap;
use reqwest::Url;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;

pub(crate) const DPOP_HEADER: &str = "DPoP";
pub(crate) const NONCE_HEADER: &str = "DPoP-Nonce";

/// The DPoP key and the nonces learned per server (origin).
pub(crate) struct Dpop {
    key: SigningKey,
    jwk: Value,
    thumbprint: String,
    nonces: Mutex<HashMap<String, String>>,
}

/// `htu`: the URL without query and fragment.
pub(crate) fn htu(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// `ath`: base64url of the SHA-256 of the access token.
pub(crate) fn ath(token: &AccessToken) -> String {
    jose::b64(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.expose().as_bytes()).as_ref(),
    )
}

impl Dpop {
    pub fn new(key: SigningKey) -> Self {
        let jwk = jose::public_jwk(&key);
        let thumbprint = jose::jwk_thumbprint(&jwk);
        Dpop {
            key,
            jwk,
            thumbprint,
            nonces: Mutex::new(HashMap::new()),
        }
    }

    /// The key's RFC 7638 thumbprint (`cnf.jkt` of the tokens bound to it).
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    fn nonces(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.nonces.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn nonce_for(&self, url: &Url) -> Option<String> {
        self.nonces().get(&origin(url)).cloned()
    }

    /// Remember the `DPoP-Nonce` of a response from `url`'s server; true if it changed.
    pub fn learn(&self, url: &Url, headers: &HeaderMap) -> bool {
        let Some(n) = headers
            .get(NONCE_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|n| !n.is_empty() && n.len() <= 512)
        else {
            return false;
        };
        let mut map = self.nonces();
        let key = origin(url);
        if map.get(&key).map(String::as_str) == Some(n) {
            return false;
        }
        map.insert(key, n.to_owned());
        true
    }

    /// A proof for one request; `token` adds `ath` (resource requests).
    pub fn proof(&self, method: &str, url: &Url, token: Option<&AccessToken>) -> Result<Secret> {
        let mut claims = json!({
            "jti": jose::jti()?,
            "htm": method,
            "htu": htu(url),
            "iat": jose::unix_now(),
        });
        if let Some(n) = self.nonce_for(url) {
            claims["nonce"] = Value::from(n);
        }
        if let Some(t) = token {
            claims["ath"] = Value::from(ath(t));
        }
        let header = json!({ "typ": "dpop+jwt", "jwk": self.jwk });
        jose::sign(&self.key, header, &claims)
    }
}
