//! [`PayloadEncryption`]: the scheme, the keys, the JSON paths and the field names, validated
//! once and shared (cheap to clone) by every request.

use super::cipher::OaepHash;
use super::fle::FieldEncoding;
use super::json_path::JsonPath;
use super::keys::{DecryptionKey, EncryptionCertificate};
use crate::{Error, Result};
use std::fmt;
use std::sync::Arc;

/// Which of Mastercard's two schemes a service uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// JWE compact serialisation (`RSA-OAEP-256` + `A256GCM`): the current scheme.
    Jwe,
    /// The older field-level scheme (AES-CBC, an RSA-OAEP-wrapped key, HEX or BASE64 fields).
    FieldLevel,
}

impl std::str::FromStr for Scheme {
    type Err = Error;

    /// `jwe`, or `fle` / `field-level`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "jwe" => Ok(Scheme::Jwe),
            "fle" | "field-level" | "field_level" => Ok(Scheme::FieldLevel),
            _ => Err(Error::config(format!(
                "scheme: `{}` is not jwe or fle",
                s.chars().take(20).collect::<String>()
            ))),
        }
    }
}

/// The member names of the field-level scheme inside an encrypted object. `None` leaves a
/// member out (the header mode moves IV and key to HTTP headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldNames {
    pub iv: Option<String>,
    pub encrypted_key: Option<String>,
    pub oaep_hashing_algorithm: Option<String>,
    pub encryption_certificate_fingerprint: Option<String>,
    pub encryption_key_fingerprint: Option<String>,
}

impl Default for FieldNames {
    /// `iv`, `encryptedKey`, `oaepHashingAlgorithm`, `encryptionCertificateFingerprint`,
    /// `encryptionKeyFingerprint`, as Mastercard's services name them.
    fn default() -> Self {
        FieldNames {
            iv: Some("iv".into()),
            encrypted_key: Some("encryptedKey".into()),
            oaep_hashing_algorithm: Some("oaepHashingAlgorithm".into()),
            encryption_certificate_fingerprint: Some("encryptionCertificateFingerprint".into()),
            encryption_key_fingerprint: Some("encryptionKeyFingerprint".into()),
        }
    }
}

/// The HTTP headers of the field-level *header mode*: one IV and wrapped key per message,
/// carried in headers instead of the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderNames {
    pub iv: String,
    pub encrypted_key: String,
    pub oaep_hashing_algorithm: Option<String>,
    pub encryption_certificate_fingerprint: Option<String>,
    pub encryption_key_fingerprint: Option<String>,
}

impl Default for HeaderNames {
    /// The names of Mastercard's own examples: `x-iv`, `x-encrypted-key`,
    /// `x-oaep-padding-digest-algorithm`, `x-encryption-certificate-fingerprint`,
    /// `x-encryption-key-fingerprint`.
    fn default() -> Self {
        HeaderNames {
            iv: "x-iv".into(),
            encrypted_key: "x-encrypted-key".into(),
            oaep_hashing_algorithm: Some("x-oaep-padding-digest-algorithm".into()),
            encryption_certificate_fingerprint: Some("x-encryption-certificate-fingerprint".into()),
            encryption_key_fingerprint: Some("x-encryption-key-fingerprint".into()),
        }
    }
}

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per configuration, never copied
pub(crate) enum SchemeSettings {
    Jwe {
        kid: Option<String>,
        iv_len: usize,
    },
    FieldLevel {
        encoding: FieldEncoding,
        oaep: OaepHash,
        fields: FieldNames,
        headers: Option<HeaderNames>,
        certificate_fingerprint: Option<String>,
        key_fingerprint: Option<String>,
    },
}

pub(crate) struct Inner {
    pub scheme: SchemeSettings,
    pub certificate: Option<EncryptionCertificate>,
    pub decryption_key: Option<DecryptionKey>,
    pub encryption_paths: Vec<(JsonPath, JsonPath)>,
    pub decryption_paths: Vec<(JsonPath, JsonPath)>,
    pub encrypted_value_field: String,
}

