//! `finauth_client_credentials`: OAuth 2.0 client credentials over
//! `finauth::blocking::ClientCredentials`.

use crate::error::finauth_status;
use crate::ffi_util::{
    ffi_call, ffi_void, handle, opt_str_arg, out_arg, reset_out, seconds, str_arg,
};
use crate::headers::finauth_headers;
use crate::oauth1::finauth_signing_key;
use crate::partner_auth::{finauth_guard_status, finauth_stats};
use crate::store::finauth_store;
use crate::strings::to_c_string;
use finauth::blocking::ClientCredentials;
use finauth::{AccessToken, AuthMethod};
use std::ffi::c_char;

/// OAuth 2.0 client credentials (client_secret_basic, client_secret_post, private_key_jwt or
/// Finicity's JSON style; DPoP-bound tokens for Mastercard's FAPI 2.0 profile) on finauth's token
/// lifecycle engine: one cached token per (token URL, client id, scope set) shared by every
/// thread, refreshed at 75 % of its lifetime, one token request for any number of concurrent
/// callers, behind the lockout guard. Build it with finauth_client_credentials_from_env() or
/// finauth_client_credentials_new(); release it with finauth_client_credentials_free().
/// Thread-safe: share one object between all threads.
pub struct finauth_client_credentials {
    pub(crate) inner: ClientCredentials,
}

/// Explicit configuration for finauth_client_credentials_new(). Zero-initialise it and set the
/// fields you need: a zero / NULL field takes the default. Durations are seconds. Strings and
/// handles are only read during finauth_client_credentials_new(); the caller keeps ownership.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct finauth_client_credentials_config {
    /// The token endpoint; or NULL and set `issuer` (exactly one of the two).
    pub token_url: *const c_char,
    /// Required: the client id.
    pub client_id: *const c_char,
    /// The client secret (client_secret_basic, client_secret_post, finicity_json).
    pub client_secret: *const c_char,
    /// `client_secret_basic` (NULL), `client_secret_post`, `private_key_jwt`, `finicity_json`.
    pub auth_method: *const c_char,
    /// Space-separated scopes; NULL: none.
    pub scope: *const c_char,
    /// The private key for private_key_jwt and DPoP proofs (RSA: PS256, P-256: ES256). Borrowed.
    pub signing_key: *const finauth_signing_key,
    /// The `kid` of the client assertion.
    pub key_id: *const c_char,
    /// The assertion's `aud`; NULL: the issuer when one is set, else the token endpoint URL.
    pub audience: *const c_char,
    /// DPoP-bound tokens (needs signing_key).
    pub dpop: bool,
    /// The Finicity-App-Key (finicity_json).
    pub app_key: *const c_char,
    /// Lifetime assumed when the answer has no expires_in; 0: 3600 s.
    pub default_lifetime: f64,
    /// Credential failures allowed since the last success (1–4); 0: 3.
    pub max_failed_attempts: u32,
    /// Where the token and the guard live; NULL: a new memory store. Borrowed.
    pub store: *const finauth_store,
    /// Bound on one request and on any wait; 0: 30 s.
    pub timeout: f64,
    /// Accept `http://` for loopback addresses (the local sandbox).
    pub allow_insecure_loopback: bool,
    /// The issuer identifier instead of `token_url`: the token endpoint is read from its
    /// RFC 8414 / OpenID Connect metadata (once per process and store). Last, so configs
    /// zero-initialised by older code keep their field offsets.
    pub issuer: *const c_char,
}

fn boxed(inner: ClientCredentials) -> *mut finauth_client_credentials {
    Box::into_raw(Box::new(finauth_client_credentials { inner }))
}

/// Build from the FINAUTH_OAUTH2_* environment variables of the finauth API. No request is sent
/// yet. On success `*out` is a new handle (free it with finauth_client_credentials_free()).
///
/// # Safety
/// `out` must be NULL (FINAUTH_ERR_INVALID_ARGUMENT) or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_from_env(
    out: *mut *mut finauth_client_credentials,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        let cc = ClientCredentials::from_env()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(cc)) };
        Ok(())
    })
}

