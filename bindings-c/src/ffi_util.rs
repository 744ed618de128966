//! The boundary: `catch_unwind` around every entry point, NULL and UTF-8 checks of arguments.

use crate::error::{self, finauth_status, Failure};
use std::any::Any;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

pub(crate) type FfiResult<T = ()> = Result<T, Failure>;

/// Run `f` as a C entry point: clear the thread's last error, catch any panic
/// (`FINAUTH_ERR_INTERNAL`), and turn a failure into its status plus the thread's last error.
pub(crate) fn ffi_call(f: impl FnOnce() -> FfiResult) -> finauth_status {
    error::clear();
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => finauth_status::FINAUTH_OK,
        Ok(Err(failure)) => error::set(failure),
        Err(panic) => error::set(Failure::Internal(format!(
            "internal error (a bug in finauth, please report it): {}",
            panic_message(&*panic)
        ))),
    }
}

/// For `void` functions (the frees): swallow a panic rather than unwind into C.
pub(crate) fn ffi_void(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

fn panic_message(p: &(dyn Any + Send)) -> &str {
    p.downcast_ref::<&str>()
        .copied()
        .or_else(|| p.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic")
}

pub(crate) fn invalid(msg: impl Into<String>) -> Failure {
    Failure::InvalidArgument(msg.into())
}

/// A required string argument.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(invalid(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .map_err(|_| invalid(format!("{name} is not valid UTF-8")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(p, name) }.map(Some)
    }
}

/// A handle argument.
///
/// # Safety
/// `p` must be NULL or a live handle returned by finauth.
pub(crate) unsafe fn handle<'a, T>(p: *const T, name: &str) -> FfiResult<&'a T> {
    // SAFETY: non-NULL pointers are live handles per the caller's contract.
    unsafe { p.as_ref() }.ok_or_else(|| invalid(format!("{name} is NULL")))
}

/// A required out-parameter: checked before any work, written only on success.
pub(crate) fn out_arg<T>(p: *mut T, name: &str) -> FfiResult<*mut T> {
    if p.is_null() {
        Err(invalid(format!("{name} is NULL")))
    } else {
        Ok(p)
    }
}

/// Set `*p = v` when `p` is not NULL (to reset an out-parameter on entry).
///
/// # Safety
/// `p` must be NULL or valid for a write of `T`.
pub(crate) unsafe fn reset_out<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: non-NULL and writable per the caller's contract.
        unsafe { p.write(v) };
    }
}

/// A duration in seconds from C: 0 means "the default", anything else must be a finite,
/// positive number of seconds.
pub(crate) fn seconds(v: f64, field: &str) -> FfiResult<Option<std::time::Duration>> {
    if v == 0.0 {
        return Ok(None);
    }
    std::time::Duration::try_from_secs_f64(v)
        .map(Some)
        .map_err(|_| {
            Failure::Core(finauth::Error::Config(format!(
                "{field} must be a positive number of seconds (0 for the default), got {v}"
            )))
        })
}

/// An HTTP status from C (100–999).
pub(crate) fn http_status(status: std::ffi::c_int) -> FfiResult<u16> {
    u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| {
            invalid(format!(
                "status must be an HTTP status (100-999), got {status}"
            ))
        })
}

/// A body from C: `len` bytes at `body`; `body` may be NULL only when `len` is 0.
///
/// # Safety
/// `body` must be NULL or readable for `len` bytes for the returned lifetime.
pub(crate) unsafe fn body_arg<'a>(body: *const u8, len: usize) -> FfiResult<&'a [u8]> {
    if len == 0 {
        Ok(&[])
    } else if body.is_null() {
        Err(invalid("body is NULL but body_len is not 0"))
    } else {
        // SAFETY: non-NULL and readable for `len` bytes per the caller's contract.
        Ok(unsafe { std::slice::from_raw_parts(body, len) })
    }
}

/// The `Name: value` lines of a response header block as C callers pass it (LF or CRLF; a
/// status line or anything without a name before its `:` is skipped), trimmed.
pub(crate) fn header_lines(block: &str) -> impl Iterator<Item = (&str, &str)> {
    block.lines().filter_map(|line| {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        (!name.is_empty() && !name.contains(' ')).then(|| (name, value.trim()))
    })
}

/// The first value of header `name` in a header block, matched case-insensitively.
pub(crate) fn header_value(block: &str, name: &str) -> Option<String> {
    header_lines(block).find_map(|(n, v)| n.eq_ignore_ascii_case(name).then(|| v.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::finauth_last_error_message;

    #[test]
    fn a_panic_becomes_internal_with_a_message() {
        let status = ffi_call(|| panic!("boom"));
        assert_eq!(status, finauth_status::FINAUTH_ERR_INTERNAL);
        let msg = unsafe { CStr::from_ptr(finauth_last_error_message()) };
        assert!(msg.to_str().unwrap().contains("boom"));
        // The next call clears it.
        assert_eq!(ffi_call(|| Ok(())), finauth_status::FINAUTH_OK);
        let msg = unsafe { CStr::from_ptr(finauth_last_error_message()) };
        assert!(msg.is_empty());
    }

    #[test]
    fn null_and_non_utf8_strings_are_invalid_arguments() {
        let bad = [0xffu8, 0xfe, 0];
        assert!(matches!(
            unsafe { str_arg(std::ptr::null(), "x") },
            Err(Failure::InvalidArgument(_))
        ));
        assert!(matches!(
            unsafe { str_arg(bad.as_ptr().cast(), "x") },
            Err(Failure::InvalidArgument(m)) if m.contains("UTF-8")
        ));
        assert_eq!(unsafe { opt_str_arg(std::ptr::null(), "x") }.unwrap(), None);
    }

    #[test]
    fn header_blocks_are_read_by_line_and_name() {
        let block = "HTTP/1.1 200 OK\r\nX-IV:  abc \r\nbad line\nNo Name: x\nx-iv: second\n";
        let lines: Vec<_> = header_lines(block).collect();
        assert_eq!(lines, [("X-IV", "abc"), ("x-iv", "second")]);
        assert_eq!(header_value(block, "x-Iv").as_deref(), Some("abc"));
        assert_eq!(header_value(block, "absent"), None);
        assert_eq!(header_lines("").count(), 0);
    }

    #[test]
    fn seconds_zero_is_default_and_negative_is_config() {
        assert_eq!(seconds(0.0, "t").unwrap(), None);
        assert_eq!(
            seconds(1.5, "t").unwrap(),
            Some(std::time::Duration::from_millis(1500))
        );
        assert!(matches!(
            seconds(-1.0, "t"),
            Err(Failure::Core(finauth::Error::Config(_)))
        ));
        assert!(seconds(f64::NAN, "t").is_err());
    }
}
