//! The OAuth 1.0a verifier (`/oauth1/*`): requests signed by finauth core are accepted; tampered,
//! stale, replayed, wrongly keyed and unknown ones are rejected with a named error.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use finauth_sandbox::{OAuth1Key, Sandbox, SandboxConfig};
use serde_json::Value;

const CK: &str = "test-consumer-key!abc";
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/oauth1-keys");

fn key_der() -> Vec<u8> {
    std::fs::read(format!("{KEYS}/pkcs8.der")).expect("test key")
}

/// The test key's public half as a PKCS#1 `RSA PUBLIC KEY` PEM.
fn public_pem_of(pkcs8: &[u8]) -> String {
    let pair = RsaKeyPair::from_pkcs8(pkcs8).expect("pkcs8");
    let b64 = STANDARD.encode(pair.public_key().as_ref());
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

fn signer(method: SignatureMethod) -> OAuth1Signer {
    let key = SigningKey::from_der(&key_der()).expect("key");
    OAuth1Signer::new(CK, key, method).expect("signer")
}

async fn start() -> Sandbox {
    let key = OAuth1Key::from_pem(CK, &public_pem_of(&key_der())).expect("public key");
    common::start_with(SandboxConfig {
        oauth1_keys: vec![key],
        ..SandboxConfig::default()
    })
    .await
}

async fn send(sb: &Sandbox, method: &str, path: &str, auth: &str, body: &[u8]) -> (u16, Value) {
    let resp = common::http()
        .request(method.parse().unwrap(), format!("{}{path}", sb.url()))
        .header("Authorization", auth)
        .body(body.to_vec())
        .send()
        .await
        .expect("answered");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json body"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn signed_requests_are_accepted_both_methods() {
    let sb = start().await;
    for method in [SignatureMethod::RsaSha256, SignatureMethod::RsaPss] {
        let s = signer(method);
        for (verb, path, body) in [
            (
                "POST",
                "/oauth1/payments?b=2&a=1&x=a%20b",
                &br#"{"amount":1}"#[..],
            ),
            ("GET", "/oauth1/accounts/1?q=+plus", &b""[..]),
            ("PUT", "/oauth1", &b"raw bytes \xff"[..]),
            ("DELETE", "/oauth1/x/%7Eenc", &b""[..]),
        ] {
            let url = format!("{}{path}", sb.url());
            let header = s.authorization_header(verb, &url, body).unwrap();
            let (status, json) = send(&sb, verb, path, &header, body).await;
            assert_eq!(status, 200, "{verb} {path}: {json}");
            assert_eq!(json["ok"], true);
            assert_eq!(json["consumer_key"], CK);
        }
    }
    assert_eq!(sb.oauth1_stats(CK).accepted, 8);
    assert_eq!(sb.oauth1_stats(CK).rejected, 0);
    assert_eq!(sb.stats().oauth1[CK].accepted, 8);
}

async fn rejected(sb: &Sandbox, verb: &str, path: &str, header: &str, body: &[u8]) -> String {
    let (status, json) = send(sb, verb, path, header, body).await;
    assert_eq!(status, 401, "{json}");
    assert_eq!(json["ok"], false);
    let text = json.to_string();
    assert!(!text.contains("PRIVATE") && !text.contains("PUBLIC KEY"));
    json["error"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn tampering_is_rejected() {
    let sb = start().await;
    let s = signer(SignatureMethod::RsaSha256);
    let url = format!("{}/oauth1/pay?a=1", sb.url());
    let header = s.authorization_header("POST", &url, b"{\"a\":1}").unwrap();
    // Body changed.
    assert_eq!(
        rejected(&sb, "POST", "/oauth1/pay?a=1", &header, b"{\"a\":2}").await,
        "body_hash_mismatch"
    );
    // Query changed (body the same).
    let header = s.authorization_header("POST", &url, b"{}").unwrap();
    assert_eq!(
        rejected(&sb, "POST", "/oauth1/pay?a=2", &header, b"{}").await,
        "bad_signature"
    );
    // Method changed.
    let header = s.authorization_header("POST", &url, b"").unwrap();
    assert_eq!(
        rejected(&sb, "PUT", "/oauth1/pay?a=1", &header, b"").await,
        "bad_signature"
    );
    // Body hash recomputed for a new body, signature left as is.
    let header = s.authorization_header("POST", &url, b"one").unwrap();
    let forged = header.replace(
        &finauth::oauth1::body_hash(b"one"),
        &finauth::oauth1::body_hash(b"two"),
    );
    assert_eq!(
        rejected(&sb, "POST", "/oauth1/pay?a=1", &forged, b"two").await,
        "bad_signature"
    );
    assert_eq!(sb.oauth1_stats(CK).rejected, 4);
    assert_eq!(sb.oauth1_stats(CK).accepted, 0);
}

#[tokio::test]
async fn wrong_key_is_rejected() {
    let sb = start().await;
    // A different RSA key, same consumer key.
    let other = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der =
        aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&other).unwrap();
    let s = OAuth1Signer::new(
        CK,
        SigningKey::from_der(der.as_ref()).unwrap(),
        SignatureMethod::RsaSha256,
    )
    .unwrap();
    let url = format!("{}/oauth1/x", sb.url());
    let header = s.authorization_header("GET", &url, b"").unwrap();
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", &header, b"").await,
        "bad_signature"
    );
    // The right key, but the header claims PSS while signing PKCS#1 v1.5.
    let header = signer(SignatureMethod::RsaSha256)
        .authorization_header("GET", &url, b"")
        .unwrap()
        .replace("RSA-SHA256", "RSA-PSS");
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", &header, b"").await,
        "bad_signature"
    );
}

