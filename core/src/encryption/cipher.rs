//! The primitives, all from well-kept crates: RSA-OAEP, AES-CBC, HMAC and randomness from
//! aws-lc-rs; AES-GCM from RustCrypto's `aes-gcm`, because Mastercard's libraries and servers
//! send 16-byte GCM nonces and aws-lc-rs takes only 12. Every failure is one opaque
//! `Encryption` error: which check failed is no business of whoever tampered with the input.

use crate::{Error, Result};
use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aes::{Aes128, Aes192, Aes256};
use aes_gcm::{AeadInOut, AesGcm, KeyInit, Nonce, Tag};
use aws_lc_rs::cipher::{
    DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey,
    UnboundCipherKey, AES_128, AES_192, AES_256,
};
use aws_lc_rs::rsa::{
    OaepAlgorithm, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, OAEP_SHA256_MGF1SHA256,
    OAEP_SHA512_MGF1SHA512,
};
use zeroize::Zeroizing;

/// The hash of RSA-OAEP (and of its MGF1): SHA-256 (JWE `RSA-OAEP-256`, and the field-level
/// default) or SHA-512 (field-level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OaepHash {
    #[default]
    Sha256,
    Sha512,
}

impl OaepHash {
    /// `SHA256` / `SHA512`: what the field-level scheme writes in `oaepHashingAlgorithm`.
    pub fn as_str(self) -> &'static str {
        match self {
            OaepHash::Sha256 => "SHA256",
            OaepHash::Sha512 => "SHA512",
        }
    }

    fn algorithm(self) -> &'static OaepAlgorithm {
        match self {
            OaepHash::Sha256 => &OAEP_SHA256_MGF1SHA256,
            OaepHash::Sha512 => &OAEP_SHA512_MGF1SHA512,
        }
    }
}

impl std::str::FromStr for OaepHash {
    type Err = Error;

    /// `SHA256`, `SHA-256`, `sha256` (and the same for 512), as the libraries write them.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_uppercase().replace('-', "").as_str() {
            "SHA256" => Ok(OaepHash::Sha256),
            "SHA512" => Ok(OaepHash::Sha512),
            _ => Err(Error::config(format!(
                "oaep: `{}` is not SHA256 or SHA512",
                s.chars().take(20).collect::<String>()
            ))),
        }
    }
}

fn failed() -> Error {
    Error::encryption("the payload cannot be decrypted (tampered, truncated, or not for this key)")
}

pub(crate) fn random(len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(vec![0u8; len]);
    aws_lc_rs::rand::fill(&mut buf)
        .map_err(|_| Error::encryption("the system random number generator failed"))?;
    Ok(buf)
}

pub(crate) fn rsa_wrap(
    key: &OaepPublicEncryptingKey,
    hash: OaepHash,
    cek: &[u8],
) -> Result<Vec<u8>> {
    let mut out = vec![0u8; key.ciphertext_size()];
    let n = key
        .encrypt(hash.algorithm(), cek, &mut out, None)
        .map_err(|_| Error::encryption("RSA-OAEP key wrapping failed"))?
        .len();
    out.truncate(n);
    Ok(out)
}

pub(crate) fn rsa_unwrap(
    key: &OaepPrivateDecryptingKey,
    hash: OaepHash,
    wrapped: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if wrapped.len() != key.key_size_bytes() {
        return Err(failed());
    }
    let mut out = Zeroizing::new(vec![0u8; key.min_output_size()]);
    let n = key
        .decrypt(hash.algorithm(), wrapped, &mut out, None)
        .map_err(|_| failed())?
        .len();
    out.truncate(n);
    Ok(out)
}

