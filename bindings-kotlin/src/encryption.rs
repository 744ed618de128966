//! `EncryptionCertificate`, `DecryptionKey` and `PayloadEncryption`: Mastercard payload encryption
//! (JWE, or the older field-level scheme), all of it done by `finauth::encryption`. The options
//! arrive as one JSON object, read and checked by core (`PayloadEncryptionBuilder::options_json`);
//! the Kotlin `PayloadEncryptionBuilder` (src/main/kotlin) writes it. The work is CPU-bound and
//! short (one RSA operation and AES over the body): the functions are synchronous.

use crate::error::Result;
use finauth::encryption as enc;
use std::collections::HashMap;
use std::sync::Arc;

fn size(bits: usize) -> i32 {
    i32::try_from(bits).unwrap_or(i32::MAX)
}

/// Mastercard's public key (the *Client Encryption Key* certificate) that requests are encrypted
/// to: a PEM or DER X.509 certificate (SHA-1 signed ones too: only the key is used) or a PEM
/// public key. `toString()` shows the key size and fingerprint.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct EncryptionCertificate {
    inner: enc::EncryptionCertificate,
}

impl std::fmt::Display for EncryptionCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EncryptionCertificate(RSA-{}, keyFingerprint={})",
            self.inner.bits(),
            self.inner.key_fingerprint()
        )
    }
}

#[uniffi::export]
impl EncryptionCertificate {
    /// A certificate or public key file, PEM or DER (recognised by its content). A file that
    /// cannot be read or parsed is a `SigningKey` exception.
    #[uniffi::constructor]
    pub fn from_file(path: String) -> Result<Arc<Self>> {
        Ok(Arc::new(EncryptionCertificate {
            inner: enc::EncryptionCertificate::from_file(path)?,
        }))
    }

    /// The content of a certificate or public key file (PEM text as bytes, or DER).
    #[uniffi::constructor]
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Arc<Self>> {
        Ok(Arc::new(EncryptionCertificate {
            inner: enc::EncryptionCertificate::from_bytes(&bytes)?,
        }))
    }

    /// SHA-256 of the public key's SubjectPublicKeyInfo DER, hex: the JWE `kid` and the
    /// field-level `encryptionKeyFingerprint`.
    pub fn key_fingerprint(&self) -> String {
        self.inner.key_fingerprint().to_owned()
    }

    /// SHA-256 of the certificate's DER, hex (`encryptionCertificateFingerprint`); `null` when a
    /// bare public key was loaded.
    pub fn certificate_fingerprint(&self) -> Option<String> {
        self.inner.certificate_fingerprint().map(str::to_owned)
    }

    /// The RSA modulus size in bits (e.g. 2048).
    pub fn bits(&self) -> i32 {
        size(self.inner.bits())
    }
}

/// Your RSA private key (the *Mastercard Encryption Key*) that responses are decrypted with:
/// PKCS#12 (password, and alias when it holds several keys), PEM or DER (PKCS#1, PKCS#8,
/// encrypted PKCS#8). `toString()` shows the key size only; the key never leaves Rust.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct DecryptionKey {
    inner: enc::DecryptionKey,
}

impl std::fmt::Display for DecryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DecryptionKey(RSA-{}, [REDACTED])", self.inner.bits())
    }
}

#[uniffi::export]
impl DecryptionKey {
    /// A key file of any supported format, recognised by its content. A file that cannot be
    /// read or parsed, or a wrong password, is a `SigningKey` exception (never naming the
    /// password).
    #[uniffi::constructor(default(password = None, alias = None))]
    pub fn from_file(
        path: String,
        password: Option<String>,
        alias: Option<String>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(DecryptionKey {
            inner: enc::DecryptionKey::from_file(path, password.as_deref(), alias.as_deref())?,
        }))
    }

    /// The content of a key file (PKCS#12, PEM text as bytes, or DER).
    #[uniffi::constructor(default(password = None, alias = None))]
    pub fn from_bytes(
        bytes: Vec<u8>,
        password: Option<String>,
        alias: Option<String>,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(DecryptionKey {
            inner: enc::DecryptionKey::from_bytes(&bytes, password.as_deref(), alias.as_deref())?,
        }))
    }

    /// SHA-256 of this key's public SubjectPublicKeyInfo DER, hex: the `kid` of a JWE encrypted
    /// to it.
    pub fn key_fingerprint(&self) -> String {
        self.inner.key_fingerprint().to_owned()
    }

    /// The RSA modulus size in bits (e.g. 2048).
    pub fn bits(&self) -> i32 {
        size(self.inner.bits())
    }
}

