//! The one place where finauth's `Error` becomes something JavaScript can throw.
//!
//! Synchronous calls throw a napi error whose `code` is the kind (`CONFIG`, `STORE`, ...);
//! asynchronous calls resolve with an [`ErrorInfo`] that the façade (`errors.js`) turns into a
//! `FinauthError` subclass with its fields, so no field is lost crossing the thread boundary.
//! Messages come from the core and never hold a secret or a token.

use napi::Either;
use napi_derive::napi;

/// A finauth error on its way to `errors.js` (never seen by users).
#[napi(object)]
pub struct ErrorInfo {
    /// Always true: tells the façade this value is an error, not a result.
    pub finauth_error: bool,
    pub code: String,
    pub message: String,
    pub attempts_remaining: Option<u32>,
    pub failed_attempts: Option<u32>,
    pub reason: Option<String>,
    pub hint: Option<String>,
    pub retry_after: Option<f64>,
    pub status: Option<u32>,
    pub finicity_code: Option<u32>,
    pub after: Option<f64>,
    /// OAuth 2.0 `error`, `error_description` and the server's correlation id.
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub correlation_id: Option<String>,
}

impl ErrorInfo {
    fn new(code: &str, message: String) -> Self {
        ErrorInfo {
            finauth_error: true,
            code: code.to_owned(),
            message,
            attempts_remaining: None,
            failed_attempts: None,
            reason: None,
            hint: None,
            retry_after: None,
            status: None,
            finicity_code: None,
            after: None,
            error: None,
            error_description: None,
            correlation_id: None,
        }
    }
}

/// finauth's error with its fields.
pub fn info(e: finauth::Error) -> ErrorInfo {
    use finauth::Error as E;
    let mut i = ErrorInfo::new(e.kind(), e.to_string());
    if let Some(o) = e.oauth_error() {
        i.error = Some(o.error.clone());
        i.error_description = o.error_description.clone();
        i.correlation_id = o.correlation_id.clone();
    }
    match e {
        E::InvalidCredentials {
            attempts_remaining,
            code,
            ..
        } => {
            i.attempts_remaining = Some(attempts_remaining);
            i.finicity_code = code;
        }
        E::AccountLocked { code } => i.finicity_code = Some(code),
        E::LockoutGuard {
            failed_attempts,
            reason,
            hint,
        } => {
            i.failed_attempts = Some(failed_attempts);
            i.reason = Some(reason.as_str().to_owned());
            i.hint = Some(hint);
        }
        E::RateLimited { retry_after, hint } => {
            i.retry_after = retry_after.map(|d| d.as_secs_f64());
            i.hint = Some(hint);
        }
        E::Unauthorized { status, code } => {
            i.status = Some(u32::from(status));
            i.finicity_code = code;
        }
        E::Server { status, code, .. } => {
            i.status = Some(u32::from(status));
            i.finicity_code = code;
        }
        E::Timeout { after, .. } => i.after = Some(after.as_secs_f64()),
        _ => {}
    }
    i
}

/// The outcome of an asynchronous call: the value, or the error as data.
pub type Outcome<T> = Either<T, ErrorInfo>;

/// Map a core result for an asynchronous call.
pub fn outcome<T>(r: finauth::Result<T>) -> Outcome<T> {
    match r {
        Ok(v) => Either::A(v),
        Err(e) => Either::B(info(e)),
    }
}

/// A synchronous error: `err.code` is the kind.
pub type SyncError = napi::Error<String>;

/// finauth's error thrown synchronously.
pub fn throw(e: finauth::Error) -> SyncError {
    napi::Error::new(e.kind().to_owned(), e.to_string())
}

/// A configuration error raised by the binding itself (a bad argument).
pub fn config(message: impl Into<String>) -> SyncError {
    napi::Error::new("CONFIG".to_owned(), message.into())
}
