//! Mastercard payload encryption: the keys, and `NativePayloadEncryption` behind the
//! JavaScript `PayloadEncryption` (`encryption.js`). The options arrive as one JSON object,
//! read by core (`PayloadEncryptionBuilder::options_json`).

use crate::error::{outcome, throw, Outcome, SyncError};
use finauth::encryption::{DecryptionKey, EncryptionCertificate, PayloadEncryption, Scheme};
use finauth::mastercard::MastercardAuth;
use napi::bindgen_prelude::AsyncTask;
use napi::bindgen_prelude::{Buffer, BufferSlice};
use napi::{Env, Task};
use napi_derive::napi;
use std::collections::HashMap;

/// A failure of napi itself (no memory for a copy) as an internal error.
fn throw_napi(e: &napi::Error) -> SyncError {
    napi::Error::new("INTERNAL".to_owned(), e.to_string())
}

/// Mastercard's public key (the Client Encryption Key certificate).
#[napi]
pub struct NativeEncryptionCertificate {
    inner: EncryptionCertificate,
}

#[napi]
impl NativeEncryptionCertificate {
    #[napi(getter)]
    pub fn key_fingerprint(&self) -> String {
        self.inner.key_fingerprint().to_owned()
    }

    #[napi(getter)]
    pub fn certificate_fingerprint(&self) -> Option<String> {
        self.inner.certificate_fingerprint().map(str::to_owned)
    }

    #[napi(getter)]
    pub fn bits(&self) -> u32 {
        u32::try_from(self.inner.bits()).unwrap_or(u32::MAX)
    }
}

/// Your RSA private key (the Mastercard Encryption Key); the façade never shows it.
#[napi]
pub struct NativeDecryptionKey {
    inner: DecryptionKey,
}

#[napi]
impl NativeDecryptionKey {
    #[napi(getter)]
    pub fn key_fingerprint(&self) -> String {
        self.inner.key_fingerprint().to_owned()
    }

    #[napi(getter)]
    pub fn bits(&self) -> u32 {
        u32::try_from(self.inner.bits()).unwrap_or(u32::MAX)
    }
}

#[napi]
pub fn load_encryption_certificate_bytes(
    data: Buffer,
) -> Result<NativeEncryptionCertificate, SyncError> {
    EncryptionCertificate::from_bytes(&data)
        .map(|inner| NativeEncryptionCertificate { inner })
        .map_err(throw)
}

#[napi]
pub fn load_encryption_certificate_file(
    path: String,
) -> Result<NativeEncryptionCertificate, SyncError> {
    EncryptionCertificate::from_file(&path)
        .map(|inner| NativeEncryptionCertificate { inner })
        .map_err(throw)
}

#[napi]
pub fn load_decryption_key_bytes(
    data: Buffer,
    password: Option<String>,
    alias: Option<String>,
) -> Result<NativeDecryptionKey, SyncError> {
    DecryptionKey::from_bytes(&data, password.as_deref(), alias.as_deref())
        .map(|inner| NativeDecryptionKey { inner })
        .map_err(throw)
}

#[napi]
pub fn load_decryption_key_file(
    path: String,
    password: Option<String>,
    alias: Option<String>,
) -> Result<NativeDecryptionKey, SyncError> {
    DecryptionKey::from_file(&path, password.as_deref(), alias.as_deref())
        .map(|inner| NativeDecryptionKey { inner })
        .map_err(throw)
}

/// An encrypted request: the body and the headers to set (the field-level header mode). The
/// body is a JS-owned copy: freed at the next GC, not on a later turn of the event loop.
#[napi(object)]
pub struct EncryptedRequest<'env> {
    pub body: BufferSlice<'env>,
    pub headers: HashMap<String, String>,
}

#[napi]
pub struct NativePayloadEncryption {
    pub(crate) inner: PayloadEncryption,
}

#[napi]
impl NativePayloadEncryption {
    #[napi(constructor)]
    pub fn new(
        scheme: String,
        options_json: String,
        certificate: Option<&NativeEncryptionCertificate>,
        key: Option<&NativeDecryptionKey>,
    ) -> Result<Self, SyncError> {
        let scheme: Scheme = scheme.parse().map_err(throw)?;
        let mut b = PayloadEncryption::builder(scheme)
            .options_json(&options_json)
            .map_err(throw)?;
        if let Some(c) = certificate {
            b = b.encryption_certificate(c.inner.clone());
        }
        if let Some(k) = key {
            b = b.decryption_key(k.inner.clone());
        }
        Ok(NativePayloadEncryption {
            inner: b.build().map_err(throw)?,
        })
    }