/// Payload encryption as a Mastercard service specifies it: encrypt request bodies to the
/// Client Encryption Key and decrypt response bodies with the client's Mastercard Encryption
/// Key, at the configured JSON paths. Build it with [`PayloadEncryption::builder`]; cheap to
/// clone. `Debug` shows no key material.
#[derive(Clone)]
pub struct PayloadEncryption {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for PayloadEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let paths = |v: &[(JsonPath, JsonPath)]| {
            v.iter()
                .map(|(a, b)| format!("{a}:{b}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        f.debug_struct("PayloadEncryption")
            .field("scheme", &self.scheme())
            .field("encrypts", &self.inner.certificate.is_some())
            .field("decrypts", &self.inner.decryption_key.is_some())
            .field("encryption_paths", &paths(&self.inner.encryption_paths))
            .field("decryption_paths", &paths(&self.inner.decryption_paths))
            .finish()
    }
}

impl PayloadEncryption {
    pub fn builder(scheme: Scheme) -> PayloadEncryptionBuilder {
        PayloadEncryptionBuilder {
            scheme,
            certificate: None,
            decryption_key: None,
            encryption_paths: Vec::new(),
            decryption_paths: Vec::new(),
            encrypted_value_field: None,
            kid: None,
            iv_len: 12,
            encoding: FieldEncoding::default(),
            oaep: OaepHash::default(),
            fields: FieldNames::default(),
            headers: None,
            certificate_fingerprint: None,
            key_fingerprint: None,
        }
    }

    pub fn scheme(&self) -> Scheme {
        match self.inner.scheme {
            SchemeSettings::Jwe { .. } => Scheme::Jwe,
            SchemeSettings::FieldLevel { .. } => Scheme::FieldLevel,
        }
    }

    /// True when a Client Encryption Key was given (requests can be encrypted).
    pub fn can_encrypt(&self) -> bool {
        self.inner.certificate.is_some()
    }

    /// True when a decryption key was given (responses can be decrypted).
    pub fn can_decrypt(&self) -> bool {
        self.inner.decryption_key.is_some()
    }
}

/// Builder of [`PayloadEncryption`]. Defaults are those of Mastercard's Java library: for JWE
/// the paths `$ → $` (encrypt) and `$.encryptedData → $` (decrypt) and the field
/// `encryptedData`; for the field-level scheme `$ → $` both ways, the field `encryptedValue`,
/// [`FieldNames::default`], HEX and OAEP SHA-256.
#[derive(Clone)]
pub struct PayloadEncryptionBuilder {
    scheme: Scheme,
    certificate: Option<EncryptionCertificate>,
    decryption_key: Option<DecryptionKey>,
    encryption_paths: Vec<(String, String)>,
    decryption_paths: Vec<(String, String)>,
    encrypted_value_field: Option<String>,
    kid: Option<String>,
    iv_len: usize,
    encoding: FieldEncoding,
    oaep: OaepHash,
    fields: FieldNames,
    headers: Option<HeaderNames>,
    certificate_fingerprint: Option<String>,
    key_fingerprint: Option<String>,
}

impl PayloadEncryptionBuilder {
    pub(crate) fn scheme_kind(&self) -> Scheme {
        self.scheme
    }

    /// Mastercard's public key (the *Client Encryption Key* certificate): requests are
    /// encrypted to it.
    pub fn encryption_certificate(mut self, cert: EncryptionCertificate) -> Self {
        self.certificate = Some(cert);
        self
    }

    /// The client's private key (the *Mastercard Encryption Key*): responses are decrypted
    /// with it.
    pub fn decryption_key(mut self, key: DecryptionKey) -> Self {
        self.decryption_key = Some(key);
        self
    }

    /// Encrypt the node at `json_path_in` into the object at `json_path_out` (repeatable).
    pub fn encryption_path(mut self, json_path_in: &str, json_path_out: &str) -> Self {
        self.encryption_paths
            .push((json_path_in.to_owned(), json_path_out.to_owned()));
        self
    }

    /// Decrypt the encrypted value at `json_path_in` (JWE: the token; field-level: the object
    /// holding the encrypted fields) into `json_path_out` (repeatable).
    pub fn decryption_path(mut self, json_path_in: &str, json_path_out: &str) -> Self {
        self.decryption_paths
            .push((json_path_in.to_owned(), json_path_out.to_owned()));
        self
    }

    /// The member holding the encrypted value (`encryptedData` for JWE, `encryptedValue` for
    /// the field-level scheme by default).
    pub fn encrypted_value_field_name(mut self, name: &str) -> Self {
        self.encrypted_value_field = Some(name.to_owned());
        self
    }

    /// JWE: the `kid` of encrypted requests (default: the certificate's key fingerprint).
    pub fn key_id(mut self, kid: &str) -> Self {
        self.kid = Some(kid.to_owned());
        self
    }

    /// JWE: the GCM IV length of encrypted requests, 12 (the default, RFC 7518 §5.3) or 16 (what
    /// Mastercard's own libraries send).
    pub fn iv_size(mut self, bytes: usize) -> Self {
        self.iv_len = bytes;
        self
    }

