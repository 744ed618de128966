//! `SigningKey`, `loadPkcs12`/`loadPem`/`loadKeyFile` and `OAuth1Signer`: Mastercard OAuth 1.0a
//! signing, all done by `finauth::oauth1`. The same keys sign OAuth 2.0 client assertions and
//! DPoP proofs (`ClientCredentials`).

use crate::error::{FinauthError, Result};
use std::sync::Arc;

/// A private key (RSA, or EC P-256 for OAuth 2.0), parsed once. `toString()` shows the algorithm
/// only; the key never leaves Rust and is zeroized when dropped.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct SigningKey {
    pub(crate) inner: finauth::oauth1::SigningKey,
}

impl std::fmt::Display for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, <redacted>)", self.inner.algorithm())
    }
}

#[uniffi::export]
impl SigningKey {
    /// The key size in bits (the RSA modulus, e.g. 2048; 256 for P-256).
    pub fn bits(&self) -> i32 {
        i32::try_from(self.inner.bits()).unwrap_or(i32::MAX)
    }

    /// `RSA-2048`, `EC-P256`, ...
    pub fn algorithm(&self) -> String {
        self.inner.algorithm()
    }

    /// The public key as a JWK (JSON text, no private part): what an authorization server
    /// registers for `private_key_jwt`.
    pub fn public_jwk(&self) -> String {
        finauth::oauth2::jose::public_jwk(&self.inner).to_string()
    }
}

fn read(path: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| FinauthError::SigningKey {
        description: format!(
            "signing key error: cannot read the key file {path}: {}",
            e.kind()
        ),
    })
}

fn key(inner: finauth::Result<finauth::oauth1::SigningKey>) -> Result<Arc<SigningKey>> {
    Ok(Arc::new(SigningKey { inner: inner? }))
}

/// The private key of a PKCS#12 file (`.p12` from the Mastercard Developers portal or
/// `openssl pkcs12 -export`, modern or legacy). `alias` picks the key (any key if null).
#[uniffi::export(default(alias = None))]
pub fn load_pkcs12(
    path: String,
    password: String,
    alias: Option<String>,
) -> Result<Arc<SigningKey>> {
    let bytes = read(&path)?;
    load_pkcs12_bytes(bytes, password, alias)
}

/// `loadPkcs12` on the file's content.
#[uniffi::export(default(alias = None))]
pub fn load_pkcs12_bytes(
    bytes: Vec<u8>,
    password: String,
    alias: Option<String>,
) -> Result<Arc<SigningKey>> {
    key(finauth::oauth1::SigningKey::from_pkcs12(
        &bytes,
        &password,
        alias.as_deref(),
    ))
}

/// A PEM private key (PKCS#1, PKCS#8 or encrypted PKCS#8 with `password`). `source` is the PEM
/// text (holding `-----BEGIN`) or the path of a PEM file.
#[uniffi::export(default(password = None))]
pub fn load_pem(source: String, password: Option<String>) -> Result<Arc<SigningKey>> {
    let text = if source.contains("-----BEGIN ") {
        source
    } else {
        String::from_utf8(read(&source)?).map_err(|_| FinauthError::SigningKey {
            description: "signing key error: not a PEM key (not text; for PKCS#12 use loadPkcs12)"
                .into(),
        })?
    };
    key(finauth::oauth1::SigningKey::from_pem(
        &text,
        password.as_deref(),
    ))
}

/// A key file of any supported format, recognised by its content: PEM, DER (PKCS#8, PKCS#1,
/// SEC1) or PKCS#12. `password` for PKCS#12 and encrypted keys; `alias` picks a PKCS#12 entry.
#[uniffi::export(default(password = None, alias = None))]
pub fn load_key_file(
    path: String,
    password: Option<String>,
    alias: Option<String>,
) -> Result<Arc<SigningKey>> {
    key(finauth::oauth1::SigningKey::from_file(
        &path,
        password.as_deref(),
        alias.as_deref(),
    ))
}

/// `oauth_signature_method`.
#[derive(uniffi::Enum, Clone, Copy)]
pub enum SignatureMethod {
    /// `RSA-SHA256` (the default).
    RsaSha256,
    /// `RSA-PSS`.
    RsaPss,
}

/// Signs requests for Mastercard APIs with one-legged OAuth 1.0a and the body-hash extension,
/// byte-identically to Mastercard's Java reference signer. Thread-safe: share one signer.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct OAuth1Signer {
    pub(crate) inner: finauth::oauth1::OAuth1Signer,
}

impl std::fmt::Display for OAuth1Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OAuth1Signer(consumerKey={:?}, method={}, key=<redacted>)",
            self.inner.consumer_key(),
            self.inner.signature_method().as_str()
        )
    }
}

#[uniffi::export]
impl OAuth1Signer {
    #[uniffi::constructor(default(method = None))]
    pub fn new(
        consumer_key: String,
        key: Arc<SigningKey>,
        method: Option<SignatureMethod>,
    ) -> Result<Arc<Self>> {
        let method = match method.unwrap_or(SignatureMethod::RsaSha256) {
            SignatureMethod::RsaSha256 => finauth::SignatureMethod::RsaSha256,
            SignatureMethod::RsaPss => finauth::SignatureMethod::RsaPss,
        };
        let inner = finauth::OAuth1Signer::new(consumer_key, key.inner.clone(), method)?;
        Ok(Arc::new(OAuth1Signer { inner }))
    }

    /// The consumer key.
    pub fn consumer_key(&self) -> String {
        self.inner.consumer_key().to_owned()
    }

    /// `RSA-SHA256` or `RSA-PSS`.
    pub fn method(&self) -> String {
        self.inner.signature_method().as_str().to_owned()
    }

    /// The `Authorization` value (`OAuth oauth_body_hash="…",…`) for one request, with a fresh
    /// nonce and the current time. `uri` is the full URL as sent; `body` the exact bytes sent.
    #[uniffi::method(default(body = None))]
    pub fn authorization_header(
        &self,
        method: String,
        uri: String,
        body: Option<Vec<u8>>,
    ) -> Result<String> {
        let body = body.unwrap_or_default();
        Ok(self.inner.authorization_header(&method, &uri, &body)?)
    }

    /// `authorizationHeader` with a given nonce and timestamp (for tests).
    pub fn authorization_header_with(
        &self,
        method: String,
        uri: String,
        body: Option<Vec<u8>>,
        nonce: String,
        timestamp: i64,
    ) -> Result<String> {
        let body = body.unwrap_or_default();
        let timestamp = u64::try_from(timestamp)
            .map_err(|_| FinauthError::config("timestamp must not be negative"))?;
        Ok(self
            .inner
            .authorization_header_with(&method, &uri, &body, &nonce, timestamp)?)
    }
}
