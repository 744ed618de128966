//! Loading a signing key: RSA (OAuth 1.0a, and PS256 for OAuth 2.0) or EC P-256 (ES256 for
//! OAuth 2.0); PKCS#12, PEM (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8) and DER.

use crate::{Error, Result};
use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

const RSA_ENCRYPTION_OID: &str = "1.2.840.113549.1.1.1";
const EC_PUBLIC_KEY_OID: &str = "1.2.840.10045.2.1";

/// A private key, parsed once: RSA (OAuth 1.0a; PS256 for OAuth 2.0) or EC P-256 (ES256 for
/// OAuth 2.0 only).
///
/// Cloning is cheap (shared). `Debug` is redacted. The key lives in aws-lc, whose free functions
/// release it through `OPENSSL_free`, which cleanses the memory; the intermediate DER buffers
/// finauth holds are zeroized on drop.
#[derive(Clone)]
pub struct SigningKey {
    pub(crate) pair: KeyPair,
}

#[derive(Clone)]
pub(crate) enum KeyPair {
    Rsa(Arc<RsaKeyPair>),
    EcP256(Arc<EcdsaKeyPair>),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({}, [REDACTED])", self.algorithm())
    }
}

fn key_err(msg: impl Into<String>) -> Error {
    Error::SigningKey(msg.into())
}

impl SigningKey {
    /// The key size in bits (the RSA modulus; 256 for P-256).
    pub fn bits(&self) -> usize {
        match &self.pair {
            KeyPair::Rsa(p) => p.public_modulus_len() * 8,
            KeyPair::EcP256(_) => 256,
        }
    }

    /// `RSA-2048`, `EC-P256`, ...
    pub fn algorithm(&self) -> String {
        match &self.pair {
            KeyPair::Rsa(_) => format!("RSA-{}", self.bits()),
            KeyPair::EcP256(_) => "EC-P256".into(),
        }
    }

    /// True for an RSA key (the only kind OAuth 1.0a signs with).
    pub fn is_rsa(&self) -> bool {
        matches!(self.pair, KeyPair::Rsa(_))
    }

    pub(crate) fn rsa(&self) -> Option<&RsaKeyPair> {
        match &self.pair {
            KeyPair::Rsa(p) => Some(p),
            KeyPair::EcP256(_) => None,
        }
    }

