//! Modify Partner Secret (`PUT /aggregation/v2/partners/authentication`).

mod common;

use common::*;
use serde_json::{json, Value};

const NEW_SECRET: &str = "Rotated-Secret-2027";

fn modify_body(current: &str, new: &str, immediate: Option<bool>) -> Value {
    let mut body = json!({
        "partnerId": DEMO_ID,
        "partnerSecret": current,
        "newPartnerSecret": new,
    });
    if let Some(i) = immediate {
        body["immediate"] = json!(i);
    }
    body
}

async fn auth_status(sb: &finauth_sandbox::Sandbox, secret: &str) -> u16 {
    post_auth(sb, Some(DEMO_KEY), &creds(DEMO_ID, secret))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn modify_succeeds_with_204_and_no_body() {
    let sb = start().await;
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert!(resp.bytes().await.unwrap().is_empty());
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.modify_requests, 1);
    assert_eq!(stats.modify_success, 1);
    assert_eq!(auth_status(&sb, NEW_SECRET).await, 200);
}

#[tokio::test]
async fn immediate_modify_stops_the_old_secret_at_once_by_default() {
    let sb = start().await;
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(json_error(resp).await.1, 10001);
    assert_eq!(sb.partner_stats(DEMO_ID).wrong_in_a_row, 1);
}

#[tokio::test]
async fn explicit_immediate_true_stops_the_old_secret() {
    let sb = start().await;
    put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, Some(true)),
    )
    .await;
    assert_eq!(auth_status(&sb, DEMO_SECRET).await, 401);
    assert_eq!(auth_status(&sb, NEW_SECRET).await, 200);
}

#[tokio::test]
async fn non_immediate_modify_keeps_the_old_secret_working() {
    let sb = start().await;
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, Some(false)),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(auth_status(&sb, DEMO_SECRET).await, 200);
    assert_eq!(auth_status(&sb, NEW_SECRET).await, 200);
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.retired_secret_attempts, 1);
    assert_eq!(stats.auth_success, 2);
}

#[tokio::test]
async fn retired_secret_is_counted_on_post_and_put() {
    let sb = start().await;
    put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    assert_eq!(sb.partner_stats(DEMO_ID).retired_secret_attempts, 0);
    assert_eq!(auth_status(&sb, DEMO_SECRET).await, 401);
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, "Another-Secret-99", None),
    )
    .await;
    assert_eq!(json_error(resp).await.1, 10001);
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(stats.retired_secret_attempts, 2);
    assert_eq!(stats.auth_failures, 2);
    assert_eq!(stats.wrong_in_a_row, 2);
    // The current secret is not a retired one.
    assert_eq!(auth_status(&sb, NEW_SECRET).await, 200);
    assert_eq!(sb.partner_stats(DEMO_ID).retired_secret_attempts, 2);
}

#[tokio::test]
async fn modify_with_wrong_current_secret_is_10001_and_counts_toward_lockout() {
    let sb = start().await;
    for _ in 0..5 {
        let resp = put_modify(&sb, Some(DEMO_KEY), &modify_body("wrong", NEW_SECRET, None)).await;
        assert_eq!(
            json_error(resp).await,
            (401, 10001, "Invalid credentials".into())
        );
    }
    let stats = sb.partner_stats(DEMO_ID);
    assert!(stats.locked);
    assert_eq!(stats.auth_failures, 5);
    assert_eq!(stats.modify_success, 0);
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    assert_eq!(
        json_error(resp).await,
        (401, 24302, "Bad credentials".into())
    );
    assert_eq!(auth_status(&sb, DEMO_SECRET).await, 401);
}

#[tokio::test]
async fn new_secret_against_the_policy_is_24437() {
    let sb = start().await;
    for bad in [
        "Short1",            // fewer than 12
        "NoDigitsAtAllHere", // no digit
        "123456789012345",   // no letter
        "Has Space 12345",   // character outside the set
        "Semicolon;123456",  // character outside the set
        DEMO_SECRET,         // the current secret again
    ] {
        let resp = put_modify(&sb, Some(DEMO_KEY), &modify_body(DEMO_SECRET, bad, None)).await;
        assert_eq!(
            json_error(resp).await,
            (400, 24437, "New password is not as per policy".into()),
            "{bad}"
        );
    }
    let long = format!("A1{}", "x".repeat(254));
    let resp = put_modify(&sb, Some(DEMO_KEY), &modify_body(DEMO_SECRET, &long, None)).await;
    assert_eq!(json_error(resp).await.1, 24437);
    let ok = format!("A1{}", "x".repeat(253));
    let resp = put_modify(&sb, Some(DEMO_KEY), &modify_body(DEMO_SECRET, &ok, None)).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(auth_status(&sb, DEMO_SECRET).await, 401);
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(&ok, "Aa1!@#$%&*_-+", None),
    )
    .await;
    assert_eq!(resp.status(), 204, "every allowed special character");
}

#[tokio::test]
async fn modify_needs_the_app_key_and_a_known_one() {
    let sb = start().await;
    let resp = put_modify(&sb, None, &modify_body(DEMO_SECRET, NEW_SECRET, None)).await;
    assert_eq!(json_error(resp).await.1, 10026);
    let resp = put_modify(
        &sb,
        Some("bogus"),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    assert_eq!(resp.status(), 429);
    assert!(resp.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn modify_with_a_malformed_or_incomplete_body_is_a_bad_request() {
    let sb = start().await;
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &json!({ "partnerSecret": DEMO_SECRET, "newPartnerSecret": NEW_SECRET }),
    )
    .await;
    assert_eq!(json_error(resp).await.1, 10005);
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &json!({ "partnerId": DEMO_ID, "partnerSecret": DEMO_SECRET }),
    )
    .await;
    assert_eq!(json_error(resp).await, (400, 14020, "Bad request.".into()));
    let resp = put_modify(&sb, Some(DEMO_KEY), &json!({ "partnerId": "nobody", "partnerSecret": DEMO_SECRET, "newPartnerSecret": NEW_SECRET })).await;
    assert_eq!(json_error(resp).await.1, 12401);
    assert_eq!(sb.partner_stats(DEMO_ID).wrong_in_a_row, 0);
}

#[tokio::test]
async fn tokens_issued_before_a_modify_stay_valid() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn modify_accepts_a_legacy_xml_body() {
    let sb = start().await;
    let body = format!(
        "<credentials><partnerId>{DEMO_ID}</partnerId><partnerSecret>{DEMO_SECRET}</partnerSecret><newPartnerSecret>{NEW_SECRET}</newPartnerSecret><immediate>false</immediate></credentials>"
    );
    let resp = http()
        .put(format!("{}{}", sb.url(), finauth_sandbox::AUTH_PATH))
        .header("Finicity-App-Key", DEMO_KEY)
        .header("Content-Type", "application/xml")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(auth_status(&sb, DEMO_SECRET).await, 200, "grace period");
    assert_eq!(auth_status(&sb, NEW_SECRET).await, 200);
}

#[tokio::test]
async fn latency_also_delays_modify() {
    let sb = start().await;
    sb.set_latency(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let resp = put_modify(
        &sb,
        Some(DEMO_KEY),
        &modify_body(DEMO_SECRET, NEW_SECRET, None),
    )
    .await;
    assert_eq!(resp.status(), 204);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
}
