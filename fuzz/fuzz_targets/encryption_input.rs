//! Payload-encryption input: JWE compact strings decrypted with the test key, field-level values,
//! JSON paths (parsed, and every path operation on an arbitrary document), and whole payloads
//! through `PayloadEncryption` of both schemes with arbitrary paths and options, encrypted and
//! decrypted. Input: line 1 a JSON path (in), line 2 a JSON path (out), line 3 options JSON
//! (may be empty), the rest the payload (usually JSON; for a JWE alone, the compact string).
#![no_main]

use finauth::encryption::{
    DecryptionKey, EncryptionCertificate, FieldEncoding, PayloadEncryption, Scheme,
};
use finauth::fuzzing;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

struct Keys {
    cert: EncryptionCertificate,
    key: DecryptionKey,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| Keys {
        cert: EncryptionCertificate::from_file(finauth_fuzz::core_tests(
            "encryption-keys/client-encryption-cert.pem",
        ))
        .expect("the test certificate"),
        key: DecryptionKey::from_file(
            finauth_fuzz::core_tests("encryption-keys/client-encryption-key.pem"),
            None,
            None,
        )
        .expect("the test key"),
    })
}

fuzz_target!(|data: &[u8]| {
    let (head, rest) = finauth_fuzz::lines(data, 3);
    let (path_in, path_out, options) = (head[0].as_str(), head[1].as_str(), head[2].as_str());
    let Ok(payload) = std::str::from_utf8(rest) else {
        return;
    };
    let k = keys();

    // The payload as a compact JWE, and as field-level binary values.
    let _ = fuzzing::jwe_decrypt(&k.key, payload.trim());
    for enc in [FieldEncoding::Hex, FieldEncoding::Base64] {
        let _ = fuzzing::field_decode(enc, payload.trim());
    }

    // JSON paths on the payload document.
    let doc: Option<Value> = serde_json::from_str(payload).ok();
    if let Some(doc) = &doc {
        let mut d = doc.clone();
        let _ = fuzzing::json_path(path_in, path_out, &mut d, Value::from("x"));
    }

    for scheme in [Scheme::Jwe, Scheme::FieldLevel] {
        let base = || {
            PayloadEncryption::builder(scheme)
                .encryption_certificate(k.cert.clone())
                .decryption_key(k.key.clone())
        };
        // Arbitrary options and paths, both directions.
        if let Ok(b) = base().options_json(options) {
            if let Ok(pe) = b
                .decryption_path(path_in, path_out)
                .encryption_path(path_in, path_out)
                .build()
            {
                let _ = pe.decrypt_payload(payload);
                let _ = pe.encrypt_payload(payload);
            }
        }
        // The default configuration reads an encrypted payload from any answer.
        if let Ok(pe) = base().decryption_path("$.encryptedData", "$").build() {
            let _ = pe.decrypt_payload(payload);
        }
        // Round trip: a field encrypted to a new member decrypts back to the document.
        if let (Some(Value::Object(obj)), Some(name)) = (&doc, simple_name(path_in)) {
            if obj.contains_key(name) && !obj.contains_key("fuzzEncrypted") {
                let pe = base()
                    .encryption_path(&format!("$.{name}"), "$.fuzzEncrypted")
                    .decryption_path("$.fuzzEncrypted", &format!("$.{name}"))
                    .build()
                    .expect("a plain path pair builds");
                let sealed = pe
                    .encrypt_payload(payload)
                    .expect("a member of an object encrypts");
                let opened = pe
                    .decrypt_payload(&sealed)
                    .expect("what was encrypted decrypts");
                let opened: Value = serde_json::from_str(&opened).expect("decrypts to JSON");
                // Mastercard's semantics, which core follows for interoperability: a string is
                // encrypted without its quotes, and a decrypted text that parses as JSON comes
                // back as that JSON, so the string "51008" returns as the number 51008.
                let mut expected = obj.clone();
                if let Some(Value::String(s)) = obj.get(name) {
                    if let Ok(v) = serde_json::from_str::<Value>(s) {
                        expected.insert(name.to_owned(), v);
                    }
                }
                assert_eq!(opened, Value::Object(expected), "round trip of `{name}`");
            }
        }
    }
});

/// `$.name` with a plain member name.
fn simple_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix("$.")?;
    (!name.is_empty() && name.len() < 32 && name.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(name)
}
