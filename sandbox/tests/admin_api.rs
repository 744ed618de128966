//! The admin API over HTTP (`/__admin/...`).

mod common;

use std::time::Duration;

use common::*;
use finauth_sandbox::{PartnerStats, Sandbox, Stats};
use serde_json::{json, Value};

async fn admin_post(sb: &Sandbox, path: &str, body: Value) -> reqwest::Response {
    http()
        .post(format!("{}/__admin/{path}", sb.url()))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn admin_stats(sb: &Sandbox) -> Stats {
    http()
        .get(format!("{}/__admin/stats", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn stats_over_http_match_the_library_snapshot() {
    let sb = start().await;
    demo_token(&sb).await;
    post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    let stats = admin_stats(&sb).await;
    assert_eq!(stats, sb.stats());
    assert_eq!(
        stats.partners[DEMO_ID],
        PartnerStats {
            auth_requests: 2,
            auth_success: 1,
            auth_failures: 1,
            wrong_in_a_row: 1,
            ..PartnerStats::default()
        }
    );
    assert_eq!(
        stats.endpoint("POST /aggregation/v2/partners/authentication"),
        2
    );
    assert!(!stats.endpoints.keys().any(|k| k.contains("__admin")));
}

#[tokio::test]
async fn configured_partners_appear_in_stats_before_any_request() {
    let sb = start().await;
    assert_eq!(
        admin_stats(&sb).await.partners[DEMO_ID],
        PartnerStats::default()
    );
    assert_eq!(sb.partner_stats("never-heard-of"), PartnerStats::default());
}

#[tokio::test]
async fn reset_stats_zeroes_counters_but_keeps_the_lock() {
    let sb = start().await;
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    let resp = admin_post(&sb, "reset-stats", json!({})).await;
    assert_eq!(resp.status(), 204);
    let stats = admin_stats(&sb).await;
    assert!(stats.endpoints.is_empty());
    let demo = &stats.partners[DEMO_ID];
    assert_eq!(demo.auth_failures, 0);
    assert!(demo.locked);
    assert_eq!(demo.wrong_in_a_row, 5);
}

#[tokio::test]
async fn config_changes_latency_lifetime_style_and_locked_status() {
    let sb = start().await;
    let resp = admin_post(
        &sb,
        "config",
        json!({"latency_ms": 150, "token_lifetime_secs": 0.1, "error_style": "text", "locked_status": 500}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let config: Value = resp.json().await.unwrap();
    assert_eq!(config["latency_ms"], 150);
    assert_eq!(config["error_style"], "text");
    assert_eq!(config["locked_status"], 500);
    assert_eq!(config["lockout_threshold"], 5);

    let started = std::time::Instant::now();
    let token = demo_token(&sb).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.text().await.unwrap(), "Expired (Finicity-App-Token)");

    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 500);
    assert_eq!(resp.text().await.unwrap(), "Bad credentials");

    let current: Value = http()
        .get(format!("{}/__admin/config", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current, config);
}

#[tokio::test]
async fn config_rejects_bad_values() {
    let sb = start().await;
    for body in [
        json!({"error_style": "yaml"}),
        json!({"locked_status": 42}),
        json!({"token_lifetime_secs": -1.0}),
        json!({"latency": 5}),
    ] {
        let resp = admin_post(&sb, "config", body.clone()).await;
        assert_eq!(resp.status(), 400, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert!(err["error"].is_string());
    }
    let resp = http()
        .post(format!("{}/__admin/config", sb.url()))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn faults_can_be_queued_in_every_shape() {
    let sb = start().await;
    let resp = admin_post(
        &sb,
        "faults",
        json!({"fault": {"status": 502, "content_type": "text/plain", "body": "bad gateway"}, "times": 2}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"queued": 2}));
    admin_post(&sb, "faults", json!({"fault": "locked"})).await;
    admin_post(&sb, "faults", json!({"fault": {"delay_ms": 200}})).await;
    let resp = admin_post(&sb, "faults", json!({"fault": "truncated_body"})).await;
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"queued": 5}));

    for _ in 0..2 {
        let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
        assert_eq!(resp.status(), 502);
        assert_eq!(resp.text().await.unwrap(), "bad gateway");
    }
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(json_error(resp).await.1, 24302);
    let started = std::time::Instant::now();
    demo_token(&sb).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert!(resp.bytes().await.is_err());
    demo_token(&sb).await;
    assert_eq!(sb.partner_stats(DEMO_ID).auth_faulted, 5);
}

#[tokio::test]
async fn queued_faults_can_be_cleared() {
    let sb = start().await;
    admin_post(&sb, "faults", json!({"fault": "locked", "times": 3})).await;
    let resp = http()
        .delete(format!("{}/__admin/faults", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    demo_token(&sb).await;
}

#[tokio::test]
async fn malformed_fault_requests_are_400() {
    let sb = start().await;
    for body in [
        json!({"fault": "explode"}),
        json!({"fault": {"delay": 5}}),
        json!({"times": 2}),
    ] {
        assert_eq!(
            admin_post(&sb, "faults", body.clone()).await.status(),
            400,
            "{body}"
        );
    }
}

#[tokio::test]
async fn partners_can_be_added_over_http() {
    let sb = start().await;
    let resp = admin_post(
        &sb,
        "partners",
        json!({"partner_id": "ci-partner", "secret": "CiSecret12345", "app_key": "ci-key"}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    token_for(&sb, "ci-key", "ci-partner", "CiSecret12345").await;
    let resp = admin_post(&sb, "partners", json!({"partner_id": "x"})).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn unlock_over_http_restores_a_locked_partner() {
    let sb = start().await;
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    let resp = admin_post(&sb, "unlock", json!({"partner_id": DEMO_ID})).await;
    assert_eq!(resp.status(), 204);
    assert!(!sb.partner_stats(DEMO_ID).locked);
    demo_token(&sb).await;
    let resp = admin_post(&sb, "unlock", json!({"partner_id": "nobody"})).await;
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn expire_tokens_over_http_makes_tokens_10023() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let resp = admin_post(&sb, "expire-tokens", json!({"partner_id": DEMO_ID})).await;
    assert_eq!(resp.status(), 204);
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    assert_eq!(json_error(resp).await.1, 10023);
}

#[tokio::test]
async fn health_answers_ok() {
    let sb = start().await;
    let body: Value = http()
        .get(format!("{}/__admin/health", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body, json!({"ok": true}));
}
