//! The one place where `finauth::Error` becomes the JVM's sealed `FinauthException` hierarchy
//! (uniffi renames `…Error` to `…Exception`). Each kind carries its fields and, as `description`,
//! the core's message, which never holds a secret.

use std::time::Duration;

/// Every failure of finauth, one subclass per kind of docs/API.md.
#[derive(Debug, Clone, uniffi::Error)]
#[uniffi::export(Display)]
pub enum FinauthError {
    /// Bad configuration or argument; the description names the field.
    Config { description: String },
    /// The server rejected the partner id / secret (or the OAuth 2.0 client: `invalid_client`).
    InvalidCredentials {
        description: String,
        attempts_remaining: i32,
        code: Option<i32>,
        /// OAuth 2.0: the answer's `error` (RFC 6749 §5.2), e.g. `invalid_client`.
        error: Option<String>,
        /// OAuth 2.0: the answer's `error_description`.
        error_description: Option<String>,
        /// OAuth 2.0: the server's correlation id (for a support ticket).
        correlation_id: Option<String>,
    },
    /// The Partner ID is locked by the server (24302).
    AccountLocked { description: String, code: i32 },
    /// Refused locally by the lockout guard; no request was sent.
    LockoutGuard {
        description: String,
        failed_attempts: i32,
        reason: String,
        hint: String,
    },
    /// HTTP 429; on the authentication call most often a wrong App Key.
    RateLimited {
        description: String,
        retry_after: Option<Duration>,
        hint: String,
    },
    /// A resource rejected the token.
    Unauthorized {
        description: String,
        status: i32,
        code: Option<i32>,
    },
    /// Any other HTTP error.
    Server {
        description: String,
        status: i32,
        code: Option<i32>,
        /// OAuth 2.0: the answer's `error`, e.g. `invalid_scope`.
        error: Option<String>,
        /// OAuth 2.0: the answer's `error_description`.
        error_description: Option<String>,
        /// OAuth 2.0: the server's correlation id.
        correlation_id: Option<String>,
    },
    /// Network failure.
    Transport { description: String },
    /// A request or a wait exceeded its time-out.
    Timeout {
        description: String,
        after: Duration,
    },
    /// A store could not be reached or holds data it cannot read.
    Store { description: String },
    /// A signing key could not be loaded.
    SigningKey { description: String },
    /// A payload could not be encrypted or decrypted (tampered, truncated, not JSON, or for
    /// another key).
    Encryption { description: String },
    /// A failure of the binding's own machinery (a bug: please report it).
    Internal { description: String },
}

impl std::fmt::Display for FinauthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.description(), self.kind())
    }
}

#[uniffi::export]
impl FinauthError {
    /// The stable kind name, the same in every language (`INVALID_CREDENTIALS`, ...).
    pub fn kind(&self) -> String {
        match self {
            FinauthError::Config { .. } => "CONFIG",
            FinauthError::InvalidCredentials { .. } => "INVALID_CREDENTIALS",
            FinauthError::AccountLocked { .. } => "ACCOUNT_LOCKED",
            FinauthError::LockoutGuard { .. } => "LOCKOUT_GUARD",
            FinauthError::RateLimited { .. } => "RATE_LIMITED",
            FinauthError::Unauthorized { .. } => "UNAUTHORIZED",
            FinauthError::Server { .. } => "SERVER",
            FinauthError::Transport { .. } => "TRANSPORT",
            FinauthError::Timeout { .. } => "TIMEOUT",
            FinauthError::Store { .. } => "STORE",
            FinauthError::SigningKey { .. } => "SIGNING_KEY",
            FinauthError::Encryption { .. } => "ENCRYPTION",
            FinauthError::Internal { .. } => "INTERNAL",
        }
        .into()
    }
}

impl FinauthError {
    fn description(&self) -> &str {
        match self {
            FinauthError::Config { description }
            | FinauthError::InvalidCredentials { description, .. }
            | FinauthError::AccountLocked { description, .. }
            | FinauthError::LockoutGuard { description, .. }
            | FinauthError::RateLimited { description, .. }
            | FinauthError::Unauthorized { description, .. }
            | FinauthError::Server { description, .. }
            | FinauthError::Transport { description }
            | FinauthError::Timeout { description, .. }
            | FinauthError::Store { description }
            | FinauthError::SigningKey { description }
            | FinauthError::Encryption { description }
            | FinauthError::Internal { description } => description,
        }
    }

    /// A `Config` error raised by the binding itself (a bad argument).
    pub(crate) fn config(description: impl Into<String>) -> Self {
        FinauthError::Config {
            description: description.into(),
        }
    }
}

