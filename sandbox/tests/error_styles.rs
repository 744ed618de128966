//! The shapes error bodies come in (`ErrorStyle`).

mod common;

use common::*;
use finauth_sandbox::{ErrorStyle, SandboxConfig};
use serde_json::{json, Value};

async fn wrong_secret(sb: &finauth_sandbox::Sandbox) -> (u16, String, String) {
    let resp = post_auth(sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, ct, resp.text().await.unwrap())
}

#[tokio::test]
async fn json_number_style_has_a_numeric_code() {
    let sb = start().await;
    let (status, ct, body) = wrong_secret(&sb).await;
    assert_eq!((status, ct.as_str()), (401, "application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({"code": 10001, "message": "Invalid credentials"})
    );
}

#[tokio::test]
async fn json_string_style_has_a_string_code() {
    let sb = start_with(SandboxConfig {
        error_style: ErrorStyle::JsonString,
        ..SandboxConfig::default()
    })
    .await;
    let (status, ct, body) = wrong_secret(&sb).await;
    assert_eq!((status, ct.as_str()), (401, "application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({"code": "10001", "message": "Invalid credentials"})
    );
}

#[tokio::test]
async fn errors_upper_style_has_capitalised_keys() {
    let sb = start().await;
    sb.set_error_style(ErrorStyle::ErrorsUpper);
    let (status, ct, body) = wrong_secret(&sb).await;
    assert_eq!((status, ct.as_str()), (401, "application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    let error = &body["Errors"]["Error"][0];
    assert_eq!(error["ReasonCode"], "10001");
    assert_eq!(error["Description"], "Invalid credentials");
    assert_eq!(error["Recoverable"], false);
    assert_eq!(error["Details"], "");
    assert!(error["Source"].is_string());
}

#[tokio::test]
async fn errors_lower_style_has_lower_camel_keys() {
    let sb = start().await;
    sb.set_error_style(ErrorStyle::ErrorsLower);
    let (_, _, body) = wrong_secret(&sb).await;
    let body: Value = serde_json::from_str(&body).unwrap();
    let error = &body["errors"]["error"][0];
    assert_eq!(error["reasonCode"], "10001");
    assert_eq!(error["description"], "Invalid credentials");
    assert_eq!(error["recoverable"], false);
    assert_eq!(error["details"], "");
    assert!(error["source"].is_string());
}

#[tokio::test]
async fn text_style_is_the_message_only() {
    let sb = start().await;
    sb.set_error_style(ErrorStyle::Text);
    let (status, ct, body) = wrong_secret(&sb).await;
    assert_eq!(status, 401);
    assert!(ct.starts_with("text/plain"), "{ct}");
    assert_eq!(body, "Invalid credentials");
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", "nope"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.text().await.unwrap(), "Invalid (Finicity-App-Token)");
    let resp = get_resource(
        &sb,
        "/aggregation/v1/customers",
        &[("Finicity-App-Key", "x")],
    )
    .await;
    assert_eq!(resp.text().await.unwrap(), "Invalid (Finicity-App-Key)");
}

#[tokio::test]
async fn xml_style_is_an_error_element() {
    let sb = start().await;
    sb.set_error_style(ErrorStyle::Xml);
    let (status, ct, body) = wrong_secret(&sb).await;
    assert_eq!((status, ct.as_str()), (401, "application/xml"));
    assert_eq!(
        body,
        "<error><code>10001</code><message>Invalid credentials</message></error>"
    );
}

#[tokio::test]
async fn the_429_is_empty_in_every_style() {
    let sb = start().await;
    for style in ErrorStyle::ALL {
        sb.set_error_style(style);
        let resp = post_auth(&sb, Some("unknown-key"), &creds(DEMO_ID, DEMO_SECRET)).await;
        assert_eq!(resp.status(), 429, "{style}");
        assert!(resp.bytes().await.unwrap().is_empty(), "{style}");
    }
}

#[tokio::test]
async fn locked_code_is_rendered_in_every_style() {
    let sb = start().await;
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    for style in ErrorStyle::ALL {
        sb.set_error_style(style);
        let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
        assert_eq!(resp.status(), 401);
        let body = resp.text().await.unwrap();
        if style == ErrorStyle::Text {
            assert_eq!(body, "Bad credentials");
        } else {
            assert!(body.contains("24302"), "{style}: {body}");
        }
    }
}

#[test]
fn style_names_parse_in_snake_and_kebab_case() {
    for style in ErrorStyle::ALL {
        assert_eq!(style.name().parse::<ErrorStyle>(), Ok(style));
        assert_eq!(
            style.name().replace('_', "-").parse::<ErrorStyle>(),
            Ok(style)
        );
        let json = serde_json::to_string(&style).unwrap();
        assert_eq!(json, format!("\"{}\"", style.name()));
    }
    assert!("yaml".parse::<ErrorStyle>().is_err());
}
