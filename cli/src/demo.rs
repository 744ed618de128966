//! `finauth demo`: the token lifecycle at work against an in-process sandbox, narrated. Each
//! step checks what it claims; any surprise ends the demo with a non-zero status.

use crate::error::CliError;
use crate::output;
use finauth::reqwest::Method;
use finauth::{AccessToken, Error, FileStore, PartnerAuth, PartnerAuthBuilder};
use finauth_sandbox::{Partner, PartnerStats, Sandbox, SandboxConfig};
use std::fmt::Debug;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::task::JoinSet;

const LIFETIME: Duration = Duration::from_secs(6);
const REFRESH_AFTER: Duration = Duration::from_secs(2);
const MARGIN: Duration = Duration::from_secs(1);
/// Added by the sandbox to each authentication, so waiting (or not) is visible.
const LATENCY: Duration = Duration::from_millis(300);
const CALLERS: usize = 50;
const HOT_CALLS: u32 = 100_000;
const ID: &str = Partner::DEMO_PARTNER_ID;

pub async fn run() -> Result<(), CliError> {
    let dir = TempDir::create()?;
    let sandbox = Sandbox::start(SandboxConfig {
        token_lifetime: LIFETIME,
        latency: LATENCY,
        ..SandboxConfig::default()
    })
    .await
    .map_err(|e| CliError::transport(format!("cannot start the sandbox: {e}")))?;
    let result = steps(&sandbox, dir.path()).await;
    sandbox.shutdown().await;
    if result.is_ok() {
        say("\nAll steps behaved as expected.\n")?;
    }
    result
}

