//! Status codes, the thread-local last error, and the one mapping from `finauth::Error`.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};

/// The result of every fallible finauth function. `FINAUTH_OK` is 0; every other value is a
/// failure, described by finauth_last_error_message() and finauth_last_error_info().
/// The kinds are those of the finauth API (the same in every language).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum finauth_status {
    /// Success.
    FINAUTH_OK = 0,
    /// Bad configuration or argument value (the message names the field).
    FINAUTH_ERR_CONFIG = 1,
    /// The server rejected the partner id / secret (or the OAuth 2.0 client). Field:
    /// attempts_remaining; from an OAuth 2.0 token endpoint also finauth_last_error_oauth_error()
    /// (`invalid_client`), finauth_last_error_oauth_error_description() and
    /// finauth_last_error_correlation_id().
    FINAUTH_ERR_INVALID_CREDENTIALS = 2,
    /// The Partner ID is locked by the server (code 24302). Field: code.
    FINAUTH_ERR_ACCOUNT_LOCKED = 3,
    /// Refused locally by the lockout guard; no request was sent. Fields: failed_attempts,
    /// guard_reason.
    FINAUTH_ERR_LOCKOUT_GUARD = 4,
    /// HTTP 429 or a rate limit (on authentication most often a wrong App Key).
    /// Field: retry_after.
    FINAUTH_ERR_RATE_LIMITED = 5,
    /// A resource rejected the token. Fields: http_status, code.
    FINAUTH_ERR_UNAUTHORIZED = 6,
    /// Any other HTTP error. Fields: http_status, code; from an OAuth 2.0 token endpoint also
    /// finauth_last_error_oauth_error() (`invalid_scope`, `unauthorized_client`, ...) and the
    /// other finauth_last_error_oauth_* / _correlation_id() functions.
    FINAUTH_ERR_SERVER = 7,
    /// Network failure (connection refused, reset, TLS, truncated body).
    FINAUTH_ERR_TRANSPORT = 8,
    /// A request or a wait for a token timed out.
    FINAUTH_ERR_TIMEOUT = 9,
    /// A store could not be reached or holds data it cannot read.
    FINAUTH_ERR_STORE = 10,
    /// A signing key could not be loaded.
    FINAUTH_ERR_SIGNING_KEY = 11,
    /// C only: a NULL pointer where one is not allowed, or a string that is not UTF-8.
    FINAUTH_ERR_INVALID_ARGUMENT = 12,
    /// A bug caught at the boundary (a panic inside finauth). Please report it.
    FINAUTH_ERR_INTERNAL = 13,
    /// A payload could not be decrypted (tampered, truncated, not for this key) or is not JSON.
    FINAUTH_ERR_ENCRYPTION = 14,
}

use finauth_status::*;

impl finauth_status {
    fn from_int(v: c_int) -> Option<Self> {
        const ALL: [finauth_status; 15] = [
            FINAUTH_OK,
            FINAUTH_ERR_CONFIG,
            FINAUTH_ERR_INVALID_CREDENTIALS,
            FINAUTH_ERR_ACCOUNT_LOCKED,
            FINAUTH_ERR_LOCKOUT_GUARD,
            FINAUTH_ERR_RATE_LIMITED,
            FINAUTH_ERR_UNAUTHORIZED,
            FINAUTH_ERR_SERVER,
            FINAUTH_ERR_TRANSPORT,
            FINAUTH_ERR_TIMEOUT,
            FINAUTH_ERR_STORE,
            FINAUTH_ERR_SIGNING_KEY,
            FINAUTH_ERR_INVALID_ARGUMENT,
            FINAUTH_ERR_INTERNAL,
            FINAUTH_ERR_ENCRYPTION,
        ];
        ALL.into_iter().find(|s| *s as c_int == v)
    }

