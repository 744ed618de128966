//! Keyed fingerprints of secrets (so a store never holds a rejected secret) and the sealing of a
//! rotated secret for the processes that hold its predecessor.

use crate::error::{Error, Result};
use crate::secret::Secret;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::{hkdf, hmac};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// A fresh random fingerprint key, Base64; `None` only if the system RNG fails.
pub(crate) fn new_salt() -> Option<String> {
    random_bytes::<32>().ok().map(|b| STANDARD.encode(b))
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Store("the system random number generator failed".into()))?;
    Ok(b)
}

fn salt_bytes(salt: &str) -> Vec<u8> {
    STANDARD
        .decode(salt)
        .unwrap_or_else(|_| salt.as_bytes().to_vec())
}

/// HMAC-SHA256(salt, identity || 0 || secret), Base64: equal secrets match, the secret stays unknown.
pub(crate) fn fingerprint(salt: &str, identity: &str, secret: &Secret) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &salt_bytes(salt));
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(identity.as_bytes());
    ctx.update(&[0]);
    ctx.update(secret.expose().as_bytes());
    STANDARD.encode(ctx.sign().as_ref())
}

struct KeyLen;
impl hkdf::KeyType for KeyLen {
    fn len(&self) -> usize {
        32
    }
}

fn rotation_key(salt: &str, identity: &str, old: &Secret) -> Result<LessSafeKey> {
    let prk =
        hkdf::Salt::new(hkdf::HKDF_SHA256, &salt_bytes(salt)).extract(old.expose().as_bytes());
    let info = [b"finauth rotation v1\0".as_slice(), identity.as_bytes()];
    let okm = prk
        .expand(&info, KeyLen)
        .map_err(|_| Error::Store("key derivation failed".into()))?;
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    okm.fill(key.as_mut())
        .map_err(|_| Error::Store("key derivation failed".into()))?;
    let unbound = UnboundKey::new(&AES_256_GCM, key.as_ref())
        .map_err(|_| Error::Store("bad rotation key".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// Seal `new` so that only a holder of `old` can open it.
pub(crate) fn seal(salt: &str, identity: &str, old: &Secret, new: &Secret) -> Result<String> {
    let key = rotation_key(salt, identity, old)?;
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let mut buf = zeroize::Zeroizing::new(new.expose().as_bytes().to_vec());
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce_bytes),
        Aad::from(identity.as_bytes()),
        &mut *buf,
    )
    .map_err(|_| Error::Store("sealing the rotated secret failed".into()))?;
    let mut out = nonce_bytes.to_vec();
    out.extend_from_slice(&buf);
    Ok(STANDARD.encode(out))
}

/// Open a sealed successor with the old secret; `None` if it was not sealed for this secret.
pub(crate) fn open(salt: &str, identity: &str, old: &Secret, sealed: &str) -> Option<Secret> {
    let key = rotation_key(salt, identity, old).ok()?;
    let raw = STANDARD.decode(sealed).ok()?;
    if raw.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ct) = raw.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut buf = zeroize::Zeroizing::new(ct.to_vec());
    let plain = key
        .open_in_place(nonce, Aad::from(identity.as_bytes()), &mut buf)
        .ok()?;
    let s = std::str::from_utf8(plain).ok()?;
    Some(Secret::new(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_keyed_and_stable() {
        let s = Secret::new("DemoSecret2026");
        let a = fingerprint("c2FsdA==", "id", &s);
        assert_eq!(a, fingerprint("c2FsdA==", "id", &s));
        assert_ne!(a, fingerprint("b3RoZXI=", "id", &s));
        assert!(!a.contains("DemoSecret2026"));
    }

    #[test]
    fn sealed_secret_opens_only_with_the_old_secret() {
        let old = Secret::new("OldSecret2026");
        let new = Secret::new("NewSecret2027");
        let sealed = seal("c2FsdA==", "id", &old, &new).unwrap();
        assert_eq!(
            open("c2FsdA==", "id", &old, &sealed).unwrap().expose(),
            "NewSecret2027"
        );
        assert!(open("c2FsdA==", "id", &Secret::new("Wrong123456789"), &sealed).is_none());
        assert!(open("c2FsdA==", "other", &old, &sealed).is_none());
    }
}
