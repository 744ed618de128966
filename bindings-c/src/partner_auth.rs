//! `finauth_partner_auth`: Finicity partner authentication over `finauth::blocking::PartnerAuth`.

use crate::error::finauth_status;
use crate::ffi_util::{
    body_arg, ffi_call, ffi_void, handle, http_status, opt_str_arg, out_arg, reset_out, seconds,
    str_arg,
};
use crate::headers::finauth_headers;
use crate::store::finauth_store;
use crate::strings::to_c_string;
use finauth::blocking::PartnerAuth;
use finauth::finicity::ResourceVerdict;
use finauth::{AccessToken, PartnerAuthBuilder};
use std::ffi::{c_char, c_int};

/// Finicity partner authentication: one cached token shared by every thread, refreshed before it
/// expires, with one authentication request for any number of concurrent callers and a lockout
/// guard that never lets a wrong secret lock the Partner ID.
/// Build it with finauth_partner_auth_from_env() or finauth_partner_auth_new(); release it with
/// finauth_partner_auth_free(). Thread-safe: share one object between all threads.
pub struct finauth_partner_auth {
    pub(crate) inner: PartnerAuth,
}

/// Explicit configuration for finauth_partner_auth_new(). Zero-initialise it
/// (`finauth_partner_auth_config cfg = {0};`) and set the fields you need: a zero / NULL field
/// takes the default. Durations are seconds (fractions allowed). The strings are only read during
/// finauth_partner_auth_new(); the caller keeps ownership of them and of `store`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct finauth_partner_auth_config {
    /// Required: the Partner ID.
    pub partner_id: *const c_char,
    /// Required: the partner secret.
    pub partner_secret: *const c_char,
    /// Required: the App Key (`Finicity-App-Key`).
    pub app_key: *const c_char,
    /// NULL: `https://api.finicity.com`.
    pub base_url: *const c_char,
    /// Age at which the token is refreshed; 0: 5400 s.
    pub refresh_after: f64,
    /// How long a token works; 0: 7200 s.
    pub token_lifetime: f64,
    /// Credential failures allowed since the last success (1–4); 0: 3.
    pub max_failed_attempts: u32,
    /// Where the token and the guard live; NULL: a new memory store. Borrowed: the object keeps
    /// its own reference, the caller still frees its handle.
    pub store: *const finauth_store,
    /// Bound on one request and on any wait for a token; 0: 30 s.
    pub timeout: f64,
    /// Accept `http://` for loopback addresses (the local sandbox).
    pub allow_insecure_loopback: bool,
}

/// Counters of a finauth_partner_auth since it was built (finauth_partner_auth_stats()).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct finauth_stats {
    /// Authentication requests sent to the server.
    pub auth_requests: u64,
    /// Authentications that returned a token.
    pub auth_successes: u64,
    /// Answers that rejected the credential.
    pub credential_failures: u64,
    /// Refreshes started ahead of time (in the background).
    pub refreshes_advisory: u64,
    /// Refreshes callers had to wait for.
    pub refreshes_mandatory: u64,
    /// Token requests answered from the cache.
    pub cache_hits: u64,
    /// Tokens dropped by finauth_partner_auth_invalidate().
    pub invalidations: u64,
    /// Authentications the lockout guard refused to send.
    pub guard_refusals: u64,
    /// Tokens taken from a shared store (fetched by another process).
    pub tokens_adopted: u64,
    /// Store operations that failed and fell back to process-local state.
    pub store_errors: u64,
}

/// What the lockout guard knows (finauth_partner_auth_guard_status()), read from the store.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct finauth_guard_status {
    /// Credential failures since the last success.
    pub failed_attempts: u32,
    /// Authentication requests in flight.
    pub in_flight: u32,
    /// The configured limit (1–4).
    pub max_failed_attempts: u32,
    /// Attempts left before the guard refuses to authenticate.
    pub attempts_remaining: u32,
    /// Secrets the server rejected (never sent again automatically).
    pub rejected_secrets: u32,
    /// The server's lock code (24302) if the Partner ID is locked, or -1.
    pub locked_code: i64,
    /// True if the configured secret is one the server rejected.
    pub current_secret_rejected: bool,
}

