//! Helpers shared by the integration tests: real HTTP over loopback.
#![allow(dead_code)]

use finauth_sandbox::{Partner, Sandbox, SandboxConfig, AUTH_PATH};
use serde_json::{json, Value};

pub const DEMO_ID: &str = Partner::DEMO_PARTNER_ID;
pub const DEMO_SECRET: &str = Partner::DEMO_SECRET;
pub const DEMO_KEY: &str = Partner::DEMO_APP_KEY;

pub async fn start() -> Sandbox {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

pub fn creds(partner_id: &str, secret: &str) -> Value {
    json!({ "partnerId": partner_id, "partnerSecret": secret })
}

/// `POST` Create Access Token with an optional App Key and a JSON body.
pub async fn post_auth(sb: &Sandbox, app_key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = http()
        .post(format!("{}{AUTH_PATH}", sb.url()))
        .header("Accept", "application/json")
        .json(body);
    if let Some(key) = app_key {
        req = req.header("Finicity-App-Key", key);
    }
    req.send().await.expect("request is answered")
}

/// `POST` with a raw body and content type.
pub async fn post_auth_raw(
    sb: &Sandbox,
    app_key: Option<&str>,
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    let mut req = http()
        .post(format!("{}{AUTH_PATH}", sb.url()))
        .header("Content-Type", content_type)
        .body(body.to_string());
    if let Some(key) = app_key {
        req = req.header("Finicity-App-Key", key);
    }
    req.send().await.expect("request is answered")
}

/// `PUT` Modify Partner Secret.
pub async fn put_modify(sb: &Sandbox, app_key: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = http().put(format!("{}{AUTH_PATH}", sb.url())).json(body);
    if let Some(key) = app_key {
        req = req.header("Finicity-App-Key", key);
    }
    req.send().await.expect("request is answered")
}

/// `POST` with the demo partner's right secret; returns the token.
pub async fn demo_token(sb: &Sandbox) -> String {
    token_for(sb, DEMO_KEY, DEMO_ID, DEMO_SECRET).await
}

pub async fn token_for(sb: &Sandbox, key: &str, id: &str, secret: &str) -> String {
    let resp = post_auth(sb, Some(key), &creds(id, secret)).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("token JSON");
    body["token"].as_str().expect("token string").to_string()
}

/// `GET` a protected resource with optional headers (name, value).
pub async fn get_resource(sb: &Sandbox, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = http().get(format!("{}{path}", sb.url()));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.send().await.expect("request is answered")
}

/// Status and JSON body `{"code": N, "message": ...}` (JsonNumber style).
pub async fn json_error(resp: reqwest::Response) -> (u16, i64, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("JSON error body");
    (
        status,
        body["code"].as_i64().expect("numeric code"),
        body["message"].as_str().expect("message").to_string(),
    )
}
