//! Logs to stderr, filtered by `FINAUTH_LOG` (tracing `EnvFilter` syntax, default `warn`).
//! Core logs an error it also returns at debug level only, so a failure prints one line: the
//! CLI's own.

use crate::error::CliError;
use tracing_subscriber::EnvFilter;

pub fn init() -> Result<(), CliError> {
    let filter = match std::env::var("FINAUTH_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        Some(v) => {
            EnvFilter::try_new(&v).map_err(|e| CliError::config(format!("FINAUTH_LOG: {e}")))?
        }
        None => EnvFilter::new("warn"),
    };
    // `try_init` fails only if a subscriber is already set; logging is then someone else's.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    Ok(())
}