/// Build from an explicit configuration (see finauth_client_credentials_config). On success
/// `*out` is a new handle (free it with finauth_client_credentials_free()); on failure NULL.
///
/// # Safety
/// `config` must be NULL or point to a config whose strings are NULL or NUL-terminated and whose
/// handles are NULL or live; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_new(
    config: *const finauth_client_credentials_config,
    out: *mut *mut finauth_client_credentials,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let c = unsafe { handle(config, "config") }?;
        // SAFETY (all string and handle reads below): caller's contract on the config's fields.
        let mut b = ClientCredentials::builder()
            .client_id(unsafe { str_arg(c.client_id, "config.client_id") }?)
            .dpop(c.dpop)
            .allow_insecure_loopback(c.allow_insecure_loopback);
        // Exactly one of the two; the core's check names the mistake.
        if let Some(u) = unsafe { opt_str_arg(c.token_url, "config.token_url") }? {
            b = b.token_url(u);
        }
        if let Some(i) = unsafe { opt_str_arg(c.issuer, "config.issuer") }? {
            b = b.issuer(i);
        }
        if let Some(s) = unsafe { opt_str_arg(c.client_secret, "config.client_secret") }? {
            b = b.client_secret(s);
        }
        if let Some(m) = unsafe { opt_str_arg(c.auth_method, "config.auth_method") }? {
            b = b.auth_method(m.parse::<AuthMethod>()?);
        }
        if let Some(s) = unsafe { opt_str_arg(c.scope, "config.scope") }? {
            b = b.scope(s);
        }
        if let Some(k) = unsafe { c.signing_key.as_ref() } {
            b = b.signing_key(k.inner.clone());
        }
        if let Some(s) = unsafe { opt_str_arg(c.key_id, "config.key_id") }? {
            b = b.key_id(s);
        }
        if let Some(s) = unsafe { opt_str_arg(c.audience, "config.audience") }? {
            b = b.audience(s);
        }
        if let Some(s) = unsafe { opt_str_arg(c.app_key, "config.app_key") }? {
            b = b.app_key(s);
        }
        if let Some(d) = seconds(c.default_lifetime, "default_lifetime")? {
            b = b.default_lifetime(d);
        }
        if let Some(d) = seconds(c.timeout, "timeout")? {
            b = b.timeout(d);
        }
        if c.max_failed_attempts != 0 {
            b = b.max_failed_attempts(c.max_failed_attempts);
        }
        if let Some(store) = unsafe { c.store.as_ref() } {
            b = b.store(store.inner.clone());
        }
        let cc = b.build_blocking()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(cc)) };
        Ok(())
    })
}

/// Free `cc`. NULL is ignored. No other thread may be using `cc` at that moment.
///
/// # Safety
/// `cc` must be NULL or a live handle, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_free(cc: *mut finauth_client_credentials) {
    if cc.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(cc) }));
}

/// A valid access token, always visible ASCII (see the conventions above). On success
/// `*out_token` is a new string owned by the caller: release it with finauth_string_free() (never
/// free()).
///
/// # Safety
/// `cc` must be NULL or a live handle; `out_token` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_token(
    cc: *mut finauth_client_credentials,
    out_token: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_token, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out_token, "out_token")?;
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        let s = to_c_string(cc.inner.token()?.expose())?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// The token endpoint, read now from the issuer's metadata when `issuer` was configured (the
/// first token request reads it otherwise), so a configuration the server does not support
/// fails at start-up; without an issuer, the configured token_url. On success `*out_url` is a
/// new string (free it with finauth_string_free()).
///
/// # Safety
/// `cc` must be NULL or a live handle; `out_url` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_discover(
    cc: *mut finauth_client_credentials,
    out_url: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_url, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out_url, "out_url")?;
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        let s = to_c_string(cc.inner.discover()?.as_str())?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// The headers of one request: `Authorization` (`Bearer …` or `DPoP …`) and, for DPoP-bound
/// tokens, a fresh `DPoP` proof for `method` and `url` (`url` is required then; otherwise it may
/// be NULL). On success `*out` is a new handle: read it with finauth_headers_*() and release it
/// with finauth_headers_free(); finauth_headers_token() gives the token for
/// finauth_client_credentials_invalidate().
///
/// # Safety
/// `cc` must be NULL or a live handle; `method` and `url` NULL or NUL-terminated; `out` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_headers(
    cc: *mut finauth_client_credentials,
    method: *const c_char,
    url: *const c_char,
    out: *mut *mut finauth_headers,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        // SAFETY: caller's contract.
        let method = unsafe { opt_str_arg(method, "method") }?.unwrap_or("GET");
        // SAFETY: caller's contract.
        let url = match unsafe { opt_str_arg(url, "url") }? {
            Some(u) => u.to_owned(),
            None if cc.inner.as_async().token_type() == "DPoP" => {
                return Err(finauth::Error::Config(
                    "url is needed for DPoP-bound tokens (the proof is bound to the request URL)"
                        .into(),
                )
                .into())
            }
            None => cc.inner.as_async().token_url().to_string(),
        };
        let h = finauth_headers::oauth2(&cc.inner.headers(method, &url)?);
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(Box::into_raw(Box::new(h))) };
        Ok(())
    })
}

