//! Mastercard OAuth 1.0a signing: `finauth_signing_key` (loaded once from PKCS#12, PEM or DER)
//! and `finauth_oauth1_signer`, which makes the `Authorization` value of one request.

use crate::error::finauth_status;
use crate::ffi_util::{
    ffi_call, ffi_void, handle, invalid, opt_str_arg, out_arg, reset_out, str_arg,
};
use crate::strings::to_c_string;
use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use std::ffi::{c_char, c_int};

/// An RSA private key for OAuth 1.0a signing, parsed once. Its memory is wiped when freed with
/// finauth_signing_key_free(). A finauth_oauth1_signer keeps its own reference, so the key may be
/// freed right after finauth_oauth1_signer_new().
pub struct finauth_signing_key {
    pub(crate) inner: SigningKey,
}

/// A Mastercard OAuth 1.0a signer (one-legged, with oauth_body_hash), byte-identical to the Java
/// reference signer. Thread-safe: share one signer between threads. Free it with
/// finauth_oauth1_signer_free().
pub struct finauth_oauth1_signer {
    pub(crate) inner: OAuth1Signer,
}

/// # Safety
/// `out` must be valid for a write (checked non-NULL by the caller).
unsafe fn give_key(out: *mut *mut finauth_signing_key, key: SigningKey) {
    let p = Box::into_raw(Box::new(finauth_signing_key { inner: key }));
    // SAFETY: caller's contract.
    unsafe { out.write(p) };
}

/// A key from a PKCS#12 key store (`.p12`, modern AES-256/PBES2 or legacy 3DES/RC2) held in
/// `data` (`len` bytes), with its `password` and the key's alias (NULL: the store's only key).
/// FINAUTH_ERR_SIGNING_KEY for a wrong password, an unknown alias, a file that is not PKCS#12
/// or a key that is not RSA (the message never holds the password).
/// On success `*out` is a new handle owned by the caller (free it with finauth_signing_key_free()).
///
/// # Safety
/// `data` must be NULL or readable for `len` bytes; `password` and `alias_or_null` NULL or
/// NUL-terminated; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_signing_key_from_pkcs12(
    data: *const u8,
    len: usize,
    password: *const c_char,
    alias_or_null: *const c_char,
    out: *mut *mut finauth_signing_key,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        if data.is_null() {
            return Err(invalid("data is NULL"));
        }
        // SAFETY: non-NULL and readable for `len` bytes per the caller's contract.
        let bytes = unsafe { std::slice::from_raw_parts(data, len) };
        // SAFETY: caller's contract.
        let password = unsafe { str_arg(password, "password") }?;
        // SAFETY: caller's contract.
        let alias = unsafe { opt_str_arg(alias_or_null, "alias") }?;
        let key = SigningKey::from_pkcs12(bytes, password, alias)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { give_key(out, key) };
        Ok(())
    })
}

/// A key from PEM text: PKCS#1 (`RSA PRIVATE KEY`), PKCS#8 (`PRIVATE KEY`) or encrypted PKCS#8
/// (`ENCRYPTED PRIVATE KEY`, with `password_or_null`). FINAUTH_ERR_SIGNING_KEY on failure.
/// On success `*out` is a new handle owned by the caller (free it with finauth_signing_key_free()).
///
/// # Safety
/// `pem` and `password_or_null` must be NULL or NUL-terminated; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_signing_key_from_pem(
    pem: *const c_char,
    password_or_null: *const c_char,
    out: *mut *mut finauth_signing_key,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let pem = unsafe { str_arg(pem, "pem") }?;
        // SAFETY: caller's contract.
        let password = unsafe { opt_str_arg(password_or_null, "password") }?;
        let key = SigningKey::from_pem(pem, password)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { give_key(out, key) };
        Ok(())
    })
}

/// A key from a file of any supported format, chosen by content: PEM, DER (PKCS#8, PKCS#1,
/// encrypted PKCS#8) or PKCS#12. `password` (NULL for none) is for PKCS#12 and encrypted keys,
/// `alias` (NULL for the only key) for PKCS#12. FINAUTH_ERR_SIGNING_KEY if the file cannot be
/// read or the key loaded.
/// On success `*out` is a new handle owned by the caller (free it with finauth_signing_key_free()).
///
/// # Safety
/// `path`, `password` and `alias` must be NULL or NUL-terminated; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_signing_key_from_file(
    path: *const c_char,
    password: *const c_char,
    alias: *const c_char,
    out: *mut *mut finauth_signing_key,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let path = unsafe { str_arg(path, "path") }?;
        // SAFETY: caller's contract.
        let password = unsafe { opt_str_arg(password, "password") }?;
        // SAFETY: caller's contract.
        let alias = unsafe { opt_str_arg(alias, "alias") }?;
        let key = SigningKey::from_file(path, password, alias)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { give_key(out, key) };
        Ok(())
    })
}

