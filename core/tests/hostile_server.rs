//! A misbehaving or hostile server on loopback: a token that would become a second header is
//! refused from every source (Finicity JSON and XML, OAuth 2.0, a store document), and nothing
//! finauth sent (partner secret, new secret, App Key, client secret) comes back in an error,
//! wherever the server puts it in a long message.

mod common;

use common::*;
use finauth::{ClientCredentials, Error, FileStore};
use finauth_sandbox::{Fault, Sandbox, ScriptedAnswer};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Every byte the issue names, alone and as CRLF.
const BAD: [(&str, &str); 6] = [
    ("CR", "\r"),
    ("LF", "\n"),
    ("CRLF", "\r\n"),
    ("NUL", "\0"),
    ("ESC", "\x1b"),
    ("DEL", "\x7f"),
];

fn hostile_token(bad: &str) -> String {
    format!("abc{bad}X-Injected: 1")
}

fn json_answer(bad: &str) -> Fault {
    Fault::Status {
        status: 200,
        content_type: Some("application/json".into()),
        body: serde_json::json!({ "token": hostile_token(bad) }).to_string(),
    }
}

fn xml_answer(bad: &str) -> Fault {
    Fault::Status {
        status: 200,
        content_type: Some("application/xml".into()),
        body: format!("<access><token>{}</token></access>", hostile_token(bad)),
    }
}