impl finauth_stats {
    pub(crate) fn from_core(s: &finauth::Stats) -> Self {
        finauth_stats {
            auth_requests: s.auth_requests,
            auth_successes: s.auth_successes,
            credential_failures: s.credential_failures,
            refreshes_advisory: s.refreshes_advisory,
            refreshes_mandatory: s.refreshes_mandatory,
            cache_hits: s.cache_hits,
            invalidations: s.invalidations,
            guard_refusals: s.guard_refusals,
            tokens_adopted: s.tokens_adopted,
            store_errors: s.store_errors,
        }
    }
}

impl finauth_guard_status {
    pub(crate) fn from_core(g: &finauth::GuardStatus) -> Self {
        finauth_guard_status {
            failed_attempts: g.failed_attempts,
            in_flight: g.in_flight,
            max_failed_attempts: g.max_failed_attempts,
            attempts_remaining: g.attempts_remaining,
            rejected_secrets: g.rejected_secrets,
            locked_code: g.locked.map_or(-1, i64::from),
            current_secret_rejected: g.current_secret_rejected,
        }
    }
}

fn boxed(inner: PartnerAuth) -> *mut finauth_partner_auth {
    Box::into_raw(Box::new(finauth_partner_auth { inner }))
}

/// Build from the environment variables of the finauth API: FINICITY_PARTNER_ID,
/// FINICITY_PARTNER_SECRET, FINICITY_APP_KEY (required), FINICITY_BASE_URL, FINAUTH_STORE,
/// FINAUTH_MAX_FAILED_ATTEMPTS, FINAUTH_REFRESH_AFTER, FINAUTH_TOKEN_LIFETIME, FINAUTH_TIMEOUT,
/// FINAUTH_ALLOW_INSECURE_LOOPBACK. No request is sent yet.
/// On success `*out` is a new handle owned by the caller (free it with
/// finauth_partner_auth_free()); on failure `*out` is NULL (FINAUTH_ERR_CONFIG names the variable).
///
/// # Safety
/// `out` must be NULL (FINAUTH_ERR_INVALID_ARGUMENT) or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_from_env(
    out: *mut *mut finauth_partner_auth,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        let auth = PartnerAuth::from_env()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(auth)) };
        Ok(())
    })
}

/// Build from an explicit configuration (see finauth_partner_auth_config). No request is sent
/// yet. On success `*out` is a new handle owned by the caller (free it with
/// finauth_partner_auth_free()); on failure `*out` is NULL (FINAUTH_ERR_CONFIG names the field).
///
/// # Safety
/// `config` must be NULL or point to a finauth_partner_auth_config whose strings are NULL or
/// NUL-terminated and whose `store` is NULL or a live store handle; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_new(
    config: *const finauth_partner_auth_config,
    out: *mut *mut finauth_partner_auth,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let c = unsafe { handle(config, "config") }?;
        // SAFETY (all string reads below): caller's contract on the config's fields.
        let mut b = PartnerAuthBuilder::new()
            .partner_id(unsafe { str_arg(c.partner_id, "config.partner_id") }?)
            .partner_secret(unsafe { str_arg(c.partner_secret, "config.partner_secret") }?)
            .app_key(unsafe { str_arg(c.app_key, "config.app_key") }?)
            .allow_insecure_loopback(c.allow_insecure_loopback);
        if let Some(url) = unsafe { opt_str_arg(c.base_url, "config.base_url") }? {
            b = b.base_url(url);
        }
        if let Some(d) = seconds(c.refresh_after, "refresh_after")? {
            b = b.refresh_after(d);
        }
        if let Some(d) = seconds(c.token_lifetime, "token_lifetime")? {
            b = b.token_lifetime(d);
        }
        if let Some(d) = seconds(c.timeout, "timeout")? {
            b = b.timeout(d);
        }
        if c.max_failed_attempts != 0 {
            b = b.max_failed_attempts(c.max_failed_attempts);
        }
        // SAFETY: caller's contract (NULL or a live store handle).
        if let Some(store) = unsafe { c.store.as_ref() } {
            b = b.store(store.inner.clone());
        }
        let auth = b.build_blocking()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(auth)) };
        Ok(())
    })
}

/// Free `auth` and its background refresh thread. NULL is ignored. No other thread may be using
/// `auth` at that moment.
///
/// # Safety
/// `auth` must be NULL or a live handle from finauth_partner_auth_new() / _from_env(), not freed
/// yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_free(auth: *mut finauth_partner_auth) {
    if auth.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(auth) }));
}

