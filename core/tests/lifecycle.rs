//! The lifecycle engine (docs/ARCHITECTURE.md) against a real sandbox over loopback: single flight, windows, invalidation.

mod common;

use common::*;
use finauth::clock::ManualClock;
use finauth::Error;
use finauth_sandbox::Fault;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn herd_of_1000_cold_callers_authenticates_once() {
    let sb = sandbox().await;
    sb.set_latency(Duration::from_millis(100));
    let auth = builder(&sb).build().unwrap();
    let tokens: Vec<_> = concurrent_tokens(&auth, 1000)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_eq!(auths(&sb), 1);
    let s = auth.stats();
    assert_eq!((s.auth_requests, s.auth_successes), (1, 1));
    assert_eq!(
        (
            s.refreshes_mandatory,
            s.credential_failures,
            s.guard_refusals
        ),
        (1, 0, 0)
    );
    // Callers that arrived after the token landed read the cache.
    let hits = s.cache_hits;
    auth.token().await.unwrap();
    assert_eq!(auth.stats().cache_hits, hits + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn advisory_window_refreshes_once_and_answers_others_at_once() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let auth = windowed(&sb, &clock).build().unwrap();
    let first = auth.token().await.unwrap();
    clock.advance(Duration::from_millis(1200));
    // The refresh takes 500 ms at the server; the other callers must not wait for it.
    sb.set_latency(Duration::from_millis(500));
    for r in concurrent_tokens(&auth, 50).await {
        assert_eq!(r.unwrap(), first, "advisory callers get the current token");
    }
    assert_eq!(auth.stats().refreshes_advisory, 1);
    // The one background refresh lands; then the new token is served.
    let mut newer = auth.token().await.unwrap();
    for _ in 0..100 {
        if newer != first {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        newer = auth.token().await.unwrap();
    }
    assert_ne!(newer, first);
    assert_eq!(auths(&sb), 2);
    assert_eq!(auth.stats().refreshes_advisory, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mandatory_window_callers_all_wait_for_one_refresh() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let auth = windowed(&sb, &clock).build().unwrap();
    let first = auth.token().await.unwrap();
    clock.advance(Duration::from_millis(2100));
    sb.set_latency(Duration::from_millis(200));
    let got: Vec<_> = concurrent_tokens(&auth, 50)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert!(got.iter().all(|t| t == &got[0] && t != &first));
    assert_eq!(auths(&sb), 2);
    assert_eq!(auth.stats().refreshes_mandatory, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mandatory_window_callers_all_receive_the_one_error() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let auth = windowed(&sb, &clock).build().unwrap();
    auth.token().await.unwrap();
    clock.advance(Duration::from_millis(2100));
    sb.set_latency(Duration::from_millis(200));
    sb.push_fault(
        Fault::Status {
            status: 503,
            content_type: None,
            body: String::new(),
        },
        1,
    );
    for r in concurrent_tokens(&auth, 50).await {
        match r {
            Err(Error::Server { status: 503, .. }) => {}
            other => panic!("expected the refresh's 503, got {other:?}"),
        }
    }
    assert_eq!(auths(&sb), 2, "one refresh, shared by every caller");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_invalidations_of_one_token_cause_one_refresh() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    let old = auth.token().await.unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let a = auth.clone();
            let old = old.clone();
            tokio::spawn(async move {
                a.invalidate(&old).await;
                a.token().await
            })
        })
        .collect();
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap().unwrap());
    }
    assert!(got.iter().all(|t| t == &got[0] && t != &old));
    assert_eq!(auths(&sb), 2);
    assert_eq!(auth.stats().invalidations, 1);
    // A stale invalidation of the old token no longer drops anything.
    assert!(!auth.invalidate(&old).await);
}

#[tokio::test]
async fn wall_clock_jumps_do_not_expire_own_tokens_or_cause_refreshes() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let auth = windowed(&sb, &clock).build().unwrap();
    let t = auth.token().await.unwrap();
    clock.jump_wall(3_600_000);
    assert_eq!(auth.token().await.unwrap(), t);
    clock.jump_wall(-7_200_000);
    assert_eq!(auth.token().await.unwrap(), t);
    assert_eq!(auths(&sb), 1);
}

/// Regression (found by the fleet model, seed 3): after the wall clock was set back, a newer
/// shared token carries an older `issued_at`, and every other process refused it and
/// authenticated for itself.
#[tokio::test]
async fn after_the_wall_clock_is_set_back_processes_adopt_the_newer_shared_token() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let store: Arc<dyn finauth::Store> =
        Arc::new(finauth::FileStore::new(temp_dir("wall-set-back")).unwrap());
    let a = windowed(&sb, &clock).store(store.clone()).build().unwrap();
    let b = windowed(&sb, &clock).store(store).build().unwrap();
    let first = a.token().await.unwrap();
    assert_eq!(b.token().await.unwrap(), first, "b adopts a's token");
    clock.jump_wall(-3_600_000);
    // Both now in the mandatory window: a refreshes, b must take a's new token.
    clock.advance(Duration::from_millis(2100));
    let second = a.token().await.unwrap();
    assert_ne!(second, first);
    assert_eq!(b.token().await.unwrap(), second);
    assert_eq!(
        auths(&sb),
        2,
        "one authentication per refresh for both processes"
    );
}

