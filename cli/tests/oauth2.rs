//! `finauth oauth2 token|headers` as a user runs them, against an in-process sandbox.

use finauth_sandbox::{OAuth2Client, Sandbox, SandboxConfig};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

const ID: &str = OAuth2Client::DEMO_CLIENT_ID;
const SECRET: &str = OAuth2Client::DEMO_CLIENT_SECRET;
const WRONG: &str = "wrong-client-secret";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn cache_dir(name: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let p = std::env::temp_dir().join(format!(
        "finauth-cli-oauth2-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn ec_key() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/oauth1-keys/ec.pem")
}

/// Run `finauth` with exactly these variables; nothing secret may reach stderr.
fn finauth(args: &[&str], vars: &[(&str, &str)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_finauth"))
        .args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run finauth");
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for s in [SECRET, WRONG] {
        assert!(
            !run.stderr.contains(s),
            "stderr holds a secret: {}",
            run.stderr
        );
    }
    run
}

fn vars<'a>(sb_token_url: &'a str, secret: &'a str, cache: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("FINAUTH_OAUTH2_TOKEN_URL", sb_token_url),
        ("FINAUTH_OAUTH2_CLIENT_ID", ID),
        ("FINAUTH_OAUTH2_CLIENT_SECRET", secret),
        ("FINAUTH_ALLOW_INSECURE_LOOPBACK", "1"),
        ("FINAUTH_TIMEOUT", "10"),
        ("XDG_CACHE_HOME", cache),
    ]
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox")
}

