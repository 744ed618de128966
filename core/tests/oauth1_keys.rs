//! Signing keys in every format, their errors, and signatures checked with openssl: RSA-SHA256
//! equals `openssl dgst -sha256 -sign`, RSA-PSS verifies with `openssl dgst … -verify`.
//! The keys are the test-only ones of `oauth1-keys/` (see its README).

use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use finauth::Error;
use std::path::{Path, PathBuf};
use std::process::Command;

const P12_PASSWORD: &str = "keystorepassword";
const PEM_PASSWORD: &str = "test-password";

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oauth1-keys")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(keys().join(name)).unwrap()
}

fn text(name: &str) -> String {
    String::from_utf8(read(name)).unwrap()
}

fn signer(key: SigningKey, method: SignatureMethod) -> OAuth1Signer {
    OAuth1Signer::new("consumer!key", key, method).unwrap()
}

const URI: &str = "https://sandbox.api.mastercard.com/x?a=1&b=%20";

/// The header of one fixed request: equal headers mean equal keys (RSA-SHA256 is deterministic).
fn header_of(key: SigningKey) -> String {
    signer(key, SignatureMethod::RsaSha256)
        .authorization_header_with("POST", URI, b"{}", "0123456789abcdef", 1_764_100_000)
        .unwrap()
}

fn every_format() -> Vec<(&'static str, SigningKey)> {
    vec![
        (
            "pkcs8.pem",
            SigningKey::from_pem(&text("pkcs8.pem"), None).unwrap(),
        ),
        (
            "pkcs1.pem",
            SigningKey::from_pem(&text("pkcs1.pem"), None).unwrap(),
        ),
        (
            "encrypted.pem",
            SigningKey::from_pem(&text("encrypted.pem"), Some(PEM_PASSWORD)).unwrap(),
        ),
        (
            "pkcs8.der",
            SigningKey::from_der(&read("pkcs8.der")).unwrap(),
        ),
        (
            "pkcs1.der",
            SigningKey::from_der(&read("pkcs1.der")).unwrap(),
        ),
        (
            "modern.p12",
            SigningKey::from_pkcs12(&read("modern.p12"), P12_PASSWORD, Some("signing-key"))
                .unwrap(),
        ),
        (
            "legacy.p12",
            SigningKey::from_pkcs12(&read("legacy.p12"), P12_PASSWORD, Some("signing-key"))
                .unwrap(),
        ),
        (
            "modern.p12 (no alias)",
            SigningKey::from_pkcs12(&read("modern.p12"), P12_PASSWORD, None).unwrap(),
        ),
        (
            "legacy.p12 (alias case)",
            SigningKey::from_pkcs12(&read("legacy.p12"), P12_PASSWORD, Some("SIGNING-KEY"))
                .unwrap(),
        ),
        (
            "encrypted.der (file)",
            SigningKey::from_file(keys().join("encrypted.der"), Some(PEM_PASSWORD), None).unwrap(),
        ),
        (
            "pkcs1.der (file)",
            SigningKey::from_file(keys().join("pkcs1.der"), None, None).unwrap(),
        ),
        (
            "pkcs8.pem (file)",
            SigningKey::from_file(keys().join("pkcs8.pem"), None, None).unwrap(),
        ),
        (
            "modern.p12 (file)",
            SigningKey::from_file(
                keys().join("modern.p12"),
                Some(P12_PASSWORD),
                Some("signing-key"),
            )
            .unwrap(),
        ),
        (
            "legacy.p12 (file)",
            SigningKey::from_file(keys().join("legacy.p12"), Some(P12_PASSWORD), None).unwrap(),
        ),
    ]
}

#[test]
fn the_same_key_in_every_format_signs_the_same() {
    let formats = every_format();
    let reference = header_of(formats[0].1.clone());
    for (name, key) in formats {
        assert_eq!(key.bits(), 2048, "{name}");
        assert_eq!(header_of(key), reference, "{name}");
    }
}

fn key_error(r: finauth::Result<SigningKey>) -> String {
    match r {
        Err(Error::SigningKey(m)) => m,
        Err(e) => panic!("not a SigningKey error: {e:?}"),
        Ok(k) => panic!("loaded: {k:?}"),
    }
}