/// The key size in bits (2048 for a 2048-bit RSA key), or 0 for NULL.
///
/// # Safety
/// `key` must be NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn finauth_signing_key_bits(key: *const finauth_signing_key) -> usize {
    // SAFETY: caller's contract.
    match unsafe { key.as_ref() } {
        Some(k) => k.inner.bits(),
        None => 0,
    }
}

/// The public half of `key` as a JWK (JSON text), e.g. to register it with an authorization
/// server. On success `*out_jwk` is a new string: release it with finauth_string_free().
///
/// # Safety
/// `key` must be NULL or a live handle; `out_jwk` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_signing_key_public_jwk(
    key: *const finauth_signing_key,
    out_jwk: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { crate::ffi_util::reset_out(out_jwk, std::ptr::null_mut()) };
    crate::ffi_util::ffi_call(|| {
        let out = crate::ffi_util::out_arg(out_jwk, "out_jwk")?;
        // SAFETY: caller's contract.
        let key = unsafe { crate::ffi_util::handle(key, "key") }?;
        let s = crate::strings::to_c_string(
            &finauth::oauth2::jose::public_jwk(&key.inner).to_string(),
        )?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// Free a key (its memory is wiped). Signers built with it keep working. NULL is ignored.
///
/// # Safety
/// `key` must be NULL or a live handle from finauth_signing_key_*, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_signing_key_free(key: *mut finauth_signing_key) {
    if key.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(key) }));
}

/// A signer for `consumer_key` (from the Mastercard Developers project) with `key`; `pss` 0 for
/// RSA-SHA256 (PKCS#1 v1.5), non-zero for RSA-PSS (MGF1-SHA256, salt 32). FINAUTH_ERR_CONFIG for
/// an empty consumer key or one holding quotes or control characters.
/// On success `*out` is a new handle owned by the caller (free it with finauth_oauth1_signer_free()).
///
/// # Safety
/// `consumer_key` must be NULL or NUL-terminated; `key` NULL or a live handle; `out` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_oauth1_signer_new(
    consumer_key: *const c_char,
    key: *const finauth_signing_key,
    pss: c_int,
    out: *mut *mut finauth_oauth1_signer,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let consumer_key = unsafe { str_arg(consumer_key, "consumer_key") }?;
        // SAFETY: caller's contract.
        let key = unsafe { handle(key, "key") }?;
        let method = if pss != 0 {
            SignatureMethod::RsaPss
        } else {
            SignatureMethod::RsaSha256
        };
        let inner = OAuth1Signer::new(consumer_key, key.inner.clone(), method)?;
        let p = Box::into_raw(Box::new(finauth_oauth1_signer { inner }));
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(p) };
        Ok(())
    })
}

/// The `Authorization` header value (`OAuth oauth_body_hash="…",…`) for one request: `method`
/// (`GET`, `POST`, …), the full `uri` with its query, and the exact body bytes sent (`body` NULL
/// with `body_len` 0 for none). A fresh nonce and the current time each call. FINAUTH_ERR_CONFIG
/// for a URI that cannot be signed.
/// On success `*out_header` is a new string owned by the caller (free it with finauth_string_free()).
///
/// # Safety
/// `signer` must be NULL or a live handle; `method` and `uri` NULL or NUL-terminated; `body`
/// NULL or readable for `body_len` bytes; `out_header` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_oauth1_authorization_header(
    signer: *const finauth_oauth1_signer,
    method: *const c_char,
    uri: *const c_char,
    body: *const u8,
    body_len: usize,
    out_header: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { header_call(signer, method, uri, body, body_len, None, out_header) }
}

