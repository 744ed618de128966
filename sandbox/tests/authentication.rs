//! Create Access Token (`POST /aggregation/v2/partners/authentication`).

mod common;

use common::*;
use finauth_sandbox::{Partner, SandboxConfig, AUTH_PATH};
use serde_json::{json, Value};

#[tokio::test]
async fn right_secret_gets_a_long_alphanumeric_token() {
    let sb = start().await;
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = resp.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert!(token.len() >= 20, "{token}");
    assert!(token.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(
        body.as_object().unwrap().len(),
        1,
        "no expiry field: {body}"
    );
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.auth_requests, 1);
    assert_eq!(stats.auth_success, 1);
    assert_eq!(
        sb.stats()
            .endpoint("POST /aggregation/v2/partners/authentication"),
        1
    );
}

#[tokio::test]
async fn each_authentication_issues_a_different_token() {
    let sb = start().await;
    let a = demo_token(&sb).await;
    let b = demo_token(&sb).await;
    assert_ne!(a, b);
}

#[tokio::test]
async fn missing_app_key_is_10026() {
    let sb = start().await;
    let resp = post_auth(&sb, None, &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(
        json_error(resp).await,
        (401, 10026, "Missing parameter (Finicity-App-Key)".into())
    );
}

#[tokio::test]
async fn unknown_app_key_is_an_empty_429_and_not_a_secret_failure() {
    let sb = start().await;
    for _ in 0..7 {
        let resp = post_auth(&sb, Some("nobody's key"), &creds(DEMO_ID, "wrong")).await;
        assert_eq!(resp.status(), 429);
        assert!(resp.bytes().await.unwrap().is_empty());
    }
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.auth_requests, 7);
    assert_eq!(stats.auth_failures, 0);
    assert_eq!(stats.wrong_in_a_row, 0);
    assert!(!stats.locked);
}

#[tokio::test]
async fn malformed_json_is_14020() {
    let sb = start().await;
    let resp = post_auth_raw(&sb, Some(DEMO_KEY), "application/json", "{\"partnerId\":").await;
    assert_eq!(json_error(resp).await, (400, 14020, "Bad request.".into()));
}

#[tokio::test]
async fn missing_partner_id_is_10005() {
    let sb = start().await;
    let resp = post_auth(
        &sb,
        Some(DEMO_KEY),
        &json!({ "partnerSecret": DEMO_SECRET }),
    )
    .await;
    assert_eq!(
        json_error(resp).await,
        (400, 10005, "Missing parameter (partnerId)".into())
    );
}

#[tokio::test]
async fn unknown_partner_is_404_12401() {
    let sb = start().await;
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds("who-is-this", DEMO_SECRET)).await;
    assert_eq!(
        json_error(resp).await,
        (404, 12401, "partner not found".into())
    );
}

#[tokio::test]
async fn app_key_of_another_partner_is_10021_and_does_not_count_toward_lockout() {
    let sb = start().await;
    sb.add_partner(Partner::new("other", "OtherSecret123", "other-key"));
    let resp = post_auth(&sb, Some("other-key"), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(
        json_error(resp).await,
        (401, 10021, "You are not authorized.".into())
    );
    assert_eq!(sb.partner_stats(DEMO_ID).wrong_in_a_row, 0);
}

#[tokio::test]
async fn wrong_secret_is_10001_and_counted() {
    let sb = start().await;
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "NotTheSecret1")).await;
    assert_eq!(
        json_error(resp).await,
        (401, 10001, "Invalid credentials".into())
    );
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.auth_failures, 1);
    assert_eq!(stats.wrong_in_a_row, 1);
    assert!(!stats.locked);
}

#[tokio::test]
async fn success_resets_the_wrong_secret_count() {
    let sb = start().await;
    for _ in 0..4 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    assert_eq!(sb.partner_stats(DEMO_ID).wrong_in_a_row, 4);
    demo_token(&sb).await;
    assert_eq!(sb.partner_stats(DEMO_ID).wrong_in_a_row, 0);
    for _ in 0..4 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    assert!(!sb.partner_stats(DEMO_ID).locked);
    demo_token(&sb).await;
}