/// Everything under `dir`, as text.
fn dir_text(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        out.push_str(&String::from_utf8_lossy(
            &std::fs::read(entry.path()).unwrap_or_default(),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finicity_token_with_a_control_character_is_refused_in_json_and_xml() {
    let sb = sandbox().await;
    for (name, bad) in BAD {
        for (shape, fault) in [("json", json_answer(bad)), ("xml", xml_answer(bad))] {
            let what = format!("{name} in {shape}");
            let dir = temp_dir("hostile-token");
            let auth = builder(&sb)
                .store(Arc::new(FileStore::new(&dir).unwrap()))
                .backoff(Duration::from_millis(1), Duration::from_millis(1))
                .build()
                .unwrap();
            sb.push_fault(fault, 1);
            let e = auth.token().await.unwrap_err();
            assert!(matches!(e, Error::Server { .. }), "{what}: {e:?}");
            assert!(!e.to_string().contains("Injected"), "{what}: {e}");
            // Not a verdict on the secret: the guard was not charged.
            assert_eq!(
                auth.guard_status().await.unwrap().failed_attempts,
                0,
                "{what}"
            );
            assert!(!dir_text(&dir).contains("Injected"), "{what}: stored");
            assert!(auth.fresh_token().is_none(), "{what}: cached");

            // The next answer is a good one: recovered, and only the good token goes out.
            tokio::time::sleep(Duration::from_millis(5)).await;
            let headers = auth.headers().await.unwrap();
            assert!(!headers.token().expose().contains("Injected"), "{what}");
            let resp = auth
                .send(
                    auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "{what}");
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_is_never_sent_to_a_resource() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    sb.push_fault(json_answer("\r\n"), 1);
    let e = auth
        .send(
            auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "SERVER");
    assert_eq!(sb.stats().endpoint("GET /aggregation/v1/customers"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_document_edited_to_hold_a_crlf_token_is_refused_on_adoption() {
    let sb = sandbox().await;
    let dir = temp_dir("hostile-store");
    let first = builder(&sb)
        .store(Arc::new(FileStore::new(&dir).unwrap()))
        .build()
        .unwrap();
    let good = first.token().await.unwrap();
    assert_eq!(auths(&sb), 1);

    // Someone edits the shared document: the token now carries a second header.
    let mut edited = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if text.contains(good.expose()) {
            let hostile = serde_json::to_string(&hostile_token("\r\n")).unwrap();
            let text = text.replace(&format!("\"{}\"", good.expose()), &hostile);
            std::fs::write(entry.path(), text).unwrap();
            edited += 1;
        }
    }
    assert_eq!(edited, 1, "one document holds the token");

    // Another process (a new object on the same store) must not adopt it.
    let second = builder(&sb)
        .store(Arc::new(FileStore::new(&dir).unwrap()))
        .build()
        .unwrap();
    let token = second.token().await.unwrap();
    assert!(!token.expose().contains("Injected"));
    assert_eq!(auths(&sb), 2, "it authenticated instead of adopting");
    assert!(
        !dir_text(&dir).contains("Injected"),
        "its token replaced the edited one"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn oauth2(sb: &Sandbox) -> ClientCredentials {
    ClientCredentials::builder()
        .token_url(sb.oauth2_token_url())
        .client_id("finauth-demo-client")
        .client_secret("demo-client-secret")
        .allow_insecure_loopback(true)
        .backoff_base(Duration::from_millis(1))
        .backoff_max(Duration::from_millis(1))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn scripted(status: u16, body: String) -> ScriptedAnswer {
    ScriptedAnswer {
        status,
        headers: BTreeMap::from([("content-type".into(), "application/json".into())]),
        body,
        ..ScriptedAnswer::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth2_token_with_a_control_character_is_refused() {
    let sb = sandbox().await;
    for (name, bad) in BAD {
        let cc = oauth2(&sb);
        let body = serde_json::json!({
            "access_token": hostile_token(bad),
            "token_type": "Bearer",
            "expires_in": 3600,
        });
        sb.script("/oauth2/token", vec![scripted(200, body.to_string())]);
        let e = cc.token().await.unwrap_err();
        assert!(matches!(e, Error::Server { .. }), "{name}: {e:?}");
        assert!(!e.to_string().contains("Injected"), "{name}: {e}");
        assert_eq!(cc.guard_status().await.unwrap().failed_attempts, 0);
        assert_eq!(
            sb.script_report().remaining,
            0,
            "{name}: the script was played"
        );
        // Then the real server answers: a good token.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let t = cc.token().await.unwrap();
        assert!(!t.expose().contains("Injected"));
    }
}

/// Every prefix of `secret` of 4 characters or more (what a cut could leave behind).
fn assert_no_part_of(text: &str, secret: &str, what: &str) {
    let n = secret.chars().count();
    for len in 4..=n {
        let prefix: String = secret.chars().take(len).collect();
        assert!(
            !text.contains(&prefix),
            "{what}: {len} characters leaked: {text}"
        );
    }
}

/// Offsets that put the secret wholly before, across and wholly after the 300-character cut.
fn offsets(secret: &str) -> std::ops::RangeInclusive<usize> {
    let n = secret.chars().count();
    300 - n - 3..=303
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_or_app_key_at_every_offset_around_the_cut_never_reaches_the_error() {
    let sb = sandbox().await;
    let secret = "HostileSecret2026xyz1"; // 21 characters, as in the report
    let app_key = "hostile-appkey-Z9w4";
    for (what, value) in [("partner secret", secret), ("App Key", app_key)] {
        for status in [500u16, 400] {
            for at in offsets(value) {
                let auth = builder(&sb)
                    .partner_secret(secret)
                    .app_key(app_key)
                    .backoff(Duration::from_millis(1), Duration::from_millis(1))
                    .build()
                    .unwrap();
                let message = format!("{}{value} is over the limit", "m".repeat(at));
                sb.push_fault(
                    Fault::Status {
                        status,
                        content_type: Some("application/json".into()),
                        body: serde_json::json!({"code": 1000, "message": message}).to_string(),
                    },
                    1,
                );
                let e = auth.token().await.unwrap_err();
                let text = format!("{e}");
                let ctx = format!("{what}, HTTP {status}, offset {at}");
                assert_no_part_of(&text, value, &ctx);
                assert!(text.contains("code 1000"), "{ctx}: {text}");
                assert!(!text.contains("Some("), "{ctx}: debug formatting: {text}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_secret_at_every_offset_never_reaches_the_modify_error() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    let new = "RotatedSecret2027abc";
    for at in offsets(new) {
        let message = format!("{}{new} is not allowed", "m".repeat(at));
        sb.script(
            finauth::finicity::AUTH_PATH,
            vec![scripted(
                500,
                serde_json::json!({"code": 1, "message": message}).to_string(),
            )],
        );
        let e = auth.modify_partner_secret(new, true).await.unwrap_err();
        assert_no_part_of(&e.to_string(), new, &format!("offset {at}"));
        assert_no_part_of(&e.to_string(), SECRET, &format!("offset {at}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_secret_at_every_offset_never_reaches_the_oauth2_error() {
    let sb = sandbox().await;
    let client_secret = "demo-client-secret";
    for at in offsets(client_secret) {
        let cc = oauth2(&sb);
        let description = format!("{}{client_secret} is wrong", "d".repeat(at));
        sb.script(
            "/oauth2/token",
            vec![scripted(
                400,
                serde_json::json!({"error": "invalid_request", "error_description": description})
                    .to_string(),
            )],
        );
        let e = cc.token().await.unwrap_err();
        let ctx = format!("offset {at}");
        assert_no_part_of(&e.to_string(), client_secret, &ctx);
        let oauth = e.oauth_error().expect("the OAuth 2.0 fields");
        assert_no_part_of(
            oauth.error_description.as_deref().unwrap_or_default(),
            client_secret,
            &ctx,
        );
    }
}