async fn steps(sb: &Sandbox, dir: &Path) -> Result<(), CliError> {
    let auth = client(sb, Partner::DEMO_SECRET)
        .store(Arc::new(FileStore::new(dir)?))
        .build()?;
    say(&format!(
        "finauth demo: sandbox at {} (tokens live {} s, {} ms per authentication)\n\
         client: refresh after {} s, callers wait only in the last {} s, store file:{}\n",
        sb.url(),
        LIFETIME.as_secs(),
        LATENCY.as_millis(),
        REFRESH_AFTER.as_secs(),
        MARGIN.as_secs(),
        dir.display()
    ))?;

    // 1. A cold herd.
    say(&format!(
        "\n1. {CALLERS} concurrent token() calls with no token yet\n"
    ))?;
    let started = Instant::now();
    let tokens = concurrent_tokens(&auth, CALLERS).await?;
    let issued = Instant::now();
    let first = same_token(&tokens, "the cold callers")?;
    let auth_requests = sb.partner_stats(ID).auth_requests;
    check_eq(
        auth_requests,
        1,
        "authentication requests the sandbox received",
    )?;
    say(&format!(
        "   all {CALLERS} callers got the same token in {} ms; the sandbox received {auth_requests} authentication request\n",
        started.elapsed().as_millis()
    ))?;

    // 2. The fresh path.
    say(&format!(
        "\n2. {HOT_CALLS} more token() calls while the token is fresh\n"
    ))?;
    let hits_before = auth.stats().cache_hits;
    let t0 = Instant::now();
    for _ in 0..HOT_CALLS {
        auth.token().await?;
    }
    let per_call = t0.elapsed() / HOT_CALLS;
    let hits = auth.stats().cache_hits.saturating_sub(hits_before);
    check_eq(hits, u64::from(HOT_CALLS), "cache hits")?;
    check_eq(
        sb.partner_stats(ID).auth_requests,
        1,
        "authentication requests",
    )?;
    same_token(&[first.clone(), auth.token().await?], "the fresh path")?;
    say(&format!(
        "   {hits} cache hits, {} ns per call, no request to the server\n",
        per_call.as_nanos()
    ))?;

    // 3. The advisory window.
    let wait = (issued + REFRESH_AFTER + Duration::from_millis(300))
        .saturating_duration_since(Instant::now());
    say(&format!(
        "\n3. waiting {:.1} s until the token is older than refresh_after ({} s)\n",
        wait.as_secs_f64(),
        REFRESH_AFTER.as_secs()
    ))?;
    tokio::time::sleep(wait).await;
    let t0 = Instant::now();
    let tokens = concurrent_tokens(&auth, 20).await?;
    let answered = t0.elapsed();
    let current = same_token(&tokens, "callers in the advisory window")?;
    check(
        current == first,
        "callers in the advisory window get the current token",
    )?;
    check(
        answered < LATENCY,
        format!(
            "callers in the advisory window answered in {} ms, without waiting for the {} ms refresh",
            answered.as_millis(),
            LATENCY.as_millis()
        ),
    )?;
    say(&format!(
        "   20 callers got the current token at once ({} ms); one refresh runs in the background\n",
        answered.as_millis()
    ))?;
    let second = wait_for_new_token(&auth, &first, Duration::from_secs(3)).await?;
    check_eq(
        sb.partner_stats(ID).auth_requests,
        2,
        "authentication requests",
    )?;
    check_eq(auth.stats().refreshes_advisory, 1, "advisory refreshes")?;
    say("   the background refresh finished: token #2 replaced token #1 (2 authentications in all)\n")?;

    // 4. A token the server expired early.
    say("\n4. the sandbox expires every token it issued; GET /aggregation/v1/customers via PartnerAuth::send\n")?;
    sb.expire_tokens(ID);
    let before = sb.partner_stats(ID);
    let response = auth
        .send(auth.request(Method::GET, "/aggregation/v1/customers")?)
        .await?;
    let after = sb.partner_stats(ID);
    check(
        response.status().is_success(),
        format!("the protected call succeeded (HTTP {})", response.status()),
    )?;
    check_eq(
        after
            .resource_rejected
            .saturating_sub(before.resource_rejected),
        1,
        "resource calls rejected",
    )?;
    check_eq(
        after.resource_ok.saturating_sub(before.resource_ok),
        1,
        "resource calls accepted",
    )?;
    check_eq(
        after.auth_requests.saturating_sub(before.auth_requests),
        1,
        "new authentications",
    )?;
    check_eq(auth.stats().invalidations, 1, "invalidations")?;
    let third = auth.token().await?;
    check(third != second, "token #3 replaced the expired token #2")?;
    say(&format!(
        "   HTTP {} after one 401 (10023): the token was invalidated, one new authentication, the call resent once\n",
        response.status().as_u16()
    ))?;

    // 5. A wrong secret and the lockout guard.
    say("\n5. another process with a wrong secret (its own memory store)\n")?;
    let wrong = client(sb, "WrongSecret2026").build()?;
    let before = sb.partner_stats(ID);
    match wrong.token().await {
        Err(e @ Error::InvalidCredentials { .. }) => {
            say(&format!("   first call: INVALID_CREDENTIALS: {e}\n"))?
        }
        other => return Err(unexpected("INVALID_CREDENTIALS", other)),
    }
    let after_first = sb.partner_stats(ID);
    check_eq(
        after_first
            .auth_requests
            .saturating_sub(before.auth_requests),
        1,
        "authentication requests",
    )?;
    check_eq(
        after_first
            .auth_failures
            .saturating_sub(before.auth_failures),
        1,
        "rejected secrets at the sandbox",
    )?;
    match wrong.token().await {
        Err(e @ Error::LockoutGuard { .. }) => {
            say(&format!("   second call: LOCKOUT_GUARD: {e}\n"))?
        }
        other => return Err(unexpected("LOCKOUT_GUARD", other)),
    }
    let after_second = sb.partner_stats(ID);
    check_eq(
        after_second.auth_requests,
        after_first.auth_requests,
        "authentication requests after the guard refused",
    )?;
    let guard = wrong.guard_status().await?;
    check(
        guard.current_secret_rejected,
        "the guard remembers the rejected secret",
    )?;
    say(&format!(
        "   the second call sent nothing; guard: {} failed attempt(s), {} remaining, current secret rejected: yes\n",
        guard.failed_attempts, guard.attempts_remaining
    ))?;
    say(&counters(&after_second))?;

    // 6. Counters.
    let s = auth.stats();
    say(&format!(
        "\n6. stats() of the demo client\n   auth_requests {}, auth_successes {}, credential_failures {}, \
         refreshes_advisory {}, refreshes_mandatory {}, cache_hits {}, invalidations {}, \
         guard_refusals {}, tokens_adopted {}, store_errors {}\n",
        s.auth_requests,
        s.auth_successes,
        s.credential_failures,
        s.refreshes_advisory,
        s.refreshes_mandatory,
        s.cache_hits,
        s.invalidations,
        s.guard_refusals,
        s.tokens_adopted,
        s.store_errors
    ))?;
    check_eq(s.auth_requests, 3, "authentications by the demo client")?;
    check_eq(
        s.credential_failures,
        0,
        "credential failures of the demo client",
    )?;
    Ok(())
}