/// A valid token for `Finicity-App-Token`: from the cache when fresh (no request), otherwise after
/// one authentication shared by every concurrent caller. Blocks the calling thread at most about
/// `timeout` seconds. The token is always visible ASCII (see the conventions above): a server
/// answer whose token is not is FINAUTH_ERR_SERVER.
/// On success `*out_token` is a new NUL-terminated string owned by the caller: release it with
/// finauth_string_free() (never free()). On failure `*out_token` is NULL.
///
/// # Safety
/// `auth` must be NULL or a live handle; `out_token` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_token(
    auth: *mut finauth_partner_auth,
    out_token: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_token, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out_token, "out_token")?;
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let token = auth.inner.token()?;
        let s = to_c_string(token.expose())?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// The headers of a Finicity call (`Finicity-App-Key`, `Finicity-App-Token`), with a valid token
/// as in finauth_partner_auth_token(). On success `*out` is a new handle owned by the caller:
/// release it with finauth_headers_free(). On failure `*out` is NULL.
///
/// # Safety
/// `auth` must be NULL or a live handle; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_headers(
    auth: *mut finauth_partner_auth,
    out: *mut *mut finauth_headers,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let h = finauth_headers::new(&auth.inner.headers()?);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(Box::into_raw(Box::new(h))) };
        Ok(())
    })
}

/// After a Finicity resource answered 401 (codes 10022/10023) for `token`: drop it if it is still
/// the current one, so the next finauth_partner_auth_token() authenticates again (many calls for
/// the same old token cause one refresh). `*out_dropped` (may be NULL) tells whether this call
/// dropped it. `token` is borrowed.
///
/// # Safety
/// `auth` must be NULL or a live handle; `token` NULL or NUL-terminated; `out_dropped` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_invalidate(
    auth: *mut finauth_partner_auth,
    token: *const c_char,
    out_dropped: *mut bool,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_dropped, false) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        // SAFETY: caller's contract.
        let token = unsafe { str_arg(token, "token") }?;
        let dropped = auth.inner.invalidate(&AccessToken::new(token))?;
        // SAFETY: caller's contract.
        unsafe { reset_out(out_dropped, dropped) };
        Ok(())
    })
}

/// What a Finicity resource's answer means for the token (finauth_partner_auth_observe_response()).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum finauth_resource_verdict {
    /// Nothing for finauth to do: the answer is the caller's (success or an ordinary error).
    FINAUTH_RESOURCE_PASS = 0,
    /// The token was rejected (10022 invalid / 10023 expired): call
    /// finauth_partner_auth_invalidate() with the token you sent, then resend the request once
    /// with new headers.
    FINAUTH_RESOURCE_TOKEN_REJECTED = 1,
    /// The Partner ID is locked (24302). Already recorded in the store: from now on every
    /// object and process sharing it gets FINAUTH_ERR_ACCOUNT_LOCKED without a request. Stop;
    /// only Finicity support can unlock it (then finauth_partner_auth_reset_guard()).
    FINAUTH_RESOURCE_ACCOUNT_LOCKED = 2,
}

impl From<ResourceVerdict> for finauth_resource_verdict {
    fn from(v: ResourceVerdict) -> Self {
        match v {
            ResourceVerdict::Pass => finauth_resource_verdict::FINAUTH_RESOURCE_PASS,
            ResourceVerdict::TokenRejected => {
                finauth_resource_verdict::FINAUTH_RESOURCE_TOKEN_REJECTED
            }
            ResourceVerdict::AccountLocked => {
                finauth_resource_verdict::FINAUTH_RESOURCE_ACCOUNT_LOCKED
            }
        }
    }
}

