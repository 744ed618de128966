//! The one error type of finauth. Bindings map it once each (Python exceptions, JS `code`, C status).

use std::time::Duration;

/// Why the lockout guard refused to send an authentication request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GuardReason {
    /// The server already rejected this exact secret; it is never sent again automatically.
    SecretRejected,
    /// `max_failed_attempts` credential failures since the last success.
    AttemptsExhausted,
    /// The secret was replaced by Modify Partner Secret and no successor could be picked up.
    SecretRetired,
}

impl GuardReason {
    /// A stable lower-case name for bindings and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardReason::SecretRejected => "secret_rejected",
            GuardReason::AttemptsExhausted => "attempts_exhausted",
            GuardReason::SecretRetired => "secret_retired",
        }
    }
}

impl std::fmt::Display for GuardReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure finauth reports. Messages never hold a secret, a token or a key.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad configuration or argument; the message names the field.
    #[error("configuration error: {0}")]
    Config(String),

    /// The server rejected the partner id / secret (or OAuth 2.0 client).
    #[error("the server rejected the credentials ({}); {attempts_remaining} authentication attempt(s) remain before the lockout guard stops; fix the secret, and once it is right run `finauth guard reset` (reset_lockout_guard()) if needed", code_text(*code))]
    InvalidCredentials {
        attempts_remaining: u32,
        code: Option<u32>,
    },

    /// The Partner ID is locked by the server (24302). Only Finicity support can unlock it.
    #[error("the Partner ID is locked by the server (code {code}); contact Finicity support to unlock it, then run `finauth guard reset` (reset_lockout_guard())")]
    AccountLocked { code: u32 },

    /// Refused locally by the lockout guard: no request was sent.
    #[error("lockout guard refused to authenticate ({reason}): {failed_attempts} failed attempt(s) recorded; {hint}")]
    LockoutGuard {
        failed_attempts: u32,
        reason: GuardReason,
        hint: String,
    },

    /// HTTP 429 or a rate limit; on the authentication call most often a wrong App Key.
    #[error("rate limited by the server{}: {hint}", retry_after.map(|d| format!(" (retry after {:.0} s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        retry_after: Option<Duration>,
        hint: String,
    },

    /// A resource rejected the token (401 other than a credential verdict).
    #[error("unauthorized (HTTP {status}, {})", code_text(*code))]
    Unauthorized { status: u16, code: Option<u32> },

    /// Any other HTTP error.
    #[error("server error (HTTP {status}, {}): {message}", code_text(*code))]
    Server {
        status: u16,
        code: Option<u32>,
        message: String,
    },

    /// Network failure: connection refused, reset, TLS, a truncated body.
    #[error("transport error: {0}")]
    Transport(String),

    /// A request or a wait exceeded its time-out.
    #[error("timed out after {:.1} s: {what}", after.as_secs_f64())]
    Timeout { after: Duration, what: String },

    /// A store could not be reached, or holds data it cannot read.
    #[error("store error: {0}")]
    Store(String),

    /// A signing key could not be loaded.
    #[error("signing key error: {0}")]
    SigningKey(String),
}

impl Error {
    /// A stable upper-case kind name, the same in every language (`INVALID_CREDENTIALS`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config(_) => "CONFIG",
            Error::InvalidCredentials { .. } => "INVALID_CREDENTIALS",
            Error::AccountLocked { .. } => "ACCOUNT_LOCKED",
            Error::LockoutGuard { .. } => "LOCKOUT_GUARD",
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::Unauthorized { .. } => "UNAUTHORIZED",
            Error::Server { .. } => "SERVER",
            Error::Transport(_) => "TRANSPORT",
            Error::Timeout { .. } => "TIMEOUT",
            Error::Store(_) => "STORE",
            Error::SigningKey(_) => "SIGNING_KEY",
        }
    }

    /// True for failures worth retrying later (network, time-out, 5xx without a verdict).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Timeout { .. } => true,
            Error::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }

    pub(crate) fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
}

fn code_text(code: Option<u32>) -> String {
    code.map_or_else(|| "no Finicity code".into(), |c| format!("code {c}"))
}

/// `Result` with finauth's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
