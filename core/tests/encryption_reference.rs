//! Interoperability with Mastercard's own Java library (`client-encryption`), over the cases of
//! `tests/encryption-reference/cases.json`:
//! - payloads the Java library encrypted (`vectors/`, committed; or a fresh set in
//!   `FINAUTH_ENCRYPTION_VECTORS`, written by `scripts/encryption-reference.sh encrypt`) decrypt
//!   to the case's plaintext;
//! - finauth encrypts every case into `FINAUTH_ENCRYPTION_OUT` (when set) for the Java library
//!   to decrypt (`scripts/encryption-reference.sh decrypt`).

use finauth::encryption::{
    DecryptionKey, EncryptionCertificate, FieldEncoding, HeaderNames, OaepHash, PayloadEncryption,
    Scheme,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(dir().join("encryption-reference/cases.json")).unwrap();
    serde_json::from_str::<Vec<Value>>(&text).unwrap()
}

fn config(case: &Value) -> PayloadEncryption {
    let keys = dir().join("encryption-keys");
    let scheme: Scheme = case["scheme"].as_str().unwrap().parse().unwrap();
    let mut b = PayloadEncryption::builder(scheme)
        .encryption_certificate(
            EncryptionCertificate::from_file(keys.join("client-encryption-cert.pem")).unwrap(),
        )
        .decryption_key(
            DecryptionKey::from_file(
                keys.join("client-encryption-key.p12"),
                Some("keystorepassword"),
                None,
            )
            .unwrap(),
        );
    let pairs = |k: &str| -> Vec<(String, String)> {
        case[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    for (a, o) in pairs("encryptionPaths") {
        b = b.encryption_path(&a, &o);
    }
    for (a, o) in pairs("decryptionPaths") {
        b = b.decryption_path(&a, &o);
    }
    if let Some(f) = case["encryptedValueFieldName"].as_str() {
        b = b.encrypted_value_field_name(f);
    }
    if scheme == Scheme::FieldLevel {
        let f = &case["fle"];
        b = b
            .field_encoding(
                f["encoding"]
                    .as_str()
                    .unwrap()
                    .parse::<FieldEncoding>()
                    .unwrap(),
            )
            .oaep_hash(f["oaep"].as_str().unwrap().parse::<OaepHash>().unwrap());
        if f["headerMode"].as_bool() == Some(true) {
            b = b.header_mode(HeaderNames::default());
        }
    }
    b.build().unwrap()
}

fn name(case: &Value) -> &str {
    case["name"].as_str().unwrap()
}

fn decrypt_file(enc: &PayloadEncryption, file: &Path) -> Value {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let headers = v["headers"].as_object().cloned().unwrap_or_default();
    let lookup = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .and_then(|(_, v)| v.as_str().map(str::to_owned))
    };
    let out = enc
        .decrypt_response(v["payload"].to_string().as_bytes(), lookup)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn payloads_encrypted_by_mastercards_java_library_decrypt() {
    let vectors = std::env::var_os("FINAUTH_ENCRYPTION_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir().join("encryption-reference/vectors"));
    let all = cases();
    assert!(all.len() >= 14);
    for case in &all {
        let file = vectors.join(format!("{}.json", name(case)));
        assert_eq!(
            decrypt_file(&config(case), &file),
            case["payload"],
            "{}",
            name(case)
        );
    }
}

#[test]
fn finauth_encrypts_every_case_for_the_java_library() {
    let out = std::env::var_os("FINAUTH_ENCRYPTION_OUT").map(PathBuf::from);
    let scratch = std::env::temp_dir().join(format!("finauth-enc-{}", std::process::id()));
    let target = out.clone().unwrap_or_else(|| scratch.clone());
    std::fs::create_dir_all(&target).unwrap();
    for case in cases() {
        let enc = config(&case);
        let r = enc
            .encrypt_request(case["payload"].to_string().as_bytes())
            .unwrap();
        let payload: Value = serde_json::from_slice(&r.body).unwrap();
        assert_ne!(
            payload,
            case["payload"],
            "{}: nothing was encrypted",
            name(&case)
        );
        let headers: serde_json::Map<String, Value> = r
            .headers
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        let file = target.join(format!("{}.json", name(&case)));
        std::fs::write(
            &file,
            json!({ "payload": payload, "headers": headers }).to_string(),
        )
        .unwrap();
        assert_eq!(
            decrypt_file(&enc, &file),
            case["payload"],
            "{}",
            name(&case)
        );
    }
    if out.is_none() {
        let _ = std::fs::remove_dir_all(scratch);
    }
}

/// The known-answer vectors of Mastercard's own test suites (Java, Python, Node), with their
/// test key: `tests/encryption-reference/mastercard-vectors/` (its README names each source).
#[test]
fn mastercards_published_vectors_decrypt() {
    let base = dir().join("encryption-reference/mastercard-vectors");
    let text = std::fs::read_to_string(base.join("vectors.json")).unwrap();
    let vectors: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut by_enc = std::collections::BTreeMap::<String, usize>::new();
    for v in &vectors {
        let label = format!("{} {} {}", v["source"], v["kind"], v["test"]);
        let key =
            DecryptionKey::from_file(base.join(v["key"].as_str().unwrap()), None, None).unwrap();
        let c = &v["config"];
        let s = |k: &str| c[k].as_str().map(str::to_owned);
        let kind = v["kind"].as_str().unwrap();
        let scheme = if kind == "fle-payload" {
            Scheme::FieldLevel
        } else {
            Scheme::Jwe
        };
        let mut b = PayloadEncryption::builder(scheme).decryption_key(key);
        for p in c["decryptionPaths"].as_array().into_iter().flatten() {
            b = b.decryption_path(p[0].as_str().unwrap(), p[1].as_str().unwrap());
        }
        if let Some(f) = s("encryptedValueFieldName") {
            b = b.encrypted_value_field_name(&f);
        }
        let mut header_values = serde_json::Map::new();
        if scheme == Scheme::FieldLevel {
            b = b
                .field_encoding(s("encoding").unwrap().parse().unwrap())
                .oaep_hash(s("oaep").unwrap().parse().unwrap())
                .field_names(finauth::encryption::FieldNames {
                    iv: s("ivFieldName"),
                    encrypted_key: s("encryptedKeyFieldName"),
                    oaep_hashing_algorithm: s("oaepFieldName"),
                    encryption_certificate_fingerprint: s(
                        "encryptionCertificateFingerprintFieldName",
                    ),
                    encryption_key_fingerprint: s("encryptionKeyFingerprintFieldName")
                        .or_else(|| s("publicKeyFingerprintFieldName")),
                });
            if let Some(h) = c["headers"].as_object() {
                let n = |k: &str| h.get(k).and_then(Value::as_str).map(str::to_owned);
                b = b.header_mode(HeaderNames {
                    iv: n("ivHeaderName").unwrap(),
                    encrypted_key: n("encryptedKeyHeaderName").unwrap(),
                    oaep_hashing_algorithm: n("oaepHeaderName"),
                    encryption_certificate_fingerprint: n(
                        "encryptionCertificateFingerprintHeaderName",
                    ),
                    encryption_key_fingerprint: n("encryptionKeyFingerprintHeaderName"),
                });
                header_values = h["values"].as_object().cloned().unwrap_or_default();
            }
        }
        let enc = b.build().unwrap_or_else(|e| panic!("{label}: {e}"));
        let (payload, expected) = match kind {
            // A bare token, with the raw text it decrypts to (JSON, or a plain string).
            "jwe-token" => {
                let raw = v["expected"].as_str().unwrap();
                let expected =
                    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.into()));
                (json!({ "encryptedData": v["token"] }), expected)
            }
            _ => (v["payload"].clone(), v["expected"].clone()),
        };
        let lookup = |n: &str| {
            header_values
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
        };
        let out = enc
            .decrypt_response(payload.to_string().as_bytes(), lookup)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let got: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(got, expected, "{label}");
        *by_enc
            .entry(format!(
                "{} {}",
                kind,
                v["enc"].as_str().unwrap_or("AES-CBC")
            ))
            .or_default() += 1;
    }
    assert!(vectors.len() >= 50, "{}", vectors.len());
    for need in ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256"] {
        assert!(
            by_enc.keys().any(|k| k.ends_with(need)),
            "{need}: {by_enc:?}"
        );
    }
}