    /// Field-level: HEX (default) or BASE64.
    pub fn field_encoding(mut self, encoding: FieldEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Field-level: the OAEP hash of the key wrap (SHA-256 by default). Decryption follows what
    /// each message says.
    pub fn oaep_hash(mut self, hash: OaepHash) -> Self {
        self.oaep = hash;
        self
    }

    /// Field-level: the member names of the encryption parameters.
    pub fn field_names(mut self, names: FieldNames) -> Self {
        self.fields = names;
        self
    }

    /// Field-level: carry the parameters in HTTP headers (the payload then holds only the
    /// encrypted values; the field names are not used).
    pub fn header_mode(mut self, names: HeaderNames) -> Self {
        self.headers = Some(names);
        self
    }

    /// Field-level: the fingerprints to send, instead of the ones computed from the certificate.
    pub fn fingerprints(mut self, certificate: Option<&str>, key: Option<&str>) -> Self {
        self.certificate_fingerprint = certificate.map(str::to_owned);
        self.key_fingerprint = key.map(str::to_owned);
        self
    }

    fn paths(
        list: &[(String, String)],
        default: (&str, &str),
        what: &str,
    ) -> Result<Vec<(JsonPath, JsonPath)>> {
        let list: Vec<(&str, &str)> = if list.is_empty() {
            vec![default]
        } else {
            list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
        };
        list.into_iter()
            .map(|(a, b)| {
                let (a, b) = (JsonPath::parse(a)?, JsonPath::parse(b)?);
                if a.has_wildcard() != b.has_wildcard() {
                    return Err(Error::config(format!(
                        "{what} path `{a}` → `{b}`: a wildcard must be in both paths or neither"
                    )));
                }
                Ok((a, b))
            })
            .collect()
    }

    pub fn build(self) -> Result<PayloadEncryption> {
        if self.certificate.is_none() && self.decryption_key.is_none() {
            return Err(Error::config(
                "payload encryption needs an encryption certificate, a decryption key, or both",
            ));
        }
        let (scheme, default_field, decrypt_default) = match self.scheme {
            Scheme::Jwe => {
                if self.iv_len != 12 && self.iv_len != 16 {
                    return Err(Error::config("iv_size must be 12 or 16"));
                }
                if let Some(k) = &self.kid {
                    if k.is_empty() || k.chars().any(char::is_control) {
                        return Err(Error::config("key_id must be non-empty text"));
                    }
                }
                (
                    SchemeSettings::Jwe {
                        kid: self.kid,
                        iv_len: self.iv_len,
                    },
                    "encryptedData",
                    ("$.encryptedData", "$"),
                )
            }
            Scheme::FieldLevel => {
                let mut fields = self.fields;
                if self.headers.is_some() {
                    // One set of parameters per message, in headers: none in the payload.
                    fields = FieldNames {
                        iv: None,
                        encrypted_key: None,
                        oaep_hashing_algorithm: None,
                        encryption_certificate_fingerprint: None,
                        encryption_key_fingerprint: None,
                    };
                } else if fields.iv.is_none() || fields.encrypted_key.is_none() {
                    return Err(Error::config(
                        "field names: iv and encrypted_key are required unless the header mode is on",
                    ));
                }
                let fp = |given: Option<String>, computed: Option<&str>| {
                    given.or_else(|| computed.map(str::to_owned))
                };
                let cert = self.certificate.as_ref();
                (
                    SchemeSettings::FieldLevel {
                        encoding: self.encoding,
                        oaep: self.oaep,
                        fields,
                        headers: self.headers,
                        certificate_fingerprint: fp(
                            self.certificate_fingerprint,
                            cert.and_then(|c| c.certificate_fingerprint()),
                        ),
                        key_fingerprint: fp(
                            self.key_fingerprint,
                            cert.map(|c| c.key_fingerprint()),
                        ),
                    },
                    "encryptedValue",
                    ("$", "$"),
                )
            }
        };
        let encrypted_value_field = self
            .encrypted_value_field
            .unwrap_or_else(|| default_field.to_owned());
        if encrypted_value_field.is_empty() {
            return Err(Error::config(
                "encrypted_value_field_name must not be empty",
            ));
        }
        Ok(PayloadEncryption {
            inner: Arc::new(Inner {
                scheme,
                certificate: self.certificate,
                decryption_key: self.decryption_key,
                encryption_paths: Self::paths(&self.encryption_paths, ("$", "$"), "encryption")?,
                decryption_paths: Self::paths(
                    &self.decryption_paths,
                    decrypt_default,
                    "decryption",
                )?,
                encrypted_value_field,
            }),
        })
    }
}
