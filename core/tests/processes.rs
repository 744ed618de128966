//! `FileStore` across real OS processes: this test binary re-runs itself as the child
//! (`child_process_entry`), so every process runs the real engine against the real sandbox.

mod common;

use common::*;
use finauth::{Error, FileStore};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

const CHILD: &str = "FINAUTH_TEST_CHILD";

/// Not a test of its own: the body of each child process.
#[test]
fn child_process_entry() {
    let Ok(url) = std::env::var(CHILD) else {
        return;
    };
    let var = |n: &str| std::env::var(n).unwrap_or_default();
    let secs = |n: &str, d: f64| var(n).parse::<f64>().unwrap_or(d);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt.block_on(async {
        let auth = builder_for(&url)
            .partner_secret(var("CHILD_SECRET"))
            .store(Arc::new(FileStore::new(var("CHILD_STORE")).unwrap()))
            .token_lifetime(Duration::from_secs_f64(secs("CHILD_LIFETIME", 7200.0)))
            .refresh_after(Duration::from_secs_f64(secs("CHILD_REFRESH", 5400.0)))
            .mandatory_margin(Duration::from_secs_f64(secs("CHILD_MARGIN", 600.0)))
            .lease_ttl(Duration::from_secs_f64(secs("CHILD_LEASE", 15.0)))
            .build()
            .unwrap();
        let threads = var("CHILD_TASKS").parse::<usize>().unwrap_or(1);
        let tasks: Vec<_> = (0..threads)
            .map(|_| {
                let a = auth.clone();
                tokio::spawn(async move { a.token().await })
            })
            .collect();
        let mut kinds = Vec::new();
        for t in tasks {
            kinds.push(match t.await.unwrap() {
                Ok(_) => "OK".to_string(),
                Err(e) => e.kind().to_string(),
            });
        }
        kinds.dedup();
        kinds.join(",")
    });
    println!("\nOUTCOME={outcome}");
}

fn child(url: &str, store: &std::path::Path, secret: &str, extra: &[(&str, &str)]) -> Command {
    let store = store.to_string_lossy();
    let mut env = vec![
        (CHILD, url),
        ("CHILD_STORE", &*store),
        ("CHILD_SECRET", secret),
    ];
    env.extend_from_slice(extra);
    child_command(&env)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_restarted_ten_times_with_a_wrong_secret_fail_once_at_the_server() {
    let sb = sandbox().await;
    let dir = temp_dir("wrong-secret-fleet");
    let url = sb.url();
    let mut seen = Vec::new();
    for _restart in 0..10 {
        seen.extend(
            wave(8, || {
                child(&url, &dir, "WrongSecret999", &[("CHILD_TASKS", "4")])
            })
            .await,
        );
    }
    assert_eq!(
        failures(&sb),
        1,
        "exactly one wrong secret reached the server"
    );
    assert!(!sb.partner_stats(PARTNER).locked);
    assert_eq!(
        seen.iter()
            .filter(|o| o.contains("INVALID_CREDENTIALS"))
            .count(),
        1,
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .all(|o| o == "INVALID_CREDENTIALS" || o == "LOCKOUT_GUARD"),
        "{seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_cold_processes_and_again_at_expiry_authenticate_once_each_time() {
    let sb = sandbox().await;
    sb.set_latency(Duration::from_millis(200));
    let dir = temp_dir("right-secret-fleet");
    let url = sb.url();
    let short = [
        ("CHILD_TASKS", "8"),
        ("CHILD_LIFETIME", "3"),
        ("CHILD_REFRESH", "1"),
        ("CHILD_MARGIN", "1"),
    ];
    let first = wave(8, || child(&url, &dir, SECRET, &short)).await;
    assert!(first.iter().all(|o| o == "OK"), "{first:?}");
    assert_eq!(auths(&sb), 1);
    // Past the mandatory point of the shared token: one process refreshes for all.
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let second = wave(8, || child(&url, &dir, SECRET, &short)).await;
    assert!(second.iter().all(|o| o == "OK"), "{second:?}");
    assert_eq!(auths(&sb), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_killed_mid_refresh_blocks_others_only_until_the_lease_expires() {
    let sb = sandbox().await;
    let dir = temp_dir("killed-holder");
    let url = sb.url();
    let lease = [("CHILD_LEASE", "2")];
    sb.set_latency(Duration::from_secs(5));
    let mut holder = child(&url, &dir, SECRET, &lease).spawn().unwrap();
    // Wait until the holder's request reached the sandbox, then kill it mid-refresh.
    for _ in 0..200 {
        if auths(&sb) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(auths(&sb), 1);
    holder.kill().unwrap(); // SIGKILL
    let _ = holder.wait();
    sb.set_latency(Duration::ZERO);
    let started = std::time::Instant::now();
    let other = wave(1, || child(&url, &dir, SECRET, &lease)).await;
    assert_eq!(other, vec!["OK".to_string()]);
    assert_eq!(
        auths(&sb),
        2,
        "one extra authentication after the lease expired"
    );
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rotation_reaches_every_process_sharing_the_store_and_the_old_secret_is_never_sent() {
    let sb = sandbox().await;
    let dir = temp_dir("rotation");
    let store = || Arc::new(FileStore::new(&dir).unwrap());
    let a = builder(&sb).store(store()).build().unwrap();
    let b = builder(&sb).store(store()).build().unwrap();
    a.token().await.unwrap();
    b.token().await.unwrap();
    a.modify_partner_secret("RotatedSecret2027", true)
        .await
        .unwrap();
    assert_eq!(sb.partner_stats(PARTNER).modify_success, 1);

    // b still holds the old secret; its token expires at the server and it must re-authenticate.
    sb.expire_tokens(PARTNER);
    let resp = b
        .send(
            b.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A new process configured with the old secret also follows the rotation.
    let url = sb.url();
    let out = wave(1, || child(&url, &dir, SECRET, &[])).await;
    assert_eq!(out, vec!["OK".to_string()]);
    // A's own next authentication uses the new secret too.
    sb.expire_tokens(PARTNER);
    a.invalidate(&a.token().await.unwrap()).await;
    a.token().await.unwrap();

    let ps = sb.partner_stats(PARTNER);
    assert_eq!(
        ps.retired_secret_attempts, 0,
        "no request carried the old secret"
    );
    assert_eq!(ps.auth_failures, 0);
}

#[tokio::test]
async fn new_secret_breaking_the_rules_is_refused_before_any_request() {
    let sb = sandbox().await;
    let a = builder(&sb).build().unwrap();
    for bad in [
        "short1A",
        "no digits here!",
        "has space 12345",
        "DemoSecret2026",
    ] {
        assert!(
            matches!(
                a.modify_partner_secret(bad, true).await,
                Err(Error::Config(_))
            ),
            "{bad}"
        );
    }
    assert_eq!(sb.partner_stats(PARTNER).modify_requests, 0);
}
