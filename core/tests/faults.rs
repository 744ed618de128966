//! Faults on the wire, played by the sandbox (its scripted wire faults): a reset in the middle of
//! a body, a body shorter than its `Content-Length`, a server slower than the time-out (before the
//! head and in the middle of the body), header lines that never end, and 5xx storms. Through the
//! real `PartnerAuth`, `ClientCredentials` and `send`: each gives its typed error within the
//! time-out (plus a small margin). A fault after the request was sent leaves its verdict unknown:
//! the lockout guard counts it as a failure (the server may have judged the secret wrong) but
//! does not mark the secret rejected; a 5xx is an answer without a verdict and is not counted,
//! nor is a server that cannot be reached at all. docs/FAULTS.md has the table these tests pin.

mod common;

use common::*;
use finauth::{ClientCredentials, Error, MemoryStore, PartnerAuth, Store};
use finauth_sandbox::{Sandbox, ScriptedAnswer, WireFault};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The configured time-out of every object here.
const TIMEOUT: Duration = Duration::from_secs(1);
/// What "within the time-out" allows on a loaded CI machine (the engine's own wait bound is
/// the time-out plus 2 s, so a request that never timed out would fail this).
const MARGIN: Duration = Duration::from_millis(1500);
/// Longer than `TIMEOUT`: the slow faults' pause.
const SLOW_MS: u64 = 4000;

const AUTH: &str = finauth::finicity::AUTH_PATH;
/// Longer than the 1 ms back-off the objects here use, as the engine's coarse monotonic clock sees
/// it (a tick of up to 10 ms).
const PAST_BACKOFF: Duration = Duration::from_millis(50);
const TOKEN_BODY: &str = r#"{"token":"FaultyTokenThatNeverArrivesWhole"}"#;

fn faulted(status: u16, body: &str, fault: Option<WireFault>) -> ScriptedAnswer {
    ScriptedAnswer {
        status,
        headers: BTreeMap::from([("Content-Type".into(), "application/json".into())]),
        body: body.into(),
        fault,
        ..ScriptedAnswer::default()
    }
}

fn wire(fault: WireFault) -> ScriptedAnswer {
    faulted(200, TOKEN_BODY, Some(fault))
}

/// A head held back longer than the time-out (the answer itself would be a good token).
fn late() -> ScriptedAnswer {
    ScriptedAnswer {
        delay_ms: SLOW_MS,
        ..faulted(200, TOKEN_BODY, None)
    }
}

/// Each transport fault and the error kind finauth must give for it.
fn transport_faults() -> Vec<(&'static str, ScriptedAnswer, &'static str)> {
    vec![
        ("reset mid-body", wire(WireFault::ResetMidBody), "TRANSPORT"),
        (
            "truncated body",
            wire(WireFault::TruncatedBody { missing: 64 }),
            "TRANSPORT",
        ),
        ("slow head", late(), "TIMEOUT"),
        (
            "stall mid-body",
            wire(WireFault::StallMidBody { stall_ms: SLOW_MS }),
            "TIMEOUT",
        ),
        (
            "slow endless headers",
            wire(WireFault::EndlessHeaders { interval_ms: 100 }),
            "TIMEOUT",
        ),
        (
            "fast endless headers",
            wire(WireFault::EndlessHeaders { interval_ms: 0 }),
            "TRANSPORT",
        ),
    ]
}

fn partner(sb: &Sandbox, store: &Arc<dyn Store>) -> PartnerAuth {
    partner_at(&sb.url(), store)
}

fn partner_at(url: &str, store: &Arc<dyn Store>) -> PartnerAuth {
    builder_for(url)
        .timeout(TIMEOUT)
        .store(store.clone())
        .backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build()
        .unwrap()
}

/// Runs `f`, and checks it ended within the time-out plus the margin.
async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let out = tokio::time::timeout(TIMEOUT + MARGIN + Duration::from_secs(5), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: hung"));
    let took = started.elapsed();
    assert!(took < TIMEOUT + MARGIN, "{what}: took {took:?}");
    out
}

/// The exact kind, and for a time-out that it was the request's own (not the engine's wait).
fn assert_kind(what: &str, e: &Error, kind: &str) {
    assert_eq!(e.kind(), kind, "{what}: {e:?}");
    if let Error::Timeout { after, .. } = e {
        assert_eq!(*after, TIMEOUT, "{what}: {e}");
    }
    assert!(e.is_transient(), "{what}: a fault is worth retrying later");
}

/// One wrong secret recorded for the identity, through a second object on the same store, so a
/// fault that reset or charged the guard would show.
async fn one_recorded_failure(sb: &Sandbox, store: &Arc<dyn Store>) {
    let wrong = builder(sb)
        .timeout(TIMEOUT)
        .store(store.clone())
        .partner_secret("WrongSecret2026")
        .build()
        .unwrap();
    let e = wrong.token().await.unwrap_err();
    assert_eq!(e.kind(), "INVALID_CREDENTIALS", "{e:?}");
    assert_eq!(wrong.guard_status().await.unwrap().failed_attempts, 1);
}

