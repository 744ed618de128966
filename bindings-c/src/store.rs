//! `finauth_store`: where tokens and the lockout guard live (memory, a directory shared by every
//! process on the host, or a Redis server shared by every host of a fleet).

use crate::error::finauth_status;
use crate::ffi_util::{ffi_call, ffi_void, opt_str_arg, out_arg, reset_out, str_arg};
use finauth::store::{store_from_spec, FileStore, MemoryStore, RedisStore, Store};
use std::ffi::c_char;
use std::sync::Arc;

/// A token store. Pass it in finauth_partner_auth_config.store; the finauth_partner_auth keeps
/// its own reference, so the store handle may be freed right after construction, and one store
/// may serve several finauth_partner_auth objects. Release it with finauth_store_free().
pub struct finauth_store {
    pub(crate) inner: Arc<dyn Store>,
}

fn boxed(inner: Arc<dyn Store>) -> *mut finauth_store {
    Box::into_raw(Box::new(finauth_store { inner }))
}

/// A store local to this process (the default when config.store is NULL).
/// On success `*out` is a new handle owned by the caller (free it with finauth_store_free()).
///
/// # Safety
/// `out` must be NULL (FINAUTH_ERR_INVALID_ARGUMENT) or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_store_memory_new(out: *mut *mut finauth_store) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(Arc::new(MemoryStore::new()))) };
        Ok(())
    })
}

/// A store in the directory `dir` (created with mode 0700 if missing), shared by every process on
/// the host that uses the same directory: one authentication and one lockout guard for all of
/// them. FINAUTH_ERR_STORE if the directory cannot be created.
/// On success `*out` is a new handle owned by the caller (free it with finauth_store_free()).
///
/// # Safety
/// `dir` must be NULL or a NUL-terminated string; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_store_file_new(
    dir: *const c_char,
    out: *mut *mut finauth_store,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let dir = unsafe { str_arg(dir, "dir") }?;
        let store = FileStore::new(dir)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(Arc::new(store))) };
        Ok(())
    })
}

/// A store on a Redis server, shared by every host that uses the same server and prefix: one
/// authentication and one lockout guard for the whole fleet. `url` is
/// `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS); `prefix` is the key
/// prefix, NULL for the default `"finauth"`. No connection is made here (FINAUTH_ERR_CONFIG for a
/// malformed URL or prefix, FINAUTH_ERR_INVALID_ARGUMENT for a NULL `url`); while Redis cannot be
/// reached, each finauth_partner_auth goes on with process-local state and a one-attempt lockout
/// guard. The URL's password never appears in error messages or logs.
/// On success `*out` is a new handle owned by the caller (free it with finauth_store_free()).
///
/// # Safety
/// `url` and `prefix` must be NULL or NUL-terminated strings; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_store_redis_new(
    url: *const c_char,
    prefix: *const c_char,
    out: *mut *mut finauth_store,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let url = unsafe { str_arg(url, "url") }?;
        // SAFETY: caller's contract.
        let prefix = unsafe { opt_str_arg(prefix, "prefix") }?;
        let mut b = RedisStore::builder(url);
        if let Some(p) = prefix {
            b = b.prefix(p);
        }
        let store = b.build()?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(Arc::new(store))) };
        Ok(())
    })
}

/// A store described like the FINAUTH_STORE variable: `"memory"`, `"file:/path"` or
/// `"redis://host:port/db?prefix=NAME"` / `"rediss://..."` (FINAUTH_ERR_CONFIG for anything else). On success `*out` is a new handle owned by the
/// caller (free it with finauth_store_free()).
///
/// # Safety
/// `spec` must be NULL or a NUL-terminated string; `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn finauth_store_from_spec(
    spec: *const c_char,
    out: *mut *mut finauth_store,
) -> finauth_status {
    // SAFETY: caller's contract.
    unsafe { reset_out(out, std::ptr::null_mut()) };
    ffi_call(|| {
        let out = out_arg(out, "out")?;
        // SAFETY: caller's contract.
        let spec = unsafe { str_arg(spec, "spec") }?;
        let store = store_from_spec(spec)?;
        // SAFETY: checked non-NULL; writable per the caller's contract.
        unsafe { out.write(boxed(store)) };
        Ok(())
    })
}

/// Free a store handle. finauth_partner_auth objects built with it keep working (they hold their
/// own reference). NULL is ignored.
///
/// # Safety
/// `store` must be NULL or a live handle from a finauth_store_* function, not freed yet.
#[no_mangle]
pub unsafe extern "C" fn finauth_store_free(store: *mut finauth_store) {
    if store.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` (caller's contract).
    ffi_void(|| drop(unsafe { Box::from_raw(store) }));
}
