//! Mastercard payload encryption for C: `finauth_encryption_certificate`,
//! `finauth_decryption_key` and `finauth_payload_encryption`, whose options are one JSON object
//! read by core (`PayloadEncryptionBuilder::options_json`).

use crate::error::finauth_status;
use crate::ffi_util::{
    body_arg, ffi_call, ffi_void, handle, header_value, opt_str_arg, out_arg, reset_out, str_arg,
};
use crate::headers::finauth_headers;
use crate::strings::to_c_string;
use finauth::encryption::{DecryptionKey, EncryptionCertificate, PayloadEncryption, Scheme};
use std::ffi::c_char;

/// Mastercard's public key (the Client Encryption Key certificate) that requests are
/// encrypted to. Release it with finauth_encryption_certificate_free().
pub struct finauth_encryption_certificate {
    inner: EncryptionCertificate,
}

/// Your RSA private key (the Mastercard Encryption Key) that responses are decrypted with; its
/// memory is wiped when freed with finauth_decryption_key_free().
pub struct finauth_decryption_key {
    inner: DecryptionKey,
}

/// Payload encryption of request and response bodies (JWE or the field-level scheme) at JSON
/// paths. Thread-safe: share one object. Release it with finauth_payload_encryption_free().
pub struct finauth_payload_encryption {
    inner: PayloadEncryption,
}

/// Load an encryption certificate from a file: PEM or DER X.509 (SHA-1 signed ones too: only the
/// key is used), or a PEM public key. FINAUTH_ERR_SIGNING_KEY if it does not load.
///
/// # Safety
/// `path` must be NULL or NUL-terminated; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_encryption_certificate_from_file(
    path: *const c_char,
    out: *mut *mut finauth_encryption_certificate,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let path = unsafe { str_arg(path, "path") }?;
        let inner = EncryptionCertificate::from_file(path)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            out.write(Box::into_raw(Box::new(finauth_encryption_certificate {
                inner,
            })))
        };
        Ok(())
    })
}

/// Like finauth_encryption_certificate_from_file(), from `len` bytes of PEM or DER.
///
/// # Safety
/// `data` must be readable for `len` bytes (NULL only when `len` is 0); `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_encryption_certificate_from_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut finauth_encryption_certificate,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let bytes = unsafe { body_arg(data, len) }?;
        let inner = EncryptionCertificate::from_bytes(bytes)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            out.write(Box::into_raw(Box::new(finauth_encryption_certificate {
                inner,
            })))
        };
        Ok(())
    })
}

/// The key fingerprint (SHA-256 of the SubjectPublicKeyInfo DER, hex: the JWE `kid`) as a new
/// string (free it with finauth_string_free()).
///
/// # Safety
/// `cert` must be NULL or a live handle; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_encryption_certificate_key_fingerprint(
    cert: *const finauth_encryption_certificate,
    out: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let c = unsafe { handle(cert, "cert") }?;
        let s = to_c_string(c.inner.key_fingerprint())?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// Free a certificate. NULL is ignored.
///
/// # Safety
/// `cert` must be NULL or a live handle, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_encryption_certificate_free(
    cert: *mut finauth_encryption_certificate,
) {
    if cert.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(cert) }));
}

/// Load a decryption key from a file: PKCS#12 (`password`, and `alias` when it holds several
/// keys; NULL for none), PEM or DER (PKCS#1, PKCS#8, encrypted PKCS#8 with `password`).
/// FINAUTH_ERR_SIGNING_KEY naming the problem (never the password).
///
/// # Safety
/// `path` must be NULL or NUL-terminated; `password` and `alias` NULL or NUL-terminated; `out`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_decryption_key_from_file(
    path: *const c_char,
    password: *const c_char,
    alias: *const c_char,
    out: *mut *mut finauth_decryption_key,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY (the three reads): caller's contract.
        let path = unsafe { str_arg(path, "path") }?;
        let password = unsafe { opt_str_arg(password, "password") }?;
        let alias = unsafe { opt_str_arg(alias, "alias") }?;
        let inner = DecryptionKey::from_file(path, password, alias)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(Box::into_raw(Box::new(finauth_decryption_key { inner }))) };
        Ok(())
    })
}

/// Like finauth_decryption_key_from_file(), from `len` bytes (PKCS#12, PEM or DER).
///
/// # Safety
/// `data` must be readable for `len` bytes; `password`, `alias` NULL or NUL-terminated; `out`
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_decryption_key_from_bytes(
    data: *const u8,
    len: usize,
    password: *const c_char,
    alias: *const c_char,
    out: *mut *mut finauth_decryption_key,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY (the three reads): caller's contract.
        let bytes = unsafe { body_arg(data, len) }?;
        let password = unsafe { opt_str_arg(password, "password") }?;
        let alias = unsafe { opt_str_arg(alias, "alias") }?;
        let inner = DecryptionKey::from_bytes(bytes, password, alias)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(Box::into_raw(Box::new(finauth_decryption_key { inner }))) };
        Ok(())
    })
}