/// The guard after one request: (failures counted, attempts in flight, secret marked rejected).
async fn guard_of(auth: &PartnerAuth) -> (u32, u32, bool) {
    let g = auth.guard_status().await.unwrap();
    (g.failed_attempts, g.in_flight, g.current_secret_rejected)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transport_fault_on_the_token_endpoint_is_typed_bounded_and_counted_unanswered() {
    let sb = sandbox().await;
    for (what, answer, kind) in transport_faults() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let auth = partner(&sb, &store);
        sb.script(AUTH, vec![answer]);
        let e = bounded(what, auth.token()).await.unwrap_err();
        assert_kind(what, &e, kind);
        assert_eq!(sb.script_report().received.len(), 1, "{what}: sent once");
        assert_eq!(
            guard_of(&auth).await,
            (1, 0, false),
            "{what}: counted as a failure whose verdict is unknown, the secret not marked rejected"
        );
        assert!(auth.fresh_token().is_none(), "{what}: nothing cached");
        // The server answers again: the same secret is sent, and its success clears the count.
        sb.script(AUTH, vec![]);
        tokio::time::sleep(PAST_BACKOFF).await;
        auth.token().await.unwrap();
        assert_eq!(guard_of(&auth).await, (0, 0, false), "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_requests_exhaust_the_guard_and_nothing_more_is_sent() {
    let sb = sandbox().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let auth = partner(&sb, &store);
    let max = auth.guard_status().await.unwrap().max_failed_attempts;
    sb.script(
        AUTH,
        vec![ScriptedAnswer {
            times: 100,
            ..late()
        }],
    );
    for i in 1..=max {
        tokio::time::sleep(PAST_BACKOFF).await;
        let e = bounded("slow head", auth.token()).await.unwrap_err();
        assert_kind("slow head", &e, "TIMEOUT");
        assert_eq!(guard_of(&auth).await, (i, 0, false));
    }
    tokio::time::sleep(PAST_BACKOFF).await;
    let e = auth.token().await.unwrap_err();
    let Error::LockoutGuard { reason, hint, .. } = &e else {
        panic!("the guard must refuse: {e:?}");
    };
    assert_eq!(*reason, finauth::GuardReason::AttemptsExhausted, "{e:?}");
    assert!(hint.contains("unanswered"), "the hint says why: {hint}");
    assert_eq!(
        sb.script_report().received.len() as u32,
        max,
        "no request past the guard"
    );
    // An operator reset lets the same (correct) secret through once the server answers.
    sb.script(AUTH, vec![]);
    auth.reset_lockout_guard().await.unwrap();
    tokio::time::sleep(PAST_BACKOFF).await;
    auth.token().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_cannot_be_reached_is_not_counted() {
    // A port nothing listens on: the connection is refused, nothing is sent.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let auth = partner_at(&format!("http://127.0.0.1:{port}"), &store);
    for _ in 0..5 {
        tokio::time::sleep(PAST_BACKOFF).await;
        let e = bounded("refused", auth.token()).await.unwrap_err();
        assert_kind("refused", &e, "TRANSPORT");
        assert_eq!(guard_of(&auth).await, (0, 0, false), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_storm_on_a_resource_reaches_the_caller_and_keeps_the_token() {
    let sb = sandbox().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let auth = partner(&sb, &store);
    let token = auth.token().await.unwrap();
    let storm = |status| ScriptedAnswer {
        times: 2,
        ..faulted(status, r#"{"message":"down"}"#, None)
    };
    sb.script("/aggregation/v1/", vec![storm(500), storm(502), storm(503)]);
    let mut seen = Vec::new();
    for _ in 0..7 {
        let request = auth
            .request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
            .unwrap();
        seen.push(auth.send(request).await.unwrap().status().as_u16());
    }
    assert_eq!(seen, vec![500, 500, 502, 502, 503, 503, 200]);
    assert!(auth.fresh_token().is_some_and(|t| t == token));
    assert_eq!(auths(&sb), 1, "a 5xx is not a rejected token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_storm_on_the_token_endpoint_backs_off_and_ends_with_a_token() {
    let sb = sandbox().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    one_recorded_failure(&sb, &store).await;
    // A back-off long enough (at least 250 ms) that an immediate second call cannot miss it.
    let auth = builder(&sb)
        .timeout(TIMEOUT)
        .store(store.clone())
        .backoff(Duration::from_millis(500), Duration::from_millis(500))
        .build()
        .unwrap();
    let storm = |status| ScriptedAnswer {
        times: 1,
        ..faulted(status, "<html>bad gateway</html>", None)
    };
    sb.script(AUTH, vec![storm(500), storm(502), storm(503)]);
    for status in [500u16, 502, 503] {
        let e = auth.token().await.unwrap_err();
        assert!(
            matches!(&e, Error::Server { status: s, .. } if *s == status),
            "{e:?}"
        );
        // During the back-off the same error comes back without a request.
        let sent = sb.script_report().received.len();
        let again = auth.token().await.unwrap_err();
        assert_eq!(again.kind(), "SERVER");
        assert_eq!(sb.script_report().received.len(), sent, "backed off");
        assert_eq!(auth.guard_status().await.unwrap().failed_attempts, 1);
        tokio::time::sleep(Duration::from_millis(520)).await;
    }
    auth.token().await.unwrap();
    assert_eq!(auth.guard_status().await.unwrap().failed_attempts, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_for_a_duration_is_outlasted_by_retrying_callers() {
    let sb = sandbox().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let auth = builder(&sb)
        .timeout(TIMEOUT)
        .store(store.clone())
        .backoff(Duration::from_millis(50), Duration::from_millis(200))
        .build()
        .unwrap();
    sb.script(
        AUTH,
        vec![ScriptedAnswer {
            for_ms: 800,
            ..faulted(503, "", None)
        }],
    );
    let mut errors = 0;
    let token = loop {
        match auth.token().await {
            Ok(t) => break t,
            Err(e) => {
                assert!(matches!(e, Error::Server { status: 503, .. }), "{e:?}");
                errors += 1;
                assert!(errors < 1000, "the storm never ended for the caller");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    assert!(!token.expose().is_empty());
    let sent = sb.script_report().received.len();
    assert!(
        sent < errors,
        "the back-off spared the server: {sent} requests for {errors} failed calls"
    );
    assert_eq!(auth.guard_status().await.unwrap().failed_attempts, 0);
}

fn client(sb: &Sandbox, store: &Arc<dyn Store>, secret: &str) -> ClientCredentials {
    ClientCredentials::builder()
        .token_url(sb.oauth2_token_url())
        .client_id("finauth-demo-client")
        .client_secret(secret)
        .allow_insecure_loopback(true)
        .store(store.clone())
        .backoff_base(Duration::from_millis(1))
        .backoff_max(Duration::from_millis(1))
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_client_credentials_meet_the_same_faults_with_the_same_errors() {
    let sb = sandbox().await;
    let body = r#"{"access_token":"FaultyOAuth2Token","token_type":"Bearer","expires_in":3600}"#;
    let mut faults: Vec<_> = transport_faults()
        .into_iter()
        .map(|(what, mut answer, kind)| {
            answer.body = body.into();
            (what, answer, kind)
        })
        .collect();
    faults.push((
        "503",
        ScriptedAnswer {
            times: 1,
            ..faulted(503, "", None)
        },
        "SERVER",
    ));
    for (what, answer, kind) in faults {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let cc = client(&sb, &store, "demo-client-secret");
        sb.script("/oauth2/token", vec![answer]);
        let e = bounded(what, cc.token()).await.unwrap_err();
        assert_kind(what, &e, kind);
        let guard = cc.guard_status().await.unwrap();
        // A 503 is an answer with no verdict; every other fault left the verdict unknown.
        let counted = u32::from(kind != "SERVER");
        assert_eq!(
            (
                guard.failed_attempts,
                guard.in_flight,
                guard.current_secret_rejected
            ),
            (counted, 0, false),
            "{what}"
        );
        sb.script("/oauth2/token", vec![]);
        tokio::time::sleep(PAST_BACKOFF).await;
        cc.token().await.unwrap();
        assert_eq!(
            cc.guard_status().await.unwrap().failed_attempts,
            0,
            "{what}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_send_hands_a_broken_body_to_the_caller_and_times_out_a_slow_head() {
    let sb = sandbox().await;
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let cc = client(&sb, &store, "demo-client-secret");
    let token = cc.token().await.unwrap();
    sb.script(
        "/oauth2/resource",
        vec![
            faulted(200, r#"{"data":"resource"}"#, Some(WireFault::ResetMidBody)),
            ScriptedAnswer {
                delay_ms: SLOW_MS,
                ..faulted(200, "{}", None)
            },
        ],
    );
    let get = || {
        cc.request(finauth::reqwest::Method::GET, &sb.oauth2_resource_url())
            .unwrap()
    };
    // An OAuth 2.0 answer is judged by its head: a 200 is the caller's, and so is its body.
    let resp = bounded("reset", cc.send(get())).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = bounded("reset body", resp.bytes()).await;
    assert!(body.is_err(), "the caller sees the cut: {body:?}");
    let e = bounded("slow head", cc.send(get())).await.unwrap_err();
    assert_kind("slow head", &e, "TIMEOUT");
    assert!(cc.fresh_token().is_some_and(|t| t == token));
    assert_eq!(
        sb.oauth2_stats("finauth-demo-client").tokens_issued,
        1,
        "no new token for a transport fault"
    );
}
