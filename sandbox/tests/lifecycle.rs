//! Starting and stopping: the library handle and the `finauth-sandbox` binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use finauth_sandbox::{Sandbox, SandboxConfig};

const BIN: &str = env!("CARGO_BIN_EXE_finauth-sandbox");

/// Kills the child if a test fails half-way.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (ChildGuard, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reads the URL line");
    (ChildGuard(child), line)
}

#[tokio::test]
async fn url_is_loopback_without_trailing_slash() {
    let sb = start().await;
    let url = sb.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", sb.addr().port()));
    assert_ne!(sb.addr().port(), 0);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sb = start().await;
    let url = sb.url();
    demo_token(&sb).await;
    sb.shutdown().await;
    let result = reqwest::Client::new()
        .get(format!("{url}/__admin/health"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(result.is_err(), "still answering after shutdown");
}

#[tokio::test]
async fn drop_stops_serving_even_on_pooled_connections() {
    let sb = start().await;
    let url = sb.url();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let health = format!("{url}/__admin/health");
    assert_eq!(client.get(&health).send().await.unwrap().status(), 200);
    drop(sb);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let result = client.get(&health).send().await;
    assert!(result.is_err(), "still answering after drop");
    let result = reqwest::Client::new().get(&health).send().await;
    assert!(result.is_err(), "still accepting after drop");
}

#[tokio::test]
async fn two_sandboxes_run_side_by_side() {
    let a = start().await;
    let b = Sandbox::start(SandboxConfig::default()).await.unwrap();
    assert_ne!(a.url(), b.url());
    demo_token(&a).await;
    assert_eq!(b.partner_stats(DEMO_ID).auth_requests, 0);
}

#[tokio::test]
async fn binary_prints_exactly_its_url_and_serves() {
    let (_child, line) = spawn(&[]);
    let url = line.trim_end_matches('\n');
    assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");
    assert!(!url.ends_with('/'));
    let resp = http()
        .post(format!("{url}{}", finauth_sandbox::AUTH_PATH))
        .header("Finicity-App-Key", DEMO_KEY)
        .json(&creds(DEMO_ID, DEMO_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn binary_takes_partners_and_settings_from_arguments() {
    let (_child, line) = spawn(&[
        "--partner",
        "cli-partner:CliSecret12345:cli-key",
        "--locked-status",
        "500",
        "--error-style",
        "json_string",
        "--token-lifetime",
        "60",
    ]);
    let url = line.trim();
    let resp = http()
        .post(format!("{url}{}", finauth_sandbox::AUTH_PATH))
        .header("Finicity-App-Key", "cli-key")
        .json(&creds("cli-partner", "wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "10001");
    // The demo partner is not there when partners are given.
    let resp = http()
        .post(format!("{url}{}", finauth_sandbox::AUTH_PATH))
        .header("Finicity-App-Key", DEMO_KEY)
        .json(&creds(DEMO_ID, DEMO_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let config: serde_json::Value = http()
        .get(format!("{url}/__admin/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["locked_status"], 500);
    assert_eq!(config["token_lifetime_secs"], 60.0);
}

#[cfg(unix)]
#[test]
fn binary_exits_cleanly_on_sigterm() {
    let (mut child, _line) = spawn(&[]);
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.0.try_wait().expect("try_wait") {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn binary_help_and_bad_arguments() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--partner"));
    let out = Command::new(BIN).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));
}