#[tokio::test]
async fn fifth_wrong_secret_locks_and_later_calls_get_24302_even_with_the_right_secret() {
    let sb = start().await;
    for i in 1..=5 {
        let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
        let (status, code, _) = json_error(resp).await;
        assert_eq!((status, code), (401, 10001), "attempt {i}");
    }
    let stats = sb.partner_stats(DEMO_ID);
    assert!(stats.locked);
    assert_eq!(stats.wrong_in_a_row, 5);
    assert_eq!(stats.auth_failures, 5);
    for secret in ["wrong", DEMO_SECRET] {
        let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, secret)).await;
        assert_eq!(
            json_error(resp).await,
            (401, 24302, "Bad credentials".into())
        );
    }
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.auth_locked, 2);
    assert_eq!(
        stats.auth_failures, 5,
        "a locked partner's secret is not checked"
    );
}

#[tokio::test]
async fn locked_partner_answers_with_the_configured_status_500() {
    let sb = start_with(SandboxConfig {
        locked_status: 500,
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(
        json_error(resp).await,
        (500, 24302, "Bad credentials".into())
    );
    sb.set_locked_status(401);
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(json_error(resp).await.0, 401);
}

#[tokio::test]
async fn lockout_threshold_is_configurable() {
    let sb = start_with(SandboxConfig {
        lockout_threshold: 2,
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..2 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    assert!(sb.partner_stats(DEMO_ID).locked);
}

#[tokio::test]
async fn unlock_clears_the_lock_and_the_count() {
    let sb = start().await;
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    assert!(sb.partner_stats(DEMO_ID).locked);
    sb.unlock(DEMO_ID);
    let stats = sb.partner_stats(DEMO_ID);
    assert!(!stats.locked);
    assert_eq!(stats.wrong_in_a_row, 0);
    demo_token(&sb).await;
}

#[tokio::test]
async fn lockout_is_per_partner() {
    let sb = start().await;
    sb.add_partner(Partner::new("second", "SecondSecret1", "second-key"));
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    token_for(&sb, "second-key", "second", "SecondSecret1").await;
    assert!(!sb.partner_stats("second").locked);
}

#[tokio::test]
async fn xml_request_gets_an_xml_token() {
    let sb = start().await;
    let body = format!(
        "<credentials><partnerId>{DEMO_ID}</partnerId><partnerSecret>{DEMO_SECRET}</partnerSecret></credentials>"
    );
    let resp = post_auth_raw(&sb, Some(DEMO_KEY), "application/xml", &body).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("xml"));
    let text = resp.text().await.unwrap();
    let token = text
        .strip_prefix("<access><token>")
        .and_then(|t| t.strip_suffix("</token></access>"))
        .unwrap_or_else(|| panic!("unexpected body {text}"));
    assert!(token.len() >= 20 && token.chars().all(|c| c.is_ascii_alphanumeric()));
    // The XML token works on resources like any other.
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", token),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn xml_request_errors_are_xml_whatever_the_style() {
    let sb = start().await;
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<credentials>\n  <partnerId>{DEMO_ID}</partnerId>\n  <partnerSecret>wrong</partnerSecret>\n</credentials>"
    );
    let resp = post_auth_raw(&sb, Some(DEMO_KEY), "application/xml; charset=utf-8", &body).await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/xml");
    assert_eq!(
        resp.text().await.unwrap(),
        "<error><code>10001</code><message>Invalid credentials</message></error>"
    );
    let resp = post_auth_raw(&sb, Some(DEMO_KEY), "application/xml", "<credentials>").await;
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.text().await.unwrap(),
        "<error><code>14020</code><message>Bad request.</message></error>"
    );
}

#[tokio::test]
async fn other_methods_on_the_authentication_path_are_405() {
    let sb = start().await;
    let resp = http()
        .get(format!("{}{AUTH_PATH}", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn latency_delays_the_authentication_answer() {
    let sb = start().await;
    sb.set_latency(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    demo_token(&sb).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn old_tokens_stay_valid_after_new_ones_are_issued() {
    let sb = start().await;
    let first = demo_token(&sb).await;
    let _second = demo_token(&sb).await;
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &first),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
}
