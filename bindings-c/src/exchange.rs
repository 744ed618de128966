//! `finauth_exchange`: one logical request under finauth's request policy, for C and C++ code
//! that sends requests with its own HTTP client (libcurl). The caller only moves bytes: which
//! headers to set, whether to resend and when to stop are decided by finauth's core.

use crate::error::finauth_status;
use crate::ffi_util::{
    body_arg, ffi_call, ffi_void, handle, header_lines, http_status, out_arg, reset_out, str_arg,
    FfiResult,
};
use crate::headers::finauth_headers;
use finauth::exchange::Verdict;
use std::ffi::{c_char, c_int};
use std::sync::Mutex;

/// One logical request: finauth_exchange_prepare() gives the headers of each attempt, you send
/// it, finauth_exchange_observe() says FINAUTH_EXCHANGE_DONE (the answer is yours) or
/// FINAUTH_EXCHANGE_RESEND (prepare and send again). Made by finauth_partner_auth_exchange_new()
/// or finauth_client_credentials_exchange_new(); release it with finauth_exchange_free(). Use it
/// from one thread at a time; make one per request.
pub struct finauth_exchange {
    inner: Mutex<finauth::blocking::Exchange>,
}

/// What to do with the answer just observed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum finauth_exchange_verdict {
    /// Hand this answer to your caller.
    FINAUTH_EXCHANGE_DONE = 0,
    /// Send the request again: call finauth_exchange_prepare() first for its new headers.
    FINAUTH_EXCHANGE_RESEND = 1,
}

fn new_exchange(
    out: *mut *mut finauth_exchange,
    make: impl FnOnce() -> finauth::Result<finauth::blocking::Exchange>,
) -> FfiResult {
    let out = out_arg(out, "out")?;
    let ex = finauth_exchange {
        inner: Mutex::new(make()?),
    };
    // SAFETY: checked non-NULL; writable per the caller's contract.
    unsafe { out.write(Box::into_raw(Box::new(ex))) };
    Ok(())
}

/// A new exchange for one request to a Finicity resource: `method` (`"GET"`, ...) and the
/// absolute `url`. On success `*out` is a new handle owned by the caller: release it with
/// finauth_exchange_free(). The strings are borrowed.
///
/// # Safety
/// `auth` must be NULL or a live handle; `method` and `url` NULL or NUL-terminated; `out` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_exchange_new(
    auth: *mut crate::partner_auth::finauth_partner_auth,
    method: *const c_char,
    url: *const c_char,
    out: *mut *mut finauth_exchange,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        // SAFETY: caller's contract.
        let (method, url) = unsafe { (str_arg(method, "method")?, str_arg(url, "url")?) };
        new_exchange(out, || auth.inner.exchange(method, url))
    })
}

/// A new exchange for one request to an OAuth 2.0 resource (`Authorization`, and a fresh DPoP
/// proof per attempt when bound). As finauth_partner_auth_exchange_new().
///
/// # Safety
/// `cc` must be NULL or a live handle; `method` and `url` NULL or NUL-terminated; `out` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_exchange_new(
    cc: *mut crate::client_credentials::finauth_client_credentials,
    method: *const c_char,
    url: *const c_char,
    out: *mut *mut finauth_exchange,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        // SAFETY: caller's contract.
        let (method, url) = unsafe { (str_arg(method, "method")?, str_arg(url, "url")?) };
        new_exchange(out, || cc.inner.exchange(method, url))
    })
}

/// Releases an exchange. NULL is allowed.
///
/// # Safety
/// `ex` must be NULL or a live handle from a finauth_*_exchange_new() function, not used after.
#[no_mangle]
pub unsafe extern "C" fn finauth_exchange_free(ex: *mut finauth_exchange) {
    if ex.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(ex) }));
}

fn lock(ex: &finauth_exchange) -> std::sync::MutexGuard<'_, finauth::blocking::Exchange> {
    ex.inner.lock().unwrap_or_else(|e| e.into_inner())
}

/// The headers of this attempt (set each on your request, replacing any of the same name):
/// read them with finauth_headers_count(), finauth_headers_name() and finauth_headers_value();
/// release with finauth_headers_free(). Blocks while a token is fetched if none is fresh. On
/// failure `*out` is NULL (for example FINAUTH_ERR_ACCOUNT_LOCKED, FINAUTH_ERR_CONFIG when called
/// twice without an observe, or after the exchange is done).
///
/// # Safety
/// `ex` must be NULL or a live handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_exchange_prepare(
    ex: *mut finauth_exchange,
    out: *mut *mut finauth_headers,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let ex = unsafe { handle(ex, "ex") }?;
        let h = finauth_headers::prepared(&lock(ex).prepare()?);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(Box::into_raw(Box::new(h))) };
        Ok(())
    })
}

/// Whether finauth_exchange_observe() needs the body of an answer with this `status` (if not,
/// pass NULL and 0). False for a NULL `ex`.
///
/// # Safety
/// `ex` must be NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn finauth_exchange_wants_body(
    ex: *const finauth_exchange,
    status: c_int,
) -> bool {
    // SAFETY: caller's contract.
    let Some(ex) = (unsafe { ex.as_ref() }) else {
        return false;
    };
    let status = u16::try_from(status).unwrap_or(0);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lock(ex).wants_body(status)))
        .unwrap_or(true)
}

/// Judge the answer to the last attempt. `status` is its HTTP status (100–999); `headers` its
/// header block as received (`Name: value` lines ending in CRLF or LF; the status line and
/// anything without a colon are skipped; NULL for none), as libcurl's header callback gives it;
/// `body` and `body_len` its body (NULL and 0 when finauth_exchange_wants_body() is false). On
/// success `*out_verdict` is FINAUTH_EXCHANGE_DONE or FINAUTH_EXCHANGE_RESEND. Fails with
/// FINAUTH_ERR_ACCOUNT_LOCKED on 24302 (already recorded: every object and process sharing the
/// store stops) and FINAUTH_ERR_UNAUTHORIZED when the token is still rejected after the one
/// resend; `*out_verdict` is then FINAUTH_EXCHANGE_DONE.
///
/// # Safety
/// `ex` must be NULL or a live handle; `headers` NULL or NUL-terminated; `body` NULL or readable
/// for `body_len` bytes; `out_verdict` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_exchange_observe(
    ex: *mut finauth_exchange,
    status: c_int,
    headers: *const c_char,
    body: *const u8,
    body_len: usize,
    out_verdict: *mut finauth_exchange_verdict,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_verdict, finauth_exchange_verdict::FINAUTH_EXCHANGE_DONE) };
    ffi_call(|| {
        let out = out_arg(out_verdict, "out_verdict")?;
        // SAFETY: caller's contract.
        let ex = unsafe { handle(ex, "ex") }?;
        let status = http_status(status)?;
        let block = if headers.is_null() {
            ""
        } else {
            // SAFETY: caller's contract.
            unsafe { str_arg(headers, "headers") }?
        };
        // SAFETY: caller's contract.
        let body = unsafe { body_arg(body, body_len) }?;
        let verdict = lock(ex).observe(status, header_lines(block), body)?;
        let v = match verdict {
            Verdict::Done => finauth_exchange_verdict::FINAUTH_EXCHANGE_DONE,
            Verdict::Resend => finauth_exchange_verdict::FINAUTH_EXCHANGE_RESEND,
        };
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(v) };
        Ok(())
    })
}
