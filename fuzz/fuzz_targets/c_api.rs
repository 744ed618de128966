//! The C API (`bindings-c`, linked as an rlib) called as a C program would call it: each input is
//! a small program of calls to exported `extern "C"` functions with arbitrary string and buffer
//! arguments (NUL-terminated, since the API takes C strings, with any bytes and interior NULs
//! before the end; or NULL), buffer lengths (including NULL with a length, which the API must
//! refuse) and out-parameters (NULL or not); whatever a call returns is read and freed.
//! Every call must return a known status and never `FINAUTH_ERR_INTERNAL` (a caught panic).
//!
//! Program: bytes `op` then its arguments; a string or buffer argument is `flags len bytes...`
//! (flags bit 0: NULL, bit 1: NULL buffer with the length kept).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::ffi::{c_char, c_int, CStr};
use std::ptr::{null, null_mut};
use std::sync::OnceLock;

use finauth_c as c;

// The exchange functions are exported by symbol only (the crate does not re-export them).
extern "C" {
    fn finauth_partner_auth_exchange_new(
        auth: *mut std::ffi::c_void,
        method: *const c_char,
        url: *const c_char,
        out: *mut *mut Exchange,
    ) -> c::finauth_status;
    fn finauth_exchange_wants_body(ex: *const Exchange, status: c_int) -> bool;
    fn finauth_exchange_observe(
        ex: *mut Exchange,
        status: c_int,
        headers: *const c_char,
        body: *const u8,
        body_len: usize,
        out_verdict: *mut c_int,
    ) -> c::finauth_status;
    fn finauth_exchange_free(ex: *mut Exchange);
}

/// `finauth_exchange`, opaque here.
#[repr(C)]
struct Exchange {
    _opaque: [u8; 0],
}

struct Fixed {
    cert: *mut c::finauth_encryption_certificate,
    key: *mut c::finauth_decryption_key,
    auth: *mut c::finauth_partner_auth,
}
// SAFETY: the handles are made once, never freed, and the API is thread-safe for them.
unsafe impl Send for Fixed {}
unsafe impl Sync for Fixed {}

fn fixed() -> &'static Fixed {
    static F: OnceLock<Fixed> = OnceLock::new();
    F.get_or_init(|| unsafe {
        let read = |f: &str| std::fs::read(finauth_fuzz::core_tests(f)).expect("a test key");
        let cert_bytes = read("encryption-keys/client-encryption-cert.pem");
        let mut cert = null_mut();
        assert_ok(c::finauth_encryption_certificate_from_bytes(
            cert_bytes.as_ptr(),
            cert_bytes.len(),
            &mut cert,
        ));
        let key_bytes = read("encryption-keys/client-encryption-key.pem");
        let mut key = null_mut();
        assert_ok(c::finauth_decryption_key_from_bytes(
            key_bytes.as_ptr(),
            key_bytes.len(),
            null(),
            null(),
            &mut key,
        ));
        let mut store = null_mut();
        assert_ok(c::finauth_store_memory_new(&mut store));
        let config = c::finauth_partner_auth_config {
            partner_id: c"1234567890123".as_ptr(),
            partner_secret: c"FuzzSecret12345".as_ptr(),
            app_key: c"fuzzappkey".as_ptr(),
            base_url: c"http://127.0.0.1:9".as_ptr(),
            refresh_after: 0.0,
            token_lifetime: 0.0,
            max_failed_attempts: 0,
            store,
            timeout: 0.0,
            allow_insecure_loopback: true,
        };
        let mut auth = null_mut();
        assert_ok(c::finauth_partner_auth_new(&config, &mut auth));
        // The store is borrowed during the call only.
        c::finauth_store_free(store);
        Fixed { cert, key, auth }
    })
}

fn assert_ok(s: c::finauth_status) {
    assert_eq!(s, c::finauth_status::FINAUTH_OK, "setup: {}", last_error());
}

