//! finauth quickstart: one token for every caller, headers for a Finicity call, and a protected
//! request that survives an expired token. Configured by the environment (see README):
//!
//! ```sh
//! finauth sandbox &    # prints its URL and the export lines to paste; or use your own credentials
//! cargo run -p finauth-examples --bin quickstart
//! ```

use finauth::reqwest::Method;
use finauth::PartnerAuth;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart: {}: {e}", e.kind());
            ExitCode::FAILURE
        }
    }
}

async fn run() -> finauth::Result<()> {
    let auth = PartnerAuth::from_env()?;
    println!("partner {} at {}", auth.partner_id(), auth.base_url());

    // 100 concurrent callers on a cold cache: one authentication request.
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move { auth.token().await })
        })
        .collect();
    for c in callers {
        c.await
            .map_err(|e| finauth::Error::Transport(e.to_string()))??;
    }
    let stats = auth.stats();
    println!(
        "100 concurrent token() calls -> {} authentication request(s)",
        stats.auth_requests
    );

    // Headers for your own HTTP client (values are secrets: never log them).
    let headers = auth.headers().await?;
    for (name, value) in headers.pairs() {
        println!(
            "{name}: {}… ({} chars)",
            &value[..value.len().min(4)],
            value.len()
        );
    }

    // A protected call through finauth: a 401 with 10022/10023 invalidates and retries once.
    let resp = auth
        .send(auth.request(Method::GET, "/aggregation/v1/customers")?)
        .await?;
    println!("GET /aggregation/v1/customers -> HTTP {}", resp.status());

    let guard = auth.guard_status().await?;
    println!(
        "lockout guard: {} failed attempt(s), {} remaining, store {}",
        guard.failed_attempts, guard.attempts_remaining, guard.store
    );
    println!("stats: {:?}", auth.stats());
    Ok(())
}