#[tokio::test]
async fn stale_and_future_timestamps_are_rejected() {
    let sb = start().await;
    let s = signer(SignatureMethod::RsaSha256);
    let url = format!("{}/oauth1/x", sb.url());
    let old = s
        .authorization_header_with("GET", &url, b"", "AAAAAAAAAAAAAAAA", now() - 301)
        .unwrap();
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", &old, b"").await,
        "stale_timestamp"
    );
    let future = s
        .authorization_header_with("GET", &url, b"", "BBBBBBBBBBBBBBBB", now() + 400)
        .unwrap();
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", &future, b"").await,
        "stale_timestamp"
    );
    // Within a wider tolerance the same header passes.
    sb.set_oauth1_tolerance(Duration::from_secs(3600));
    let (status, _) = send(&sb, "GET", "/oauth1/x", &old, b"").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn replayed_nonce_is_rejected() {
    let sb = start().await;
    let s = signer(SignatureMethod::RsaPss);
    let url = format!("{}/oauth1/x", sb.url());
    let header = s.authorization_header("POST", &url, b"body").unwrap();
    let (status, _) = send(&sb, "POST", "/oauth1/x", &header, b"body").await;
    assert_eq!(status, 200);
    assert_eq!(
        rejected(&sb, "POST", "/oauth1/x", &header, b"body").await,
        "replayed_nonce"
    );
    // Same nonce, fresh signature: still a replay.
    let again = s
        .authorization_header_with("POST", &url, b"body", nonce_of(&header), now())
        .unwrap();
    assert_eq!(
        rejected(&sb, "POST", "/oauth1/x", &again, b"body").await,
        "replayed_nonce"
    );
    assert_eq!(sb.oauth1_stats(CK).accepted, 1);
    assert_eq!(sb.oauth1_stats(CK).rejected, 2);
}

fn nonce_of(header: &str) -> &str {
    let start = header.find("oauth_nonce=\"").unwrap() + 13;
    &header[start..start + 16]
}

#[tokio::test]
async fn unknown_consumer_key_and_bad_headers_are_rejected() {
    let sb = start().await;
    let key = SigningKey::from_der(&key_der()).unwrap();
    let s = OAuth1Signer::new("someone-else", key, SignatureMethod::RsaSha256).unwrap();
    let url = format!("{}/oauth1/x", sb.url());
    let header = s.authorization_header("GET", &url, b"").unwrap();
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", &header, b"").await,
        "unknown_consumer_key"
    );
    assert_eq!(sb.oauth1_stats("someone-else").rejected, 1);
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", "Bearer abc", b"").await,
        "malformed_authorization"
    );
    let resp = common::http()
        .get(format!("{}/oauth1/x", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let good = signer(SignatureMethod::RsaSha256)
        .authorization_header("GET", &url, b"")
        .unwrap();
    assert_eq!(
        rejected(
            &sb,
            "GET",
            "/oauth1/x",
            &good.replace("\"1.0\"", "\"2.0\""),
            b""
        )
        .await,
        "bad_version"
    );
    assert_eq!(
        rejected(
            &sb,
            "GET",
            "/oauth1/x",
            &good.replace("RSA-SHA256", "HMAC-SHA1"),
            b""
        )
        .await,
        "unsupported_signature_method"
    );
}

#[tokio::test]
async fn keys_can_be_added_through_the_admin_api() {
    let sb = common::start().await;
    let s = signer(SignatureMethod::RsaSha256);
    let url = format!("{}/oauth1/x", sb.url());
    let header = s.authorization_header("GET", &url, b"").unwrap();
    assert_eq!(
        rejected(&sb, "GET", "/oauth1/x", &header, b"").await,
        "unknown_consumer_key"
    );
    let admin = format!("{}/__admin/oauth1-keys", sb.url());
    let bad = common::http()
        .post(&admin)
        .json(&serde_json::json!({"consumer_key": CK, "public_key_pem": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let ok = common::http()
        .post(&admin)
        .json(&serde_json::json!({"consumer_key": CK, "public_key_pem": public_pem_of(&key_der())}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    let header = s.authorization_header("GET", &url, b"").unwrap();
    let (status, _) = send(&sb, "GET", "/oauth1/x", &header, b"").await;
    assert_eq!(status, 200);
    let stats: Value = common::http()
        .get(format!("{}/__admin/stats", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["oauth1"][CK]["accepted"], 1);
    assert_eq!(stats["oauth1"][CK]["rejected"], 1);
}

#[test]
fn public_keys_parse_in_both_pem_forms() {
    let spki = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in", &format!("{KEYS}/pkcs8.pem")])
        .output();
    if let Ok(out) = spki {
        if out.status.success() {
            let pem = String::from_utf8(out.stdout).unwrap();
            assert!(OAuth1Key::from_pem(CK, &pem).is_ok());
        }
    }
    assert!(OAuth1Key::from_pem(CK, &public_pem_of(&key_der())).is_ok());
    assert!(OAuth1Key::from_pem(
        CK,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    )
    .is_err());
    let private = std::fs::read_to_string(format!("{KEYS}/pkcs8.pem")).unwrap();
    let err = OAuth1Key::from_pem(CK, &private).unwrap_err();
    assert!(!err.contains("MII"), "{err}");
}
