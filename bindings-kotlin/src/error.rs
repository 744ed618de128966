//! The one place where `finauth::Error` becomes the JVM's sealed `FinauthException` hierarchy
//! (uniffi renames `…Error` to `…Exception`). Each kind carries its fields and the core's message,
//! which never holds a secret.

use std::time::Duration;

/// Every failure of finauth, one subclass per kind of API.md.
#[derive(Debug, Clone, uniffi::Error)]
#[uniffi::export(Display)]
pub enum FinauthError {
    /// Bad configuration or argument; the message names the field.
    Config { message: String },
    /// The server rejected the partner id / secret.
    InvalidCredentials {
        message: String,
        attempts_remaining: u32,
        code: Option<u32>,
    },
    /// The Partner ID is locked by the server (24302).
    AccountLocked { message: String, code: u32 },
    /// Refused locally by the lockout guard; no request was sent.
    LockoutGuard {
        message: String,
        failed_attempts: u32,
        reason: String,
        hint: String,
    },
    /// HTTP 429; on the authentication call most often a wrong App Key.
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
        hint: String,
    },
    /// A resource rejected the token.
    Unauthorized {
        message: String,
        status: u16,
        code: Option<u32>,
    },
    /// Any other HTTP error.
    Server {
        message: String,
        status: u16,
        code: Option<u32>,
    },
    /// Network failure.
    Transport { message: String },
    /// A request or a wait exceeded its time-out.
    Timeout { message: String, after: Duration },
    /// A store could not be reached or holds data it cannot read.
    Store { message: String },
    /// A signing key could not be loaded.
    SigningKey { message: String },
    /// A failure of the binding's own machinery (a bug: please report it).
    Internal { message: String },
}

impl std::fmt::Display for FinauthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message(), self.kind())
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
            FinauthError::Internal { .. } => "INTERNAL",
        }
        .into()
    }
}

impl FinauthError {
    fn message(&self) -> &str {
        match self {
            FinauthError::Config { message }
            | FinauthError::InvalidCredentials { message, .. }
            | FinauthError::AccountLocked { message, .. }
            | FinauthError::LockoutGuard { message, .. }
            | FinauthError::RateLimited { message, .. }
            | FinauthError::Unauthorized { message, .. }
            | FinauthError::Server { message, .. }
            | FinauthError::Transport { message }
            | FinauthError::Timeout { message, .. }
            | FinauthError::Store { message }
            | FinauthError::SigningKey { message }
            | FinauthError::Internal { message } => message,
        }
    }

    /// A `Config` error raised by the binding itself (a bad argument).
    pub(crate) fn config(message: impl Into<String>) -> Self {
        FinauthError::Config {
            message: message.into(),
        }
    }
}

impl From<finauth::Error> for FinauthError {
    fn from(e: finauth::Error) -> Self {
        use finauth::Error as E;
        let message = e.to_string();
        match e {
            E::Config(_) => FinauthError::Config { message },
            E::InvalidCredentials {
                attempts_remaining,
                code,
            } => FinauthError::InvalidCredentials {
                message,
                attempts_remaining,
                code,
            },
            E::AccountLocked { code } => FinauthError::AccountLocked { message, code },
            E::LockoutGuard {
                failed_attempts,
                reason,
                hint,
            } => FinauthError::LockoutGuard {
                message,
                failed_attempts,
                reason: reason.as_str().into(),
                hint,
            },
            E::RateLimited { retry_after, hint } => FinauthError::RateLimited {
                message,
                retry_after,
                hint,
            },
            E::Unauthorized { status, code } => FinauthError::Unauthorized {
                message,
                status,
                code,
            },
            E::Server { status, code, .. } => FinauthError::Server {
                message,
                status,
                code,
            },
            E::Transport(_) => FinauthError::Transport { message },
            E::Timeout { after, .. } => FinauthError::Timeout { message, after },
            E::Store(_) => FinauthError::Store { message },
            E::SigningKey(_) => FinauthError::SigningKey { message },
            // `finauth::Error` is non-exhaustive: a kind added later is still an error, not a panic.
            _ => FinauthError::Internal { message },
        }
    }
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
            },
            finauth::Error::AccountLocked { code: 24302 },
            finauth::Error::Transport("refused".into()),
            finauth::Error::Store("gone".into()),
            finauth::Error::SigningKey("bad".into()),
        ];
        for e in cases {
            let kind = e.kind();
            assert_eq!(FinauthError::from(e).kind(), kind);
        }
        match FinauthError::from(finauth::Error::InvalidCredentials {
            attempts_remaining: 2,
            code: Some(103),
        }) {
            FinauthError::InvalidCredentials {
                attempts_remaining,
                code,
                ..
            } => assert_eq!((attempts_remaining, code), (2, Some(103))),
            other => panic!("wrong mapping: {other:?}"),
        }
    }
}
