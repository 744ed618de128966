//! Signing keys and certificates from bytes: every loader of OAuth 1.0a / OAuth 2.0 signing keys
//! (`SigningKey`: PKCS#12, PEM, DER, encrypted PKCS#8, EC and RSA) and of payload-encryption keys
//! and certificates (`DecryptionKey`, `EncryptionCertificate`), then what is read off a key
//! (JWK, thumbprint, fingerprints). Input: the file's bytes, as a caller passes them.
//!
//! The passwords tried are those of the test keys (`core/tests/*-keys/`), so mutations of a
//! real encrypted seed get past the MAC/decryption and into the structures behind it.
#![no_main]

use finauth::encryption::{DecryptionKey, EncryptionCertificate};
use finauth::oauth2::jose;
use finauth::SigningKey;
use libfuzzer_sys::fuzz_target;

const PASSWORDS: [&str; 2] = ["keystorepassword", "test-password"];

fuzz_target!(|data: &[u8]| {
    // Which loaders run: all but the password-based ones, and those only when the bytes could
    // be what they read (PBKDF2 costs milliseconds, and every loader tries it).
    let text = std::str::from_utf8(data).ok();
    let pem_like = text.is_some_and(|t| t.contains("-----BEGIN"));
    let der_like = data.first() == Some(&0x30);

    check_signing(SigningKey::from_bytes(data, None, None));
    check_signing(SigningKey::from_der(data));
    if let Some(t) = text {
        check_signing(SigningKey::from_pem(t, None));
        let _ = EncryptionCertificate::from_pem(t).map(check_cert);
        let _ = DecryptionKey::from_pem(t, None).map(|k| (k.bits(), k.key_fingerprint().len()));
    }
    let _ = EncryptionCertificate::from_der(data).map(check_cert);
    let _ = EncryptionCertificate::from_bytes(data).map(check_cert);
    let _ = DecryptionKey::from_der(data).map(|k| k.bits());
    let _ = DecryptionKey::from_bytes(data, None, None).map(|k| k.bits());

    for password in PASSWORDS {
        if der_like {
            check_signing(SigningKey::from_encrypted_der(data, password));
            check_signing(SigningKey::from_pkcs12(data, password, None));
            check_signing(SigningKey::from_pkcs12(data, password, Some("signing-key")));
            let _ = DecryptionKey::from_pkcs12(data, password, None).map(|k| k.bits());
        }
        if pem_like {
            check_signing(SigningKey::from_pem(
                text.unwrap_or_default(),
                Some(password),
            ));
        }
    }
});

fn check_signing(key: finauth::Result<SigningKey>) {
    let Ok(key) = key else { return };
    let bits = key.bits();
    assert!(bits > 0);
    let _ = key.algorithm();
    let jwk = jose::public_jwk(&key);
    let thumb = jose::jwk_thumbprint(&jwk);
    assert_eq!(
        thumb.len(),
        43,
        "a SHA-256 thumbprint, base64url without padding"
    );
    assert!(!jose::alg(&key).is_empty());
    if key.is_rsa() {
        let _ = DecryptionKey::from_signing_key(&key).map(|d| d.bits());
    }
}

fn check_cert(cert: EncryptionCertificate) {
    assert!(cert.bits() > 0);
    assert!(!cert.key_fingerprint().is_empty());
    let _ = cert.certificate_fingerprint();
}
