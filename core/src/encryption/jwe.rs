//! JWE compact serialisation (RFC 7516 §3.1) as Mastercard uses it: `RSA-OAEP-256` key wrap;
//! `A256GCM` when encrypting, any of `A128GCM`, `A192GCM`, `A256GCM` (12- or 16-byte IVs) and
//! `A128CBC-HS256` when decrypting. Every tag is verified; there is no way to skip it.

use super::cipher::{self, OaepHash};
use super::codec::{b64_decode, b64url};
use super::keys::{DecryptionKey, EncryptionCertificate};
use crate::{Error, Result};
use serde_json::Value;
use zeroize::Zeroizing;

const ALG: &str = "RSA-OAEP-256";
const ENC: &str = "A256GCM";
/// Compact JWEs larger than this are refused before any work (a response body bound, not a
/// limit any real payload meets).
const MAX_JWE_LEN: usize = 64 << 20;

fn malformed(what: &str) -> Error {
    Error::encryption(format!("not a valid JWE: {what}"))
}

/// Encrypts `plaintext` to `cert`: a random 256-bit CEK, a random IV of `iv_len` (12 or 16)
/// bytes, protected header `{kid, cty, enc, alg}` in the order Mastercard's libraries write it.
pub(crate) fn encrypt(
    cert: &EncryptionCertificate,
    kid: &str,
    iv_len: usize,
    plaintext: &[u8],
) -> Result<String> {
    let header = format!(
        r#"{{"kid":{},"cty":"application/json","enc":"{ENC}","alg":"{ALG}"}}"#,
        Value::from(kid)
    );
    let header = b64url(header.as_bytes());
    let cek = cipher::random(32)?;
    let iv = cipher::random(iv_len)?;
    let wrapped = cipher::rsa_wrap(&cert.key, OaepHash::Sha256, &cek)?;
    let mut buf = plaintext.to_vec();
    let tag = cipher::gcm_seal(&cek, &iv, header.as_bytes(), &mut buf)?;
    Ok(format!(
        "{header}.{}.{}.{}.{}",
        b64url(&wrapped),
        b64url(&iv),
        b64url(&buf),
        b64url(&tag)
    ))
}

/// The protected header's members finauth acts on.
#[derive(Debug)]
pub(crate) struct Header {
    pub enc: String,
    pub kid: Option<String>,
}

