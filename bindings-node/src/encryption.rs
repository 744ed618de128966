//! Mastercard payload encryption: the keys, and `NativePayloadEncryption` behind the
//! JavaScript `PayloadEncryption` (`encryption.js`). The options arrive as one JSON object,
//! read by core (`PayloadEncryptionBuilder::options_json`).

use crate::error::{throw, SyncError};
use finauth::encryption::{DecryptionKey, EncryptionCertificate, PayloadEncryption, Scheme};
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use std::collections::HashMap;

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

/// An encrypted request: the body and the headers to set (the field-level header mode).
#[napi(object)]
pub struct EncryptedRequest {
    pub body: Buffer,
    pub headers: HashMap<String, String>,
}

#[napi]
pub struct NativePayloadEncryption {
    inner: PayloadEncryption,
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
    pub fn encrypt_request(&self, body: Buffer) -> Result<EncryptedRequest, SyncError> {
        let r = self.inner.encrypt_request(&body).map_err(throw)?;
        Ok(EncryptedRequest {
            body: r.body.into(),
            headers: r.headers.into_iter().collect(),
        })
    }

    /// `headers`: the response's header values by lower-case name.
    #[napi]
    pub fn decrypt_response(
        &self,
        body: Buffer,
        headers: HashMap<String, String>,
    ) -> Result<Buffer, SyncError> {
        self.inner
            .decrypt_response(&body, |n| headers.get(&n.to_ascii_lowercase()).cloned())
            .map(Buffer::from)
            .map_err(throw)
    }

    #[napi]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner)
    }
}
