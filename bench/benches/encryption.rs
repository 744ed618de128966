//! Mastercard payload encryption in the Rust core (`finauth::encryption`), the reference line of
//! `bench/encryption/run.sh` (there is no official Rust library to compare with):
//!
//! * `encryption/jwe_encrypt/{1KiB,1MiB}`: `encrypt_payload` at `$ → $` (JWE `RSA-OAEP-256` +
//!   `A256GCM`, a fresh content key, RSA-2048 key wrap, the default 12-byte IV), the whole
//!   payload in, `{"encryptedData":"<compact JWE>"}` out.
//! * `encryption/jwe_decrypt/{1KiB,1MiB}`: `decrypt_payload` of such a body at
//!   `$.encryptedData → $` (RSA-2048 unwrap with the private key, GCM, the JSON put back).
//!   The token is made once, before measuring, with a 16-byte IV (what Mastercard's libraries
//!   send, and what the Python and Node benchmarks decrypt).
//! * `encryption/fle_decrypt/1KiB`: the field-level scheme (HEX, OAEP SHA-256, AES-128-CBC) at
//!   `$.encryptedData → $.data` of a payload encrypted once at `$.data → $.encryptedData`.
//!
//! The payloads are the deterministic JSON objects `{"data":{"items":[...],"pad":"x..."}}` of
//! exactly 1,024 and 1,048,576 bytes that `bench/encryption/python_bench.py` and
//! `node_bench.js` build with the same rule (written to
//! `$CARGO_TARGET_DIR/encryption-bench/payload-{1k,1m}.json` so that `run.sh` can compare their
//! SHA-256). Criterion reports the median time per operation (its estimates are read by
//! `run.sh`); nothing about timings is asserted.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use finauth::encryption::{
    DecryptionKey, EncryptionCertificate, FieldEncoding, OaepHash, PayloadEncryption, Scheme,
};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// The benchmark payload: `{"data":{"items":[item(0),item(1),...],"pad":"xxx"}}`, compact, ASCII,
/// as many whole items as fit, then `pad` filled to exactly `size` bytes. The same rule is in
/// `bench/encryption/python_bench.py` and `node_bench.js`.
pub fn payload(size: usize) -> String {
    const HEAD: &str = r#"{"data":{"items":["#;
    const TAIL_OPEN: &str = r#"],"pad":""#;
    const TAIL_CLOSE: &str = r#""}}"#;
    let item = |i: usize| {
        format!(
            r#"{{"id":{i},"card":"5123450000{:06}","merchant":"Merchant {i}","amount":"{}.{:02}"}}"#,
            i,
            (i * 37) % 1000,
            i % 100
        )
    };
    let fixed = HEAD.len() + TAIL_OPEN.len() + TAIL_CLOSE.len();
    let mut items = String::new();
    let mut i = 0;
    loop {
        let next = item(i);
        let sep = usize::from(i > 0);
        if fixed + items.len() + sep + next.len() > size {
            break;
        }
        if i > 0 {
            items.push(',');
        }
        items.push_str(&next);
        i += 1;
    }
    let pad = size - fixed - items.len();
    let out = format!("{HEAD}{items}{TAIL_OPEN}{}{TAIL_CLOSE}", "x".repeat(pad));
    assert_eq!(out.len(), size);
    out
}

/// finauth writes object members in sorted order (serde_json's map), the payload has them in
/// insertion order: the same JSON has the same length and the same bytes in another order (a
/// check that the round trip did the work, without a JSON parser in this crate).
fn same_json(a: &str, b: &str) -> bool {
    let sorted = |s: &str| {
        let mut v = s.as_bytes().to_vec();
        v.sort_unstable();
        v
    };
    a.len() == b.len() && sorted(a) == sorted(b)
}

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/encryption-keys")
}

fn certificate() -> EncryptionCertificate {
    EncryptionCertificate::from_file(keys_dir().join("client-encryption-cert.pem"))
        .expect("the test certificate loads")
}

fn private_key() -> DecryptionKey {
    DecryptionKey::from_file(keys_dir().join("client-encryption-key.pem"), None, None)
        .expect("the test key loads")
}

fn jwe(iv_size: usize) -> PayloadEncryption {
    PayloadEncryption::builder(Scheme::Jwe)
        .encryption_certificate(certificate())
        .decryption_key(private_key())
        .encryption_path("$", "$")
        .decryption_path("$.encryptedData", "$")
        .iv_size(iv_size)
        .build()
        .expect("a valid JWE configuration")
}

fn fle() -> PayloadEncryption {
    PayloadEncryption::builder(Scheme::FieldLevel)
        .encryption_certificate(certificate())
        .decryption_key(private_key())
        .encryption_path("$.data", "$.encryptedData")
        .decryption_path("$.encryptedData", "$.data")
        .field_encoding(FieldEncoding::Hex)
        .oaep_hash(OaepHash::Sha256)
        .build()
        .expect("a valid field-level configuration")
}

/// Writes the payloads where `run.sh` compares them with the Python and Node ones.
fn write_payloads(payloads: &[(&str, &str, String)]) {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("encryption-bench");
    if std::fs::create_dir_all(&dir).is_ok() {
        for (_, file, text) in payloads {
            let _ = std::fs::write(dir.join(format!("payload-{file}.json")), text);
        }
    }
}

fn benches(c: &mut Criterion) {
    let payloads = [
        ("1KiB", "1k", payload(1024)),
        ("1MiB", "1m", payload(1024 * 1024)),
    ];
    write_payloads(&payloads);
    let (enc, dec) = (jwe(12), jwe(16));

    let mut group = c.benchmark_group("encryption");
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    for (label, _, text) in &payloads {
        if text.len() > 4096 {
            group.sample_size(20);
        } else {
            group.sample_size(50);
        }
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("jwe_encrypt", label), text, |b, text| {
            b.iter(|| enc.encrypt_payload(black_box(text)).expect("encrypts"))
        });
        let body = dec.encrypt_payload(text).expect("encrypts");
        let clear = dec.decrypt_payload(&body).expect("decrypts");
        assert!(
            same_json(&clear, text),
            "the JWE round trip restores the payload"
        );
        group.bench_with_input(BenchmarkId::new("jwe_decrypt", label), &body, |b, body| {
            b.iter(|| dec.decrypt_payload(black_box(body)).expect("decrypts"))
        });
    }

    let fle = fle();
    let (label, _, text) = &payloads[0];
    group.sample_size(50);
    group.throughput(Throughput::Bytes(text.len() as u64));
    let body = fle.encrypt_payload(text).expect("encrypts");
    let clear = fle.decrypt_payload(&body).expect("decrypts");
    assert!(
        same_json(&clear, text),
        "the field-level round trip restores the payload"
    );
    group.bench_with_input(BenchmarkId::new("fle_decrypt", label), &body, |b, body| {
        b.iter(|| fle.decrypt_payload(black_box(body)).expect("decrypts"))
    });
    group.finish();
}

criterion_group!(encryption_benches, benches);
criterion_main!(encryption_benches);