    /// The kind name of docs/API.md (`"INVALID_CREDENTIALS"`, …; `"OK"` for success).
    fn name(self) -> &'static CStr {
        match self {
            FINAUTH_OK => c"OK",
            FINAUTH_ERR_CONFIG => c"CONFIG",
            FINAUTH_ERR_INVALID_CREDENTIALS => c"INVALID_CREDENTIALS",
            FINAUTH_ERR_ACCOUNT_LOCKED => c"ACCOUNT_LOCKED",
            FINAUTH_ERR_LOCKOUT_GUARD => c"LOCKOUT_GUARD",
            FINAUTH_ERR_RATE_LIMITED => c"RATE_LIMITED",
            FINAUTH_ERR_UNAUTHORIZED => c"UNAUTHORIZED",
            FINAUTH_ERR_SERVER => c"SERVER",
            FINAUTH_ERR_TRANSPORT => c"TRANSPORT",
            FINAUTH_ERR_TIMEOUT => c"TIMEOUT",
            FINAUTH_ERR_STORE => c"STORE",
            FINAUTH_ERR_SIGNING_KEY => c"SIGNING_KEY",
            FINAUTH_ERR_INVALID_ARGUMENT => c"INVALID_ARGUMENT",
            FINAUTH_ERR_INTERNAL => c"INTERNAL",
            FINAUTH_ERR_ENCRYPTION => c"ENCRYPTION",
        }
    }
}

/// The fields of the last error on the calling thread, filled by finauth_last_error_info().
/// A field that does not apply to the error's kind holds -1 (integers) or -1.0 (retry_after).
/// The strings are static: never free them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct finauth_error_info {
    /// The status of the last failed call, or FINAUTH_OK if the last call succeeded.
    pub status: finauth_status,
    /// The kind name (`"INVALID_CREDENTIALS"`, …, `"OK"`); static, never NULL.
    pub kind: *const c_char,
    /// FINAUTH_ERR_INVALID_CREDENTIALS: authentication attempts left before the guard stops.
    pub attempts_remaining: i32,
    /// FINAUTH_ERR_LOCKOUT_GUARD: credential failures recorded since the last success.
    pub failed_attempts: i32,
    /// FINAUTH_ERR_LOCKOUT_GUARD: `"secret_rejected"`, `"attempts_exhausted"` or
    /// `"secret_retired"`; `""` otherwise. Static, never NULL.
    pub guard_reason: *const c_char,
    /// FINAUTH_ERR_RATE_LIMITED: seconds the server asked to wait, or -1.0 if it did not say.
    pub retry_after: f64,
    /// FINAUTH_ERR_UNAUTHORIZED, FINAUTH_ERR_SERVER: the HTTP status.
    pub http_status: i32,
    /// The Finicity error code, if the server sent one (24302 for FINAUTH_ERR_ACCOUNT_LOCKED).
    pub code: i64,
}

impl finauth_error_info {
    fn ok() -> Self {
        finauth_error_info {
            status: FINAUTH_OK,
            kind: c"OK".as_ptr(),
            attempts_remaining: -1,
            failed_attempts: -1,
            guard_reason: c"".as_ptr(),
            retry_after: -1.0,
            http_status: -1,
            code: -1,
        }
    }
}

/// A failure on its way to C: a core error, or one found at the boundary.
#[derive(Debug)]
pub(crate) enum Failure {
    Core(finauth::Error),
    InvalidArgument(String),
    Internal(String),
}

impl From<finauth::Error> for Failure {
    fn from(e: finauth::Error) -> Self {
        Failure::Core(e)
    }
}

/// The RFC 6749 §5.2 fields of the last error, as C strings (each `None` when absent).
#[derive(Default)]
struct OAuthFields {
    error: Option<CString>,
    error_description: Option<CString>,
    correlation_id: Option<CString>,
}

impl OAuthFields {
    fn of(f: &Failure) -> Self {
        let Failure::Core(e) = f else {
            return Self::default();
        };
        let Some(o) = e.oauth_error() else {
            return Self::default();
        };
        OAuthFields {
            error: Some(c_text(&o.error)),
            error_description: o.error_description.as_deref().map(c_text),
            correlation_id: o.correlation_id.as_deref().map(c_text),
        }
    }
}

struct LastError {
    info: finauth_error_info,
    message: CString,
    oauth: OAuthFields,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError {
        info: finauth_error_info::ok(),
        message: CString::default(),
        oauth: OAuthFields::default(),
    });
}

