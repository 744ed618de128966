//! The `finauth` binary as a user runs it: real processes against an in-process sandbox, each test
//! with its own cache directory.

use finauth_sandbox::{Partner, Sandbox, SandboxConfig};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const ID: &str = Partner::DEMO_PARTNER_ID;
const WRONG_SECRET: &str = "WrongSecret2026";
const NEW_SECRET: &str = "NewSecret2027x";
/// Nothing finauth knows may ever reach stderr.
const SECRETS: [&str; 3] = [Partner::DEMO_SECRET, WRONG_SECRET, NEW_SECRET];

/// A private directory under the system temp dir, removed at the end of the test.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!(
            "finauth-cli-test-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("create the test directory");
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `finauth` with exactly these variables (nothing inherited) and optional stdin.
fn finauth(args: &[&str], vars: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_finauth"));
    cmd.args(args)
        .env_clear()
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("start finauth");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input.as_bytes()).expect("write stdin");
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("wait for finauth");
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    for secret in SECRETS {
        assert!(
            !run.stderr.contains(secret),
            "stderr of {args:?} holds a secret: {}",
            run.stderr
        );
    }
    run
}

/// The variables that point finauth at `sandbox` with `secret`, caching under `cache`.
fn vars<'a>(sandbox_url: &'a str, secret: &'a str, cache: &'a Path) -> Vec<(&'a str, &'a str)> {
    vec![
        ("FINICITY_BASE_URL", sandbox_url),
        ("FINICITY_PARTNER_ID", ID),
        ("FINICITY_PARTNER_SECRET", secret),
        ("FINICITY_APP_KEY", Partner::DEMO_APP_KEY),
        ("FINAUTH_ALLOW_INSECURE_LOOPBACK", "1"),
        ("FINAUTH_TIMEOUT", "10"),
        ("XDG_CACHE_HOME", cache.to_str().expect("utf-8 temp path")),
    ]
}

