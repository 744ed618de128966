#![allow(dead_code)]

use finauth::clock::ManualClock;
use finauth::{PartnerAuth, PartnerAuthBuilder};
use finauth_sandbox::{Partner, Sandbox, SandboxConfig};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const PARTNER: &str = Partner::DEMO_PARTNER_ID;
pub const SECRET: &str = Partner::DEMO_SECRET;
pub const APP_KEY: &str = Partner::DEMO_APP_KEY;

pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts")
}

pub fn builder(sb: &Sandbox) -> PartnerAuthBuilder {
    builder_for(&sb.url())
}

pub fn builder_for(url: &str) -> PartnerAuthBuilder {
    PartnerAuth::builder()
        .partner_id(PARTNER)
        .partner_secret(SECRET)
        .app_key(APP_KEY)
        .base_url(url)
        .allow_insecure_loopback(true)
        .timeout(Duration::from_secs(10))
}

/// A builder on a manual clock: lifetime 3 s, refresh after 1 s, mandatory in the last second.
pub fn windowed(sb: &Sandbox, clock: &Arc<ManualClock>) -> PartnerAuthBuilder {
    builder(sb)
        .token_lifetime(Duration::from_secs(3))
        .refresh_after(Duration::from_secs(1))
        .mandatory_margin(Duration::from_secs(1))
        .clock(clock.clone())
}

/// A fresh, empty directory for a test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "finauth-test-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

pub fn auths(sb: &Sandbox) -> u64 {
    sb.partner_stats(PARTNER).auth_requests
}

pub fn failures(sb: &Sandbox) -> u64 {
    sb.partner_stats(PARTNER).auth_failures
}

/// `n` tasks calling `token()` at once; their results in spawn order.
pub async fn concurrent_tokens(
    auth: &PartnerAuth,
    n: usize,
) -> Vec<finauth::Result<finauth::AccessToken>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let a = auth.clone();
            tokio::spawn(async move { a.token().await })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.expect("token task"));
    }
    out
}

/// This test binary run again as a child process that runs only its `child_process_entry` test,
/// with `env` set; stdout is piped for [`outcome`].
pub fn child_command(env: &[(&str, &str)]) -> std::process::Command {
    let mut c = std::process::Command::new(std::env::current_exe().expect("test binary path"));
    c.args([
        "child_process_entry",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// What a child reported with `println!("\nOUTCOME=…")`.
pub fn outcome(out: std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.split_once("OUTCOME=").map(|(_, o)| o.trim().to_owned()))
        .unwrap_or_else(|| format!("no outcome (status {:?})", out.status))
}

/// Run `n` children at once and collect their outcomes.
pub async fn wave(n: usize, make: impl Fn() -> std::process::Command) -> Vec<String> {
    let children: Vec<_> = (0..n)
        .map(|_| make().spawn().expect("child process starts"))
        .collect();
    tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| outcome(c.wait_with_output().expect("child process ends")))
            .collect()
    })
    .await
    .expect("wave task")
}

/// Log output captured in memory (a `tracing_subscriber` writer).
#[derive(Clone, Default)]
pub struct Capture(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl Capture {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