/// An encrypted request: the body to send and the headers to set (the field-level header mode;
/// empty otherwise), replacing any of the same name.
#[derive(uniffi::Record)]
pub struct EncryptedRequest {
    pub body: Vec<u8>,
    pub headers: HashMap<String, String>,
}

/// Mastercard payload encryption of request and response bodies at JSON paths, with the
/// semantics of Mastercard's client-encryption libraries. Thread-safe: share one per service.
/// `toString()` shows the scheme and the paths, never key material.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct PayloadEncryption {
    inner: enc::PayloadEncryption,
}

impl std::fmt::Display for PayloadEncryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.inner)
    }
}

#[uniffi::export]
impl PayloadEncryption {
    /// `scheme`: `jwe` or `fle` (the field-level scheme). `optionsJson`: the options as one JSON
    /// object (`encryptionPaths`, `decryptionPaths`, `encryptedValueFieldName`, `keyId`,
    /// `ivSize`, and for `fle` `fieldEncoding`, `oaep`, `fieldNames`, `headerMode`; docs/GUIDE.md,
    /// "Payload encryption"), `""` for the defaults. At least one of the keys is needed. Every
    /// mistake (an unknown option, a bad path) is a `Config` exception naming it.
    #[uniffi::constructor(default(
        scheme = "jwe",
        options_json = "",
        encryption_certificate = None,
        decryption_key = None
    ))]
    pub fn new(
        scheme: String,
        options_json: String,
        encryption_certificate: Option<Arc<EncryptionCertificate>>,
        decryption_key: Option<Arc<DecryptionKey>>,
    ) -> Result<Arc<Self>> {
        let mut b = enc::PayloadEncryption::builder(scheme.parse()?).options_json(&options_json)?;
        if let Some(c) = encryption_certificate {
            b = b.encryption_certificate(c.inner.clone());
        }
        if let Some(k) = decryption_key {
            b = b.decryption_key(k.inner.clone());
        }
        Ok(Arc::new(PayloadEncryption { inner: b.build()? }))
    }

    /// `jwe` or `fle`.
    pub fn scheme(&self) -> String {
        match self.inner.scheme() {
            enc::Scheme::Jwe => "jwe",
            enc::Scheme::FieldLevel => "fle",
        }
        .into()
    }

    /// True when an encryption certificate was given (requests can be encrypted).
    pub fn can_encrypt(&self) -> bool {
        self.inner.can_encrypt()
    }

    /// True when a decryption key was given (responses can be decrypted).
    pub fn can_decrypt(&self) -> bool {
        self.inner.can_decrypt()
    }

    /// Encrypts a JSON payload at the encryption paths. The field-level header mode needs
    /// `encryptRequest` (its parameters travel in headers).
    pub fn encrypt_payload(&self, payload: String) -> Result<String> {
        Ok(self.inner.encrypt_payload(&payload)?)
    }

    /// Decrypts a JSON payload at the decryption paths; a payload without encrypted values (an
    /// error answer) comes back unchanged. A payload that cannot be decrypted (tampered,
    /// truncated, for another key) is an `Encryption` exception.
    pub fn decrypt_payload(&self, payload: String) -> Result<String> {
        Ok(self.inner.decrypt_payload(&payload)?)
    }

    /// `encryptPayload` on UTF-8 bytes.
    pub fn encrypt_payload_bytes(&self, payload: Vec<u8>) -> Result<Vec<u8>> {
        let text = std::str::from_utf8(&payload)
            .map_err(|_| finauth::Error::Encryption("the payload is not UTF-8 JSON".into()))?;
        Ok(self.inner.encrypt_payload(text)?.into_bytes())
    }

    /// `decryptPayload` on UTF-8 bytes.
    pub fn decrypt_payload_bytes(&self, payload: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.inner.decrypt_response(&payload, |_| None)?)
    }

    /// Encrypts a request body: the body to send and the headers to set (the field-level
    /// header mode). An empty body is sent as it is.
    pub fn encrypt_request(&self, body: Vec<u8>) -> Result<EncryptedRequest> {
        let r = self.inner.encrypt_request(&body)?;
        Ok(EncryptedRequest {
            body: r.body,
            headers: r.headers.into_iter().collect(),
        })
    }

    /// Decrypts a response body; `headers` (names case-insensitive) carry the parameters of the
    /// field-level header mode.
    pub fn decrypt_response(
        &self,
        body: Vec<u8>,
        headers: HashMap<String, String>,
    ) -> Result<Vec<u8>> {
        let headers: HashMap<String, String> = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Ok(self
            .inner
            .decrypt_response(&body, |n| headers.get(&n.to_ascii_lowercase()).cloned())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FinauthError;

    #[test]
    fn bad_input_is_an_exception_not_a_panic() {
        assert!(matches!(
            EncryptionCertificate::from_bytes(b"not a certificate".to_vec()),
            Err(FinauthError::SigningKey { .. })
        ));
        assert!(matches!(
            DecryptionKey::from_bytes(Vec::new(), None, None),
            Err(FinauthError::SigningKey { .. })
        ));
        assert!(matches!(
            PayloadEncryption::new("jwe".into(), String::new(), None, None),
            Err(FinauthError::Config { .. })
        ));
        assert!(matches!(
            PayloadEncryption::new("nope".into(), String::new(), None, None),
            Err(FinauthError::Config { .. })
        ));
    }
}

/// A request as `MastercardAuth.prepare` gives it: the body to send, the headers to set
/// (replacing; `Authorization` among them), and whether the body changed.
#[derive(uniffi::Record)]
pub struct PreparedCall {
    pub body: Vec<u8>,
    pub headers: HashMap<String, String>,
    pub body_changed: bool,
}

/// Signing and payload encryption of Mastercard calls in core's order: the body is encrypted,
/// then signed over the exact bytes sent; answers are decrypted. `MastercardInterceptor`
/// (OkHttp) drives it; thread-safe.
#[derive(uniffi::Object)]
pub struct MastercardAuth {
    inner: finauth::mastercard::MastercardAuth,
}

#[uniffi::export]
impl MastercardAuth {
    /// A signer, payload encryption, or both (`Config` if neither).
    #[uniffi::constructor(default(signer = None, encryption = None))]
    pub fn new(
        signer: Option<Arc<crate::oauth1::OAuth1Signer>>,
        encryption: Option<Arc<PayloadEncryption>>,
    ) -> Result<Arc<Self>> {
        let inner = finauth::mastercard::MastercardAuth::new(
            signer.map(|s| s.inner.clone()),
            encryption.map(|e| e.inner.clone()),
        )?;
        Ok(Arc::new(MastercardAuth { inner }))
    }

    /// The body and headers of a request with `method` to `url` (the full URL).
    pub fn prepare(&self, method: String, url: String, body: Vec<u8>) -> Result<PreparedCall> {
        let p = self.inner.prepare(&method, &url, &body)?;
        Ok(PreparedCall {
            body: p.body,
            headers: p.headers.into_iter().collect(),
            body_changed: p.body_changed,
        })
    }

    /// The answer's body as the caller should see it (decrypted when it carries encrypted
    /// values); `headers` by name, case-insensitively.
    pub fn response(&self, body: Vec<u8>, headers: HashMap<String, String>) -> Result<Vec<u8>> {
        let lower: HashMap<String, String> = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Ok(self
            .inner
            .response(&body, |n| lower.get(&n.to_ascii_lowercase()).cloned())?)
    }
}