/// As finauth_oauth1_authorization_header() with a given `nonce` and Unix `timestamp`: for
/// conformance tests and debugging only (a real request needs a fresh nonce each time).
/// On success `*out_header` is a new string owned by the caller (free it with finauth_string_free()).
///
/// # Safety
/// As finauth_oauth1_authorization_header(); `nonce` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn finauth_oauth1_authorization_header_with(
    signer: *const finauth_oauth1_signer,
    method: *const c_char,
    uri: *const c_char,
    body: *const u8,
    body_len: usize,
    nonce: *const c_char,
    timestamp: u64,
    out_header: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe {
        header_call(
            signer,
            method,
            uri,
            body,
            body_len,
            Some((nonce, timestamp)),
            out_header,
        )
    }
}

/// The shared body of the two header functions; `fixed` = a given nonce and timestamp.
///
/// # Safety
/// As finauth_oauth1_authorization_header_with().
unsafe fn header_call(
    signer: *const finauth_oauth1_signer,
    method: *const c_char,
    uri: *const c_char,
    body: *const u8,
    body_len: usize,
    fixed: Option<(*const c_char, u64)>,
    out_header: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_header, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out_header, "out_header")?;
        // SAFETY: caller's contract.
        let signer = unsafe { handle(signer, "signer") }?;
        // SAFETY: caller's contract.
        let method = unsafe { str_arg(method, "method") }?;
        // SAFETY: caller's contract.
        let uri = unsafe { str_arg(uri, "uri") }?;
        let body: &[u8] = if body_len == 0 {
            &[]
        } else if body.is_null() {
            return Err(invalid("body is NULL but body_len is not 0"));
        } else {
            // SAFETY: non-NULL and readable for `body_len` bytes per the caller's contract.
            unsafe { std::slice::from_raw_parts(body, body_len) }
        };
        let header = match fixed {
            None => signer.inner.authorization_header(method, uri, body)?,
            Some((nonce, timestamp)) => {
                // SAFETY: caller's contract.
                let nonce = unsafe { str_arg(nonce, "nonce") }?;
                signer
                    .inner
                    .authorization_header_with(method, uri, body, nonce, timestamp)?
            }
        };
        let s = to_c_string(&header)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// Free a signer. NULL is ignored.
///
/// # Safety
/// `signer` must be NULL or a live handle from finauth_oauth1_signer_new(), not freed yet, and
/// not in use by another thread.
#[no_mangle]
pub unsafe extern "C" fn finauth_oauth1_signer_free(signer: *mut finauth_oauth1_signer) {
    if signer.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(signer) }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::ptr::null_mut;

    const PEM: &str = include_str!("../../core/tests/oauth1-keys/pkcs8.pem");

    #[test]
    fn sign_and_errors_at_the_boundary() {
        let pem = std::ffi::CString::new(PEM).unwrap();
        let mut key = null_mut();
        let st = unsafe { finauth_signing_key_from_pem(pem.as_ptr(), std::ptr::null(), &mut key) };
        assert_eq!(st, finauth_status::FINAUTH_OK);
        assert_eq!(unsafe { finauth_signing_key_bits(key) }, 2048);
        let mut signer = null_mut();
        let st = unsafe { finauth_oauth1_signer_new(c"ck".as_ptr(), key, 0, &mut signer) };
        assert_eq!(st, finauth_status::FINAUTH_OK);
        unsafe { finauth_signing_key_free(key) };
        let mut h = null_mut();
        let st = unsafe {
            finauth_oauth1_authorization_header(
                signer,
                c"GET".as_ptr(),
                c"https://x.com/a".as_ptr(),
                std::ptr::null(),
                0,
                &mut h,
            )
        };
        assert_eq!(st, finauth_status::FINAUTH_OK);
        assert!(unsafe { CStr::from_ptr(h) }
            .to_str()
            .unwrap()
            .starts_with("OAuth "));
        unsafe { crate::finauth_string_free(h) };
        let st = unsafe {
            finauth_oauth1_authorization_header(
                signer,
                c"GET".as_ptr(),
                c"https://x.com/a".as_ptr(),
                std::ptr::null(),
                3,
                &mut h,
            )
        };
        assert_eq!(st, finauth_status::FINAUTH_ERR_INVALID_ARGUMENT);
        assert!(h.is_null());
        unsafe { finauth_oauth1_signer_free(signer) };
        let st =
            unsafe { finauth_signing_key_from_pem(c"nope".as_ptr(), c"pw".as_ptr(), &mut key) };
        assert_eq!(st, finauth_status::FINAUTH_ERR_SIGNING_KEY);
        assert!(key.is_null());
    }
}
