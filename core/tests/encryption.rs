//! Payload encryption through the public API: every key format, Mastercard's path semantics,
//! the header mode, and damage of every kind as a typed error.

use finauth::encryption::{
    DecryptionKey, EncryptionCertificate, FieldEncoding, FieldNames, HeaderNames, OaepHash,
    PayloadEncryption, Scheme,
};
use finauth::Error;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::PathBuf;

fn keys() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/encryption-keys")
}

fn cert() -> EncryptionCertificate {
    EncryptionCertificate::from_file(keys().join("client-encryption-cert.pem")).unwrap()
}

fn key() -> DecryptionKey {
    DecryptionKey::from_file(keys().join("client-encryption-key.pem"), None, None).unwrap()
}

fn jwe() -> finauth::encryption::PayloadEncryptionBuilder {
    PayloadEncryption::builder(Scheme::Jwe)
        .encryption_certificate(cert())
        .decryption_key(key())
}

fn fle() -> finauth::encryption::PayloadEncryptionBuilder {
    PayloadEncryption::builder(Scheme::FieldLevel)
        .encryption_certificate(cert())
        .decryption_key(key())
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn every_key_format_loads_and_names_the_same_key() {
    let k = keys();
    let c = cert();
    let der = EncryptionCertificate::from_file(k.join("client-encryption-cert.der")).unwrap();
    let sha1 = EncryptionCertificate::from_file(k.join("client-encryption-cert-sha1.pem")).unwrap();
    assert_eq!(c.key_fingerprint(), der.key_fingerprint());
    assert_eq!(c.certificate_fingerprint(), der.certificate_fingerprint());
    assert_eq!(
        c.key_fingerprint(),
        sha1.key_fingerprint(),
        "a SHA-1 signed certificate loads"
    );
    assert_ne!(c.certificate_fingerprint(), sha1.certificate_fingerprint());
    assert_eq!(c.key_fingerprint().len(), 64);
    assert_eq!(c.bits(), 2048);
    let loaded = [
        DecryptionKey::from_file(k.join("client-encryption-key.pem"), None, None),
        DecryptionKey::from_file(k.join("client-encryption-key.der"), None, None),
        DecryptionKey::from_file(k.join("client-encryption-key-pkcs1.pem"), None, None),
        DecryptionKey::from_file(
            k.join("client-encryption-key.p12"),
            Some("keystorepassword"),
            None,
        ),
        DecryptionKey::from_file(
            k.join("client-encryption-key-legacy.p12"),
            Some("keystorepassword"),
            Some("mc-encryption"),
        ),
    ];
    for d in loaded {
        assert_eq!(d.unwrap().key_fingerprint(), c.key_fingerprint());
    }
    let wrong_password =
        DecryptionKey::from_file(k.join("client-encryption-key.p12"), Some("nope"), None);
    assert!(matches!(wrong_password, Err(Error::SigningKey(m)) if m.contains("wrong password")));
    let wrong_alias = DecryptionKey::from_file(
        k.join("client-encryption-key.p12"),
        Some("keystorepassword"),
        Some("other"),
    );
    assert!(matches!(wrong_alias, Err(Error::SigningKey(_))));
    assert!(matches!(
        EncryptionCertificate::from_bytes(b"not a certificate"),
        Err(Error::SigningKey(_))
    ));
    assert!(!format!("{:?}", key()).contains("BEGIN"));
}

#[test]
fn jwe_defaults_encrypt_the_whole_payload_and_decrypt_it_back() {
    let enc = jwe().build().unwrap();
    let plain = r#"{"card":{"pan":"5123450000000008"},"amount":10}"#;
    let out = parse(&enc.encrypt_payload(plain).unwrap());
    let token = out["encryptedData"].as_str().unwrap();
    assert_eq!(out.as_object().unwrap().len(), 1);
    assert_eq!(token.split('.').count(), 5);
    assert_eq!(
        parse(&enc.decrypt_payload(&out.to_string()).unwrap()),
        parse(plain)
    );
}

#[test]
fn the_whole_document_keeps_its_bytes_and_member_order() {
    // The one-path `$` set-up encrypts the body's own bytes and gives a JSON plaintext back as
    // it is (no tree): member order and number spelling survive the round trip.
    let enc = jwe().build().unwrap();
    let plain = r#"{"z":1.50,"a":{"y":[3,2,1],"b":"é/\u00e9"}}"#;
    let body = enc.encrypt_payload(&format!("  {plain}\n")).unwrap();
    assert_eq!(enc.decrypt_payload(&body).unwrap(), plain);

    // Not JSON at `$` is refused before anything is encrypted; a scalar body takes the tree
    // path (a string is encrypted without its quotes, as Mastercard's libraries do).
    let err = enc.encrypt_payload(r#"{"a":"#).unwrap_err();
    assert_eq!(err.kind(), "ENCRYPTION", "{err}");
    let body = enc.encrypt_payload(r#""text""#).unwrap();
    assert_eq!(enc.decrypt_payload(&body).unwrap(), r#""text""#);

    // A decrypted plaintext that is not JSON becomes a JSON string, on this path as on the other.
    let token = parse(&body)["encryptedData"].as_str().unwrap().to_owned();
    let other = jwe().decryption_path("$.t", "$").build().unwrap();
    let out = other
        .decrypt_payload(&json!({ "t": token, "dropped": 1 }).to_string())
        .unwrap();
    assert_eq!(out, r#""text""#);
}

#[test]
fn primitives_keep_their_json_type_and_strings_lose_their_quotes() {
    let enc = jwe()
        .encryption_path("$.s", "$.es")
        .encryption_path("$.n", "$.en")
        .encryption_path("$.b", "$.eb")
        .decryption_path("$.es.encryptedData", "$.s")
        .decryption_path("$.en.encryptedData", "$.n")
        .decryption_path("$.eb.encryptedData", "$.b")
        .build()
        .unwrap();
    let plain = json!({"s": "hello", "n": 42, "b": true, "keep": [1]});
    let out = parse(&enc.encrypt_payload(&plain.to_string()).unwrap());
    assert_eq!(out["keep"], json!([1]));
    assert!(out.get("s").is_none() && out.get("n").is_none());
    assert_eq!(
        parse(&enc.decrypt_payload(&out.to_string()).unwrap()),
        plain
    );
}

#[test]
fn the_other_numbers_of_a_payload_survive_a_round_trip_to_the_last_digit() {
    // Parsed, written and parsed again: without correctly rounded parsing (serde_json's
    // float_roundtrip) this drifted by an ulp at each step (found by fuzzing).
    let enc = fle()
        .encryption_path("$.s", "$.es")
        .decryption_path("$.es", "$.s")
        .build()
        .unwrap();
    let plain = r#"{"s":"text value","n":1999999999.99992345,"m":0.30000000000000004}"#;
    let sealed = enc.encrypt_payload(plain).unwrap();
    let opened = enc.decrypt_payload(&sealed).unwrap();
    assert_eq!(parse(&opened), parse(plain));
    // Rust's own parser is correctly rounded.
    assert_eq!(
        parse(&opened)["n"].as_f64(),
        "1999999999.99992345".parse::<f64>().ok()
    );
}

#[test]
fn an_absent_input_is_left_alone_and_a_decrypted_object_is_merged() {
    let enc = jwe()
        .encryption_path("$.absent", "$.x")
        .encryption_path("$.secret", "$.box")
        .decryption_path("$.box.encryptedData", "$.target")
        .build()
        .unwrap();
    let out = parse(
        &enc.encrypt_payload(r#"{"secret":{"a":1},"target":{"b":2}}"#)
            .unwrap(),
    );
    assert!(out.get("x").is_none(), "nothing to encrypt at $.absent");
    let back = parse(&enc.decrypt_payload(&out.to_string()).unwrap());
    assert_eq!(
        back,
        json!({"target": {"a": 1, "b": 2}}),
        "merged, and the emptied $.box removed"
    );
    // A response without the encrypted field (an error answer) comes back byte for byte.
    let err = r#"{"Errors":{"Error":[{"ReasonCode":"X"}]}}"#;
    assert_eq!(enc.decrypt_payload(err).unwrap(), err);
    assert_eq!(enc.decrypt_payload("").unwrap(), "");
}

#[test]
fn missing_output_parents_are_made_and_wildcards_cover_every_element() {
    let deep = jwe()
        .encryption_path("$.a", "$.no.such")
        .decryption_path("$.no.such.encryptedData", "$.a")
        .build()
        .unwrap();
    let out = parse(&deep.encrypt_payload(r#"{"a":1}"#).unwrap());
    assert!(out["no"]["such"]["encryptedData"].is_string(), "{out}");
    assert_eq!(
        parse(&deep.decrypt_payload(&out.to_string()).unwrap()),
        json!({"a": 1})
    );
    let through_a_value = jwe().encryption_path("$.a", "$.b.c").build().unwrap();
    assert!(matches!(
        through_a_value.encrypt_payload(r#"{"a":1,"b":2}"#),
        Err(Error::Encryption(_))
    ));
    let each = fle()
        .encryption_path("$.list[*].v", "$.list[*].e")
        .decryption_path("$.list[*].e", "$.list[*].v")
        .build()
        .unwrap();
    let plain = json!({"list": [{"v": {"n": 1}}, {"v": {"n": 2}}, {"w": 3}]});
    let out = parse(&each.encrypt_payload(&plain.to_string()).unwrap());
    assert!(out["list"][0]["e"]["encryptedValue"].is_string());
    assert!(out["list"][1]["e"]["iv"].is_string());
    assert_eq!(out["list"][2], json!({"w": 3}));
    assert_ne!(
        out["list"][0]["e"]["iv"], out["list"][1]["e"]["iv"],
        "one IV per path"
    );
    assert_eq!(
        parse(&each.decrypt_payload(&out.to_string()).unwrap()),
        plain
    );
    assert!(matches!(
        PayloadEncryption::builder(Scheme::Jwe)
            .encryption_certificate(cert())
            .encryption_path("$.a[*]", "$.b")
            .build(),
        Err(Error::Config(_))
    ));
}

#[test]
fn field_level_writes_mastercards_fields_in_hex_or_base64_with_sha256_or_sha512() {
    for (encoding, oaep) in [
        (FieldEncoding::Hex, OaepHash::Sha256),
        (FieldEncoding::Base64, OaepHash::Sha512),
    ] {
        let enc = fle()
            .field_encoding(encoding)
            .oaep_hash(oaep)
            .encryption_path("$.card", "$.enc")
            .decryption_path("$.enc", "$.card")
            .build()
            .unwrap();
        let plain = json!({"card": {"pan": "5123450000000008"}, "id": 1});
        let out = parse(&enc.encrypt_payload(&plain.to_string()).unwrap());
        let e = &out["enc"];
        for f in [
            "encryptedValue",
            "iv",
            "encryptedKey",
            "encryptionCertificateFingerprint",
            "encryptionKeyFingerprint",
        ] {
            assert!(e[f].is_string(), "{f}: {out}");
        }
        assert_eq!(e["oaepHashingAlgorithm"], oaep.as_str());
        assert_eq!(e["encryptionKeyFingerprint"], cert().key_fingerprint());
        let iv = e["iv"].as_str().unwrap();
        match encoding {
            FieldEncoding::Hex => assert_eq!(iv.len(), 32),
            FieldEncoding::Base64 => assert_eq!(iv.len(), 24),
        }
        assert_eq!(
            parse(&enc.decrypt_payload(&out.to_string()).unwrap()),
            plain
        );
    }
}

#[test]
fn the_header_mode_moves_iv_and_key_to_headers() {
    let enc = fle()
        .header_mode(HeaderNames::default())
        .encryption_path("$.a", "$.ea")
        .encryption_path("$.b", "$.eb")
        .decryption_path("$.ea", "$.a")
        .decryption_path("$.eb", "$.b")
        .build()
        .unwrap();
    let plain = json!({"a": {"x": 1}, "b": "two"});
    let r = enc.encrypt_request(plain.to_string().as_bytes()).unwrap();
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body["ea"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["encryptedValue"]
    );
    let headers: HashMap<String, String> = r.headers.into_iter().collect();
    for h in [
        "x-iv",
        "x-encrypted-key",
        "x-oaep-padding-digest-algorithm",
        "x-encryption-key-fingerprint",
    ] {
        assert!(headers.contains_key(h), "{h}: {headers:?}");
    }
    let lookup = |n: &str| headers.get(&n.to_ascii_lowercase()).cloned();
    let back = enc.decrypt_response(&r.body, lookup).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&back).unwrap(), plain);
    let without = enc.decrypt_response(&r.body, |_| None).unwrap_err();
    assert!(
        matches!(&without, Error::Encryption(m) if m.contains("x-iv")),
        "{without:?}"
    );
    assert!(matches!(enc.encrypt_payload("{}"), Err(Error::Config(_))));
    assert!(matches!(
        fle()
            .field_names(FieldNames {
                iv: None,
                ..FieldNames::default()
            })
            .build(),
        Err(Error::Config(_))
    ));
}

#[test]
fn damage_anywhere_is_an_encryption_error_never_plaintext() {
    let j = jwe().build().unwrap();
    let out = parse(&j.encrypt_payload(r#"{"pan":"5123450000000008"}"#).unwrap());
    let token = out["encryptedData"].as_str().unwrap().to_owned();
    for at in (0..token.len()).step_by(37) {
        let mut bytes = token.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let Ok(t) = String::from_utf8(bytes) else {
            continue;
        };
        if t == token {
            continue;
        }
        let damaged = json!({ "encryptedData": t }).to_string();
        match j.decrypt_payload(&damaged) {
            Err(Error::Encryption(_)) => {}
            // A changed bit that base64 decoding ignores (the last character's padding bits)
            // decodes to the same bytes: the same plaintext, never garbage.
            Ok(p) => assert_eq!(parse(&p), json!({"pan": "5123450000000008"}), "at {at}"),
            Err(e) => panic!("at {at}: {e:?}"),
        }
    }
    for bad in [
        r#"{"encryptedData": 5}"#,
        r#"{"encryptedData": "x.y"}"#,
        "not json",
        "[1,",
    ] {
        assert!(
            matches!(j.decrypt_payload(bad), Err(Error::Encryption(_))),
            "{bad}"
        );
    }
    // The field-level scheme has no integrity tag (Mastercard's design): a damaged wrapped key
    // is caught by RSA-OAEP, malformed values and broken padding by the parser and AES-CBC; a
    // changed IV or ciphertext block can only be caught where the padding breaks.
    let f = fle().build().unwrap();
    let out = parse(&f.encrypt_payload(r#"{"a":1}"#).unwrap());
    let with = |field: &str, value: String| {
        let mut d = out.clone();
        d[field] = Value::String(value);
        f.decrypt_payload(&d.to_string())
    };
    let key_hex = out["encryptedKey"].as_str().unwrap();
    let flipped = format!(
        "{}{}",
        if key_hex.starts_with('0') { "1" } else { "0" },
        &key_hex[1..]
    );
    assert!(matches!(
        with("encryptedKey", flipped),
        Err(Error::Encryption(_))
    ));
    for field in ["encryptedValue", "iv", "encryptedKey"] {
        let v = out[field].as_str().unwrap();
        assert!(
            matches!(with(field, "zz".into()), Err(Error::Encryption(_))),
            "{field}"
        );
        assert!(
            matches!(
                with(field, v[..v.len() - 2].into()),
                Err(Error::Encryption(_))
            ),
            "{field}"
        );
    }
}

#[test]
fn a_payload_for_another_key_names_both_keys() {
    let other = EncryptionCertificate::from_file(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oauth1-keys/cert.pem"),
    )
    .unwrap();
    let j = PayloadEncryption::builder(Scheme::Jwe)
        .encryption_certificate(other.clone())
        .build()
        .unwrap();
    let out = j.encrypt_payload(r#"{"a":1}"#).unwrap();
    let e = jwe().build().unwrap().decrypt_payload(&out).unwrap_err();
    assert!(
        matches!(&e, Error::Encryption(m) if m.contains(other.key_fingerprint()) && m.contains(key().key_fingerprint())),
        "{e:?}"
    );
}

/// End to end against the sandbox's encrypted API: `MastercardAuth` encrypts the body, signs
/// the bytes sent (the sandbox verifies the signature over them, then decrypts), and decrypts
/// the encrypted answer.
#[tokio::test]
async fn mastercard_auth_against_the_sandboxs_encrypted_api() {
    use finauth::mastercard::MastercardAuth;
    use finauth_sandbox::{EncryptionSpec, OAuth1Key, Sandbox, SandboxConfig};
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let oauth1 = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oauth1-keys");
    let public = std::fs::read_to_string(oauth1.join("public.pem")).unwrap();
    sb.add_oauth1_key(OAuth1Key::from_pem("enc-ck", &public).unwrap());
    let pem = |f: &str| std::fs::read_to_string(keys().join(f)).unwrap();
    sb.configure_encryption(EncryptionSpec {
        scheme: None,
        decryption_key_pem: pem("client-encryption-key.pem"),
        encryption_certificate_pem: pem("client-encryption-cert.pem"),
        options: Some(json!({"decryptionPaths": {"$.encryptedCard.encryptedData": "$.card"}})),
    })
    .unwrap();
    let signer = finauth::OAuth1Signer::new(
        "enc-ck",
        finauth::SigningKey::from_file(oauth1.join("pkcs8.pem"), None, None).unwrap(),
        finauth::SignatureMethod::RsaSha256,
    )
    .unwrap();
    let enc = jwe()
        .encryption_path("$.card", "$.encryptedCard")
        .decryption_path("$.encryptedData", "$")
        .build()
        .unwrap();
    let auth = MastercardAuth::new(Some(signer), Some(enc)).unwrap();
    let url = format!("{}/payments?x=1", sb.encrypted_url());
    let body = br#"{"card":{"pan":"5123450000000008"},"amount":10}"#;
    let p = auth.prepare("POST", &url, body).unwrap();
    assert!(p.body_changed);
    let client = finauth::reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let mut req = client.post(&url).body(p.body.clone());
    for (k, v) in &p.headers {
        req = req.header(k, v);
    }
    let resp = req
        .header("Content-Type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let raw = resp.bytes().await.unwrap();
    assert!(
        !String::from_utf8_lossy(&raw).contains("5123450000000008"),
        "the answer is encrypted"
    );
    let clear: Value = serde_json::from_slice(&auth.response(&raw, |_| None).unwrap()).unwrap();
    assert_eq!(clear["ok"], true);
    assert_eq!(clear["consumer_key"], "enc-ck");
    assert_eq!(
        clear["received"],
        json!({"card": {"pan": "5123450000000008"}, "amount": 10})
    );
    assert_eq!(sb.oauth1_stats("enc-ck").accepted, 1);

    // A body changed after signing fails the signature check; an undecryptable one is a 400.
    let tampered = client
        .post(&url)
        .header("Authorization", &p.headers[0].1)
        .body(r#"{"encryptedCard":{"encryptedData":"x"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 401);
}
