//! The OAuth 1.0a signer: parameters, signature and `Authorization` header.

use super::base_string::{percent_encode, signature_base_string};
use super::key::SigningKey;
use crate::{Error, Result};
use aws_lc_rs::digest::{digest, SHA256};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{RsaEncoding, RSA_PKCS1_SHA256, RSA_PSS_SHA256};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The signature method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `RSA-SHA256`: RSASSA-PKCS1-v1_5 with SHA-256 (the default).
    #[default]
    RsaSha256,
    /// `RSA-PSS`: RSASSA-PSS with SHA-256, MGF1-SHA256 and a 32-byte salt.
    RsaPss,
}

impl SignatureMethod {
    /// The `oauth_signature_method` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureMethod::RsaSha256 => "RSA-SHA256",
            SignatureMethod::RsaPss => "RSA-PSS",
        }
    }

    fn encoding(self) -> &'static dyn RsaEncoding {
        match self {
            SignatureMethod::RsaSha256 => &RSA_PKCS1_SHA256,
            SignatureMethod::RsaPss => &RSA_PSS_SHA256,
        }
    }
}

/// The order in which the reference writes the header's items (its `HashMap` iteration order,
/// pinned by `header_order` in `core/tests/oauth1-reference/expected.json`).
const HEADER_ORDER: [&str; 7] = [
    "oauth_body_hash",
    "oauth_nonce",
    "oauth_signature",
    "oauth_consumer_key",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_version",
];

/// Signs requests for Mastercard APIs with one-legged OAuth 1.0a and the body-hash extension,
/// byte-identically to Mastercard's Java reference signer. `Send + Sync`: share one signer
/// between threads; the key is parsed once.
#[derive(Clone)]
pub struct OAuth1Signer {
    consumer_key: String,
    key: SigningKey,
    method: SignatureMethod,
    rng: SystemRandom,
}

impl fmt::Debug for OAuth1Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth1Signer")
            .field("consumer_key", &self.consumer_key)
            .field("key", &self.key)
            .field("method", &self.method)
            .finish()
    }
}

impl OAuth1Signer {
    /// A signer for a consumer key (from the Mastercard Developers project) and its RSA key.
    pub fn new(
        consumer_key: impl Into<String>,
        key: SigningKey,
        method: SignatureMethod,
    ) -> Result<Self> {
        let consumer_key = consumer_key.into();
        if consumer_key.is_empty() {
            return Err(Error::Config("consumer_key: must not be empty".into()));
        }
        if consumer_key.contains('"') || consumer_key.chars().any(char::is_control) {
            return Err(Error::Config(
                "consumer_key: must not hold quotes or control characters".into(),
            ));
        }
        if !key.is_rsa() {
            return Err(Error::SigningKey(format!(
                "the key is not an RSA key ({}); Mastercard OAuth 1.0a needs an RSA key",
                key.algorithm()
            )));
        }
        Ok(OAuth1Signer {
            consumer_key,
            key,
            method,
            rng: SystemRandom::new(),
        })
    }

    /// The signature method.
    pub fn signature_method(&self) -> SignatureMethod {
        self.method
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> &str {
        &self.consumer_key
    }

    /// The `Authorization` header value for one request (`OAuth oauth_body_hash="…",…`), with a
    /// fresh nonce and the current time. `body` is the exact bytes sent (empty for none).
    pub fn authorization_header(&self, method: &str, uri: &str, body: &[u8]) -> Result<String> {
        let nonce = self.nonce()?;
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::Config("system clock is before 1970".into()))?
            .as_secs();
        self.authorization_header_with(method, uri, body, &nonce, timestamp)
    }

    /// [`OAuth1Signer::authorization_header`] with a given nonce and timestamp (for tests).
    pub fn authorization_header_with(
        &self,
        method: &str,
        uri: &str,
        body: &[u8],
        nonce: &str,
        timestamp: u64,
    ) -> Result<String> {
        let timestamp = timestamp.to_string();
        let body_hash = body_hash(body);
        let params = self.oauth_params(&body_hash, nonce, &timestamp);
        let sbs = signature_base_string(method, uri, &params)?;
        let signature = percent_encode(&self.sign(sbs.as_bytes())?);
        let mut header = String::from("OAuth ");
        for name in HEADER_ORDER {
            let value = if name == "oauth_signature" {
                signature.as_str()
            } else {
                params
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| *v)
                    .unwrap_or_default()
            };
            if header.len() > 6 {
                header.push(',');
            }
            header.push_str(name);
            header.push_str("=\"");
            header.push_str(value);
            header.push('"');
        }
        Ok(header)
    }

    /// The signature base string this signer would sign (for tests and debugging).
    pub fn signature_base_string_with(
        &self,
        method: &str,
        uri: &str,
        body: &[u8],
        nonce: &str,
        timestamp: u64,
    ) -> Result<String> {
        let timestamp = timestamp.to_string();
        let body_hash = body_hash(body);
        signature_base_string(
            method,
            uri,
            &self.oauth_params(&body_hash, nonce, &timestamp),
        )
    }

    /// The `oauth_*` parameters other than the signature.
    fn oauth_params<'a>(
        &'a self,
        body_hash: &'a str,
        nonce: &'a str,
        timestamp: &'a str,
    ) -> [(&'static str, &'a str); 6] {
        [
            ("oauth_consumer_key", self.consumer_key.as_str()),
            ("oauth_nonce", nonce),
            ("oauth_signature_method", self.method.as_str()),
            ("oauth_timestamp", timestamp),
            ("oauth_version", "1.0"),
            ("oauth_body_hash", body_hash),
        ]
    }

    /// Base64 of the RSA signature of `message` (the base string's UTF-8 bytes).
    pub fn sign(&self, message: &[u8]) -> Result<String> {
        let pair = self
            .key
            .rsa()
            .ok_or_else(|| Error::SigningKey("the key is not an RSA key".into()))?;
        let mut sig = vec![0u8; pair.public_modulus_len()];
        pair.sign(self.method.encoding(), &self.rng, message, &mut sig)
            .map_err(|_| Error::SigningKey("the RSA signature operation failed".into()))?;
        Ok(STANDARD.encode(sig))
    }

    /// A nonce: 16 characters `[0-9A-Za-z]` from the system CSPRNG, by rejection sampling.
    pub fn nonce(&self) -> Result<String> {
        nonce_from(&self.rng)
    }
}

/// Base64 of the SHA-256 of the body (of the empty string when there is none).
pub fn body_hash(body: &[u8]) -> String {
    STANDARD.encode(digest(&SHA256, body))
}

const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn nonce_from(rng: &dyn SecureRandom) -> Result<String> {
    let mut out = String::with_capacity(16);
    let mut buf = [0u8; 32];
    while out.len() < 16 {
        rng.fill(&mut buf)
            .map_err(|_| Error::Config("the system random generator failed".into()))?;
        // 248 = 4 × 62: bytes at or above it are rejected, so every character is equally likely.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == 16 {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_shape() {
        let rng = SystemRandom::new();
        let a = nonce_from(&rng).unwrap();
        let b = nonce_from(&rng).unwrap();
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn empty_body_hash() {
        assert_eq!(
            body_hash(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn signer_is_send_sync() {
        fn check<T: Send + Sync>() {}
        check::<OAuth1Signer>();
        check::<SigningKey>();
    }
}