#[tokio::test]
async fn resource_call_with_an_expired_token_invalidates_and_retries_once() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    let before = auth.token().await.unwrap();
    sb.expire_tokens(PARTNER);
    let resp = auth
        .send(
            auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_ne!(auth.token().await.unwrap(), before);
    let ps = sb.partner_stats(PARTNER);
    assert_eq!(
        (ps.auth_requests, ps.resource_rejected, ps.resource_ok),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn headers_carry_app_key_and_token() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    let h = auth.headers().await.unwrap();
    let pairs = h.pairs();
    assert_eq!(pairs[0], ("Finicity-App-Key", APP_KEY));
    assert_eq!(pairs[1].0, "Finicity-App-Token");
    assert_eq!(pairs[1].1, h.token().expose());
    assert_eq!(h.to_header_map().len(), 2);
}

#[test]
fn blocking_facade_from_many_threads_authenticates_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(sandbox());
    let auth = builder(&sb).build_blocking().unwrap();
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let a = auth.clone();
            std::thread::spawn(move || a.token())
        })
        .collect();
    let tokens: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap())
        .collect();
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_eq!(auths(&sb), 1);
    // Inside a runtime the blocking facade refuses instead of deadlocking or panicking.
    let inside = rt.block_on(async { auth.token() });
    assert!(matches!(inside, Err(Error::Config(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_invalidated_while_its_refresh_finishes_is_never_handed_out_again() {
    let sb = sandbox().await;
    // A file store widens the gap between serving a new token and finishing the refresh.
    let store = std::sync::Arc::new(finauth::FileStore::new(temp_dir("invalidate-race")).unwrap());
    let auth = builder(&sb).store(store).build().unwrap();
    let mut token = auth.token().await.unwrap();
    for _ in 0..30 {
        auth.invalidate(&token).await;
        let next = auth.token().await.unwrap();
        assert_ne!(next, token, "an invalidated token came back");
        token = next;
    }
}

#[tokio::test]
async fn app_key_rotation_applies_to_the_next_requests_and_is_validated() {
    let sb = sandbox().await;
    let clock = Arc::new(ManualClock::new());
    let auth = builder(&sb).clock(clock.clone()).build().unwrap();
    let token = auth.token().await.unwrap();
    assert!(
        matches!(auth.set_app_key("has space"), Err(Error::Config(m)) if m.contains("app_key"))
    );
    // A key the server does not know: the next authentication says so (429, no body).
    auth.set_app_key("rotated-but-unknown").unwrap();
    auth.invalidate(&token).await;
    assert!(matches!(auth.token().await, Err(Error::RateLimited { .. })));
    // Within the backoff nothing is sent; after it, the restored key works and is in the headers.
    auth.set_app_key(APP_KEY).unwrap();
    assert!(auth.headers().await.is_err());
    assert_eq!(auths(&sb), 2);
    clock.advance(Duration::from_secs(120));
    let h = auth.headers().await.unwrap();
    assert_eq!(h.pairs()[0], ("Finicity-App-Key", APP_KEY));
    assert_eq!(auths(&sb), 3);
}

#[tokio::test]
async fn a_token_rejected_again_after_the_one_resend_is_unauthorized() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    auth.token().await.unwrap();
    // Every token the sandbox issues from now on is already expired there (10023), while the
    // client believes it fresh: one resend with a new token, then the error, never a loop.
    sb.set_token_lifetime(Duration::from_millis(0));
    let err = auth
        .send(
            auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unauthorized {
                status: 401,
                code: Some(10023)
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), "UNAUTHORIZED");
    let ps = sb.partner_stats(PARTNER);
    assert_eq!((ps.auth_requests, ps.resource_rejected), (2, 2));
    assert_eq!(auth.stats().invalidations, 1);
}

/// Lock the Partner ID at the server behind finauth's back (someone else's wrong secret).
async fn lock_behind_finauths_back(sb: &finauth_sandbox::Sandbox) {
    sb.set_lockout_threshold(1);
    let wrong = finauth::reqwest::Client::new()
        .post(format!(
            "{}/aggregation/v2/partners/authentication",
            sb.url()
        ))
        .header("Finicity-App-Key", APP_KEY)
        .json(&serde_json::json!({"partnerId": PARTNER, "partnerSecret": "NotTheSecret123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        wrong.status(),
        401,
        "the wrong secret itself is a 10001; the lock follows"
    );
}

#[tokio::test]
async fn a_24302_on_a_resource_call_locks_every_caller_without_another_request() {
    let sb = sandbox().await;
    sb.set_locked_status(500);
    let store: Arc<dyn finauth::Store> = Arc::new(finauth::MemoryStore::new());
    let auth = builder(&sb).store(Arc::clone(&store)).build().unwrap();
    let twin = builder(&sb).store(store).build().unwrap();
    auth.token().await.unwrap();
    lock_behind_finauths_back(&sb).await;
    let err = auth
        .send(
            auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::AccountLocked { code: 24302 }),
        "{err:?}"
    );
    let before = sb.partner_stats(PARTNER);
    for a in [&auth, &twin] {
        let e = a.token().await.unwrap_err();
        assert!(matches!(e, Error::AccountLocked { .. }), "{e:?}");
    }
    let after = sb.partner_stats(PARTNER);
    assert_eq!(
        after.auth_requests, before.auth_requests,
        "no request once locked"
    );
}

/// The rule every HTTP integration (requests, httpx, fetch, axios, OkHttp) applies to answers it
/// got with finauth's headers but sent itself.
#[tokio::test]
async fn observe_response_judges_real_answers_and_records_a_lock_for_every_caller() {
    use finauth::finicity::ResourceVerdict;
    let sb = sandbox().await;
    sb.set_locked_status(500);
    // A shared store: the published token must not be adopted once the lock is known.
    let dir = temp_dir("observe-locked");
    let store: Arc<dyn finauth::Store> = Arc::new(finauth::FileStore::new(&dir).unwrap());
    let auth = builder(&sb).store(Arc::clone(&store)).build().unwrap();
    let twin = builder(&sb).store(store).build().unwrap();
    let http = finauth::reqwest::Client::new();
    let get = |token: String| {
        let req = http
            .get(format!("{}/aggregation/v1/customers", sb.url()))
            .header("Finicity-App-Key", APP_KEY)
            .header("Finicity-App-Token", token)
            .header("Accept", "application/json");
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            (status, ct, r.bytes().await.unwrap())
        }
    };
    let token = auth.token().await.unwrap();
    let (status, ct, body) = get(token.expose().to_owned()).await;
    assert_eq!(status, 200);
    assert_eq!(
        auth.observe_response(status, &ct, &body).await,
        ResourceVerdict::Pass
    );
    let (status, ct, body) = get("NotAToken".into()).await;
    assert_eq!(
        auth.observe_response(status, &ct, &body).await,
        ResourceVerdict::TokenRejected
    );
    assert!(auth.token().await.is_ok(), "a verdict alone drops nothing");

    lock_behind_finauths_back(&sb).await;
    let (status, ct, body) = get(token.expose().to_owned()).await;
    assert_eq!(status, 500);
    assert_eq!(
        auth.observe_response(status, &ct, &body).await,
        ResourceVerdict::AccountLocked
    );
    let before = sb.partner_stats(PARTNER).auth_requests;
    for a in [&auth, &twin] {
        let e = a.token().await.unwrap_err();
        assert!(matches!(e, Error::AccountLocked { code: 24302 }), "{e:?}");
    }
    assert_eq!(sb.partner_stats(PARTNER).auth_requests, before);
}

/// Servers (and Finicity support) can tell finauth's calls apart: `finauth/<version>`.
#[tokio::test]
async fn authentication_requests_name_finauth_in_the_user_agent() {
    let sb = sandbox().await;
    builder(&sb).build().unwrap().token().await.unwrap();
    let agents = sb.stats().auth_user_agents;
    let ours = format!("finauth/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(agents.into_iter().collect::<Vec<_>>(), [(ours, 1)]);
}

#[tokio::test]
async fn a_generation_names_one_token_and_one_app_key() {
    let sb = sandbox().await;
    let auth = builder(&sb).build().unwrap();
    assert_eq!(auth.fresh_generation(), None, "no token yet");
    let t1 = auth.token().await.unwrap();
    let g1 = auth.fresh_generation().unwrap();
    let (g, t) = auth.fresh_token_with_generation().unwrap();
    assert_eq!((g, t.expose()), (g1, t1.expose()));
    assert_eq!(
        auth.fresh_generation(),
        Some(g1),
        "stable while nothing changes"
    );
    // A new App Key: the same token, a new generation (cached header pairs are stale).
    auth.set_app_key(APP_KEY).unwrap();
    let g2 = auth.fresh_generation().unwrap();
    assert_ne!(g2, g1);
    assert_eq!(auth.fresh_token().unwrap(), t1);
    // A new token: a new generation.
    auth.invalidate(&t1).await;
    assert_eq!(auth.fresh_generation(), None);
    let t2 = auth.token().await.unwrap();
    let g3 = auth.fresh_generation().unwrap();
    assert!(t2 != t1 && g3 != g2 && g3 != g1);
}