fn last_error() -> String {
    unsafe { CStr::from_ptr(c::finauth_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

/// Every status is a known one, never a caught panic, and the last error reads back.
fn check(s: c::finauth_status) -> bool {
    assert_ne!(
        s,
        c::finauth_status::FINAUTH_ERR_INTERNAL,
        "a panic crossed into the C API: {}",
        last_error()
    );
    unsafe {
        assert!(!c::finauth_status_name(s as c_int).is_null());
        let _ = CStr::from_ptr(c::finauth_last_error_message())
            .to_bytes()
            .len();
        for p in [
            c::finauth_last_error_oauth_error(),
            c::finauth_last_error_oauth_error_description(),
            c::finauth_last_error_correlation_id(),
        ] {
            if !p.is_null() {
                let _ = CStr::from_ptr(p).to_bytes().len();
            }
        }
        let mut info = std::mem::zeroed();
        assert_eq!(
            c::finauth_last_error_info(&mut info),
            c::finauth_status::FINAUTH_OK
        );
    }
    s == c::finauth_status::FINAUTH_OK
}

struct Program<'a>(&'a [u8]);

/// A C string argument: owned bytes with their NUL, or NULL.
struct Arg(Option<Vec<u8>>, bool, usize);

impl Arg {
    fn ptr(&self) -> *const c_char {
        self.0.as_ref().map_or(null(), |v| v.as_ptr().cast())
    }
    fn buf(&self) -> (*const u8, usize) {
        match &self.0 {
            None if self.1 => (null(), self.2),
            None => (null(), 0),
            Some(v) => (v.as_ptr(), v.len() - 1),
        }
    }
}

impl Program<'_> {
    fn byte(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn int(&mut self) -> c_int {
        c_int::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }
    fn arg(&mut self) -> Arg {
        let flags = self.byte();
        let len = usize::from(self.byte()) | usize::from(self.byte()) << 8;
        let len = len.min(self.0.len());
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        if flags & 1 == 1 {
            return Arg(None, flags & 2 == 2, len.max(1));
        }
        let mut v = bytes.to_vec();
        v.push(0);
        Arg(Some(v), false, len)
    }
}

unsafe fn take_string(s: *mut c_char) {
    if !s.is_null() {
        let _ = CStr::from_ptr(s).to_bytes().len();
        c::finauth_string_free(s);
    }
}

unsafe fn read_headers(h: *mut c::finauth_headers) {
    let n = c::finauth_headers_count(h);
    for i in 0..=n + 1 {
        for p in [
            c::finauth_headers_name(h, i),
            c::finauth_headers_value(h, i),
        ] {
            assert_eq!(p.is_null(), i >= n);
            if !p.is_null() {
                let _ = CStr::from_ptr(p).to_bytes().len();
            }
        }
    }
    let t = c::finauth_headers_token(h);
    if !t.is_null() {
        let _ = CStr::from_ptr(t).to_bytes().len();
    }
    c::finauth_headers_free(h);
}

fuzz_target!(|data: &[u8]| {
    let f = fixed();
    let mut p = Program(data);
    let mut steps = 0;
    while !p.0.is_empty() && steps < 8 {
        steps += 1;
        let op = p.byte();
        let null_out = op & 0x80 != 0;
        unsafe { run(f, op & 0x7f, null_out, &mut p) };
    }
});

unsafe fn run(f: &Fixed, op: u8, null_out: bool, p: &mut Program<'_>) {
    match op % 12 {
        0 => {
            let (pem, pw) = (p.arg(), p.arg());
            let mut key = null_mut();
            if check(c::finauth_signing_key_from_pem(
                pem.ptr(),
                pw.ptr(),
                if null_out { null_mut() } else { &mut key },
            )) {
                use_signing_key(key, p);
            }
        }
        1 => {
            let (data, pw, alias) = (p.arg(), p.arg(), p.arg());
            let (ptr, len) = data.buf();
            let mut key = null_mut();
            if check(c::finauth_signing_key_from_pkcs12(
                ptr,
                len,
                pw.ptr(),
                alias.ptr(),
                if null_out { null_mut() } else { &mut key },
            )) {
                use_signing_key(key, p);
            }
        }
        2 => {
            let data = p.arg();
            let (ptr, len) = data.buf();
            let mut cert = null_mut();
            if check(c::finauth_encryption_certificate_from_bytes(
                ptr,
                len,
                if null_out { null_mut() } else { &mut cert },
            )) {
                let mut fp = null_mut();
                check(c::finauth_encryption_certificate_key_fingerprint(
                    cert, &mut fp,
                ));
                take_string(fp);
                c::finauth_encryption_certificate_free(cert);
            }
        }
        3 => {
            let (data, pw, alias) = (p.arg(), p.arg(), p.arg());
            let (ptr, len) = data.buf();
            let mut key = null_mut();
            if check(c::finauth_decryption_key_from_bytes(
                ptr,
                len,
                pw.ptr(),
                alias.ptr(),
                if null_out { null_mut() } else { &mut key },
            )) {
                c::finauth_decryption_key_free(key);
            }
        }
        4 | 5 => {
            let (scheme, options, which) = (p.arg(), p.arg(), p.byte());
            let cert = if which & 1 == 1 {
                f.cert.cast_const()
            } else {
                null()
            };
            let key = if which & 2 == 2 {
                f.key.cast_const()
            } else {
                null()
            };
            let mut pe = null_mut();
            if !check(c::finauth_payload_encryption_new(
                scheme.ptr(),
                options.ptr(),
                cert,
                key,
                &mut pe,
            )) {
                return;
            }
            let (body, headers) = (p.arg(), p.arg());
            let (ptr, len) = body.buf();
            let mut out = null_mut();
            if op % 12 == 4 {
                let mut h = null_mut();
                check(c::finauth_payload_encryption_encrypt(
                    pe,
                    ptr,
                    len,
                    &mut out,
                    if null_out { null_mut() } else { &mut h },
                ));
                if !h.is_null() {
                    read_headers(h);
                }
            } else {
                check(c::finauth_payload_encryption_decrypt(
                    pe,
                    ptr,
                    len,
                    headers.ptr(),
                    if null_out { null_mut() } else { &mut out },
                ));
            }
            take_string(out);
            c::finauth_payload_encryption_free(pe);
        }
        6 => {
            let (status, ct, body) = (p.int(), p.arg(), p.arg());
            let (ptr, len) = body.buf();
            let mut verdict = c::finauth_resource_verdict::FINAUTH_RESOURCE_PASS;
            check(c::finauth_partner_auth_observe_response(
                f.auth,
                status,
                ct.ptr(),
                ptr,
                len,
                if null_out { null_mut() } else { &mut verdict },
            ));
        }
        7 => {
            let (method, url) = (p.arg(), p.arg());
            let mut ex = null_mut();
            if !check(finauth_partner_auth_exchange_new(
                f.auth.cast(),
                method.ptr(),
                url.ptr(),
                &mut ex,
            )) {
                return;
            }
            let status = p.int();
            let _ = finauth_exchange_wants_body(ex, status);
            let (headers, body) = (p.arg(), p.arg());
            let (ptr, len) = body.buf();
            let mut verdict: c_int = 0;
            check(finauth_exchange_observe(
                ex,
                status,
                headers.ptr(),
                ptr,
                len,
                if null_out { null_mut() } else { &mut verdict },
            ));
            finauth_exchange_free(ex);
        }
        8 => {
            let spec = p.arg();
            // `file:` creates directories wherever the spec points: not in a fuzz run.
            if spec
                .0
                .as_ref()
                .is_some_and(|s| String::from_utf8_lossy(s).trim_start().starts_with("file"))
            {
                return;
            }
            let mut store = null_mut();
            if check(c::finauth_store_from_spec(
                spec.ptr(),
                if null_out { null_mut() } else { &mut store },
            )) {
                c::finauth_store_free(store);
            }
        }
        9 => {
            let (url, prefix) = (p.arg(), p.arg());
            let mut store = null_mut();
            if check(c::finauth_store_redis_new(
                url.ptr(),
                prefix.ptr(),
                &mut store,
            )) {
                c::finauth_store_free(store);
            }
        }
        10 => {
            let (token, secret) = (p.arg(), p.arg());
            let mut dropped = false;
            check(c::finauth_partner_auth_invalidate(
                f.auth,
                token.ptr(),
                if null_out { null_mut() } else { &mut dropped },
            ));
            // Refused before any request: not a valid Finicity secret, or NULL.
            let s = secret
                .0
                .as_deref()
                .map(|s| String::from_utf8_lossy(&s[..s.len() - 1]).into_owned());
            if s.as_deref().is_none_or(|s| {
                s.len() < 12
                    || s.len() > 255
                    || !s
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!@#$%&*_-+".contains(&b))
            }) {
                check(c::finauth_partner_auth_modify_secret(
                    f.auth,
                    secret.ptr(),
                    false,
                ));
            }
            let _ = c::finauth_status_name(p.int());
        }
        _ => {
            check(c::finauth_partner_auth_set_app_key(f.auth, p.arg().ptr()));
            let mut g = std::mem::zeroed();
            check(c::finauth_partner_auth_guard_status(
                f.auth,
                if null_out { null_mut() } else { &mut g },
            ));
            let mut s = std::mem::zeroed();
            check(c::finauth_partner_auth_stats(f.auth, &mut s));
            check(c::finauth_partner_auth_set_app_key(
                f.auth,
                c"fuzzappkey".as_ptr(),
            ));
        }
    }
}

unsafe fn use_signing_key(key: *mut c::finauth_signing_key, p: &mut Program<'_>) {
    let _ = c::finauth_signing_key_bits(key);
    let mut jwk = null_mut();
    check(c::finauth_signing_key_public_jwk(key, &mut jwk));
    take_string(jwk);
    let (ck, method, uri, body, nonce) = (p.arg(), p.arg(), p.arg(), p.arg(), p.arg());
    let mut signer = null_mut();
    if check(c::finauth_oauth1_signer_new(
        ck.ptr(),
        key,
        p.int(),
        &mut signer,
    )) {
        let (ptr, len) = body.buf();
        let mut header = null_mut();
        check(c::finauth_oauth1_authorization_header_with(
            signer,
            method.ptr(),
            uri.ptr(),
            ptr,
            len,
            nonce.ptr(),
            1_764_100_000,
            &mut header,
        ));
        take_string(header);
        c::finauth_oauth1_signer_free(signer);
    }
    c::finauth_signing_key_free(key);
}
