//! Mastercard OAuth 1.0a signing: `SigningKey` loading and `OAuth1Signer`.
//!
//! Signing is CPU work (one RSA-2048 private-key operation, about 1 ms), so besides the
//! synchronous `authorizationHeaderSync` there is `authorizationHeader`, an [`AsyncTask`] that
//! signs on libuv's thread pool and returns a Promise: the event loop keeps running. The key is
//! parsed once; the signer is shared (an `Arc`) by every task.

use crate::error::{outcome, throw, Outcome, SyncError};
use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::Arc;

/// An RSA private key, parsed once (the façade wraps it in a redacted `SigningKey`).
#[napi]
pub struct NativeSigningKey {
    pub(crate) key: SigningKey,
}

#[napi]
impl NativeSigningKey {
    /// The key size in bits.
    #[napi(getter)]
    pub fn bits(&self) -> u32 {
        u32::try_from(self.key.bits()).unwrap_or(u32::MAX)
    }

    /// `RSA-2048`, `EC-P256`, ...
    #[napi(getter)]
    pub fn algorithm(&self) -> String {
        self.key.algorithm()
    }

    /// The public half as a JWK (JSON text).
    #[napi]
    pub fn public_jwk(&self) -> String {
        finauth::oauth2::jose::public_jwk(&self.key).to_string()
    }
}

fn key(r: finauth::Result<SigningKey>) -> Result<NativeSigningKey, SyncError> {
    r.map(|key| NativeSigningKey { key }).map_err(throw)
}

/// A PKCS#12 key store (bytes) with its password and, optionally, the key's alias.
#[napi]
pub fn load_pkcs12_bytes(
    data: Buffer,
    password: String,
    alias: Option<String>,
) -> Result<NativeSigningKey, SyncError> {
    key(SigningKey::from_pkcs12(&data, &password, alias.as_deref()))
}

/// A PKCS#12 key store read from a file.
#[napi]
pub fn load_pkcs12_file(
    path: String,
    password: String,
    alias: Option<String>,
) -> Result<NativeSigningKey, SyncError> {
    key(SigningKey::from_pkcs12_file(
        &path,
        &password,
        alias.as_deref(),
    ))
}

/// A PEM key (PKCS#1, PKCS#8, encrypted PKCS#8 with `password`).
#[napi]
pub fn load_pem_text(
    text: String,
    password: Option<String>,
) -> Result<NativeSigningKey, SyncError> {
    key(SigningKey::from_pem(&text, password.as_deref()))
}

/// A key in any supported format (PEM, DER, PKCS#12) read from a file.
#[napi]
pub fn load_key_file(
    path: String,
    password: Option<String>,
    alias: Option<String>,
) -> Result<NativeSigningKey, SyncError> {
    key(SigningKey::from_file(
        &path,
        password.as_deref(),
        alias.as_deref(),
    ))
}

/// A key in any supported format (PEM, DER, PKCS#12) from bytes.
#[napi]
pub fn load_key_bytes(
    data: Buffer,
    password: Option<String>,
    alias: Option<String>,
) -> Result<NativeSigningKey, SyncError> {
    key(SigningKey::from_bytes(
        &data,
        password.as_deref(),
        alias.as_deref(),
    ))
}

/// The signature base string of a request with the given `oauth_*` parameters (for tests and
/// for checking a signature independently).
#[napi]
pub fn signature_base_string(
    method: String,
    uri: String,
    oauth_params: HashMap<String, String>,
) -> Result<String, SyncError> {
    let params: Vec<(&str, &str)> = oauth_params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    finauth::oauth1::signature_base_string(&method, &uri, &params).map_err(throw)
}

/// Base64 SHA-256 of the body bytes (the `oauth_body_hash` value).
#[napi]
pub fn body_hash(body: Buffer) -> String {
    finauth::oauth1::body_hash(&body)
}

/// The native OAuth 1.0a signer (the façade's `OAuth1Signer` wraps it).
#[napi]
pub struct NativeOAuth1Signer {
    pub(crate) signer: Arc<OAuth1Signer>,
}

#[napi]
impl NativeOAuth1Signer {
    /// `method` is `RSA-SHA256` or `RSA-PSS`.
    #[napi(constructor)]
    pub fn new(
        consumer_key: String,
        key: &NativeSigningKey,
        method: String,
    ) -> Result<Self, SyncError> {
        let method = match method.as_str() {
            "RSA-SHA256" => SignatureMethod::RsaSha256,
            "RSA-PSS" => SignatureMethod::RsaPss,
            other => {
                return Err(crate::error::config(format!(
                    "method must be \"RSA-SHA256\" or \"RSA-PSS\", not \"{other}\""
                )))
            }
        };
        let signer = OAuth1Signer::new(consumer_key, key.key.clone(), method).map_err(throw)?;
        Ok(NativeOAuth1Signer {
            signer: Arc::new(signer),
        })
    }

    /// The consumer key.
    #[napi(getter)]
    pub fn consumer_key(&self) -> String {
        self.signer.consumer_key().to_owned()
    }

    /// The `Authorization` value, signed on the calling thread.
    #[napi]
    pub fn authorization_header_sync(
        &self,
        method: String,
        uri: String,
        body: Buffer,
    ) -> Result<String, SyncError> {
        self.signer
            .authorization_header(&method, &uri, &body)
            .map_err(throw)
    }

    /// The `Authorization` value with a given nonce and timestamp (for tests).
    #[napi]
    pub fn authorization_header_with(
        &self,
        method: String,
        uri: String,
        body: Buffer,
        nonce: String,
        timestamp: u32,
    ) -> Result<String, SyncError> {
        self.signer
            .authorization_header_with(&method, &uri, &body, &nonce, u64::from(timestamp))
            .map_err(throw)
    }

    /// The `Authorization` value, signed on libuv's thread pool (a Promise).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn authorization_header(
        &self,
        method: String,
        uri: String,
        body: Buffer,
    ) -> AsyncTask<Sign> {
        AsyncTask::new(Sign {
            signer: Arc::clone(&self.signer),
            method,
            uri,
            body: body.to_vec(),
        })
    }
}

/// One signature computed off the event loop.
pub struct Sign {
    signer: Arc<OAuth1Signer>,
    method: String,
    uri: String,
    body: Vec<u8>,
}

impl Task for Sign {
    type Output = Outcome<String>;
    type JsValue = Outcome<String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(outcome(self.signer.authorization_header(
            &self.method,
            &self.uri,
            &self.body,
        )))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}