/// Judge the answer to a Finicity call you made with this object's headers (with libcurl or any
/// HTTP client): its HTTP `status` (100–999), its `Content-Type` (NULL if it had none) and its
/// body (`body_len` bytes; `body` may be NULL when `body_len` is 0). Finicity's error shapes
/// (JSON, `Errors` wrappers, text, XML) are all understood. `*out_verdict` says what to do (see
/// finauth_resource_verdict); a 24302 is recorded in the store before this returns. The verdict
/// alone drops no token: after FINAUTH_RESOURCE_TOKEN_REJECTED call
/// finauth_partner_auth_invalidate(). On failure `*out_verdict` is FINAUTH_RESOURCE_PASS.
///
/// # Safety
/// `auth` must be NULL or a live handle; `content_type` NULL or NUL-terminated; `body` NULL or
/// readable for `body_len` bytes; `out_verdict` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_observe_response(
    auth: *mut finauth_partner_auth,
    status: c_int,
    content_type: *const c_char,
    body: *const u8,
    body_len: usize,
    out_verdict: *mut finauth_resource_verdict,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_verdict, finauth_resource_verdict::FINAUTH_RESOURCE_PASS) };
    ffi_call(|| {
        let out = out_arg(out_verdict, "out_verdict")?;
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let status = http_status(status)?;
        // SAFETY: caller's contract.
        let content_type = unsafe { opt_str_arg(content_type, "content_type") }?.unwrap_or("");
        // SAFETY: caller's contract.
        let body = unsafe { body_arg(body, body_len) }?;
        let verdict = auth.inner.observe_response(status, content_type, body)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(verdict.into()) };
        Ok(())
    })
}

/// Modify Partner Secret: checks Finicity's rules (12–255 characters of `A-Z a-z 0-9
/// !@#$%&*_-+`, a letter and a digit; FINAUTH_ERR_CONFIG otherwise), sends the change under the
/// lockout guard and, on success, uses `new_secret` from then on (in every process sharing the
/// store). `immediate`: true retires the old secret at once; false keeps it valid at the server
/// for a grace period. `new_secret` is borrowed.
///
/// # Safety
/// `auth` must be NULL or a live handle; `new_secret` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_modify_secret(
    auth: *mut finauth_partner_auth,
    new_secret: *const c_char,
    immediate: bool,
) -> finauth_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        // SAFETY: caller's contract.
        let new = unsafe { str_arg(new_secret, "new_secret") }?;
        auth.inner.modify_partner_secret(new, immediate)?;
        Ok(())
    })
}

/// Use `app_key` for `Finicity-App-Key` from now on (tokens already issued keep working).
/// FINAUTH_ERR_CONFIG if it is not 1–512 visible ASCII characters. `app_key` is borrowed.
///
/// # Safety
/// `auth` must be NULL or a live handle; `app_key` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_set_app_key(
    auth: *mut finauth_partner_auth,
    app_key: *const c_char,
) -> finauth_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        // SAFETY: caller's contract.
        let key = unsafe { str_arg(app_key, "app_key") }?;
        auth.inner.set_app_key(key)?;
        Ok(())
    })
}

/// Operator action: clear the lockout guard (failures, rejected secrets, locked flag) for every
/// process sharing the store. Do it after fixing the secret, or after Finicity support unlocked
/// the Partner ID.
///
/// # Safety
/// `auth` must be NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_reset_guard(
    auth: *mut finauth_partner_auth,
) -> finauth_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        auth.inner.reset_lockout_guard()?;
        Ok(())
    })
}

/// Fill `*out` with what the lockout guard knows (read from the store).
///
/// # Safety
/// `auth` must be NULL or a live handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_guard_status(
    auth: *mut finauth_partner_auth,
    out: *mut finauth_guard_status,
) -> finauth_status {
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let g = auth.inner.guard_status()?;
        let status = finauth_guard_status {
            failed_attempts: g.failed_attempts,
            in_flight: g.in_flight,
            max_failed_attempts: g.max_failed_attempts,
            attempts_remaining: g.attempts_remaining,
            rejected_secrets: g.rejected_secrets,
            locked_code: g.locked.map_or(-1, i64::from),
            current_secret_rejected: g.current_secret_rejected,
        };
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(status) };
        Ok(())
    })
}

/// Fill `*out` with the counters of `auth` (no request is sent).
///
/// # Safety
/// `auth` must be NULL or a live handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_partner_auth_stats(
    auth: *mut finauth_partner_auth,
    out: *mut finauth_stats,
) -> finauth_status {
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let s = auth.inner.stats();
        let stats = finauth_stats {
            auth_requests: s.auth_requests,
            auth_successes: s.auth_successes,
            credential_failures: s.credential_failures,
            refreshes_advisory: s.refreshes_advisory,
            refreshes_mandatory: s.refreshes_mandatory,
            cache_hits: s.cache_hits,
            invalidations: s.invalidations,
            guard_refusals: s.guard_refusals,
            tokens_adopted: s.tokens_adopted,
            store_errors: s.store_errors,
        };
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(stats) };
        Ok(())
    })
}