fn one_error_line(run: &Run, kind: &str) {
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("finauth: {kind}: ")),
        "stderr: {}",
        run.stderr
    );
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("start the sandbox")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shell_loop_of_finauth_token_authenticates_once() {
    let sb = sandbox().await;
    let dir = TempDir::new("loop");
    let url = sb.url();
    let env = vars(&url, Partner::DEMO_SECRET, dir.path());
    let mut tokens = Vec::new();
    for _ in 0..10 {
        let run = finauth(&["token"], &env, None);
        assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
        assert_eq!(run.stderr, "");
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "stdout is only the token: {:?}", run.stdout);
        assert!(run.stdout.ends_with('\n'));
        assert!(!lines[0].is_empty() && !lines[0].contains(' '));
        tokens.push(lines[0].to_owned());
    }
    assert!(
        tokens.iter().all(|t| *t == tokens[0]),
        "one token for every call"
    );
    assert_eq!(sb.partner_stats(ID).auth_requests, 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_prints_two_lines() {
    let sb = sandbox().await;
    let dir = TempDir::new("headers");
    let url = sb.url();
    let env = vars(&url, Partner::DEMO_SECRET, dir.path());
    let run = finauth(&["headers"], &env, None);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{:?}", run.stdout);
    assert_eq!(
        lines[0],
        format!("Finicity-App-Key: {}", Partner::DEMO_APP_KEY)
    );
    let token = lines[1]
        .strip_prefix("Finicity-App-Token: ")
        .expect("second line is the token header");
    let again = finauth(&["token"], &env, None);
    assert_eq!(
        again.stdout.trim_end(),
        token,
        "headers carry the cached token"
    );
    assert_eq!(sb.partner_stats(ID).auth_requests, 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_would_become_a_second_header_exits_8_and_prints_nothing() {
    let sb = sandbox().await;
    let url = sb.url();
    for (name, bad) in [
        ("CRLF", "\r\n"),
        ("LF", "\n"),
        ("NUL", "\0"),
        ("ESC", "\x1b"),
    ] {
        for (ct, body) in [
            (
                "application/json",
                serde_json::json!({ "token": format!("abc{bad}X-Injected: 1") }).to_string(),
            ),
            (
                "application/xml",
                format!("<access><token>abc{bad}X-Injected: 1</token></access>"),
            ),
        ] {
            let dir = TempDir::new("hostile");
            let env = vars(&url, Partner::DEMO_SECRET, dir.path());
            for command in ["token", "headers"] {
                sb.push_fault(
                    finauth_sandbox::Fault::Status {
                        status: 200,
                        content_type: Some(ct.into()),
                        body: body.clone(),
                    },
                    1,
                );
                let run = finauth(&[command], &env, None);
                assert_eq!(run.code, Some(8), "{name} {ct} {command}: {}", run.stderr);
                assert_eq!(run.stdout, "", "{name} {ct} {command}");
                one_error_line(&run, "SERVER");
                assert!(!run.stderr.contains("Injected"), "{}", run.stderr);
            }
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_key_or_secret_in_a_long_server_message_never_reaches_stderr() {
    let sb = sandbox().await;
    let url = sb.url();
    let app_key = "hostile-appkey-Z9w4";
    let secret = "HostileSecret2026xyz1";
    for value in [app_key, secret] {
        for at in [280usize, 285, 290, 295, 299] {
            let dir = TempDir::new("scrub");
            let mut env = vars(&url, secret, dir.path());
            env.retain(|(k, _)| *k != "FINICITY_APP_KEY");
            env.push(("FINICITY_APP_KEY", app_key));
            let message = format!("{}{value} is over the limit", "m".repeat(at));
            sb.push_fault(
                finauth_sandbox::Fault::Status {
                    status: 500,
                    content_type: Some("application/json".into()),
                    body: serde_json::json!({"code": 1, "message": message}).to_string(),
                },
                1,
            );
            let run = finauth(&["token"], &env, None);
            assert_eq!(run.code, Some(8), "{}", run.stderr);
            for n in 4..=value.len() {
                assert!(
                    !run.stderr.contains(&value[..n]),
                    "{value} at {at}: {n} characters leaked: {}",
                    run.stderr
                );
            }
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_exits_3_then_guard_exits_5_without_a_request() {
    let sb = sandbox().await;
    let dir = TempDir::new("wrong");
    let url = sb.url();
    let env = vars(&url, WRONG_SECRET, dir.path());

    let first = finauth(&["token"], &env, None);
    assert_eq!(first.code, Some(3), "stderr: {}", first.stderr);
    assert_eq!(first.stdout, "");
    one_error_line(&first, "INVALID_CREDENTIALS");

    let second = finauth(&["token"], &env, None);
    assert_eq!(second.code, Some(5), "stderr: {}", second.stderr);
    one_error_line(&second, "LOCKOUT_GUARD");

    let headers = finauth(&["headers"], &env, None);
    assert_eq!(headers.code, Some(5), "stderr: {}", headers.stderr);

    let p = sb.partner_stats(ID);
    assert_eq!(p.auth_requests, 1, "the guard sent nothing");
    assert_eq!(p.auth_failures, 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guard_status_and_reset() {
    let sb = sandbox().await;
    let dir = TempDir::new("guard");
    let url = sb.url();
    let wrong = vars(&url, WRONG_SECRET, dir.path());
    assert_eq!(finauth(&["token"], &wrong, None).code, Some(3));

    let status = finauth(&["guard", "status"], &wrong, None);
    assert_eq!(status.code, Some(0), "stderr: {}", status.stderr);
    for line in [
        "failed_attempts: 1",
        "in_flight: 0",
        "max_failed_attempts: 3",
        "attempts_remaining: 2",
        "rejected_secrets: 1",
        "locked: no",
        "current_secret_rejected: yes",
    ] {
        assert!(
            status.stdout.lines().any(|l| l == line),
            "{line} in {}",
            status.stdout
        );
    }
    let store_line = format!("store: file:{}", dir.path().join("finauth").display());
    assert!(
        status.stdout.lines().any(|l| l == store_line),
        "{}",
        status.stdout
    );

    let json = finauth(&["guard", "status", "--json"], &wrong, None);
    assert_eq!(json.code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(v["failed_attempts"], 1);
    assert_eq!(v["current_secret_rejected"], true);
    assert_eq!(v["locked"], serde_json::Value::Null);

    // The operator needs neither the secret nor the App Key to clear the guard.
    let operator: Vec<_> = wrong
        .iter()
        .copied()
        .filter(|(k, _)| *k != "FINICITY_PARTNER_SECRET" && *k != "FINICITY_APP_KEY")
        .collect();
    let reset = finauth(&["guard", "reset"], &operator, None);
    assert_eq!(reset.code, Some(0), "stderr: {}", reset.stderr);
    assert!(
        reset.stdout.contains("lockout guard cleared"),
        "{}",
        reset.stdout
    );
    assert_eq!(reset.stderr, "");

    let right = vars(&url, Partner::DEMO_SECRET, dir.path());
    let after = finauth(&["guard", "status"], &right, None);
    assert!(
        after.stdout.lines().any(|l| l == "failed_attempts: 0"),
        "{}",
        after.stdout
    );
    assert!(after.stdout.lines().any(|l| l == "rejected_secrets: 0"));
    assert!(after
        .stdout
        .lines()
        .any(|l| l == "current_secret_rejected: no"));
    assert_eq!(finauth(&["token"], &right, None).code, Some(0));
    assert_eq!(sb.partner_stats(ID).auth_requests, 2);
    sb.shutdown().await;
}

#[test]
fn missing_variable_exits_2_naming_it() {
    let dir = TempDir::new("missing");
    let mut env = vars("http://127.0.0.1:9", Partner::DEMO_SECRET, dir.path());
    env.retain(|(k, _)| *k != "FINICITY_APP_KEY");
    let run = finauth(&["token"], &env, None);
    assert_eq!(run.code, Some(2));
    one_error_line(&run, "CONFIG");
    assert!(run.stderr.contains("FINICITY_APP_KEY"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn http_non_loopback_refused_exit_2() {
    let dir = TempDir::new("http");
    let env = vars("http://api.example.com", Partner::DEMO_SECRET, dir.path());
    let run = finauth(&["token"], &env, None);
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    one_error_line(&run, "CONFIG");
    assert!(run.stderr.contains("base_url"), "{}", run.stderr);
}

#[test]
fn unreachable_server_exits_9() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let dir = TempDir::new("unreachable");
    let env = vars(&url, Partner::DEMO_SECRET, dir.path());
    let run = finauth(&["token"], &env, None);
    assert_eq!(run.code, Some(9), "stderr: {}", run.stderr);
    one_error_line(&run, "TRANSPORT");
}

#[test]
fn usage_errors_exit_2_on_one_line() {
    let run = finauth(&["frobnicate"], &[], None);
    assert_eq!(run.code, Some(2));
    one_error_line(&run, "CONFIG");
    let missing = finauth(&["guard"], &[], None);
    assert_eq!(missing.code, Some(2));
    one_error_line(&missing, "CONFIG");
    let help = finauth(&["--help"], &[], None);
    assert_eq!(help.code, Some(0));
    for documented in [
        "FINICITY_PARTNER_ID",
        "FINAUTH_STORE",
        "FINAUTH_LOG",
        "5 LOCKOUT_GUARD",
    ] {
        assert!(
            help.stdout.contains(documented),
            "--help lacks {documented}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_secret_from_stdin() {
    let sb = sandbox().await;
    let dir = TempDir::new("rotate");
    let url = sb.url();
    let old = vars(&url, Partner::DEMO_SECRET, dir.path());
    let before = finauth(&["token"], &old, None);
    assert_eq!(before.code, Some(0));

    let run = finauth(&["rotate-secret"], &old, Some(&format!("{NEW_SECRET}\n")));
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(
        run.stdout.contains("partner secret modified"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FINICITY_PARTNER_SECRET"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains(NEW_SECRET) && !run.stdout.contains(Partner::DEMO_SECRET));
    let p = sb.partner_stats(ID);
    assert_eq!((p.modify_requests, p.modify_success), (1, 1));

    // The old configuration, sharing the store, keeps working without the old secret.
    let same_store = finauth(&["token"], &old, None);
    assert_eq!(same_store.code, Some(0), "stderr: {}", same_store.stderr);

    // A fresh process with the new secret configured authenticates with it.
    let fresh = TempDir::new("rotate-fresh");
    let new = vars(&url, NEW_SECRET, fresh.path());
    let successes = sb.partner_stats(ID).auth_success;
    let token = finauth(&["token"], &new, None);
    assert_eq!(token.code, Some(0), "stderr: {}", token.stderr);
    let p = sb.partner_stats(ID);
    assert_eq!(
        p.auth_success,
        successes + 1,
        "authenticated with the new secret"
    );
    assert_eq!(p.auth_failures, 0);
    assert_eq!(
        p.retired_secret_attempts, 0,
        "the old secret was never sent again"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_secret_from_an_env_var_with_grace() {
    let sb = sandbox().await;
    let dir = TempDir::new("rotate-env");
    let url = sb.url();
    let mut env = vars(&url, Partner::DEMO_SECRET, dir.path());
    env.push(("NEW_FINICITY_SECRET", NEW_SECRET));
    let run = finauth(
        &[
            "rotate-secret",
            "--new-secret-env",
            "NEW_FINICITY_SECRET",
            "--grace",
        ],
        &env,
        None,
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(run.stdout.contains("30-day grace period"), "{}", run.stdout);
    assert_eq!(sb.partner_stats(ID).modify_success, 1);

    let fresh = TempDir::new("rotate-env-fresh");
    let new = vars(&url, NEW_SECRET, fresh.path());
    assert_eq!(finauth(&["token"], &new, None).code, Some(0));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_secret_refuses_bad_input_without_a_request() {
    let sb = sandbox().await;
    let dir = TempDir::new("rotate-bad");
    let url = sb.url();
    let env = vars(&url, Partner::DEMO_SECRET, dir.path());

    // Never from an argument (it would show in `ps`).
    for args in [
        &["rotate-secret", NEW_SECRET][..],
        &["rotate-secret", "--grace", NEW_SECRET],
        &["rotate-secret", &format!("--grace={NEW_SECRET}")],
        &["rotate-secret", "--", NEW_SECRET],
    ] {
        let argv = finauth(args, &env, None);
        assert_eq!(argv.code, Some(2));
        one_error_line(&argv, "CONFIG");
    }

    let empty = finauth(&["rotate-secret"], &env, Some(""));
    assert_eq!(empty.code, Some(2));
    one_error_line(&empty, "CONFIG");

    // The secret itself given where a variable name belongs is not echoed either.
    let unset = finauth(
        &["rotate-secret", "--new-secret-env", NEW_SECRET],
        &env,
        None,
    );
    assert_eq!(unset.code, Some(2));
    one_error_line(&unset, "CONFIG");
    assert!(
        unset.stderr.contains("--new-secret-env"),
        "{}",
        unset.stderr
    );

    let weak = finauth(&["rotate-secret"], &env, Some("short\n"));
    assert_eq!(weak.code, Some(2), "stderr: {}", weak.stderr);
    one_error_line(&weak, "CONFIG");

    assert_eq!(sb.partner_stats(ID).modify_requests, 0);
    sb.shutdown().await;
}

#[test]
fn demo_runs_and_exits_0() {
    let dir = TempDir::new("demo");
    let tmp = dir.path().to_str().expect("utf-8 temp path");
    let started = Instant::now();
    let run = finauth(&["demo"], &[("TMPDIR", tmp)], None);
    let took = started.elapsed();
    assert_eq!(
        run.code,
        Some(0),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("All steps behaved as expected"),
        "{}",
        run.stdout
    );
    assert!(took < Duration::from_secs(20), "the demo took {took:?}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read the temp dir")
        .collect();
    assert!(left.is_empty(), "the demo removed its temporary store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_directory_is_created_with_mode_0700() {
    let sb = sandbox().await;
    let url = sb.url();

    // XDG_CACHE_HOME/finauth, created.
    let xdg = TempDir::new("mode-xdg");
    let run = finauth(
        &["token"],
        &vars(&url, Partner::DEMO_SECRET, xdg.path()),
        None,
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(mode(&xdg.path().join("finauth")), 0o700);

    // $HOME/.cache/finauth when XDG_CACHE_HOME is unset.
    let home = TempDir::new("mode-home");
    let mut env = vars(&url, Partner::DEMO_SECRET, home.path());
    env.retain(|(k, _)| *k != "XDG_CACHE_HOME");
    let home_str = home.path().to_str().expect("utf-8 temp path");
    env.push(("HOME", home_str));
    assert_eq!(finauth(&["token"], &env, None).code, Some(0));
    assert_eq!(mode(&home.path().join(".cache").join("finauth")), 0o700);

    // An existing directory open to others is tightened.
    let wide = TempDir::new("mode-wide");
    let dir = wide.path().join("finauth");
    std::fs::create_dir(&dir).expect("create");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let run = finauth(
        &["token"],
        &vars(&url, Partner::DEMO_SECRET, wide.path()),
        None,
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(mode(&dir), 0o700);
    sb.shutdown().await;
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn sandbox_prints_its_url_and_exports_then_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_finauth"))
        .args(["sandbox", "--port", "0"])
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start finauth sandbox");
    let stdout = child.stdout.take().expect("stdout pipe");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(6)
        .collect::<Result<_, _>>()
        .expect("read the sandbox's output");
    assert!(lines[0].starts_with("http://127.0.0.1:"), "{lines:?}");
    let exports: Vec<(String, String)> = lines[1..]
        .iter()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(exports.len(), 5, "{lines:?}");
    assert!(exports.contains(&("FINICITY_BASE_URL".into(), lines[0].clone())));
    assert!(exports.contains(&("FINAUTH_ALLOW_INSECURE_LOOPBACK".into(), "1".into())));

    let dir = TempDir::new("sandbox-cmd");
    let cache = dir.path().to_str().expect("utf-8 temp path");
    let mut env: Vec<(&str, &str)> = exports
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    env.push(("XDG_CACHE_HOME", cache));
    let token = finauth(&["token"], &env, None);
    assert_eq!(token.code, Some(0), "stderr: {}", token.stderr);

    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the sandbox") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("finauth sandbox did not stop on SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finauth_store_redis_is_shared_by_cli_processes_and_the_file_cache_is_unused() {
    // scripts/test.sh starts a redis-server and sets FINAUTH_TEST_REDIS_URL; without it this
    // test says so and passes (under CI a missing server is a failure).
    let Some(redis) = std::env::var("FINAUTH_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set FINAUTH_TEST_REDIS_URL"
        );
        eprintln!("SKIPPED: FINAUTH_TEST_REDIS_URL is not set");
        return;
    };
    let sb = sandbox().await;
    let dir = TempDir::new("redis");
    let url = sb.url();
    let spec = format!(
        "{}?prefix=finauth-cli-test-{}",
        redis.trim(),
        std::process::id()
    );
    let mut env = vars(&url, Partner::DEMO_SECRET, dir.path());
    env.push(("FINAUTH_STORE", &spec));
    let tokens: Vec<String> = (0..4)
        .map(|_| {
            let run = finauth(&["token"], &env, None);
            assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
            run.stdout.trim().to_owned()
        })
        .collect();
    assert!(tokens.iter().all(|t| *t == tokens[0] && !t.is_empty()));
    assert_eq!(sb.partner_stats(ID).auth_requests, 1);
    let status = finauth(&["guard", "status", "--json"], &env, None);
    assert_eq!(status.code, Some(0), "stderr: {}", status.stderr);
    assert!(
        !dir.path().join("finauth").exists(),
        "with FINAUTH_STORE set the CLI keeps no file cache"
    );
    sb.shutdown().await;
}

/// A redis-server of this test's own serving TLS only, with a certificate for 127.0.0.1 signed by
/// a throw-away CA (openssl); stopped when dropped.
fn sh_in(dir: &TempDir, script: &str) {
    let out = Command::new("sh")
        .arg("-ec")
        .arg(script)
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ca.pem` (a throw-away CA) and `srv.pem`/`srv.key` (127.0.0.1, signed by it) in `dir`.
fn make_test_ca_and_server_cert(dir: &TempDir) {
    sh_in(
        dir,
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
           -subj '/CN=finauth test CA' -days 2 2>/dev/null
         openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' 2>/dev/null
         printf 'subjectAltName=IP:127.0.0.1\\n' > ext
         openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem \
           -days 2 -extfile ext 2>/dev/null",
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn have_openssl() -> bool {
    if Command::new("openssl").arg("version").output().is_ok() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "CI must have openssl");
    eprintln!("SKIPPED: openssl is missing");
    false
}

/// An `openssl s_server` speaking only `version`.
struct OpensslServer {
    child: std::process::Child,
    port: u16,
}

impl OpensslServer {
    fn start(dir: &TempDir, version: &str) -> OpensslServer {
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", "srv.pem", "-key", "srv.key", version, "-www"])
            // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level.
            .args(["-cipher", "DEFAULT:@SECLEVEL=0"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start openssl s_server");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "openssl s_server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        OpensslServer { child, port }
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The TLS sandbox's self-signed certificate, written to `dir` for `SSL_CERT_FILE`.
fn write_sandbox_certificate(sb: &Sandbox, dir: &TempDir) -> std::path::PathBuf {
    let pem = dir.path().join("sandbox.pem");
    std::fs::write(
        &pem,
        sb.tls_certificate_pem()
            .expect("a TLS sandbox has a certificate"),
    )
    .expect("write the sandbox certificate");
    pem
}

/// HTTPS with TLS 1.2 or newer only (README, "Security"). A trusted server offering only TLS 1.1 is refused in
/// the handshake (TRANSPORT, nothing sent); a sandbox offering only TLS 1.2 serves a token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_offering_only_tls_1_1_is_refused_and_tls_1_2_is_accepted() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("tls-min");
    make_test_ca_and_server_cert(&dir);
    let run = |url: &str, ca: &Path| {
        let mut env = vars(url, Partner::DEMO_SECRET, dir.path());
        env.retain(|(k, _)| !matches!(*k, "FINAUTH_ALLOW_INSECURE_LOOPBACK" | "FINAUTH_TIMEOUT"));
        env.push(("FINAUTH_TIMEOUT", "5"));
        env.push(("SSL_CERT_FILE", ca.to_str().expect("utf-8 path")));
        finauth(&["token"], &env, None)
    };
    let old = OpensslServer::start(&dir, "-tls1_1");
    let refused = run(
        &format!("https://127.0.0.1:{}", old.port),
        &dir.path().join("ca.pem"),
    );
    assert_eq!(refused.code, Some(9), "stderr: {}", refused.stderr);
    one_error_line(&refused, "TRANSPORT");
    assert!(
        refused.stderr.contains("ProtocolVersion"),
        "{}",
        refused.stderr
    );
    drop(old);

    let sb = Sandbox::start(SandboxConfig {
        tls: true,
        tls12_only: true,
        ..SandboxConfig::default()
    })
    .await
    .expect("start the TLS 1.2 sandbox");
    let pem = write_sandbox_certificate(&sb, &dir);
    let url = sb.url();
    assert!(url.starts_with("https://"), "{url}");
    let accepted = run(&url, &pem);
    assert_eq!(accepted.code, Some(0), "stderr: {}", accepted.stderr);
    assert_eq!(accepted.stdout.lines().count(), 1, "{}", accepted.stdout);
    assert_eq!(sb.partner_stats(ID).auth_requests, 1);
}

/// A system with no CA store (slim and distroless images; here: `SSL_CERT_FILE` an empty file and
/// `SSL_CERT_DIR` an empty directory, which replace the system's store). Plain loopback HTTP needs
/// no store at all; HTTPS falls back to the bundled Mozilla roots, so a self-signed server is
/// refused in the handshake as an unknown issuer, not with "cannot build the HTTP client"; naming
/// its certificate in `SSL_CERT_FILE` is the way out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_ca_store_http_works_and_https_uses_the_bundled_roots() {
    let dir = TempDir::new("no-ca-store");
    let empty_file = dir.path().join("empty.pem");
    let empty_dir = dir.path().join("certs");
    std::fs::write(&empty_file, "").expect("write the empty bundle");
    std::fs::create_dir_all(&empty_dir).expect("make the empty directory");
    let run = |url: &str, ca: &Path, insecure_loopback: bool| {
        let mut env = vars(url, Partner::DEMO_SECRET, dir.path());
        env.retain(|(k, _)| !matches!(*k, "FINAUTH_TIMEOUT"));
        if !insecure_loopback {
            env.retain(|(k, _)| *k != "FINAUTH_ALLOW_INSECURE_LOOPBACK");
        }
        env.push(("FINAUTH_TIMEOUT", "5"));
        env.push(("SSL_CERT_FILE", ca.to_str().expect("utf-8 path")));
        env.push(("SSL_CERT_DIR", empty_dir.to_str().expect("utf-8 path")));
        finauth(&["token"], &env, None)
    };

    let plain = Sandbox::start(SandboxConfig::default())
        .await
        .expect("start the sandbox");
    let ok = run(&plain.url(), &empty_file, true);
    assert_eq!(ok.code, Some(0), "stderr: {}", ok.stderr);

    let sb = Sandbox::start(SandboxConfig {
        tls: true,
        ..SandboxConfig::default()
    })
    .await
    .expect("start the TLS sandbox");
    let refused = run(&sb.url(), &empty_file, false);
    assert_eq!(refused.code, Some(9), "stderr: {}", refused.stderr);
    // The warning that says which roots are used, then the error.
    assert!(
        refused
            .stderr
            .contains("using the bundled Mozilla root certificates"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("finauth: TRANSPORT"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("cannot build the HTTP client"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("UnknownIssuer"),
        "the bundled roots do not know the sandbox's issuer: {}",
        refused.stderr
    );
    assert_eq!(sb.partner_stats(ID).auth_requests, 0);

    let pem = write_sandbox_certificate(&sb, &dir);
    let accepted = run(&sb.url(), &pem, false);
    assert_eq!(accepted.code, Some(0), "stderr: {}", accepted.stderr);
    assert_eq!(sb.partner_stats(ID).auth_requests, 1);
}

struct TlsRedis {
    dir: TempDir,
    port: u16,
}

impl TlsRedis {
    fn start() -> Option<TlsRedis> {
        let have = |c: &str| Command::new(c).arg("--version").output().is_ok();
        if !have("redis-server") || !have("openssl") {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install redis-server and openssl"
            );
            eprintln!("SKIPPED: redis-server or openssl is missing");
            return None;
        }
        let dir = TempDir::new("tls-redis");
        let sh = |script: &str| sh_in(&dir, script);
        make_test_ca_and_server_cert(&dir);
        let port = free_port();
        sh(&format!(
            "redis-server --port 0 --tls-port {port} --bind 127.0.0.1 --tls-cert-file srv.pem \
             --tls-key-file srv.key --tls-ca-cert-file ca.pem --tls-auth-clients no \
             --daemonize yes --pidfile redis.pid --logfile redis.log --dir . --save ''"
        ));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "TLS redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(TlsRedis { dir, port })
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("redis.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_store_over_tls_is_shared_and_an_untrusted_certificate_is_a_store_error() {
    let Some(redis) = TlsRedis::start() else {
        return;
    };
    let sb = sandbox().await;
    let dir = TempDir::new("rediss");
    let url = sb.url();
    let spec = format!("rediss://127.0.0.1:{}/0", redis.port);
    let ca = redis.dir.path().join("ca.pem");
    let mut env = vars(&url, Partner::DEMO_SECRET, dir.path());
    env.push(("FINAUTH_STORE", &spec));
    // Without the CA the server's certificate is refused: a typed STORE error (exit 11).
    let untrusted = finauth(&["token"], &env, None);
    assert_eq!(untrusted.code, Some(11), "stderr: {}", untrusted.stderr);
    one_error_line(&untrusted, "STORE");
    assert!(
        untrusted.stderr.contains("certificate"),
        "{}",
        untrusted.stderr
    );
    // Trusting it (SSL_CERT_FILE, read by the platform verifier): two processes, one token.
    env.push(("SSL_CERT_FILE", ca.to_str().expect("utf-8 path")));
    let tokens: Vec<String> = (0..2)
        .map(|_| {
            let run = finauth(&["token"], &env, None);
            assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
            run.stdout.trim().to_owned()
        })
        .collect();
    assert!(tokens[0] == tokens[1] && !tokens[0].is_empty());
    assert_eq!(sb.partner_stats(ID).auth_requests, 1);
    sb.shutdown().await;
}

fn encryption_keys() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/encryption-keys")
}

/// `finauth encrypt | finauth decrypt` round-trips, for both schemes; a key that does not load
/// exits 12, a tampered payload 13, a bad option 2.
#[test]
fn encrypt_and_decrypt_round_trip_with_documented_exit_codes() {
    let k = encryption_keys();
    let cert = k.join("client-encryption-cert.pem");
    let p12 = k.join("client-encryption-key.p12");
    let (cert, p12) = (cert.to_str().unwrap(), p12.to_str().unwrap());
    let plain = r#"{"card":{"pan":"5123450000000008"},"id":1}"#;
    for (scheme, extra) in [
        ("jwe", vec![]),
        ("fle", vec!["--encoding", "base64", "--oaep", "sha512"]),
    ] {
        let mut enc_args = vec![
            "encrypt",
            "--scheme",
            scheme,
            "--cert",
            cert,
            "--path",
            "$.card:$.enc",
        ];
        enc_args.extend(&extra);
        let enc = finauth(&enc_args, &[], Some(plain));
        assert_eq!(enc.code, Some(0), "{}", enc.stderr);
        assert!(!enc.stdout.contains("5123450000000008"), "{}", enc.stdout);
        let in_path = if scheme == "jwe" {
            "$.enc.encryptedData:$.card"
        } else {
            "$.enc:$.card"
        };
        let mut dec_args = vec![
            "decrypt", "--scheme", scheme, "--key", p12, "--path", in_path,
        ];
        if scheme == "fle" {
            dec_args.extend(["--encoding", "base64"]);
        }
        let pw = [("MASTERCARD_DECRYPTION_KEY_PASSWORD", "keystorepassword")];
        let dec = finauth(&dec_args, &pw, Some(&enc.stdout));
        assert_eq!(dec.code, Some(0), "{}", dec.stderr);
        let back: serde_json::Value = serde_json::from_str(&dec.stdout).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(plain).unwrap()
        );

        let tampered = enc
            .stdout
            .replacen("\"enc\":{\"", "\"enc\":{\"x\":1,\"", 1)
            .replace('A', "B");
        let bad = finauth(&dec_args, &pw, Some(&tampered));
        assert_eq!(bad.code, Some(13), "{scheme}: {}", bad.stderr);
        assert!(
            bad.stderr.starts_with("finauth: ENCRYPTION:"),
            "{}",
            bad.stderr
        );
        let wrong_pw = finauth(
            &dec_args,
            &[("MASTERCARD_DECRYPTION_KEY_PASSWORD", "nope")],
            Some(&enc.stdout),
        );
        assert_eq!(wrong_pw.code, Some(12), "{}", wrong_pw.stderr);
        assert!(!wrong_pw.stderr.contains("nope"));
    }
    let jwe_with_fle_option = finauth(
        &["encrypt", "--cert", cert, "--encoding", "hex"],
        &[],
        Some(plain),
    );
    assert_eq!(
        jwe_with_fle_option.code,
        Some(2),
        "{}",
        jwe_with_fle_option.stderr
    );
    let not_json = finauth(&["encrypt", "--cert", cert], &[], Some("not json"));
    assert_eq!(not_json.code, Some(13), "{}", not_json.stderr);
}