/// Server text as a C string (an embedded NUL becomes a space).
fn c_text(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

fn clamp_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// The one mapping from a failure to a status, its fields and its message.
fn describe(f: &Failure) -> (finauth_error_info, String) {
    use finauth::Error as E;
    let mut info = finauth_error_info::ok();
    let code = |c: Option<u32>| c.map_or(-1, i64::from);
    let (status, message) = match f {
        Failure::InvalidArgument(m) => (FINAUTH_ERR_INVALID_ARGUMENT, m.clone()),
        Failure::Internal(m) => (FINAUTH_ERR_INTERNAL, m.clone()),
        Failure::Core(e) => {
            let status = match e {
                E::Config(_) => FINAUTH_ERR_CONFIG,
                E::InvalidCredentials {
                    attempts_remaining,
                    code: c,
                    ..
                } => {
                    info.attempts_remaining = clamp_i32(*attempts_remaining);
                    info.code = code(*c);
                    FINAUTH_ERR_INVALID_CREDENTIALS
                }
                E::AccountLocked { code: c } => {
                    info.code = i64::from(*c);
                    FINAUTH_ERR_ACCOUNT_LOCKED
                }
                E::LockoutGuard {
                    failed_attempts,
                    reason,
                    ..
                } => {
                    info.failed_attempts = clamp_i32(*failed_attempts);
                    info.guard_reason = guard_reason(reason.as_str()).as_ptr();
                    FINAUTH_ERR_LOCKOUT_GUARD
                }
                E::RateLimited { retry_after, .. } => {
                    info.retry_after = retry_after.map_or(-1.0, |d| d.as_secs_f64());
                    FINAUTH_ERR_RATE_LIMITED
                }
                E::Unauthorized { status, code: c } => {
                    info.http_status = i32::from(*status);
                    info.code = code(*c);
                    FINAUTH_ERR_UNAUTHORIZED
                }
                E::Server {
                    status, code: c, ..
                } => {
                    info.http_status = i32::from(*status);
                    info.code = code(*c);
                    FINAUTH_ERR_SERVER
                }
                E::Transport(_) => FINAUTH_ERR_TRANSPORT,
                E::Timeout { .. } => FINAUTH_ERR_TIMEOUT,
                E::Store(_) => FINAUTH_ERR_STORE,
                E::SigningKey(_) => FINAUTH_ERR_SIGNING_KEY,
                E::Encryption(_) => FINAUTH_ERR_ENCRYPTION,
                // `finauth::Error` is non-exhaustive: a kind added to core before this binding
                // learns it is reported, never a panic.
                _ => FINAUTH_ERR_INTERNAL,
            };
            (status, e.to_string())
        }
    };
    info.status = status;
    info.kind = status.name().as_ptr();
    (info, message)
}

fn guard_reason(s: &str) -> &'static CStr {
    match s {
        "secret_rejected" => c"secret_rejected",
        "attempts_exhausted" => c"attempts_exhausted",
        "secret_retired" => c"secret_retired",
        _ => c"other",
    }
}

/// Record `f` as the calling thread's last error and return its status.
pub(crate) fn set(f: Failure) -> finauth_status {
    let (info, message) = describe(&f);
    let message = c_text(&message);
    let oauth = OAuthFields::of(&f);
    let status = info.status;
    // `try_with`: during thread teardown the slot may be gone; the status still goes back.
    let _ = LAST.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            *l = LastError {
                info,
                message,
                oauth,
            };
        }
    });
    status
}

/// Forget the calling thread's last error (every fallible call starts with this).
pub(crate) fn clear() {
    let _ = LAST.try_with(|l| {
        if let Ok(mut l) = l.try_borrow_mut() {
            l.info = finauth_error_info::ok();
            l.message = CString::default();
            l.oauth = OAuthFields::default();
        }
    });
}

/// The message of the last failed call on the calling thread, or `""` if the last call succeeded.
/// Never NULL. The string is owned by finauth: do not free it; it stays valid until the next
/// finauth call on the same thread that returns a finauth_status (finauth_last_error_info()
/// excepted). It never contains a secret or a token.
#[no_mangle]
pub extern "C" fn finauth_last_error_message() -> *const c_char {
    LAST.try_with(|l| match l.try_borrow() {
        Ok(l) => l.message.as_ptr(),
        Err(_) => c"".as_ptr(),
    })
    .unwrap_or(c"".as_ptr())
}

fn last_oauth_field(pick: fn(&OAuthFields) -> &Option<CString>) -> *const c_char {
    LAST.try_with(|l| match l.try_borrow() {
        Ok(l) => pick(&l.oauth)
            .as_ref()
            .map_or(std::ptr::null(), |c| c.as_ptr()),
        Err(_) => std::ptr::null(),
    })
    .unwrap_or(std::ptr::null())
}