/// Remember the `DPoP-Nonce` header value a server sent in a response to `url`, so the next
/// proof for that server carries it (after a 401 with `WWW-Authenticate: DPoP
/// error="use_dpop_nonce"`, resend once with new headers). `*out_changed` (may be NULL) tells
/// whether the nonce was new.
///
/// # Safety
/// `cc` must be NULL or a live handle; `url`, `nonce` NULL or NUL-terminated; `out_changed` NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_learn_nonce(
    cc: *mut finauth_client_credentials,
    url: *const c_char,
    nonce: *const c_char,
    out_changed: *mut bool,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_changed, false) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        // SAFETY: caller's contract.
        let url = unsafe { str_arg(url, "url") }?;
        // SAFETY: caller's contract.
        let nonce = unsafe { str_arg(nonce, "nonce") }?;
        let mut map = finauth::reqwest::header::HeaderMap::new();
        let value = finauth::reqwest::header::HeaderValue::from_str(nonce.trim())
            .map_err(|_| crate::ffi_util::invalid("nonce is not a valid header value"))?;
        map.insert("dpop-nonce", value);
        let changed = cc.inner.as_async().learn_nonce(url, &map);
        // SAFETY: caller's contract.
        unsafe { reset_out(out_changed, changed) };
        Ok(())
    })
}

/// After a resource answered 401 for `token`: drop it if it is still current (many calls for the
/// same token cause one refresh). `*out_dropped` (may be NULL) tells whether this call dropped it.
///
/// # Safety
/// `cc` must be NULL or a live handle; `token` NULL or NUL-terminated; `out_dropped` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_invalidate(
    cc: *mut finauth_client_credentials,
    token: *const c_char,
    out_dropped: *mut bool,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_dropped, false) };
    ffi_call(|| {
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        // SAFETY: caller's contract.
        let token = unsafe { str_arg(token, "token") }?;
        let dropped = cc.inner.invalidate(&AccessToken::new(token))?;
        // SAFETY: caller's contract.
        unsafe { reset_out(out_dropped, dropped) };
        Ok(())
    })
}

/// Operator action: clear the lockout guard for every process sharing the store.
///
/// # Safety
/// `cc` must be NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_reset_guard(
    cc: *mut finauth_client_credentials,
) -> finauth_status {
    ffi_call(|| {
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        cc.inner.reset_lockout_guard()?;
        Ok(())
    })
}

/// Fill `*out` with what the lockout guard knows (read from the store).
///
/// # Safety
/// `cc` must be NULL or a live handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_guard_status(
    cc: *mut finauth_client_credentials,
    out: *mut finauth_guard_status,
) -> finauth_status {
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        let g = cc.inner.guard_status()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(finauth_guard_status::from_core(&g)) };
        Ok(())
    })
}

/// Fill `*out` with the counters of `cc` (no request is sent).
///
/// # Safety
/// `cc` must be NULL or a live handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_client_credentials_stats(
    cc: *mut finauth_client_credentials,
    out: *mut finauth_stats,
) -> finauth_status {
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let cc = unsafe { handle(cc, "cc") }?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(finauth_stats::from_core(&cc.inner.stats())) };
        Ok(())
    })
}
