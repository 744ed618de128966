//! `finauth_headers`: the two headers of a Finicity call, as NUL-terminated strings owned by the
//! handle (values wiped when it is freed).

use crate::ffi_util::ffi_void;
use finauth::FinicityHeaders;
use std::ffi::c_char;
use zeroize::Zeroizing;

/// The headers of one authenticated Finicity call (`Finicity-App-Key`, `Finicity-App-Token`, in
/// that order). Returned by finauth_partner_auth_headers(); read it with finauth_headers_count(),
/// finauth_headers_name(), finauth_headers_value() and finauth_headers_token(); release it with
/// finauth_headers_free().
pub struct finauth_headers {
    /// `(name, value)`, each NUL-terminated.
    entries: Vec<(Vec<u8>, Zeroizing<Vec<u8>>)>,
    token: Zeroizing<Vec<u8>>,
}

fn nul_terminated(s: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v
}

impl finauth_headers {
    fn from_pairs(pairs: &[(&str, &str)], token: &str) -> Self {
        finauth_headers {
            entries: pairs
                .iter()
                .map(|(n, v)| (nul_terminated(n), Zeroizing::new(nul_terminated(v))))
                .collect(),
            token: Zeroizing::new(nul_terminated(token)),
        }
    }

    /// Arbitrary headers (the field-level encryption parameters); no token.
    pub(crate) fn owned(pairs: &[(String, String)]) -> Self {
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        Self::from_pairs(&refs, "")
    }

    /// The headers of an OAuth 2.0 request (`Authorization`, and `DPoP` when bound).
    pub(crate) fn oauth2(h: &finauth::OAuth2Headers) -> Self {
        Self::from_pairs(&h.pairs(), h.token().expose())
    }

    /// The headers of one attempt of an exchange.
    pub(crate) fn prepared(h: &finauth::exchange::PreparedHeaders) -> Self {
        Self::from_pairs(&h.pairs(), h.token().expose())
    }

    pub(crate) fn new(h: &FinicityHeaders) -> Self {
        Self::from_pairs(&h.pairs(), h.token().expose())
    }
}

/// Number of headers in `headers` (2 for Finicity); 0 if `headers` is NULL.
///
/// # Safety
/// `headers` must be NULL or a live handle from finauth_partner_auth_headers().
#[no_mangle]
pub unsafe extern "C" fn finauth_headers_count(headers: *const finauth_headers) -> usize {
    // SAFETY: caller's contract.
    unsafe { headers.as_ref() }.map_or(0, |h| h.entries.len())
}

/// Name of header `index` (e.g. `"Finicity-App-Key"`), or NULL if `headers` is NULL or `index`
/// is out of range. Borrowed: valid until finauth_headers_free(headers); do not free it.
///
/// # Safety
/// `headers` must be NULL or a live handle from finauth_partner_auth_headers().
#[no_mangle]
pub unsafe extern "C" fn finauth_headers_name(
    headers: *const finauth_headers,
    index: usize,
) -> *const c_char {
    // SAFETY: caller's contract.
    unsafe { headers.as_ref() }
        .and_then(|h| h.entries.get(index))
        .map_or(std::ptr::null(), |(n, _)| n.as_ptr().cast())
}

/// Value of header `index`, or NULL if `headers` is NULL or `index` is out of range.
/// Borrowed: valid until finauth_headers_free(headers); do not free it. It is a secret (App Key
/// or token): do not log it.
///
/// # Safety
/// `headers` must be NULL or a live handle from finauth_partner_auth_headers().
#[no_mangle]
pub unsafe extern "C" fn finauth_headers_value(
    headers: *const finauth_headers,
    index: usize,
) -> *const c_char {
    // SAFETY: caller's contract.
    unsafe { headers.as_ref() }
        .and_then(|h| h.entries.get(index))
        .map_or(std::ptr::null(), |(_, v)| v.as_ptr().cast())
}

/// The token these headers carry (the `Finicity-App-Token` value), to pass to
/// finauth_partner_auth_invalidate() after a 401; NULL if `headers` is NULL.
/// Borrowed: valid until finauth_headers_free(headers); do not free it.
///
/// # Safety
/// `headers` must be NULL or a live handle from finauth_partner_auth_headers().
#[no_mangle]
pub unsafe extern "C" fn finauth_headers_token(headers: *const finauth_headers) -> *const c_char {
    // SAFETY: caller's contract.
    unsafe { headers.as_ref() }.map_or(std::ptr::null(), |h| h.token.as_ptr().cast())
}

/// Free `headers` (its values are wiped). NULL is ignored. Every string borrowed from it becomes
/// invalid.
///
/// # Safety
/// `headers` must be NULL or a live handle from finauth_partner_auth_headers(), not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_headers_free(headers: *mut finauth_headers) {
    if headers.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(headers) }));
}