    #[napi(getter)]
    pub fn scheme(&self) -> &'static str {
        match self.inner.scheme() {
            Scheme::Jwe => "jwe",
            Scheme::FieldLevel => "fle",
        }
    }

    #[napi]
    pub fn encrypt_request<'env>(
        &self,
        env: &'env Env,
        body: Buffer,
    ) -> Result<EncryptedRequest<'env>, SyncError> {
        let r = self.inner.encrypt_request(&body).map_err(throw)?;
        Ok(EncryptedRequest {
            body: BufferSlice::copy_from(env, &r.body).map_err(|e| throw_napi(&e))?,
            headers: r.headers.into_iter().collect(),
        })
    }

    /// `headers`: the response's header values by lower-case name.
    #[napi]
    pub fn decrypt_response<'env>(
        &self,
        env: &'env Env,
        body: Buffer,
        headers: HashMap<String, String>,
    ) -> Result<BufferSlice<'env>, SyncError> {
        let clear = self
            .inner
            .decrypt_response(&body, |n| headers.get(&n.to_ascii_lowercase()).cloned())
            .map_err(throw)?;
        BufferSlice::copy_from(env, &clear).map_err(|e| throw_napi(&e))
    }

    #[napi]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// A request as `MastercardAuth.prepare` gives it.
#[napi(object)]
pub struct PreparedCall {
    pub body: Buffer,
    pub headers: HashMap<String, String>,
    pub body_changed: bool,
}

/// Signing and payload encryption of Mastercard calls in core's order (the façade's
/// `MastercardAuth`); both steps run on libuv's thread pool.
#[napi]
pub struct NativeMastercardAuth {
    inner: MastercardAuth,
}

#[napi]
impl NativeMastercardAuth {
    #[napi(constructor)]
    pub fn new(
        signer: Option<&crate::oauth1::NativeOAuth1Signer>,
        encryption: Option<&NativePayloadEncryption>,
    ) -> Result<Self, SyncError> {
        let inner = MastercardAuth::new(
            signer.map(|s| (*s.signer).clone()),
            encryption.map(|e| e.inner.clone()),
        )
        .map_err(throw)?;
        Ok(NativeMastercardAuth { inner })
    }

    #[napi(ts_return_type = "Promise<PreparedCall>")]
    pub fn prepare(&self, method: String, uri: String, body: Buffer) -> AsyncTask<Prepare> {
        AsyncTask::new(Prepare {
            auth: self.inner.clone(),
            method,
            uri,
            body: body.to_vec(),
        })
    }

    /// `headers`: the response's header values by lower-case name.
    #[napi(ts_return_type = "Promise<Buffer>")]
    pub fn response(&self, body: Buffer, headers: HashMap<String, String>) -> AsyncTask<Respond> {
        AsyncTask::new(Respond {
            auth: self.inner.clone(),
            body: body.to_vec(),
            headers,
        })
    }
}

pub struct Prepare {
    auth: MastercardAuth,
    method: String,
    uri: String,
    body: Vec<u8>,
}

impl Task for Prepare {
    type Output = Outcome<PreparedCall>;
    type JsValue = Outcome<PreparedCall>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(outcome(
            self.auth
                .prepare(&self.method, &self.uri, &self.body)
                .map(|p| PreparedCall {
                    body: p.body.into(),
                    headers: p.headers.into_iter().collect(),
                    body_changed: p.body_changed,
                }),
        ))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

pub struct Respond {
    auth: MastercardAuth,
    body: Vec<u8>,
    headers: HashMap<String, String>,
}

impl Task for Respond {
    type Output = Outcome<Buffer>;
    type JsValue = Outcome<Buffer>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let headers = &self.headers;
        Ok(outcome(
            self.auth
                .response(&self.body, |n| {
                    headers.get(&n.to_ascii_lowercase()).cloned()
                })
                .map(Buffer::from),
        ))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}