/// The OAuth 2.0 `error` code (RFC 6749 §5.2: `"invalid_client"`, `"invalid_scope"`,
/// `"unauthorized_client"`, ...) of the last failed call on the calling thread, or NULL if that
/// failure was not an OAuth 2.0 error answer (or the last call succeeded). Set with
/// FINAUTH_ERR_INVALID_CREDENTIALS (`invalid_client`) and FINAUTH_ERR_SERVER (the others).
/// Owned by finauth: do not free it; valid as long as finauth_last_error_message().
#[no_mangle]
pub extern "C" fn finauth_last_error_oauth_error() -> *const c_char {
    last_oauth_field(|o| &o.error)
}

/// The OAuth 2.0 `error_description` the server sent with finauth_last_error_oauth_error(), or
/// NULL if it sent none (or there is no OAuth 2.0 error). Scrubbed of the credentials that were
/// sent. Owned by finauth: do not free it; valid as long as finauth_last_error_message().
#[no_mangle]
pub extern "C" fn finauth_last_error_oauth_error_description() -> *const c_char {
    last_oauth_field(|o| &o.error_description)
}

/// The server's correlation id for the OAuth 2.0 error of the last failed call (from a
/// `Correlation-Id`, `X-Correlation-Id`, `X-Request-Id`, ... header; quote it in a support
/// ticket), or NULL if the server sent none (or there is no OAuth 2.0 error). Owned by finauth:
/// do not free it; valid as long as finauth_last_error_message().
#[no_mangle]
pub extern "C" fn finauth_last_error_correlation_id() -> *const c_char {
    last_oauth_field(|o| &o.correlation_id)
}

/// Copy the fields of the calling thread's last error into `*out` (see finauth_error_info).
/// Does not change the last error.
/// Returns FINAUTH_ERR_INVALID_ARGUMENT if `out` is NULL.
///
/// # Safety
/// `out` must be NULL or point to writable memory for one finauth_error_info.
#[no_mangle]
pub unsafe extern "C" fn finauth_last_error_info(out: *mut finauth_error_info) -> finauth_status {
    if out.is_null() {
        return FINAUTH_ERR_INVALID_ARGUMENT;
    }
    let info = LAST
        .try_with(|l| {
            l.try_borrow()
                .map(|l| l.info)
                .unwrap_or(finauth_error_info::ok())
        })
        .unwrap_or(finauth_error_info::ok());
    // SAFETY: the caller passes a valid, writable pointer (checked for NULL above).
    unsafe { out.write(info) };
    FINAUTH_OK
}

