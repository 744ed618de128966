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

/// An OAuth 2.0 error answer (RFC 6749 §5.2): `error`, `error_description`, and the server's
/// correlation id (e.g. `Correlation-Id`, `X-Request-Id`) for a support ticket. Server-supplied
/// text is bounded and scrubbed of the credentials that were sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OAuthError {
    pub error: String,
    pub error_description: Option<String>,
    pub correlation_id: Option<String>,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error={}", self.error)?;
        if let Some(d) = &self.error_description {
            // Quoted by hand: Rust's `{:?}` escapes are not for users (scrub blanked controls).
            write!(f, ", error_description=\"{d}\"")?;
        }
        if let Some(c) = &self.correlation_id {
            write!(f, ", correlation_id={c}")?;
        }
        Ok(())
    }
}

fn oauth_text(o: &Option<Box<OAuthError>>) -> String {
    o.as_ref().map(|o| format!(" [{o}]")).unwrap_or_default()
}

/// Every failure finauth reports. Messages never hold a secret, a token or a key.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad configuration or argument; the message names the field.
    #[error("configuration error: {0}")]
    Config(String),

    /// The server rejected the partner id / secret (or OAuth 2.0 client).
    #[error("the server rejected the credentials{}{}; {attempts_remaining} authentication attempt(s) remain before the lockout guard stops; {hint}", code_text(*code), oauth_text(oauth))]
    InvalidCredentials {
        attempts_remaining: u32,
        code: Option<u32>,
        /// The OAuth 2.0 error answer (`invalid_client`), if the server sent one.
        oauth: Option<Box<OAuthError>>,
        /// What to change for this kind of credential, and how to clear the guard.
        hint: String,
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
    #[error("unauthorized (HTTP {status}{})", code_after(*code))]
    Unauthorized { status: u16, code: Option<u32> },

    /// Any other HTTP error.
    #[error("server error (HTTP {status}{}): {message}{}", code_after(*code), oauth_text(oauth))]
    Server {
        status: u16,
        code: Option<u32>,
        message: String,
        /// The OAuth 2.0 error answer (`invalid_scope`, `unauthorized_client`, ...), if any.
        oauth: Option<Box<OAuthError>>,
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

    /// A payload could not be decrypted (tampered, truncated, not for this key) or encrypted.
    /// Key files that do not load are `SigningKey`; paths and options are `Config`.
    #[error("payload encryption error: {0}")]
    Encryption(String),
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
            Error::Encryption(_) => "ENCRYPTION",
        }
    }

    /// The OAuth 2.0 error answer (RFC 6749 §5.2) behind this error, if there was one.
    pub fn oauth_error(&self) -> Option<&OAuthError> {
        match self {
            Error::InvalidCredentials { oauth, .. } | Error::Server { oauth, .. } => {
                oauth.as_deref()
            }
            _ => None,
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

    pub(crate) fn encryption(msg: impl Into<String>) -> Self {
        Error::Encryption(msg.into())
    }
}

/// ` (code N)`, or nothing: OAuth 2.0 servers have no Finicity code to name.
fn code_text(code: Option<u32>) -> String {
    code.map_or_else(String::new, |c| format!(" (code {c})"))
}

/// `, code N` inside a parenthesis, or nothing.
fn code_after(code: Option<u32>) -> String {
    code.map_or_else(String::new, |c| format!(", code {c}"))
}

/// `Result` with finauth's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