/// An EC key loads (for OAuth 2.0) but the OAuth 1.0a signer refuses it.
fn signer_error(r: finauth::Result<SigningKey>) -> String {
    let key = r.expect("EC P-256 keys load");
    assert_eq!(key.algorithm(), "EC-P256");
    match OAuth1Signer::new("ck", key, SignatureMethod::RsaSha256) {
        Err(Error::SigningKey(m)) => m,
        Err(e) => panic!("not a SigningKey error: {e:?}"),
        Ok(_) => panic!("an OAuth 1.0a signer accepted an EC key"),
    }
}

#[test]
fn each_error_is_clear_and_never_holds_the_password() {
    let wrong = "WrongPassw0rd-XYZ";
    let cases = [
        (
            key_error(SigningKey::from_pkcs12(&read("modern.p12"), wrong, None)),
            "wrong password",
        ),
        (
            key_error(SigningKey::from_pkcs12(&read("legacy.p12"), wrong, None)),
            "wrong password",
        ),
        (
            key_error(SigningKey::from_pem(&text("encrypted.pem"), Some(wrong))),
            "wrong password",
        ),
        (
            key_error(SigningKey::from_file(
                keys().join("encrypted.der"),
                Some(wrong),
                None,
            )),
            "wrong password",
        ),
        (
            key_error(SigningKey::from_pem(&text("encrypted.pem"), None)),
            "password is needed",
        ),
        (
            key_error(SigningKey::from_pkcs12(
                &read("modern.p12"),
                P12_PASSWORD,
                Some("other"),
            )),
            "no private key with alias 'other'",
        ),
        (
            signer_error(SigningKey::from_pem(&text("ec.pem"), None)),
            "not an RSA key",
        ),
        (
            signer_error(SigningKey::from_pkcs12(&read("ec.p12"), P12_PASSWORD, None)),
            "not an RSA key",
        ),
        (
            key_error(SigningKey::from_pem(&text("cert.pem"), None)),
            "holds no private key",
        ),
        (
            key_error(SigningKey::from_pem("not a key", None)),
            "no private key",
        ),
        (
            key_error(SigningKey::from_der(b"\x30\x03\x02\x01\x00")),
            "unsupported key format",
        ),
        (
            key_error(SigningKey::from_bytes(
                b"\x00\x01garbage",
                Some(wrong),
                None,
            )),
            "unsupported key format",
        ),
        (
            key_error(SigningKey::from_file(
                keys().join("missing.pem"),
                Some(wrong),
                None,
            )),
            "cannot read the key file",
        ),
    ];
    for (message, want) in cases {
        assert!(message.contains(want), "{message:?} should say {want:?}");
        assert!(!message.contains(wrong), "{message:?} holds the password");
    }
}

#[test]
fn debug_is_redacted() {
    let key = SigningKey::from_der(&read("pkcs8.der")).unwrap();
    let shown = format!("{key:?} {:?}", signer(key.clone(), SignatureMethod::RsaPss));
    assert!(shown.contains("REDACTED"));
    assert!(!shown.contains("MII"));
}

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A scratch directory of one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("finauth-oauth1-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn b64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn rsa_sha256_equals_openssl() {
    let scratch = Scratch::new("rsa_sha256_equals_openssl");
    let key = SigningKey::from_pkcs12(&read("modern.p12"), P12_PASSWORD, None).unwrap();
    let signer = signer(key, SignatureMethod::RsaSha256);
    let sbs = signer
        .signature_base_string_with("GET", URI, b"", "0123456789abcdef", 1_764_100_000)
        .unwrap();
    let data = scratch.path("sha256.sbs");
    std::fs::write(&data, &sbs).unwrap();
    let key_path = keys().join("pkcs8.pem");
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-sign",
        key_path.to_str().unwrap(),
        data.to_str().unwrap(),
    ]);
    assert_eq!(b64(&signer.sign(sbs.as_bytes()).unwrap()), out.stdout);
}

