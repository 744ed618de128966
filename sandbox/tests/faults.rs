//! Injected faults on Create Access Token.

mod common;

use std::time::Duration;

use common::*;
use finauth_sandbox::{ErrorStyle, Fault};
use serde_json::Value;

#[tokio::test]
async fn status_fault_answers_with_the_given_status_type_and_body() {
    let sb = start().await;
    sb.push_fault(
        Fault::Status {
            status: 503,
            content_type: Some("text/html".into()),
            body: "<h1>down</h1>".into(),
        },
        1,
    );
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["content-type"], "text/html");
    assert_eq!(resp.text().await.unwrap(), "<h1>down</h1>");
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!(
        (stats.auth_requests, stats.auth_faulted, stats.auth_success),
        (1, 1, 0)
    );
    // Consumed: the next request is answered normally.
    demo_token(&sb).await;
}

#[tokio::test]
async fn status_fault_without_content_type_sends_none() {
    let sb = start().await;
    sb.push_fault(
        Fault::Status {
            status: 403,
            content_type: None,
            body: String::new(),
        },
        1,
    );
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 403);
    assert!(resp.headers().get("content-type").is_none());
}

#[tokio::test]
async fn faults_apply_times_then_in_fifo_order() {
    let sb = start().await;
    let status = |s: u16| Fault::Status {
        status: s,
        content_type: None,
        body: String::new(),
    };
    sb.push_fault(status(502), 2);
    sb.push_fault(status(504), 1);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
        seen.push(resp.status().as_u16());
    }
    assert_eq!(seen, vec![502, 502, 504, 200]);
    assert_eq!(sb.partner_stats(DEMO_ID).auth_faulted, 3);
}

#[tokio::test]
async fn faults_do_not_touch_resources_or_modify() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    sb.push_fault(Fault::Locked, 1);
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
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 500, "the fault waited for the next POST");
}

#[tokio::test]
async fn delay_fault_makes_a_client_time_out_then_answers_normally() {
    let sb = start().await;
    sb.push_fault(Fault::Delay(Duration::from_millis(1500)), 1);
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .post(format!("{}{}", sb.url(), finauth_sandbox::AUTH_PATH))
        .header("Finicity-App-Key", DEMO_KEY)
        .json(&creds(DEMO_ID, DEMO_SECRET))
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(sb.partner_stats(DEMO_ID).auth_faulted, 1);
    // Without a client timeout the delayed answer is a normal one.
    sb.push_fault(Fault::Delay(Duration::from_millis(200)), 1);
    let started = std::time::Instant::now();
    demo_token(&sb).await;
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn truncated_body_fault_breaks_the_body_after_the_headers() {
    let sb = start().await;
    sb.push_fault(Fault::TruncatedBody, 1);
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 200);
    let promised: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(promised > 0);
    assert!(resp.bytes().await.is_err(), "the body must not complete");
    demo_token(&sb).await;
    assert_eq!(sb.partner_stats(DEMO_ID).auth_faulted, 1);
}

#[tokio::test]
async fn locked_fault_is_24302_with_500_without_locking() {
    let sb = start().await;
    sb.push_fault(Fault::Locked, 1);
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(
        json_error(resp).await,
        (500, 24302, "Bad credentials".into())
    );
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!((stats.auth_locked, stats.auth_faulted), (1, 1));
    assert!(!stats.locked);
    demo_token(&sb).await;
}

#[tokio::test]
async fn locked_fault_follows_the_error_style() {
    let sb = start().await;
    sb.set_error_style(ErrorStyle::ErrorsUpper);
    sb.push_fault(Fault::Locked, 1);
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["Errors"]["Error"][0]["ReasonCode"], "24302");
}
