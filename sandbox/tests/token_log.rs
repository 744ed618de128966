//! FINAUTH_SANDBOX_TOKEN_LOG: every issued token, Finicity's and OAuth 2.0's, one per line (read
//! by scripts/secret-scan.sh). A test binary of its own: the variable is process-wide.

mod common;

use common::*;
use finauth_sandbox::OAuth2Client;
use serde_json::Value;

#[tokio::test]
async fn every_issued_token_is_appended_to_the_token_log() {
    let path = std::env::temp_dir().join(format!("finauth-token-log-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&path);
    // Set before the sandbox starts and never changed: this binary has no other test.
    std::env::set_var("FINAUTH_SANDBOX_TOKEN_LOG", &path);
    let sb = start().await;
    let first = demo_token(&sb).await;
    let second = demo_token(&sb).await;
    let oauth2: Value = http()
        .post(sb.oauth2_token_url())
        .basic_auth(
            OAuth2Client::DEMO_CLIENT_ID,
            Some(OAuth2Client::DEMO_CLIENT_SECRET),
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = oauth2["access_token"].as_str().unwrap().to_owned();
    let logged = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(logged.lines().collect::<Vec<_>>(), [first, second, access]);
}