/// The kind name of a status (`"OK"`, `"CONFIG"`, `"INVALID_CREDENTIALS"`, …), or `"UNKNOWN"`
/// for a value that is not a finauth_status. Static: never free it.
#[no_mangle]
pub extern "C" fn finauth_status_name(status: c_int) -> *const c_char {
    finauth_status::from_int(status).map_or(c"UNKNOWN".as_ptr(), |s| s.name().as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;
    use finauth::{Error, GuardReason};
    use std::time::Duration;

    fn info_of(e: Error) -> (finauth_error_info, String) {
        describe(&Failure::Core(e))
    }

    fn kind(i: &finauth_error_info) -> &str {
        unsafe { CStr::from_ptr(i.kind) }.to_str().unwrap()
    }

    #[test]
    fn every_core_kind_maps_to_its_status_and_name() {
        let cases: Vec<(Error, finauth_status)> = vec![
            (Error::Config("x".into()), FINAUTH_ERR_CONFIG),
            (
                Error::InvalidCredentials {
                    attempts_remaining: 2,
                    code: Some(10001),
                    oauth: None,
                    hint: "fix the partner secret".into(),
                },
                FINAUTH_ERR_INVALID_CREDENTIALS,
            ),
            (
                Error::AccountLocked { code: 24302 },
                FINAUTH_ERR_ACCOUNT_LOCKED,
            ),
            (
                Error::LockoutGuard {
                    failed_attempts: 1,
                    reason: GuardReason::SecretRejected,
                    hint: "h".into(),
                },
                FINAUTH_ERR_LOCKOUT_GUARD,
            ),
            (
                Error::RateLimited {
                    retry_after: Some(Duration::from_millis(1500)),
                    hint: "h".into(),
                },
                FINAUTH_ERR_RATE_LIMITED,
            ),
            (
                Error::Unauthorized {
                    status: 401,
                    code: Some(10022),
                },
                FINAUTH_ERR_UNAUTHORIZED,
            ),
            (
                Error::Server {
                    status: 503,
                    code: None,
                    message: "m".into(),
                    oauth: None,
                },
                FINAUTH_ERR_SERVER,
            ),
            (Error::Transport("t".into()), FINAUTH_ERR_TRANSPORT),
            (
                Error::Timeout {
                    after: Duration::from_secs(1),
                    what: "w".into(),
                },
                FINAUTH_ERR_TIMEOUT,
            ),
            (Error::Store("s".into()), FINAUTH_ERR_STORE),
            (Error::SigningKey("k".into()), FINAUTH_ERR_SIGNING_KEY),
            (Error::Encryption("e".into()), FINAUTH_ERR_ENCRYPTION),
        ];
        for (e, status) in cases {
            let api_kind = e.kind();
            let (info, msg) = info_of(e);
            assert_eq!(info.status, status);
            assert_eq!(kind(&info), api_kind, "C kind name equals core's kind()");
            assert!(!msg.is_empty());
        }
    }

    #[test]
    fn fields_are_carried_and_absent_ones_are_minus_one() {
        let (i, _) = info_of(Error::InvalidCredentials {
            attempts_remaining: 2,
            code: Some(10001),
            oauth: None,
            hint: "fix the partner secret".into(),
        });
        assert_eq!(
            (i.attempts_remaining, i.code, i.http_status),
            (2, 10001, -1)
        );
        let (i, _) = info_of(Error::LockoutGuard {
            failed_attempts: 3,
            reason: GuardReason::AttemptsExhausted,
            hint: String::new(),
        });
        assert_eq!(i.failed_attempts, 3);
        let reason = unsafe { CStr::from_ptr(i.guard_reason) };
        assert_eq!(reason, c"attempts_exhausted");
        let (i, _) = info_of(Error::RateLimited {
            retry_after: None,
            hint: String::new(),
        });
        assert_eq!(i.retry_after, -1.0);
        let (i, _) = info_of(Error::Server {
            status: 503,
            code: Some(1),
            message: String::new(),
            oauth: None,
        });
        assert_eq!((i.http_status, i.code, i.attempts_remaining), (503, 1, -1));
    }

    fn oauth_fields() -> [Option<String>; 3] {
        [
            finauth_last_error_oauth_error(),
            finauth_last_error_oauth_error_description(),
            finauth_last_error_correlation_id(),
        ]
        .map(|p| (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().into()))
    }

    #[test]
    fn oauth_fields_are_kept_until_the_next_call_and_absent_ones_are_null() {
        set(Failure::Core(Error::Server {
            status: 400,
            code: None,
            message: "check scope".into(),
            oauth: Some(Box::new(finauth::OAuthError {
                error: "invalid_scope".into(),
                error_description: Some("scope `x\0y` is not allowed".into()),
                correlation_id: Some("sandbox-7".into()),
            })),
        }));
        assert_eq!(
            oauth_fields(),
            [
                Some("invalid_scope".into()),
                Some("scope `x y` is not allowed".into()),
                Some("sandbox-7".into())
            ]
        );
        set(Failure::Core(Error::InvalidCredentials {
            attempts_remaining: 2,
            code: None,
            oauth: Some(Box::new(finauth::OAuthError {
                error: "invalid_client".into(),
                ..Default::default()
            })),
            hint: "fix the client secret".into(),
        }));
        assert_eq!(oauth_fields(), [Some("invalid_client".into()), None, None]);
        set(Failure::Core(Error::Transport("t".into())));
        assert_eq!(oauth_fields(), [None, None, None]);
        set(Failure::InvalidArgument("x".into()));
        assert_eq!(oauth_fields(), [None, None, None]);
        clear();
        assert_eq!(oauth_fields(), [None, None, None]);
    }

    #[test]
    fn status_names_cover_every_value() {
        for v in 0..=13 {
            let name = unsafe { CStr::from_ptr(finauth_status_name(v)) };
            assert_ne!(name, c"UNKNOWN", "{v}");
        }
        let name = unsafe { CStr::from_ptr(finauth_status_name(99)) };
        assert_eq!(name, c"UNKNOWN");
    }

    #[test]
    fn last_error_is_per_thread_and_cleared() {
        set(Failure::InvalidArgument("token is NULL".into()));
        let msg = unsafe { CStr::from_ptr(finauth_last_error_message()) };
        assert_eq!(msg.to_str().unwrap(), "token is NULL");
        std::thread::spawn(|| {
            let msg = unsafe { CStr::from_ptr(finauth_last_error_message()) };
            assert!(msg.is_empty());
        })
        .join()
        .unwrap();
        clear();
        let msg = unsafe { CStr::from_ptr(finauth_last_error_message()) };
        assert!(msg.is_empty());
    }
}