/// AES-GCM with a 128-bit tag, any AES key size, a 12- or 16-byte nonce. Encrypts `buf` in
/// place and returns the tag.
pub(crate) fn gcm_seal(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<[u8; 16]> {
    macro_rules! seal {
        ($aes:ty, $n:ty) => {{
            let c = AesGcm::<$aes, $n>::new_from_slice(key).map_err(|_| failed())?;
            let nonce = Nonce::<$n>::try_from(iv).map_err(|_| failed())?;
            let tag = c
                .encrypt_inout_detached(&nonce, aad, buf.into())
                .map_err(|_| Error::encryption("AES-GCM encryption failed"))?;
            Ok(tag.into())
        }};
    }
    match (key.len(), iv.len()) {
        (16, 12) => seal!(Aes128, U12),
        (16, 16) => seal!(Aes128, U16),
        (24, 12) => seal!(Aes192, U12),
        (24, 16) => seal!(Aes192, U16),
        (32, 12) => seal!(Aes256, U12),
        (32, 16) => seal!(Aes256, U16),
        _ => Err(failed()),
    }
}

/// The inverse of [`gcm_seal`]: the tag is always verified, and nothing of the plaintext is
/// returned when it does not match.
pub(crate) fn gcm_open(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let tag = Tag::<U16>::try_from(tag).map_err(|_| failed())?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    macro_rules! open {
        ($aes:ty, $n:ty) => {{
            let c = AesGcm::<$aes, $n>::new_from_slice(key).map_err(|_| failed())?;
            let nonce = Nonce::<$n>::try_from(iv).map_err(|_| failed())?;
            c.decrypt_inout_detached(&nonce, aad, buf.as_mut_slice().into(), &tag)
                .map_err(|_| failed())?;
        }};
    }
    match (key.len(), iv.len()) {
        (16, 12) => open!(Aes128, U12),
        (16, 16) => open!(Aes128, U16),
        (24, 12) => open!(Aes192, U12),
        (24, 16) => open!(Aes192, U16),
        (32, 12) => open!(Aes256, U12),
        (32, 16) => open!(Aes256, U16),
        _ => return Err(failed()),
    }
    Ok(buf)
}

fn aes(key: &[u8]) -> Result<UnboundCipherKey> {
    let alg = match key.len() {
        16 => &AES_128,
        24 => &AES_192,
        32 => &AES_256,
        _ => return Err(failed()),
    };
    UnboundCipherKey::new(alg, key).map_err(|_| failed())
}

/// AES-CBC with PKCS#7 padding and the given 16-byte IV.
pub(crate) fn cbc_encrypt(key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let iv: [u8; 16] = iv.try_into().map_err(|_| failed())?;
    let k = PaddedBlockEncryptingKey::cbc_pkcs7(aes(key)?)
        .map_err(|_| Error::encryption("AES-CBC key setup failed"))?;
    let mut buf = plaintext.to_vec();
    k.less_safe_encrypt(&mut buf, EncryptionContext::Iv128(iv.into()))
        .map_err(|_| Error::encryption("AES-CBC encryption failed"))?;
    Ok(buf)
}

pub(crate) fn cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let iv: [u8; 16] = iv.try_into().map_err(|_| failed())?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(failed());
    }
    let k = PaddedBlockDecryptingKey::cbc_pkcs7(aes(key)?).map_err(|_| failed())?;
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let n = k
        .decrypt(&mut buf, DecryptionContext::Iv128(iv.into()))
        .map_err(|_| failed())?
        .len();
    buf.truncate(n);
    Ok(buf)
}

/// JWE `A128CBC-HS256` (RFC 7518 §5.2.2.2): the HMAC-SHA-256 tag over AAD, IV, ciphertext and
/// the AAD's bit length is verified, in constant time, before anything is decrypted.
pub(crate) fn cbc_hs256_open(
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if cek.len() != 32 || tag.len() != 16 {
        return Err(failed());
    }
    let (mac_key, enc_key) = cek.split_at(16);
    let mac_key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, mac_key);
    let mut ctx = aws_lc_rs::hmac::Context::with_key(&mac_key);
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ciphertext);
    ctx.update(&((aad.len() as u64) * 8).to_be_bytes());
    let full = ctx.sign();
    aws_lc_rs::constant_time::verify_slices_are_equal(&full.as_ref()[..16], tag)
        .map_err(|_| failed())?;
    cbc_decrypt(enc_key, iv, ciphertext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcm_round_trips_with_12_and_16_byte_nonces_and_refuses_any_change() {
        for (klen, ivlen) in [(16, 12), (16, 16), (24, 12), (24, 16), (32, 12), (32, 16)] {
            let key = random(klen).unwrap();
            let iv = random(ivlen).unwrap();
            let mut buf = b"{\"a\":1}".to_vec();
            let tag = gcm_seal(&key, &iv, b"aad", &mut buf).unwrap();
            assert_ne!(buf, b"{\"a\":1}");
            let plain = gcm_open(&key, &iv, b"aad", &buf, &tag).unwrap();
            assert_eq!(plain.as_slice(), b"{\"a\":1}");
            let mut bad_tag = tag;
            bad_tag[15] ^= 1;
            assert!(gcm_open(&key, &iv, b"aad", &buf, &bad_tag).is_err());
            assert!(gcm_open(&key, &iv, b"aaD", &buf, &tag).is_err());
            let mut bad_ct = buf.clone();
            bad_ct[0] ^= 1;
            assert!(gcm_open(&key, &iv, b"aad", &bad_ct, &tag).is_err());
            assert!(gcm_open(&key, &iv, b"aad", &buf, &tag[..15]).is_err());
        }
        assert!(gcm_open(&[0; 16], &[0; 8], b"", b"", &[0; 16]).is_err());
    }

    #[test]
    fn cbc_round_trips_for_every_key_size_and_refuses_bad_lengths() {
        for klen in [16, 24, 32] {
            let key = random(klen).unwrap();
            let iv = random(16).unwrap();
            let ct = cbc_encrypt(&key, &iv, b"hello, world").unwrap();
            assert_eq!(ct.len(), 16);
            assert_eq!(
                cbc_decrypt(&key, &iv, &ct).unwrap().as_slice(),
                b"hello, world"
            );
        }
        assert!(cbc_decrypt(&[0; 16], &[0; 16], &[0; 15]).is_err());
        assert!(cbc_decrypt(&[0; 16], &[0; 12], &[0; 16]).is_err());
        assert!(cbc_decrypt(&[0; 20], &[0; 16], &[0; 16]).is_err());
    }

    #[test]
    fn oaep_hash_names_parse_as_the_libraries_write_them() {
        for s in ["SHA256", "SHA-256", "sha256"] {
            assert_eq!(s.parse::<OaepHash>().unwrap(), OaepHash::Sha256);
        }
        assert_eq!("SHA-512".parse::<OaepHash>().unwrap(), OaepHash::Sha512);
        assert!("SHA1".parse::<OaepHash>().is_err());
    }
}