#[test]
fn rsa_pss_verifies_with_openssl() {
    let scratch = Scratch::new("rsa_pss_verifies_with_openssl");
    let key = SigningKey::from_pem(&text("pkcs1.pem"), None).unwrap();
    let signer = signer(key, SignatureMethod::RsaPss);
    let header = signer.authorization_header("PUT", URI, b"body").unwrap();
    assert!(header.contains("oauth_signature_method=\"RSA-PSS\""));
    let sbs = signer
        .signature_base_string_with("PUT", URI, b"body", "0123456789abcdef", 1_764_100_000)
        .unwrap();
    let a = signer.sign(sbs.as_bytes()).unwrap();
    let b = signer.sign(sbs.as_bytes()).unwrap();
    assert_ne!(a, b, "PSS is randomised");
    let data = scratch.path("pss.sbs");
    let sig = scratch.path("pss.sig");
    let public = scratch.path("public.pem");
    std::fs::write(&data, &sbs).unwrap();
    std::fs::write(&sig, b64(&a)).unwrap();
    let key_path = keys().join("pkcs8.pem");
    openssl(&[
        "pkey",
        "-in",
        key_path.to_str().unwrap(),
        "-pubout",
        "-out",
        public.to_str().unwrap(),
    ]);
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-sigopt",
        "rsa_padding_mode:pss",
        "-sigopt",
        "rsa_pss_saltlen:32",
        "-verify",
        public.to_str().unwrap(),
        "-signature",
        sig.to_str().unwrap(),
        data.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verified OK"));
}

#[test]
fn a_key_generated_now_signs_like_openssl() {
    let scratch = Scratch::new("a_key_generated_now_signs_like_openssl");
    // A fresh key from `openssl genpkey`, converted by openssl to PKCS#12 (modern and legacy).
    let pem = scratch.path("fresh.pem");
    let cert = scratch.path("fresh.crt");
    let p12 = scratch.path("fresh.p12");
    let legacy = scratch.path("fresh-legacy.p12");
    let (pem_s, cert_s) = (pem.to_str().unwrap(), cert.to_str().unwrap());
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:3072",
        "-out",
        pem_s,
    ]);
    openssl(&[
        "req", "-x509", "-new", "-key", pem_s, "-subj", "/CN=t", "-days", "2", "-out", cert_s,
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-in",
        cert_s,
        "-inkey",
        pem_s,
        "-name",
        "k",
        "-passout",
        "pass:pw",
        "-out",
        p12.to_str().unwrap(),
    ]);
    openssl(&[
        "pkcs12",
        "-export",
        "-legacy",
        "-in",
        cert_s,
        "-inkey",
        pem_s,
        "-name",
        "k",
        "-passout",
        "pass:pw",
        "-out",
        legacy.to_str().unwrap(),
    ]);
    let from_pem = SigningKey::from_file(&pem, None, None).unwrap();
    assert_eq!(from_pem.bits(), 3072);
    let reference = header_of(from_pem);
    assert_eq!(
        header_of(SigningKey::from_file(&p12, Some("pw"), Some("k")).unwrap()),
        reference
    );
    assert_eq!(
        header_of(SigningKey::from_file(&legacy, Some("pw"), Some("k")).unwrap()),
        reference
    );
}

#[test]
fn signs_from_many_threads() {
    let key = SigningKey::from_der(&read("pkcs8.der")).unwrap();
    let signer = std::sync::Arc::new(signer(key, SignatureMethod::RsaSha256));
    let expected = signer
        .authorization_header_with("GET", URI, b"", "0123456789abcdef", 1)
        .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = signer.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| {
                        s.authorization_header_with("GET", URI, b"", "0123456789abcdef", 1)
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap().iter().all(|h| *h == expected));
    }
}

#[test]
fn bad_requests_are_config_errors() {
    let key = SigningKey::from_der(&read("pkcs8.der")).unwrap();
    let signer = signer(key.clone(), SignatureMethod::RsaSha256);
    for (method, uri) in [
        ("GET", "/relative"),
        ("GET", "urn:isbn:1"),
        ("G T", "https://h/"),
        ("GET", "https://h/%zz"),
    ] {
        assert!(
            matches!(
                signer.authorization_header(method, uri, b""),
                Err(Error::Config(_))
            ),
            "{method} {uri}"
        );
    }
    assert!(matches!(
        OAuth1Signer::new("", key, SignatureMethod::RsaSha256),
        Err(Error::Config(_))
    ));
}

#[test]
fn nonces_are_fresh() {
    let key = SigningKey::from_der(&read("pkcs8.der")).unwrap();
    let signer = signer(key, SignatureMethod::RsaSha256);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let n = signer.nonce().unwrap();
        assert_eq!(n.len(), 16);
        assert!(n.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(seen.insert(n));
    }
}
