//! Protected resources: every other path under `/aggregation/`. `PATH` is Get Customers, one of
//! the documented operations (tests/openapi.rs checks its answers): its refusals must be the
//! catch-all's, to the byte.

mod common;

use std::time::Duration;

use common::*;
use finauth_sandbox::{Partner, SandboxConfig};
use serde_json::Value;

const PATH: &str = "/aggregation/v1/customers";

#[tokio::test]
async fn valid_token_gets_200_with_partner_and_path() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let resp = get_resource(
        &sb,
        "/aggregation/v1/institutions?start=1",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["partnerId"], DEMO_ID);
    assert_eq!(body["path"], "/aggregation/v1/institutions");
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!((stats.resource_requests, stats.resource_ok), (1, 1));
    assert_eq!(sb.stats().endpoint("GET /aggregation/v1/institutions"), 1);
}

#[tokio::test]
async fn newer_app_key_and_app_token_header_names_are_accepted() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let resp = get_resource(
        &sb,
        "/aggregation/v1/consents",
        &[("App-Key", DEMO_KEY), ("App-Token", &token)],
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn any_method_is_checked() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let resp = http()
        .delete(format!("{}/aggregation/v1/webhooks/3", sb.url()))
        .header("Finicity-App-Key", DEMO_KEY)
        .header("Finicity-App-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let resp = http()
        .post(format!("{}/aggregation/v1/webhooks", sb.url()))
        .header("Finicity-App-Key", DEMO_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(json_error(resp).await.1, 10024);
    let stats = sb.stats();
    assert_eq!(stats.endpoint("DELETE /aggregation/v1/webhooks/3"), 1);
    assert_eq!(stats.endpoint("POST /aggregation/v1/webhooks"), 1);
}

#[tokio::test]
async fn missing_app_key_is_10026() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let resp = get_resource(&sb, PATH, &[("Finicity-App-Token", &token)]).await;
    assert_eq!(
        json_error(resp).await,
        (401, 10026, "Missing parameter (Finicity-App-Key)".into())
    );
}

#[tokio::test]
async fn unknown_app_key_is_10027() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let resp = get_resource(
        &sb,
        PATH,
        &[
            ("Finicity-App-Key", "bogus"),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    assert_eq!(
        json_error(resp).await,
        (401, 10027, "Invalid (Finicity-App-Key)".into())
    );
}

#[tokio::test]
async fn missing_token_is_10024() {
    let sb = start().await;
    let resp = get_resource(&sb, PATH, &[("Finicity-App-Key", DEMO_KEY)]).await;
    assert_eq!(
        json_error(resp).await,
        (401, 10024, "Missing parameter (Finicity-App-Token)".into())
    );
    let stats = sb.partner_stats(DEMO_ID);
    assert_eq!((stats.resource_requests, stats.resource_rejected), (1, 1));
}

#[tokio::test]
async fn unknown_token_is_10022() {
    let sb = start().await;
    let resp = get_resource(
        &sb,
        PATH,
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", "NotATokenAtAll1234567"),
        ],
    )
    .await;
    assert_eq!(
        json_error(resp).await,
        (401, 10022, "Invalid (Finicity-App-Token)".into())
    );
}

#[tokio::test]
async fn token_of_another_app_key_is_10022() {
    let sb = start().await;
    sb.add_partner(Partner::new("other", "OtherSecret123", "other-key"));
    let token = demo_token(&sb).await;
    let resp = get_resource(
        &sb,
        PATH,
        &[
            ("Finicity-App-Key", "other-key"),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    assert_eq!(json_error(resp).await.1, 10022);
}

#[tokio::test]
async fn token_older_than_the_lifetime_is_10023() {
    let sb = start_with(SandboxConfig {
        token_lifetime: Duration::from_millis(200),
        ..SandboxConfig::default()
    })
    .await;
    let token = demo_token(&sb).await;
    let headers = [
        ("Finicity-App-Key", DEMO_KEY),
        ("Finicity-App-Token", token.as_str()),
    ];
    assert_eq!(get_resource(&sb, PATH, &headers).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        json_error(get_resource(&sb, PATH, &headers).await).await,
        (401, 10023, "Expired (Finicity-App-Token)".into())
    );
    // A longer lifetime applies to tokens already issued.
    sb.set_token_lifetime(Duration::from_secs(3600));
    assert_eq!(get_resource(&sb, PATH, &headers).await.status(), 200);
}

#[tokio::test]
async fn expire_tokens_expires_every_issued_token_of_the_partner_only() {
    let sb = start().await;
    sb.add_partner(Partner::new("other", "OtherSecret123", "other-key"));
    let a = demo_token(&sb).await;
    let b = demo_token(&sb).await;
    let other = token_for(&sb, "other-key", "other", "OtherSecret123").await;
    sb.expire_tokens(DEMO_ID);
    for t in [&a, &b] {
        let resp = get_resource(
            &sb,
            PATH,
            &[("Finicity-App-Key", DEMO_KEY), ("Finicity-App-Token", t)],
        )
        .await;
        assert_eq!(json_error(resp).await.1, 10023);
    }
    let resp = get_resource(
        &sb,
        PATH,
        &[
            ("Finicity-App-Key", "other-key"),
            ("Finicity-App-Token", &other),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let fresh = demo_token(&sb).await;
    let resp = get_resource(
        &sb,
        PATH,
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &fresh),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn locked_partners_token_is_24302_with_the_locked_status() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    let headers = [
        ("Finicity-App-Key", DEMO_KEY),
        ("Finicity-App-Token", token.as_str()),
    ];
    assert_eq!(
        json_error(get_resource(&sb, PATH, &headers).await).await,
        (401, 24302, "Bad credentials".into())
    );
    sb.set_locked_status(500);
    assert_eq!(
        json_error(get_resource(&sb, PATH, &headers).await).await.0,
        500
    );
    sb.unlock(DEMO_ID);
    assert_eq!(get_resource(&sb, PATH, &headers).await.status(), 200);
}

#[tokio::test]
async fn paths_outside_aggregation_are_404() {
    let sb = start().await;
    let resp = get_resource(&sb, "/elsewhere", &[]).await;
    assert_eq!(resp.status(), 404);
}
