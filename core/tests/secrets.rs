//! Secrets and tokens never appear in `Debug`, `Display`, error messages or log output.

mod common;

use common::*;
use finauth::{Error, FileStore};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_tokens_never_reach_debug_display_errors_or_logs() {
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sb = sandbox().await;
    let dir = temp_dir("secrets");
    let store = || Arc::new(FileStore::new(&dir).unwrap());
    let mut shown = Vec::new();
    let mut tokens = Vec::new();

    let builder = builder(&sb).store(store());
    shown.push(format!("{builder:?}"));
    let auth = builder.build().unwrap();
    let token = auth.token().await.unwrap();
    tokens.push(token.expose().to_owned());
    shown.push(format!("{auth:?} {token:?} {token}"));
    let headers = auth.headers().await.unwrap();
    shown.push(format!("{headers:?}"));

    // Wrong secret, then the guard's refusal.
    let wrong = "WrongSecretXYZ123";
    let bad = builder_for(&sb.url())
        .partner_secret(wrong)
        .build()
        .unwrap();
    for _ in 0..2 {
        let e = bad.token().await.unwrap_err();
        shown.push(format!("{e} {e:?}"));
    }
    // A rotation and an invalidation.
    let rotated = "RotatedSecret2027";
    auth.modify_partner_secret(rotated, true).await.unwrap();
    let e = auth.modify_partner_secret("short", true).await.unwrap_err();
    shown.push(format!("{e} {e:?}"));
    sb.expire_tokens(PARTNER);
    let resp = auth
        .send(
            auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    tokens.push(auth.token().await.unwrap().expose().to_owned());
    shown.push(format!(
        "{:?} {:?}",
        auth.stats(),
        auth.guard_status().await.unwrap()
    ));
    // A server error message that echoes the secret back.
    sb.push_fault(
        finauth_sandbox::Fault::Status {
            status: 400,
            content_type: Some("application/json".into()),
            body: format!(r#"{{"code":99999,"message":"bad secret {rotated}"}}"#),
        },
        1,
    );
    let other = builder_for(&sb.url())
        .partner_secret(rotated)
        .build()
        .unwrap();
    let e = other.token().await.unwrap_err();
    assert!(matches!(e, Error::Config(_)));
    shown.push(format!("{e} {e:?}"));

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(!logged.is_empty(), "the flows above log something");
    let all = format!("{}\n{logged}", shown.join("\n"));
    for secret in [SECRET, wrong, rotated, APP_KEY]
        .iter()
        .map(|s| s.to_string())
        .chain(tokens)
    {
        assert!(
            !all.contains(&secret),
            "leaked a secret or token: …{}…",
            &secret[..3]
        );
    }
    assert!(all.contains("[REDACTED]"));
}

#[tokio::test]
async fn the_file_store_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let sb = sandbox().await;
    let dir = temp_dir("perms");
    let auth = builder(&sb)
        .store(Arc::new(FileStore::new(&dir).unwrap()))
        .build()
        .unwrap();
    auth.token().await.unwrap();
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let meta = entry.unwrap().metadata().unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        files += 1;
    }
    assert!(files >= 2, "state and lock files");
    // No rejected secret is ever stored, only fingerprints.
    let bad = builder(&sb)
        .partner_secret("WrongSecretXYZ123")
        .store(Arc::new(FileStore::new(&dir).unwrap()))
        .build()
        .unwrap();
    let _ = bad.token().await;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        assert!(!text.contains("WrongSecretXYZ123") && !text.contains(SECRET));
    }
}

#[tokio::test]
async fn a_corrupt_store_file_degrades_to_a_strict_local_guard_and_reset_repairs_it() {
    let sb = sandbox().await;
    let dir = temp_dir("corrupt");
    let auth = builder(&sb)
        .store(Arc::new(FileStore::new(&dir).unwrap()))
        .build()
        .unwrap();
    auth.token().await.unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "json") {
            std::fs::write(&p, b"{not json").unwrap();
        }
    }
    // Operator views fail loudly; token() keeps working on process-local state.
    assert!(matches!(auth.guard_status().await, Err(Error::Store(_))));
    let fresh = builder(&sb)
        .store(Arc::new(FileStore::new(&dir).unwrap()))
        .build()
        .unwrap();
    fresh.token().await.unwrap();
    assert!(fresh.stats().store_errors > 0);
    fresh.reset_lockout_guard().await.unwrap();
    assert_eq!(fresh.guard_status().await.unwrap().failed_attempts, 0);
}