impl From<finauth::Error> for FinauthError {
    fn from(e: finauth::Error) -> Self {
        use finauth::Error as E;
        let description = e.to_string();
        let oauth = e.oauth_error().cloned().unwrap_or_default();
        let (error, error_description, correlation_id) = (
            Some(oauth.error).filter(|s| !s.is_empty()),
            oauth.error_description,
            oauth.correlation_id,
        );
        match e {
            E::Config(_) => FinauthError::Config { description },
            E::InvalidCredentials {
                attempts_remaining,
                code,
                ..
            } => FinauthError::InvalidCredentials {
                description,
                attempts_remaining: int(attempts_remaining),
                code: code.map(int),
                error,
                error_description,
                correlation_id,
            },
            E::AccountLocked { code } => FinauthError::AccountLocked {
                description,
                code: int(code),
            },
            E::LockoutGuard {
                failed_attempts,
                reason,
                hint,
            } => FinauthError::LockoutGuard {
                description,
                failed_attempts: int(failed_attempts),
                reason: reason.as_str().into(),
                hint,
            },
            E::RateLimited { retry_after, hint } => FinauthError::RateLimited {
                description,
                retry_after,
                hint,
            },
            E::Unauthorized { status, code } => FinauthError::Unauthorized {
                description,
                status: i32::from(status),
                code: code.map(int),
            },
            E::Server { status, code, .. } => FinauthError::Server {
                description,
                status: i32::from(status),
                code: code.map(int),
                error,
                error_description,
                correlation_id,
            },
            E::Transport(_) => FinauthError::Transport { description },
            E::Timeout { after, .. } => FinauthError::Timeout { description, after },
            E::Store(_) => FinauthError::Store { description },
            E::SigningKey(_) => FinauthError::SigningKey { description },
            E::Encryption(_) => FinauthError::Encryption { description },
            // `finauth::Error` is non-exhaustive: a kind added later is still an error, not a panic.
            _ => FinauthError::Internal { description },
        }
    }
}

/// Counts and codes as JVM `Int`s (Java has no unsigned types); they are far below `Int.MAX_VALUE`.
pub(crate) fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Counters as JVM `Long`s.
pub(crate) fn long(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub type Result<T, E = FinauthError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_keeps_its_name_and_fields() {
        let cases = [
            finauth::Error::Config("x".into()),
            finauth::Error::InvalidCredentials {
                attempts_remaining: 2,
                code: Some(103),
                oauth: None,
                hint: "fix the partner secret".into(),
            },
            finauth::Error::AccountLocked { code: 24302 },
            finauth::Error::Transport("refused".into()),
            finauth::Error::Store("gone".into()),
            finauth::Error::SigningKey("bad".into()),
            finauth::Error::Encryption("tampered".into()),
        ];
        for e in cases {
            let kind = e.kind();
            assert_eq!(FinauthError::from(e).kind(), kind);
        }
        match FinauthError::from(finauth::Error::InvalidCredentials {
            attempts_remaining: 2,
            code: Some(103),
            oauth: None,
            hint: "fix the partner secret".into(),
        }) {
            FinauthError::InvalidCredentials {
                attempts_remaining,
                code,
                ..
            } => assert_eq!((attempts_remaining, code), (2, Some(103))),
            other => panic!("wrong mapping: {other:?}"),
        }
        let oauth = finauth::OAuthError {
            error: "invalid_scope".into(),
            error_description: Some("write is not allowed".into()),
            correlation_id: Some("corr-1".into()),
        };
        match FinauthError::from(finauth::Error::Server {
            status: 400,
            code: None,
            message: "bad request".into(),
            oauth: Some(Box::new(oauth)),
        }) {
            FinauthError::Server {
                status,
                error,
                error_description,
                correlation_id,
                ..
            } => assert_eq!(
                (status, error, error_description, correlation_id),
                (
                    400,
                    Some("invalid_scope".into()),
                    Some("write is not allowed".into()),
                    Some("corr-1".into())
                )
            ),
            other => panic!("wrong mapping: {other:?}"),
        }
        match FinauthError::from(finauth::Error::Unauthorized {
            status: 401,
            code: Some(10022),
        }) {
            e @ FinauthError::Unauthorized { status, code, .. } => {
                assert_eq!(
                    (status, code, e.kind().as_str()),
                    (401, Some(10022), "UNAUTHORIZED")
                )
            }
            other => panic!("wrong mapping: {other:?}"),
        }
    }
}
