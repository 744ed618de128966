//! The two keys of Mastercard payload encryption: the *Client Encryption Key* (Mastercard's
//! public key, delivered as an X.509 certificate: requests are encrypted to it) and the
//! *Mastercard Encryption Key* (the client's own RSA key pair, usually a PKCS#12 keystore:
//! responses are encrypted to it).

use super::codec::hex;
use crate::oauth1::SigningKey;
use crate::{Error, Result};
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{
    OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

fn key_err(msg: impl Into<String>) -> Error {
    Error::SigningKey(msg.into())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| key_err(format!("cannot read the {what} {}: {e}", path.display())))
}

/// The public key requests are encrypted to, with the fingerprints Mastercard's servers use to
/// find the matching private key: SHA-256 of the certificate's DER and of the key's
/// SubjectPublicKeyInfo DER, in hex. Only the key is used: the certificate's own signature
/// (SHA-1 on older ones) is never checked. Cheap to clone.
#[derive(Clone)]
pub struct EncryptionCertificate {
    pub(crate) key: Arc<OaepPublicEncryptingKey>,
    key_fingerprint: String,
    certificate_fingerprint: Option<String>,
    bits: usize,
}

impl fmt::Debug for EncryptionCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "EncryptionCertificate(RSA-{}, key fingerprint {})",
            self.bits, self.key_fingerprint
        )
    }
}

impl EncryptionCertificate {
    /// An X.509 certificate (`CERTIFICATE`) or a bare public key (`PUBLIC KEY`) in PEM.
    pub fn from_pem(text: &str) -> Result<Self> {
        let blocks =
            pem::parse_many(text).map_err(|e| key_err(format!("not a valid PEM file: {e}")))?;
        for b in &blocks {
            match b.tag() {
                "CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                    return Self::from_certificate_der(b.contents())
                }
                "PUBLIC KEY" => return Self::from_public_key_der(b.contents()),
                _ => {}
            }
        }
        Err(key_err(format!(
            "the PEM holds no certificate or public key (found: {})",
            if blocks.is_empty() {
                "nothing".to_owned()
            } else {
                blocks
                    .iter()
                    .map(|b| b.tag())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )))
    }

    /// A DER X.509 certificate, or a DER SubjectPublicKeyInfo.
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_certificate_der(der)
            .or_else(|cert_err| Self::from_public_key_der(der).map_err(|_| cert_err))
    }

    /// PEM or DER, whichever `bytes` holds.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN ") => Self::from_pem(text),
            _ => Self::from_der(bytes),
        }
    }

    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_bytes(&read(path.as_ref(), "encryption certificate")?)
    }

    fn from_certificate_der(der: &[u8]) -> Result<Self> {
        use x509_cert::der::{Decode, Encode};
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|e| key_err(format!("not an X.509 certificate: {e}")))?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|e| key_err(format!("the certificate's public key cannot be read: {e}")))?;
        let mut c = Self::from_public_key_der(&spki)?;
        c.certificate_fingerprint = Some(sha256_hex(der));
        Ok(c)
    }

    fn from_public_key_der(spki: &[u8]) -> Result<Self> {
        let public = PublicEncryptingKey::from_der(spki).map_err(|e| {
            key_err(format!(
                "the encryption key was rejected ({e}): an RSA key of 2048 to 8192 bits is needed"
            ))
        })?;
        let bits = public.key_size_bits();
        let key = OaepPublicEncryptingKey::new(public)
            .map_err(|_| key_err("the encryption key cannot be used for RSA-OAEP"))?;
        Ok(EncryptionCertificate {
            key: Arc::new(key),
            key_fingerprint: sha256_hex(spki),
            certificate_fingerprint: None,
            bits,
        })
    }

    /// SHA-256 of the public key's SubjectPublicKeyInfo DER, hex: the JWE `kid` and the
    /// field-level `encryptionKeyFingerprint`.
    pub fn key_fingerprint(&self) -> &str {
        &self.key_fingerprint
    }

    /// SHA-256 of the certificate's DER, hex (`encryptionCertificateFingerprint`); `None` when a
    /// bare public key was loaded.
    pub fn certificate_fingerprint(&self) -> Option<&str> {
        self.certificate_fingerprint.as_deref()
    }

    pub fn bits(&self) -> usize {
        self.bits
    }
}

