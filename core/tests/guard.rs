//! The lockout guard (docs/ARCHITECTURE.md), against a real sandbox that locks after 5 wrong secrets.

mod common;

use common::*;
use finauth::clock::ManualClock;
use finauth::{Error, FileStore, GuardReason, MemoryStore, Store};
use finauth_sandbox::Fault;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_secret_hammered_by_50_tasks_fails_once_at_the_server() {
    let sb = sandbox().await;
    sb.set_latency(Duration::from_millis(100));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let auth = builder(&sb)
        .partner_secret("WrongSecret111")
        .store(store.clone())
        .build()
        .unwrap();
    for r in concurrent_tokens(&auth, 50).await {
        match r {
            Err(Error::InvalidCredentials {
                attempts_remaining: 2,
                code: Some(10001),
                ..
            }) => {}
            other => panic!("expected the one InvalidCredentials, got {other:?}"),
        }
    }
    assert_eq!(failures(&sb), 1);
    // From now on the secret is known to be wrong: refused without a request.
    match auth.token().await {
        Err(Error::LockoutGuard {
            reason: GuardReason::SecretRejected,
            failed_attempts: 1,
            ..
        }) => {}
        other => panic!("expected LockoutGuard, got {other:?}"),
    }
    assert_eq!(auths(&sb), 1);
    let s = auth.stats();
    assert_eq!(
        (s.auth_requests, s.auth_successes, s.credential_failures),
        (1, 0, 1)
    );
    assert!(s.guard_refusals >= 1, "{s:?}");

    // New secrets may be tried while slots remain, never beyond max_failed_attempts (3).
    for (i, secret) in ["WrongSecret222", "WrongSecret333"].iter().enumerate() {
        let other = builder(&sb)
            .partner_secret(*secret)
            .store(store.clone())
            .build()
            .unwrap();
        assert!(matches!(
            other.token().await,
            Err(Error::InvalidCredentials { attempts_remaining, .. }) if attempts_remaining == 1 - i as u32
        ));
    }
    let fourth = builder(&sb)
        .partner_secret("WrongSecret444")
        .store(store.clone())
        .build()
        .unwrap();
    assert!(matches!(
        fourth.token().await,
        Err(Error::LockoutGuard {
            reason: GuardReason::AttemptsExhausted,
            failed_attempts: 3,
            ..
        })
    ));
    let right = builder(&sb).store(store.clone()).build().unwrap();
    assert!(matches!(
        right.token().await,
        Err(Error::LockoutGuard { .. })
    ));
    assert_eq!(failures(&sb), 3);
    assert!(!sb.partner_stats(PARTNER).locked);

    // The operator fixes the secret and resets the guard.
    let status = right.guard_status().await.unwrap();
    assert_eq!((status.failed_attempts, status.attempts_remaining), (3, 0));
    right.reset_lockout_guard().await.unwrap();
    right.token().await.unwrap();
    assert_eq!(right.guard_status().await.unwrap().failed_attempts, 0);
    assert_eq!(failures(&sb), 3);
}

