//! Scripted answers that break on the wire, seen by a raw TCP client (the exact bytes, the `RST`
//! or the `FIN`), and scripted answers that are late or repeat (5xx storms).

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::*;
use finauth_sandbox::{Sandbox, ScriptedAnswer, WireFault};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BODY: &str = r#"{"token":"WireFaultToken0123456789"}"#;

fn answer(status: u16, fault: Option<WireFault>) -> ScriptedAnswer {
    ScriptedAnswer {
        status,
        headers: BTreeMap::from([("Content-Type".into(), "application/json".into())]),
        body: BODY.into(),
        fault,
        ..ScriptedAnswer::default()
    }
}

/// Sends one `GET` on a raw connection and reads until the server ends it: the bytes, and the
/// error that ended the read (`None` for a clean `FIN`).
async fn raw_get(sb: &Sandbox, path: &str) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    let mut s = TcpStream::connect(sb.addr()).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf)).await {
            Ok(Ok(0)) => return (got, None),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Ok(Err(e)) => return (got, Some(e.kind())),
            Err(_) => panic!("the server neither answered nor closed: {:?}", text(&got)),
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test]
async fn reset_mid_body_sends_the_head_and_half_the_body_then_a_reset() {
    let sb = start().await;
    sb.script(
        "/aggregation/",
        vec![answer(200, Some(WireFault::ResetMidBody))],
    );
    let (got, err) = raw_get(&sb, "/aggregation/v1/customers").await;
    let got = text(&got);
    assert_eq!(err, Some(std::io::ErrorKind::ConnectionReset), "{got}");
    // Linux may drop unread bytes on a reset; whatever arrived is the promised head and a part.
    if !got.is_empty() {
        assert!(got.starts_with("HTTP/1.1 200 OK\r\n"), "{got}");
        assert!(got.contains(&format!("content-length: {}\r\n", BODY.len())));
        let body = got.split("\r\n\r\n").nth(1).unwrap_or_default();
        assert!(body.len() < BODY.len(), "{got}");
    }
    assert_eq!(sb.script_report().received.len(), 1);
    // The connection after it is served as usual.
    let (after, err) = raw_get(&sb, "/__admin/health").await;
    assert!(text(&after).starts_with("HTTP/1.1 200"), "{err:?}");
}

#[tokio::test]
async fn truncated_body_promises_more_than_it_sends_then_closes_cleanly() {
    let sb = start().await;
    sb.script(
        "/aggregation/",
        vec![answer(200, Some(WireFault::TruncatedBody { missing: 10 }))],
    );
    let (got, err) = raw_get(&sb, "/aggregation/v1/customers").await;
    let got = text(&got);
    assert_eq!(err, None, "a FIN, not a reset");
    assert!(got.contains(&format!("content-length: {}\r\n", BODY.len() + 10)));
    assert!(got.ends_with(&format!("\r\n\r\n{BODY}")), "{got}");
}

#[tokio::test]
async fn stall_mid_body_pauses_between_the_halves() {
    let sb = start().await;
    sb.script(
        "/aggregation/",
        vec![answer(200, Some(WireFault::StallMidBody { stall_ms: 300 }))],
    );
    let started = Instant::now();
    let (got, err) = raw_get(&sb, "/aggregation/v1/customers").await;
    assert_eq!(err, None);
    assert!(text(&got).ends_with(BODY), "the whole body, in the end");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn endless_headers_go_on_until_the_client_hangs_up() {
    let sb = start().await;
    sb.script(
        "/aggregation/",
        vec![answer(
            200,
            Some(WireFault::EndlessHeaders { interval_ms: 1 }),
        )],
    );
    let mut s = TcpStream::connect(sb.addr()).await.unwrap();
    s.write_all(b"GET /aggregation/v1/customers HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while text(&got).matches("\r\n").count() < 200 {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .expect("header lines keep coming")
            .unwrap();
        assert!(n > 0, "the server must not end the head");
        got.extend_from_slice(&buf[..n]);
    }
    let got = text(&got);
    assert!(got.starts_with("HTTP/1.1 200 OK\r\nX-Endless-1: "), "{got}");
    assert!(!got.contains("\r\n\r\n"), "the head never ends");
    drop(s);
    // The sandbox notices and serves the next request.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let resp = http()
        .get(format!("{}/__admin/health", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn delay_ms_holds_the_head_back_and_pass_answers_normally_after_it() {
    let sb = start().await;
    sb.script(
        "/aggregation/",
        vec![ScriptedAnswer {
            pass: true,
            delay_ms: 300,
            ..ScriptedAnswer::default()
        }],
    );
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}/aggregation/v1/customers", sb.url()))
        .send()
        .await
        .expect_err("the head comes after the client's time-out");
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn a_storm_answers_times_requests_then_the_next_answer_takes_over() {
    let sb = start().await;
    let storm = |status| ScriptedAnswer {
        times: 3,
        ..answer(status, None)
    };
    sb.script("/aggregation/", vec![storm(503), storm(502)]);
    let mut seen = Vec::new();
    for _ in 0..7 {
        let r = http()
            .get(format!("{}/aggregation/v1/customers", sb.url()))
            .send()
            .await
            .unwrap();
        seen.push(r.status().as_u16());
    }
    // Then the sandbox itself: no token, 401.
    assert_eq!(seen, vec![503, 503, 503, 502, 502, 502, 401]);
}

#[tokio::test]
async fn a_storm_for_a_duration_ends_on_time() {
    let sb = start().await;
    sb.script(
        "/aggregation/",
        vec![ScriptedAnswer {
            for_ms: 300,
            ..answer(500, None)
        }],
    );
    let get = || async {
        http()
            .get(format!("{}/aggregation/v1/customers", sb.url()))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!((get().await, get().await), (500, 500));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(get().await, 401);
    assert_eq!(sb.script_report().remaining, 0);
}

#[tokio::test]
async fn wire_faults_are_scripted_over_the_admin_api() {
    let sb = start().await;
    let resp = http()
        .post(format!("{}/__admin/script", sb.url()))
        .json(&serde_json::json!({
            "path_prefix": "/aggregation/",
            "answers": [
                {"status": 200, "body": "{}", "fault": "reset_mid_body"},
                {"status": 200, "body": "{}", "fault": {"stall_mid_body": {"stall_ms": 5}}},
                {"status": 503, "times": 2, "delay_ms": 1},
                {"status": 502, "for_ms": 1000}
            ]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let report = sb.script_report();
    assert_eq!(report.remaining, 4);
    let bad = http()
        .post(format!("{}/__admin/script", sb.url()))
        .json(&serde_json::json!({
            "path_prefix": "/a", "answers": [{"fault": "explode"}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn over_tls_a_wire_fault_is_refused_plainly() {
    let sb = start_with(finauth_sandbox::SandboxConfig {
        tls: true,
        ..Default::default()
    })
    .await;
    sb.script(
        "/aggregation/",
        vec![answer(200, Some(WireFault::ResetMidBody))],
    );
    let cert =
        reqwest::Certificate::from_pem(sb.tls_certificate_pem().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([cert])
        .build()
        .unwrap();
    let r = client
        .get(format!("{}/aggregation/v1/customers", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 501);
}
