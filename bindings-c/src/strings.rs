//! Strings handed to C: allocated here, freed only by `finauth_string_free` (wiped first, since
//! they usually hold a token).

use crate::error::Failure;
use crate::ffi_util::ffi_void;
use std::ffi::{c_char, CString};
use zeroize::Zeroize;

/// A Rust-allocated, NUL-terminated copy of `s` for a `char **` out-parameter.
pub(crate) fn to_c_string(s: &str) -> Result<*mut c_char, Failure> {
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|_| Failure::Internal("a returned string contains a NUL byte".into()))
}

/// Free a string returned by finauth (through a `char **` out-parameter). Its bytes are
/// overwritten with zeros first (it may hold a token). NULL is ignored.
///
/// Use this, and only this, for such strings: never free() them, never free them twice.
///
/// # Safety
/// `s` must be NULL or a string returned by finauth and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    ffi_void(|| {
        // SAFETY: `s` came from `CString::into_raw` in `to_c_string` (caller's contract).
        let owned = unsafe { CString::from_raw(s) };
        owned.into_bytes_with_nul().zeroize();
    });
}

/// The version of libfinauth, e.g. `"0.1.0"`. Static: never free it.
#[no_mangle]
pub extern "C" fn finauth_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn strings_round_trip_and_null_free_is_a_no_op() {
        let p = to_c_string("tok").unwrap();
        assert_eq!(unsafe { CStr::from_ptr(p) }.to_str().unwrap(), "tok");
        unsafe { finauth_string_free(p) };
        unsafe { finauth_string_free(std::ptr::null_mut()) };
        let v = unsafe { CStr::from_ptr(finauth_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
