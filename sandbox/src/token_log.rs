//! Optional log of every token the sandbox issues, one per line, to the file named by
//! `FINAUTH_SANDBOX_TOKEN_LOG`. The tokens are random, so `scripts/secret-scan.sh` cannot know
//! them in advance: it reads this file to look for them in the tests' logs and files. Off unless
//! the variable is set; a test-only aid, never meant for a server that issues real tokens.

use std::io::Write;

/// The variable naming the log file.
pub const TOKEN_LOG_ENV: &str = "FINAUTH_SANDBOX_TOKEN_LOG";

/// Appends `token` to the log, if one is configured. A failure to write is reported without the
/// token and does not fail the request: the log is an aid to the secret scan, not part of the API.
pub(crate) fn record(token: &str) {
    let Some(path) = std::env::var_os(TOKEN_LOG_ENV).filter(|p| !p.is_empty()) else {
        return;
    };
    // One `write` of a whole line in append mode: lines of concurrent requests (and of several
    // sandbox processes sharing the file) do not interleave.
    let line = format!("{token}\n");
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        tracing::warn!(error = %e, "finauth-sandbox: cannot append to {TOKEN_LOG_ENV}");
    }
}
