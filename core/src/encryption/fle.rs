//! Mastercard's field-level scheme, one value at a time: a random AES-128 key and 16-byte IV
//! per message (or per path), the key wrapped with RSA-OAEP (SHA-256 or SHA-512, MGF1 the
//! same), the value encrypted with AES-CBC and PKCS#7; binary values as HEX or BASE64 text.

use super::cipher::{self, OaepHash};
use super::codec;
use super::keys::{DecryptionKey, EncryptionCertificate};
use crate::{Error, Result};
use zeroize::Zeroizing;

/// How the field-level scheme writes binary values (IV, wrapped key, ciphertext) as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldEncoding {
    #[default]
    Hex,
    Base64,
}

impl FieldEncoding {
    pub(crate) fn encode(self, bytes: &[u8]) -> String {
        match self {
            FieldEncoding::Hex => codec::hex(bytes),
            FieldEncoding::Base64 => codec::b64(bytes),
        }
    }

    pub(crate) fn decode(self, text: &str, what: &str) -> Result<Vec<u8>> {
        match self {
            FieldEncoding::Hex => codec::hex_decode(text),
            FieldEncoding::Base64 => codec::b64_decode(text),
        }
        .ok_or_else(|| {
            Error::encryption(format!(
                "the {what} is not {}",
                match self {
                    FieldEncoding::Hex => "hex",
                    FieldEncoding::Base64 => "base64",
                }
            ))
        })
    }
}

impl std::str::FromStr for FieldEncoding {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hex" => Ok(FieldEncoding::Hex),
            "base64" => Ok(FieldEncoding::Base64),
            _ => Err(Error::config(format!(
                "field encoding: `{}` is not hex or base64",
                s.chars().take(20).collect::<String>()
            ))),
        }
    }
}

/// The secret of one field-level message: the AES key, the IV, and how they travel.
pub(crate) struct Params {
    key: Zeroizing<Vec<u8>>,
    pub iv: Vec<u8>,
    pub wrapped_key: Vec<u8>,
    pub oaep: OaepHash,
}

impl Params {
    /// New random parameters for a message to `cert`.
    pub fn generate(cert: &EncryptionCertificate, oaep: OaepHash) -> Result<Self> {
        let key = cipher::random(16)?;
        let iv = cipher::random(16)?.to_vec();
        let wrapped_key = cipher::rsa_wrap(&cert.key, oaep, &key)?;
        Ok(Params {
            key,
            iv,
            wrapped_key,
            oaep,
        })
    }

    /// The parameters a message carries, unwrapped with `key`.
    pub fn read(
        key: &DecryptionKey,
        iv: &str,
        wrapped_key: &str,
        oaep: OaepHash,
        encoding: FieldEncoding,
    ) -> Result<Self> {
        let iv = encoding.decode(iv, "IV")?;
        let wrapped_key = encoding.decode(wrapped_key, "encrypted key")?;
        let aes_key = cipher::rsa_unwrap(&key.key, oaep, &wrapped_key)?;
        Ok(Params {
            key: aes_key,
            iv,
            wrapped_key,
            oaep,
        })
    }

    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        cipher::cbc_encrypt(&self.key, &self.iv, plaintext)
    }

    /// Any AES key length the sender chose is accepted (Mastercard sends 128 or 256 bits).
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        cipher::cbc_decrypt(&self.key, &self.iv, ciphertext)
    }
}