#[tokio::test]
async fn max_failed_attempts_outside_1_to_4_is_refused() {
    let sb = sandbox().await;
    for n in [0, 5, 9] {
        match builder(&sb).max_failed_attempts(n).build() {
            Err(Error::Config(m)) => assert!(m.contains("max_failed_attempts"), "{m}"),
            other => panic!("accepted {n}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn locked_24302_over_http_500_stops_every_process_sharing_the_store() {
    let sb = sandbox().await;
    let dir = temp_dir("locked");
    let store = || -> Arc<dyn Store> { Arc::new(FileStore::new(&dir).unwrap()) };
    sb.push_fault(Fault::Locked, 1);
    let a = builder(&sb).store(store()).build().unwrap();
    assert!(matches!(
        a.token().await,
        Err(Error::AccountLocked { code: 24302 })
    ));
    assert_eq!(auths(&sb), 1, "24302 is never retried");
    let b = builder(&sb).store(store()).build().unwrap();
    assert!(matches!(
        b.token().await,
        Err(Error::AccountLocked { code: 24302 })
    ));
    assert_eq!(auths(&sb), 1, "other processes stop without calling");
    assert_eq!(b.guard_status().await.unwrap().locked, Some(24302));
    b.reset_lockout_guard().await.unwrap();
    b.token().await.unwrap();
}

#[tokio::test]
async fn real_lockout_answer_with_status_500_is_understood() {
    let sb = sandbox().await;
    sb.set_locked_status(500);
    for i in 0..5 {
        // Five different wrong secrets, each from its own unguarded-by-store object with a fresh
        // memory store: simulates someone else locking the account.
        let a = builder(&sb)
            .partner_secret(format!("Wrong{i}Secret99"))
            .build()
            .unwrap();
        let _ = a.token().await;
    }
    assert!(sb.partner_stats(PARTNER).locked);
    let a = builder(&sb).build().unwrap();
    assert!(matches!(
        a.token().await,
        Err(Error::AccountLocked { code: 24302 })
    ));
}

#[tokio::test]
async fn transient_faults_are_typed_release_the_slot_and_honour_backoff() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let auth = builder(&sb)
        .clock(clock.clone())
        .timeout(Duration::from_millis(800))
        .backoff(Duration::from_secs(1), Duration::from_secs(8))
        .build()
        .unwrap();

    sb.push_fault(
        Fault::Status {
            status: 502,
            content_type: Some("text/html".into()),
            body: "<html>bad gateway</html>".into(),
        },
        1,
    );
    assert!(matches!(
        auth.token().await,
        Err(Error::Server { status: 502, .. })
    ));
    let g = auth.guard_status().await.unwrap();
    assert_eq!((g.failed_attempts, g.in_flight), (0, 0), "slot released");
    // Within the backoff: the same error, no request.
    assert!(matches!(
        auth.token().await,
        Err(Error::Server { status: 502, .. })
    ));
    assert_eq!(auths(&sb), 1);

    clock.advance(Duration::from_secs(10));
    sb.push_fault(Fault::Delay(Duration::from_secs(3)), 1);
    let r = auth.token().await;
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    clock.advance(Duration::from_secs(10));
    eprintln!("stats before truncated: {:?}", sb.partner_stats(PARTNER));
    sb.push_fault(Fault::TruncatedBody, 1);
    let t0 = std::time::Instant::now();
    let r = auth.token().await;
    assert!(
        matches!(r, Err(Error::Transport(_))),
        "{r:?} after {:?} {:?}",
        t0.elapsed(),
        sb.partner_stats(PARTNER)
    );
    clock.advance(Duration::from_secs(10));
    assert!(auth.token().await.is_ok());
    let g = auth.guard_status().await.unwrap();
    assert_eq!((g.failed_attempts, g.in_flight), (0, 0));
    assert_eq!(failures(&sb), 0);
}

#[tokio::test]
async fn refused_connection_is_a_transport_error_and_no_failure() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let auth = builder_for(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    assert!(matches!(auth.token().await, Err(Error::Transport(_))));
    let g = auth.guard_status().await.unwrap();
    assert_eq!((g.failed_attempts, g.in_flight), (0, 0));
}

#[tokio::test]
async fn rate_limit_with_empty_body_means_check_the_app_key() {
    let sb = sandbox().await;
    let auth = builder(&sb).app_key("not-a-known-key").build().unwrap();
    match auth.token().await {
        Err(Error::RateLimited { hint, .. }) => assert!(hint.contains("App Key")),
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(auth.guard_status().await.unwrap().failed_attempts, 0);
}

#[tokio::test]
async fn unknown_partner_is_a_config_error_not_a_failure() {
    let sb = sandbox().await;
    let auth = builder(&sb).partner_id("nobody").build().unwrap();
    assert!(matches!(auth.token().await, Err(Error::Config(m)) if m.contains("12401")));
    assert_eq!(auth.guard_status().await.unwrap().failed_attempts, 0);
}