/// The demo partner at the sandbox, with the demo's short lifetimes (memory store unless set).
fn client(sb: &Sandbox, secret: &str) -> PartnerAuthBuilder {
    PartnerAuth::builder()
        .partner_id(ID)
        .partner_secret(secret)
        .app_key(Partner::DEMO_APP_KEY)
        .base_url(sb.url())
        .allow_insecure_loopback(true)
        .token_lifetime(LIFETIME)
        .refresh_after(REFRESH_AFTER)
        .mandatory_margin(MARGIN)
        .timeout(Duration::from_secs(5))
}

async fn concurrent_tokens(auth: &PartnerAuth, n: usize) -> Result<Vec<AccessToken>, CliError> {
    let mut set = JoinSet::new();
    for _ in 0..n {
        let auth = auth.clone();
        set.spawn(async move { auth.token().await });
    }
    let mut tokens = Vec::with_capacity(n);
    while let Some(joined) = set.join_next().await {
        let token = joined.map_err(|e| CliError::demo(format!("a caller task failed: {e}")))??;
        tokens.push(token);
    }
    Ok(tokens)
}

/// The one token every caller received.
fn same_token(tokens: &[AccessToken], who: &str) -> Result<AccessToken, CliError> {
    let first = tokens
        .first()
        .ok_or_else(|| CliError::demo(format!("{who}: no token")))?;
    check(
        tokens.iter().all(|t| t == first),
        format!("{who} all received the same token"),
    )?;
    Ok(first.clone())
}

async fn wait_for_new_token(
    auth: &PartnerAuth,
    old: &AccessToken,
    within: Duration,
) -> Result<AccessToken, CliError> {
    let deadline = Instant::now() + within;
    loop {
        let token = auth.token().await?;
        if token != *old {
            return Ok(token);
        }
        if Instant::now() >= deadline {
            return Err(CliError::demo(format!(
                "no background refresh within {} s",
                within.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn counters(p: &PartnerStats) -> String {
    format!(
        "   sandbox counters: auth_requests {}, auth_success {}, auth_failures {}, resource_ok {}, \
         resource_rejected {}, locked {}\n",
        p.auth_requests, p.auth_success, p.auth_failures, p.resource_ok, p.resource_rejected, p.locked
    )
}

fn say(text: &str) -> Result<(), CliError> {
    output::print(text)
}

fn check(ok: bool, what: impl Into<String>) -> Result<(), CliError> {
    if ok {
        Ok(())
    } else {
        Err(CliError::demo(format!("expected: {}", what.into())))
    }
}

fn check_eq<T: PartialEq + Debug>(got: T, want: T, what: &str) -> Result<(), CliError> {
    if got == want {
        Ok(())
    } else {
        Err(CliError::demo(format!(
            "{what}: expected {want:?}, got {got:?}"
        )))
    }
}

fn unexpected(want: &str, got: Result<AccessToken, Error>) -> CliError {
    match got {
        Ok(_) => CliError::demo(format!("expected {want}, got a token")),
        Err(e) => CliError::demo(format!("expected {want}, got {}: {e}", e.kind())),
    }
}

/// A fresh private directory for the demo's store, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn create() -> Result<Self, CliError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let base = std::env::temp_dir();
        let mut last = None;
        for attempt in 0..16u32 {
            let path = base.join(format!(
                "finauth-demo-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => return Ok(TempDir(path)),
                Err(e) => last = Some(e),
            }
        }
        Err(CliError::from(Error::Store(format!(
            "cannot create a temporary directory in {}: {}",
            base.display(),
            last.map(|e| e.to_string()).unwrap_or_default()
        ))))
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