async fn get(url: &str, headers: &[(&str, &str)]) -> u16 {
    let mut r = finauth::reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(url);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_loop_of_oauth2_token_makes_one_token_request() {
    let sb = sandbox().await;
    let cache = cache_dir("loop");
    let (url, c) = (sb.oauth2_token_url(), cache.to_string_lossy().to_string());
    let v = vars(&url, SECRET, &c);
    let mut tokens = Vec::new();
    for _ in 0..5 {
        let run = tokio::task::block_in_place(|| finauth(&["oauth2", "token"], &v));
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_eq!(run.stdout.lines().count(), 1);
        tokens.push(run.stdout.trim().to_owned());
    }
    tokens.dedup();
    assert_eq!(tokens.len(), 1);
    assert_eq!(sb.oauth2_stats(ID).token_requests, 1);
    let auth = format!("Bearer {}", tokens[0]);
    assert_eq!(
        get(&sb.oauth2_resource_url(), &[("Authorization", &auth)]).await,
        200
    );
    let _ = std::fs::remove_dir_all(cache);
}

/// `FINAUTH_OAUTH2_ISSUER`: `finauth oauth2 discover` prints the token endpoint; a shell loop of
/// runs reads the metadata once (the store keeps it), and `guard status` names the issuer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_issuer_is_discovered_once_for_every_run() {
    let sb = sandbox().await;
    let cache = cache_dir("issuer");
    let (issuer, c) = (sb.oauth2_issuer(), cache.to_string_lossy().to_string());
    let mut v: Vec<_> = vars("", SECRET, &c)
        .into_iter()
        .filter(|(k, _)| *k != "FINAUTH_OAUTH2_TOKEN_URL")
        .collect();
    v.push(("FINAUTH_OAUTH2_ISSUER", &issuer));
    let run = |args: &[&str]| tokio::task::block_in_place(|| finauth(args, &v));
    let found = run(&["oauth2", "discover"]);
    assert_eq!(found.code, Some(0), "{}", found.stderr);
    assert_eq!(found.stdout.trim(), sb.oauth2_token_url());
    for _ in 0..3 {
        let t = run(&["oauth2", "token"]);
        assert_eq!(t.code, Some(0), "{}", t.stderr);
    }
    assert_eq!(
        sb.stats()
            .endpoint("GET /.well-known/oauth-authorization-server/oauth2"),
        1,
        "four runs, one metadata request"
    );
    assert_eq!(sb.oauth2_stats(ID).token_requests, 1);
    let status = run(&["oauth2", "guard", "status"]);
    assert!(
        status.stdout.contains(&format!("issuer: {issuer}")),
        "{}",
        status.stdout
    );
    let _ = std::fs::remove_dir_all(cache);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_headers_work_for_the_request_they_were_made_for() {
    let sb = sandbox().await;
    let key = finauth::SigningKey::from_file(ec_key(), None, None).unwrap();
    sb.add_oauth2_client(OAuth2Client::with_jwk(
        "cli-dpop",
        finauth::oauth2::jose::public_jwk(&key),
    ));
    let cache = cache_dir("dpop");
    let (url, c) = (sb.oauth2_token_url(), cache.to_string_lossy().to_string());
    let key_path = ec_key().to_string_lossy().to_string();
    let resource = format!("{}/accounts", sb.oauth2_resource_url());
    let v = vec![
        ("FINAUTH_OAUTH2_TOKEN_URL", url.as_str()),
        ("FINAUTH_OAUTH2_CLIENT_ID", "cli-dpop"),
        ("FINAUTH_OAUTH2_AUTH_METHOD", "private_key_jwt"),
        ("FINAUTH_OAUTH2_KEY", key_path.as_str()),
        ("FINAUTH_OAUTH2_KEY_ID", "k1"),
        ("FINAUTH_OAUTH2_DPOP", "1"),
        ("FINAUTH_ALLOW_INSECURE_LOOPBACK", "1"),
        ("XDG_CACHE_HOME", c.as_str()),
    ];
    let no_url = tokio::task::block_in_place(|| finauth(&["oauth2", "headers"], &v));
    assert_eq!(no_url.code, Some(2), "{}", no_url.stderr);
    assert!(no_url.stderr.contains("--url"));
    let run = tokio::task::block_in_place(|| {
        finauth(
            &["oauth2", "headers", "--method", "GET", "--url", &resource],
            &v,
        )
    });
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lines: Vec<(&str, &str)> = run
        .stdout
        .lines()
        .filter_map(|l| l.split_once(": "))
        .collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert_eq!(lines[0].0, "Authorization");
    assert!(lines[0].1.starts_with("DPoP "));
    assert_eq!(lines[1].0, "DPoP");
    assert_eq!(get(&resource, &lines).await, 200);
    // The proof is bound to the URL and single-use.
    assert_eq!(get(&resource, &lines).await, 401);
    let _ = std::fs::remove_dir_all(cache);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_exits_3_then_the_guard_exits_5() {
    let sb = sandbox().await;
    let cache = cache_dir("wrong");
    let (url, c) = (sb.oauth2_token_url(), cache.to_string_lossy().to_string());
    let v = vars(&url, WRONG, &c);
    let first = tokio::task::block_in_place(|| finauth(&["oauth2", "token"], &v));
    assert_eq!(first.code, Some(3), "{}", first.stderr);
    assert!(first.stderr.contains("invalid_client"), "{}", first.stderr);
    let second = tokio::task::block_in_place(|| finauth(&["oauth2", "token"], &v));
    assert_eq!(second.code, Some(5), "{}", second.stderr);
    assert_eq!(sb.oauth2_stats(ID).invalid_client, 1);
    let _ = std::fs::remove_dir_all(cache);
}

/// The command the refusal suggests is the one that works for this configuration: `finauth
/// oauth2 guard status|reset` read and clear this client's guard, without the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_guard_status_and_reset_clear_a_rejected_secret() {
    let sb = sandbox().await;
    let cache = cache_dir("guard");
    let (url, c) = (sb.oauth2_token_url(), cache.to_string_lossy().to_string());
    let wrong = vars(&url, WRONG, &c);
    let run = |args: &[&str], v: &[(&str, &str)]| tokio::task::block_in_place(|| finauth(args, v));
    let first = run(&["oauth2", "token"], &wrong);
    assert_eq!(first.code, Some(3), "{}", first.stderr);
    assert!(
        first.stderr.contains("finauth oauth2 guard reset"),
        "{}",
        first.stderr
    );
    assert!(!first.stderr.contains("Finicity"), "{}", first.stderr);
    let refused = run(&["oauth2", "token"], &wrong);
    assert_eq!(refused.code, Some(5), "{}", refused.stderr);

    let status = run(&["oauth2", "guard", "status"], &wrong);
    assert_eq!(status.code, Some(0), "{}", status.stderr);
    for line in [
        format!("client_id: {ID}"),
        "failed_attempts: 1".into(),
        "rejected_secrets: 1".into(),
        "current_secret_rejected: yes".into(),
    ] {
        assert!(status.stdout.contains(&line), "{line}: {}", status.stdout);
    }
    let json = run(&["oauth2", "guard", "status", "--json"], &wrong);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["failed_attempts"], 1);
    assert_eq!(v["token_url"], url.as_str());

    // The operator clears it without the secret; the same wrong secret is then tried once more.
    let operator: Vec<_> = wrong
        .iter()
        .copied()
        .filter(|(k, _)| *k != "FINAUTH_OAUTH2_CLIENT_SECRET")
        .collect();
    let reset = run(&["oauth2", "guard", "reset"], &operator);
    assert_eq!(reset.code, Some(0), "{}", reset.stderr);
    assert!(
        reset.stdout.contains("1 failed attempt(s)"),
        "{}",
        reset.stdout
    );
    let after = run(&["oauth2", "guard", "status", "--json"], &operator);
    let v: serde_json::Value = serde_json::from_str(&after.stdout).unwrap();
    assert_eq!(
        (
            v["failed_attempts"].clone(),
            v["current_secret_rejected"].clone()
        ),
        (0.into(), serde_json::Value::Null)
    );
    let right = run(&["oauth2", "token"], &vars(&url, SECRET, &c));
    assert_eq!(right.code, Some(0), "{}", right.stderr);
    assert_eq!(sb.oauth2_stats(ID).invalid_client, 1);
    let _ = std::fs::remove_dir_all(cache);
}

#[test]
fn missing_token_url_exits_2_naming_it() {
    let run = finauth(&["oauth2", "token"], &[("HOME", "/nonexistent")]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("FINAUTH_OAUTH2_TOKEN_URL"),
        "{}",
        run.stderr
    );
}