fn header(raw: &str) -> Result<Header> {
    let bytes = b64_decode(raw).ok_or_else(|| malformed("the header is not base64"))?;
    let v: Value =
        serde_json::from_slice(&bytes).map_err(|_| malformed("the header is not JSON"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| malformed("the header is not a JSON object"))?;
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    match text("alg").as_deref() {
        Some(ALG) => {}
        Some(other) => {
            return Err(Error::encryption(format!(
                "unsupported JWE key management algorithm `{}` (only {ALG})",
                other.chars().take(32).collect::<String>()
            )))
        }
        None => return Err(malformed("the header has no alg")),
    }
    // RFC 7516 §4.1.3/§4.1.13: a compressed or `crit` JWE cannot be read correctly here.
    if obj.contains_key("zip") || obj.contains_key("crit") {
        return Err(Error::encryption(
            "unsupported JWE: compressed (zip) or with critical (crit) extensions",
        ));
    }
    let enc = text("enc").ok_or_else(|| malformed("the header has no enc"))?;
    Ok(Header {
        enc,
        kid: text("kid"),
    })
}

/// Decrypts a compact JWE with `key`. Any damage (a changed byte in the header, key, IV,
/// ciphertext or tag; a truncated or oversized token) is an `Encryption` error.
pub(crate) fn decrypt(key: &DecryptionKey, token: &str) -> Result<Zeroizing<Vec<u8>>> {
    let token = token.trim();
    if token.len() > MAX_JWE_LEN {
        return Err(malformed("larger than 64 MiB"));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [raw_header, wrapped, iv, ciphertext, tag] = parts[..] else {
        return Err(malformed("a compact JWE has five parts"));
    };
    let h = header(raw_header)?;
    let decode = |part: &str, what: &str| {
        b64_decode(part).ok_or_else(|| malformed(&format!("the {what} is not base64")))
    };
    let wrapped = decode(wrapped, "encrypted key")?;
    let iv = decode(iv, "IV")?;
    let ciphertext = decode(ciphertext, "ciphertext")?;
    let tag = decode(tag, "tag")?;
    let cek = cipher::rsa_unwrap(&key.key, OaepHash::Sha256, &wrapped).map_err(|e| {
        // The kid is not secret: naming both keys turns "cannot decrypt" into a clear fix.
        match &h.kid {
            Some(kid) if !kid.eq_ignore_ascii_case(key.key_fingerprint()) => {
                Error::encryption(format!(
                    "the payload was encrypted to the key `{}`, not to this decryption key ({})",
                    kid.chars().take(100).collect::<String>(),
                    key.key_fingerprint()
                ))
            }
            _ => e,
        }
    })?;
    let aad = raw_header.as_bytes();
    let cek_len = match h.enc.as_str() {
        "A128GCM" => 16,
        "A192GCM" => 24,
        "A256GCM" | "A128CBC-HS256" => 32,
        other => {
            return Err(Error::encryption(format!(
            "unsupported JWE content encryption `{}` (A128GCM, A192GCM, A256GCM, A128CBC-HS256)",
            other.chars().take(32).collect::<String>()
        )))
        }
    };
    if cek.len() != cek_len {
        return Err(Error::encryption(
            "the payload cannot be decrypted (tampered, truncated, or not for this key)",
        ));
    }
    if h.enc == "A128CBC-HS256" {
        cipher::cbc_hs256_open(&cek, &iv, aad, &ciphertext, &tag)
    } else {
        cipher::gcm_open(&cek, &iv, aad, &ciphertext, &tag)
    }
}

/// The protected header of a compact JWE, unverified (for the `kid` check of a caller).
#[cfg(test)]
pub(crate) fn peek_header(token: &str) -> Result<Header> {
    header(token.split('.').next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn keys_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/encryption-keys")
    }

    pub(crate) fn pair() -> (EncryptionCertificate, DecryptionKey) {
        let d = keys_dir();
        (
            EncryptionCertificate::from_file(d.join("client-encryption-cert.pem")).unwrap(),
            DecryptionKey::from_file(d.join("client-encryption-key.pem"), None, None).unwrap(),
        )
    }

    #[test]
    fn round_trip_with_both_iv_sizes_and_the_header_mastercard_writes() {
        let (cert, key) = pair();
        for iv in [12, 16] {
            let jwe = encrypt(&cert, cert.key_fingerprint(), iv, b"{\"a\":\"b\"}").unwrap();
            assert_eq!(jwe.split('.').count(), 5);
            assert!(!jwe.contains(['=', '+', '/']), "strict base64url: {jwe}");
            let h = peek_header(&jwe).unwrap();
            assert_eq!(h.enc, "A256GCM");
            assert_eq!(h.kid.as_deref(), Some(cert.key_fingerprint()));
            assert_eq!(decrypt(&key, &jwe).unwrap().as_slice(), b"{\"a\":\"b\"}");
        }
    }

    #[test]
    fn a_changed_byte_in_any_part_is_an_encryption_error() {
        let (cert, key) = pair();
        let jwe = encrypt(&cert, "kid", 12, b"{\"secret\":42}").unwrap();
        let parts: Vec<&str> = jwe.split('.').collect();
        for i in 0..5 {
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            let mut bytes = b64_decode(&p[i]).unwrap();
            let at = bytes.len() / 2;
            bytes[at] ^= 0x01;
            p[i] = b64url(&bytes);
            let e = decrypt(&key, &p.join(".")).unwrap_err();
            assert!(matches!(e, Error::Encryption(_)), "part {i}: {e:?}");
        }
        for bad in ["", "a.b.c.d", "a.b.c.d.e.f", &jwe[..jwe.len() - 3], "....."] {
            assert!(
                matches!(decrypt(&key, bad), Err(Error::Encryption(_))),
                "{bad}"
            );
        }
    }
}