/// Free a decryption key (its memory is wiped). NULL is ignored.
///
/// # Safety
/// `key` must be NULL or a live handle, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_decryption_key_free(key: *mut finauth_decryption_key) {
    if key.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(key) }));
}

/// Build payload encryption: `scheme` `"jwe"` (NULL) or `"fle"`; `options_json` NULL or a JSON
/// object (`encryptionPaths`, `decryptionPaths`, `encryptedValueFieldName`, `keyId`, `ivSize`,
/// and for fle `fieldEncoding`, `oaep`, `fieldNames`, `headerMode`: docs/GUIDE.md, "Payload
/// encryption"); `cert` to encrypt requests, `key` to decrypt responses (either may be NULL, not
/// both; both are borrowed during the call only). FINAUTH_ERR_CONFIG names a wrong option.
///
/// # Safety
/// `scheme`, `options_json` NULL or NUL-terminated; `cert`, `key` NULL or live; `out` NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_payload_encryption_new(
    scheme: *const c_char,
    options_json: *const c_char,
    cert: *const finauth_encryption_certificate,
    key: *const finauth_decryption_key,
    out: *mut *mut finauth_payload_encryption,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY (the two reads): caller's contract.
        let scheme: Scheme = unsafe { opt_str_arg(scheme, "scheme") }?
            .unwrap_or("jwe")
            .parse()?;
        let options = unsafe { opt_str_arg(options_json, "options_json") }?.unwrap_or("");
        let mut b = PayloadEncryption::builder(scheme).options_json(options)?;
        // SAFETY (the two handles): caller's contract.
        if let Some(c) = unsafe { cert.as_ref() } {
            b = b.encryption_certificate(c.inner.clone());
        }
        if let Some(k) = unsafe { key.as_ref() } {
            b = b.decryption_key(k.inner.clone());
        }
        let inner = b.build()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            out.write(Box::into_raw(Box::new(finauth_payload_encryption {
                inner,
            })))
        };
        Ok(())
    })
}

/// Encrypt a request body (`len` bytes of JSON; an empty body stays empty). On success
/// `*out_body` is the body to send, a new NUL-terminated string (free it with
/// finauth_string_free()), and, if `out_headers` is not NULL, `*out_headers` the headers to
/// set (the field-level header mode; none otherwise; free with finauth_headers_free()).
///
/// # Safety
/// `pe` NULL or live; `body` readable for `len` bytes; `out_body` NULL or writable;
/// `out_headers` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_payload_encryption_encrypt(
    pe: *const finauth_payload_encryption,
    body: *const u8,
    len: usize,
    out_body: *mut *mut c_char,
    out_headers: *mut *mut finauth_headers,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe {
        reset_out(out_body, std::ptr::null_mut());
        reset_out(out_headers, std::ptr::null_mut());
    }
    ffi_call(|| {
        let out = out_arg(out_body, "out_body")?;
        // SAFETY (the two reads): caller's contract.
        let pe = unsafe { handle(pe, "pe") }?;
        let body = unsafe { body_arg(body, len) }?;
        let r = pe.inner.encrypt_request(body)?;
        let text = String::from_utf8(r.body)
            .map_err(|_| finauth::Error::Encryption("the encrypted body is not text".into()))?;
        let s = to_c_string(&text)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        if !out_headers.is_null() {
            let h = Box::into_raw(Box::new(finauth_headers::owned(&r.headers)));
            // SAFETY: non-NULL; writable per the caller's contract.
            unsafe { out_headers.write(h) };
        }
        Ok(())
    })
}

/// Decrypt a response body (`len` bytes of JSON). `headers` is the response's header block
/// (`Name: value` lines, as libcurl's header callback gives them; NULL for none), read for the
/// field-level header mode. On success `*out_body` is the decrypted body, a new NUL-terminated
/// string (free it with finauth_string_free()); a body without encrypted values comes back as it
/// was. FINAUTH_ERR_ENCRYPTION when it cannot be decrypted (tampered, truncated, not for this key).
///
/// # Safety
/// `pe` NULL or live; `body` readable for `len` bytes; `headers` NULL or NUL-terminated;
/// `out_body` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_payload_encryption_decrypt(
    pe: *const finauth_payload_encryption,
    body: *const u8,
    len: usize,
    headers: *const c_char,
    out_body: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_body, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out_body, "out_body")?;
        // SAFETY (the three reads): caller's contract.
        let pe = unsafe { handle(pe, "pe") }?;
        let body = unsafe { body_arg(body, len) }?;
        let block = unsafe { opt_str_arg(headers, "headers") }?.unwrap_or("");
        let lookup = |name: &str| header_value(block, name);
        let clear = pe.inner.decrypt_response(body, lookup)?;
        let text = String::from_utf8(clear)
            .map_err(|_| finauth::Error::Encryption("the decrypted body is not text".into()))?;
        let s = to_c_string(&text)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// Free payload encryption. NULL is ignored.