/// The client's RSA private key that responses are encrypted to: loaded like a [`SigningKey`]
/// (PKCS#12 with alias and password, legacy or modern; PEM and DER, PKCS#1 or PKCS#8, encrypted
/// PKCS#8), or made from one. `Debug` is redacted; cheap to clone.
#[derive(Clone)]
pub struct DecryptionKey {
    pub(crate) key: Arc<OaepPrivateDecryptingKey>,
    key_fingerprint: String,
    bits: usize,
}

impl fmt::Debug for DecryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DecryptionKey(RSA-{}, [REDACTED])", self.bits)
    }
}

impl DecryptionKey {
    /// The RSA key of a loaded [`SigningKey`] (EC keys cannot decrypt).
    pub fn from_signing_key(key: &SigningKey) -> Result<Self> {
        let pair = key.rsa().ok_or_else(|| {
            key_err(format!(
                "payload decryption needs an RSA key, not {}",
                key.algorithm()
            ))
        })?;
        let der: Pkcs8V1Der<'static> = pair
            .as_der()
            .map_err(|_| key_err("the RSA key cannot be exported for decryption"))?;
        let der = Zeroizing::new(der.as_ref().to_vec());
        let private = PrivateDecryptingKey::from_pkcs8(&der).map_err(|e| {
            key_err(format!(
                "the decryption key was rejected ({e}): an RSA key of 2048 to 8192 bits is needed"
            ))
        })?;
        let bits = private.key_size_bits();
        let public: PublicKeyX509Der<'static> = private
            .public_key()
            .as_der()
            .map_err(|_| key_err("the decryption key's public half cannot be encoded"))?;
        let key_fingerprint = sha256_hex(public.as_ref());
        let key = OaepPrivateDecryptingKey::new(private)
            .map_err(|_| key_err("the decryption key cannot be used for RSA-OAEP"))?;
        Ok(DecryptionKey {
            key: Arc::new(key),
            key_fingerprint,
            bits,
        })
    }

    /// A key file: PKCS#12 (`password`, and `alias` when it holds several keys), PEM or DER.
    pub fn from_file(
        path: impl AsRef<Path>,
        password: Option<&str>,
        alias: Option<&str>,
    ) -> Result<Self> {
        Self::from_signing_key(&SigningKey::from_file(path, password, alias)?)
    }

    /// PKCS#12, PEM or DER, whichever `bytes` holds.
    pub fn from_bytes(bytes: &[u8], password: Option<&str>, alias: Option<&str>) -> Result<Self> {
        Self::from_signing_key(&SigningKey::from_bytes(bytes, password, alias)?)
    }

    pub fn from_pem(text: &str, password: Option<&str>) -> Result<Self> {
        Self::from_signing_key(&SigningKey::from_pem(text, password)?)
    }

    pub fn from_der(der: &[u8]) -> Result<Self> {
        Self::from_signing_key(&SigningKey::from_der(der)?)
    }

    pub fn from_pkcs12(bytes: &[u8], password: &str, alias: Option<&str>) -> Result<Self> {
        Self::from_signing_key(&SigningKey::from_pkcs12(bytes, password, alias)?)
    }

    /// SHA-256 of this key's public SubjectPublicKeyInfo DER, hex: what a JWE `kid` names when
    /// it was encrypted to this key.
    pub fn key_fingerprint(&self) -> &str {
        &self.key_fingerprint
    }

    pub fn bits(&self) -> usize {
        self.bits
    }
}