    /// A DER key: PKCS#8 `PrivateKeyInfo` (RSA or EC P-256), PKCS#1 `RSAPrivateKey` or SEC1
    /// `ECPrivateKey` (P-256).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if let Ok(info) = pkcs8::PrivateKeyInfoRef::try_from(der) {
            let oid = info.algorithm.oid.to_string();
            if oid == EC_PUBLIC_KEY_OID {
                return EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map(Self::wrap_ec)
                    .map_err(|_| {
                        key_err(
                            "the PKCS#8 EC key was rejected (only the P-256 curve is supported)",
                        )
                    });
            }
            if oid != RSA_ENCRYPTION_OID {
                return Err(key_err(format!(
                    "unsupported key algorithm (PKCS#8 algorithm {}); use an RSA or EC P-256 key",
                    algorithm_name(&oid)
                )));
            }
            return RsaKeyPair::from_pkcs8(der)
                .map(Self::wrap)
                .map_err(|e| key_err(format!("the PKCS#8 RSA key was rejected: {e}")));
        }
        if let Ok(pair) = RsaKeyPair::from_der(der) {
            return Ok(Self::wrap(pair));
        }
        if let Ok(pair) = EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
        {
            return Ok(Self::wrap_ec(pair));
        }
        if pkcs8::EncryptedPrivateKeyInfoRef::try_from(der).is_ok() {
            return Err(key_err(
                "the key is an encrypted PKCS#8 key: load it with a password (from_pem / from_file)",
            ));
        }
        Err(key_err(
            "unsupported key format: not a DER PKCS#8 or PKCS#1 RSA private key",
        ))
    }

    /// An encrypted PKCS#8 DER key (`EncryptedPrivateKeyInfo`, PBES2).
    pub fn from_encrypted_der(der: &[u8], password: &str) -> Result<Self> {
        let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der)
            .map_err(|_| key_err("not an encrypted PKCS#8 key"))?;
        let doc = info.decrypt(password).map_err(|_| {
            key_err("cannot decrypt the encrypted PKCS#8 key: wrong password or unsupported encryption scheme")
        })?;
        Self::from_der(doc.as_bytes())
    }

    /// A PEM key: `RSA PRIVATE KEY` (PKCS#1), `PRIVATE KEY` (PKCS#8) or `ENCRYPTED PRIVATE KEY`
    /// (PKCS#8 with a password). Other blocks (certificates) before the key are skipped.
    pub fn from_pem(text: &str, password: Option<&str>) -> Result<Self> {
        let blocks =
            pem::parse_many(text).map_err(|e| key_err(format!("not a valid PEM file: {e}")))?;
        let block = blocks
            .iter()
            .find(|b| b.tag().ends_with("PRIVATE KEY"))
            .ok_or_else(|| {
                key_err(format!(
                    "the PEM holds no private key (found: {})",
                    if blocks.is_empty() {
                        "nothing".to_owned()
                    } else {
                        blocks
                            .iter()
                            .map(|b| b.tag())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ))
            })?;
        let der = Zeroizing::new(block.contents().to_vec());
        match block.tag() {
            "RSA PRIVATE KEY" => {
                if block.headers().get("Proc-Type").is_some() {
                    return Err(key_err(
                        "unsupported key format: legacy OpenSSL-encrypted PKCS#1 PEM; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
                    ));
                }
                RsaKeyPair::from_der(&der)
                    .map(Self::wrap)
                    .map_err(|e| key_err(format!("the PKCS#1 RSA key was rejected: {e}")))
            }
            "PRIVATE KEY" => Self::from_der(&der),
            "ENCRYPTED PRIVATE KEY" => match password {
                Some(p) => Self::from_encrypted_der(&der, p),
                None => Err(key_err(
                    "the key is encrypted (ENCRYPTED PRIVATE KEY): a password is needed",
                )),
            },
            "EC PRIVATE KEY" => {
                if block.headers().get("Proc-Type").is_some() {
                    return Err(key_err(
                        "unsupported key format: legacy OpenSSL-encrypted SEC1 PEM; convert it with `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
                    ));
                }
                EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                    .map(Self::wrap_ec)
                    .map_err(|_| {
                        key_err("the SEC1 EC key was rejected (only the P-256 curve is supported)")
                    })
            }
            other => Err(key_err(format!("unsupported PEM key type: {other}"))),
        }
    }

    /// The private key of a PKCS#12 (`.p12`/`.pfx`) file, modern (PBES2/AES) or legacy
    /// (3DES/RC2). With `alias`, the entry of that name (compared as Java's keystore does:
    /// case-insensitively); without, the only private key in the file.
    pub fn from_pkcs12(bytes: &[u8], password: &str, alias: Option<&str>) -> Result<Self> {
        use p12_keystore::{KeyStore, KeyStoreEntry, Pkcs12ImportPolicy};
        let store = KeyStore::from_pkcs12(bytes, password, Pkcs12ImportPolicy::Relaxed).map_err(
            |e| match e {
                p12_keystore::error::Error::MacError(_) => key_err(
                    "cannot open the PKCS#12 file: wrong password (the integrity check failed)",
                ),
                p12_keystore::error::Error::DerError(_) => {
                    key_err("unsupported key format: not a PKCS#12 file")
                }
                p12_keystore::error::Error::UnsupportedEncryptionScheme
                | p12_keystore::error::Error::UnsupportedMacAlgorithm => {
                    key_err("the PKCS#12 file uses an unsupported encryption or MAC algorithm")
                }
                _ => key_err("cannot decrypt the PKCS#12 file: wrong password or corrupt file"),
            },
        )?;
        let keys: Vec<(&String, &p12_keystore::PrivateKeyChain)> = store
            .entries()
            .filter_map(|(a, e)| match e {
                KeyStoreEntry::PrivateKeyChain(c) => Some((a, c)),
                _ => None,
            })
            .collect();
        let names = || {
            keys.iter()
                .map(|(a, _)| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let chain = match alias {
            Some(want) => keys
                .iter()
                .find(|(a, _)| a.as_str() == want)
                .or_else(|| keys.iter().find(|(a, _)| a.eq_ignore_ascii_case(want)))
                .map(|(_, c)| *c)
                .ok_or_else(|| {
                    key_err(format!(
                        "no private key with alias '{want}' in the PKCS#12 file (aliases: {})",
                        if keys.is_empty() {
                            "none".to_owned()
                        } else {
                            names()
                        }
                    ))
                })?,
            None => match keys.as_slice() {
                [(_, c)] => *c,
                [] => return Err(key_err("the PKCS#12 file holds no private key")),
                _ => {
                    return Err(key_err(format!(
                    "the PKCS#12 file holds several private keys: choose one with an alias ({})",
                    names()
                )))
                }
            },
        };
        Self::from_der(chain.key().as_der())
    }

    /// A key file of any supported format, chosen by content: PEM text, DER PKCS#8/PKCS#1,
    /// encrypted PKCS#8 DER, or PKCS#12. `password` is needed for PKCS#12 (empty when `None`)
    /// and encrypted keys; `alias` only applies to PKCS#12.
    pub fn from_file(
        path: impl AsRef<Path>,
        password: Option<&str>,
        alias: Option<&str>,
    ) -> Result<Self> {
        Self::from_bytes(&read_key_file(path.as_ref())?, password, alias)
    }

    /// [`SigningKey::from_pkcs12`] on a file (and nothing but PKCS#12).
    pub fn from_pkcs12_file(
        path: impl AsRef<Path>,
        password: &str,
        alias: Option<&str>,
    ) -> Result<Self> {
        Self::from_pkcs12(&read_key_file(path.as_ref())?, password, alias)
    }

    /// [`SigningKey::from_pem`] on a file (and nothing but PEM).
    pub fn from_pem_file(path: impl AsRef<Path>, password: Option<&str>) -> Result<Self> {
        let bytes = read_key_file(path.as_ref())?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            key_err("not a PEM key (not text; for DER or PKCS#12 use the PKCS#12 or file loader)")
        })?;
        Self::from_pem(text, password)
    }

    /// Like [`SigningKey::from_file`], on the file's bytes.
    pub fn from_bytes(bytes: &[u8], password: Option<&str>, alias: Option<&str>) -> Result<Self> {
        if let Ok(text) = std::str::from_utf8(bytes) {
            if text.contains("-----BEGIN ") {
                return Self::from_pem(text, password);
            }
        }
        if pkcs8::PrivateKeyInfoRef::try_from(bytes).is_ok()
            || RsaKeyPair::from_der(bytes).is_ok()
            || EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes).is_ok()
        {
            return Self::from_der(bytes);
        }
        if pkcs8::EncryptedPrivateKeyInfoRef::try_from(bytes).is_ok() {
            return match password {
                Some(p) => Self::from_encrypted_der(bytes, p),
                None => Err(key_err(
                    "the key is an encrypted PKCS#8 key: a password is needed",
                )),
            };
        }
        Self::from_pkcs12(bytes, password.unwrap_or(""), alias).map_err(|e| match e {
            Error::SigningKey(m) if m.contains("not a PKCS#12 file") => key_err(
                "unsupported key format: expected PEM (PKCS#1, PKCS#8, encrypted PKCS#8), DER (PKCS#8, PKCS#1) or PKCS#12",
            ),
            e => e,
        })
    }

    fn wrap(pair: RsaKeyPair) -> Self {
        SigningKey {
            pair: KeyPair::Rsa(Arc::new(pair)),
        }
    }

    fn wrap_ec(pair: EcdsaKeyPair) -> Self {
        SigningKey {
            pair: KeyPair::EcP256(Arc::new(pair)),
        }
    }
}

fn algorithm_name(oid: &str) -> String {
    match oid {
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.2.840.113549.1.1.10" => "RSASSA-PSS (restricted RSA key)".into(),
        other => format!("OID {other}"),
    }
}

/// A key file's bytes, wiped when dropped; the error names the file, never its content.
fn read_key_file(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    std::fs::read(path).map(Zeroizing::new).map_err(|e| {
        key_err(format!(
            "cannot read the key file {}: {}",
            path.display(),
            e.kind()
        ))
    })
}