///
/// # Safety
/// `pe` must be NULL or a live handle, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_payload_encryption_free(pe: *mut finauth_payload_encryption) {
    if pe.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(pe) }));
}

/// Signing and payload encryption of Mastercard calls in core's order: the body is encrypted
/// first, then signed over the bytes sent; answers are decrypted. Thread-safe. Release it with
/// finauth_mastercard_auth_free().
pub struct finauth_mastercard_auth {
    inner: finauth::mastercard::MastercardAuth,
}

/// Build from a signer, payload encryption, or both (either may be NULL, not both; both are
/// borrowed during the call only).
///
/// # Safety
/// `signer`, `pe` NULL or live handles; `out` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_mastercard_auth_new(
    signer: *const crate::oauth1::finauth_oauth1_signer,
    pe: *const finauth_payload_encryption,
    out: *mut *mut finauth_mastercard_auth,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY (the two handles): caller's contract.
        let signer = unsafe { signer.as_ref() }.map(|s| s.inner.clone());
        let pe = unsafe { pe.as_ref() }.map(|p| p.inner.clone());
        let inner = finauth::mastercard::MastercardAuth::new(signer, pe)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(Box::into_raw(Box::new(finauth_mastercard_auth { inner }))) };
        Ok(())
    })
}

/// Prepare one request with `method` to `url` (the full URL with its query) and its body
/// (`len` bytes; NULL and 0 for none). On success `*out_headers` holds the headers to set,
/// replacing any of the same name (`Authorization`, and the field-level header mode's; free
/// with finauth_headers_free()), and `*out_body` is the body to send when it was encrypted (a
/// new NUL-terminated string: free it with finauth_string_free(); update Content-Length), or
/// NULL when the body is to be sent as it is.
///
/// # Safety
/// `auth` NULL or live; `method`, `url` NULL or NUL-terminated; `body` readable for `len` bytes;
/// `out_body`, `out_headers` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_mastercard_auth_prepare(
    auth: *const finauth_mastercard_auth,
    method: *const c_char,
    url: *const c_char,
    body: *const u8,
    len: usize,
    out_body: *mut *mut c_char,
    out_headers: *mut *mut finauth_headers,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe {
        reset_out(out_body, std::ptr::null_mut());
        reset_out(out_headers, std::ptr::null_mut());
    }
    ffi_call(|| {
        let out_h = out_arg(out_headers, "out_headers")?;
        let out_b = out_arg(out_body, "out_body")?;
        // SAFETY (the four reads): caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let method = unsafe { str_arg(method, "method") }?;
        let url = unsafe { str_arg(url, "url") }?;
        let body = unsafe { body_arg(body, len) }?;
        let p = auth.inner.prepare(method, url, body)?;
        let new_body = if p.body_changed {
            let text = String::from_utf8(p.body)
                .map_err(|_| finauth::Error::Encryption("the encrypted body is not text".into()))?;
            to_c_string(&text)?
        } else {
            std::ptr::null_mut()
        };
        let h = Box::into_raw(Box::new(finauth_headers::owned(&p.headers)));
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe {
            out_b.write(new_body);
            out_h.write(h);
        }
        Ok(())
    })
}

/// The answer's body as the caller should see it: decrypted when it is JSON with encrypted
/// values, else as it came. `headers` is the response's header block (NULL for none). On success
/// `*out_body` is a new NUL-terminated string (free it with finauth_string_free()), or NULL when
/// the body is to be used as it is.
///
/// # Safety
/// `auth` NULL or live; `body` readable for `len` bytes; `headers` NULL or NUL-terminated;
/// `out_body` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_mastercard_auth_response(
    auth: *const finauth_mastercard_auth,
    body: *const u8,
    len: usize,
    headers: *const c_char,
    out_body: *mut *mut c_char,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out_body, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out_body, "out_body")?;
        // SAFETY (the three reads): caller's contract.
        let auth = unsafe { handle(auth, "auth") }?;
        let body = unsafe { body_arg(body, len) }?;
        let block = unsafe { opt_str_arg(headers, "headers") }?.unwrap_or("");
        let lookup = |name: &str| header_value(block, name);
        let clear = auth.inner.response(body, lookup)?;
        let s = if clear.as_slice() == body {
            std::ptr::null_mut()
        } else {
            let text = String::from_utf8(clear)
                .map_err(|_| finauth::Error::Encryption("the decrypted body is not text".into()))?;
            to_c_string(&text)?
        };
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(s) };
        Ok(())
    })
}

/// Free a MastercardAuth. NULL is ignored.
///
/// # Safety
/// `auth` must be NULL or a live handle, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_mastercard_auth_free(auth: *mut finauth_mastercard_auth) {
    if auth.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(auth) }));
}
