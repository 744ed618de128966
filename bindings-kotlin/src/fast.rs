//! The fresh-token fast path. A uniffi call costs the JVM several µs of JNA structures
//! (bench/README.md, JVM), so the Kotlin `PartnerAuth`/`ClientCredentials` ask
//! [`finauth_jvm_fresh_generation`] (a plain C function with a number in and out, bound by JNA
//! direct mapping) for the core's *generation* of the fresh token and keep the string of that
//! generation; the string crosses uniffi once per generation ([`Fast::token_at`]). The numbers are
//! the core's (a new token, or a new App Key, is a new one): this binding numbers nothing itself.
//!
//! The OkHttp interceptors (and the `dev.finauth.openapi` adapters) send a request with the fresh
//! token without making an `Exchange` first; [`finauth_jvm_exchange_admitted`] asks the core, for
//! one plain call, whether it would make one for that request at all (it refuses, for one,
//! Finicity's partner authentication endpoint), so that rule stays the core's on the fast path too.

use arc_swap::ArcSwap;
use finauth::AccessToken;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

/// A core object that may have a fresh token in memory, numbered by the core (the core's
/// `TokenOwner`, narrowed to what the fast path reads, so tests can fake it).
pub(crate) trait FreshSource: Send + Sync {
    fn fresh_generation(&self) -> Option<u64>;
    fn fresh_with_generation(&self) -> Option<(u64, AccessToken)>;
    /// Whether the core makes an exchange for `method url` (its `exchange()` succeeds).
    fn admits(&self, method: &str, url: &str) -> bool;
}

/// A core object whose requests go through `exchange()` (a refused one is the core's decision).
pub(crate) trait Exchanges {
    fn admits(&self, method: &str, url: &str) -> bool;
}

impl Exchanges for finauth::PartnerAuth {
    fn admits(&self, method: &str, url: &str) -> bool {
        self.exchange(method, url).is_ok()
    }
}

impl Exchanges for finauth::ClientCredentials {
    fn admits(&self, method: &str, url: &str) -> bool {
        self.exchange(method, url).is_ok()
    }
}

impl<T: finauth::TokenOwner + Exchanges> FreshSource for T {
    fn fresh_generation(&self) -> Option<u64> {
        finauth::TokenOwner::fresh_generation(self)
    }
    fn fresh_with_generation(&self) -> Option<(u64, AccessToken)> {
        finauth::TokenOwner::fresh_token_with_generation(self)
    }
    fn admits(&self, method: &str, url: &str) -> bool {
        Exchanges::admits(self, method, url)
    }
}

/// The core's generation as a JVM `long` (≥ 0).
fn jvm_generation(g: u64) -> i64 {
    (g & (i64::MAX as u64)) as i64
}

/// Read on every call by every thread without a lock (the fresh `token()` stays lock-free, as
/// in core): an `ArcSwap` load of the registry, then the core's own lock-free cache.
struct Shared {
    source: Box<dyn FreshSource>,
}

impl Shared {
    /// The generation of the fresh token, or -1 when there is none.
    fn fresh_generation(&self) -> i64 {
        self.source.fresh_generation().map_or(-1, jvm_generation)
    }
}

/// Live objects by id. Ids are never reused, so a closed object's id answers -1 (slow path).
/// Copied on every insert and removal (rare), read without a lock on every call.
static REGISTRY: LazyLock<ArcSwap<HashMap<u64, Arc<Shared>>>> = LazyLock::new(Default::default);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One binding object's entry in the registry; removed on drop (when Kotlin closes the object).
pub(crate) struct Fast {
    id: u64,
    shared: Arc<Shared>,
}

impl Fast {
    pub(crate) fn new(source: impl FreshSource + 'static) -> Self {
        let shared = Arc::new(Shared {
            source: Box::new(source),
        });
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        REGISTRY.rcu(|map| {
            let mut map = HashMap::clone(map);
            map.insert(id, Arc::clone(&shared));
            map
        });
        Fast { id, shared }
    }

    /// The id to pass to [`finauth_jvm_fresh_generation`] (as a JVM `long`).
    pub(crate) fn id(&self) -> i64 {
        i64::try_from(self.id).unwrap_or(-1)
    }

    /// The fresh token if its generation is still `generation`, else `None`.
    pub(crate) fn token_at(&self, generation: i64) -> Option<String> {
        match self.shared.source.fresh_with_generation() {
            Some((g, t)) if jvm_generation(g) == generation => Some(t.expose().to_owned()),
            _ => None,
        }
    }
}

impl Drop for Fast {
    fn drop(&mut self) {
        let id = self.id;
        REGISTRY.rcu(|map| {
            let mut map = HashMap::clone(map);
            map.remove(&id);
            map
        });
    }
}

/// The generation (≥ 0) of the fresh token of the object `id`, or -1 when the caller must take
/// the slow path: no fresh token, an unknown or closed id, or a panic (never unwound into the
/// JVM). No I/O, no waiting.
#[no_mangle]
pub extern "C" fn finauth_jvm_fresh_generation(id: i64) -> i64 {
    catch_unwind(AssertUnwindSafe(|| {
        let Ok(id) = u64::try_from(id) else {
            return -1;
        };
        REGISTRY
            .load()
            .get(&id)
            .map_or(-1, |s| s.fresh_generation())
    }))
    .unwrap_or(-1)
}

/// 1 when the core would make an exchange for `method` `url` (UTF-8 bytes, lengths given) on the
/// object `id`, else 0: refused (the caller then takes the slow path, whose `exchange()` throws
/// the core's error), an unknown or closed id, bad bytes, or a panic (never unwound into the
/// JVM). No I/O, no waiting: the fast path of a request with a fresh token asks it before sending.
/// Byte arrays, not strings: JNA's conversion of two `String`s costs several µs, a `byte[]` a
/// fraction of one.
///
/// # Safety
///
/// `method` and `url` are null or point to at least `method_len` and `url_len` readable bytes for
/// the duration of the call (JNA passes a Java `byte[]` so).
#[no_mangle]
pub unsafe extern "C" fn finauth_jvm_exchange_admitted(
    id: i64,
    method: *const u8,
    method_len: i32,
    url: *const u8,
    url_len: i32,
) -> i32 {
    let (Ok(method_len), Ok(url_len)) = (usize::try_from(method_len), usize::try_from(url_len))
    else {
        return 0;
    };
    if method.is_null() || url.is_null() {
        return 0;
    }
    // SAFETY: both non-null and readable for their lengths during the call (see above).
    let (method, url) = unsafe {
        (
            std::slice::from_raw_parts(method, method_len),
            std::slice::from_raw_parts(url, url_len),
        )
    };
    catch_unwind(AssertUnwindSafe(|| {
        let (Ok(id), Ok(method), Ok(url)) = (
            u64::try_from(id),
            std::str::from_utf8(method),
            std::str::from_utf8(url),
        ) else {
            return 0;
        };
        REGISTRY
            .load()
            .get(&id)
            .map_or(0, |s| i32::from(s.source.admits(method, url)))
    }))
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source whose fresh token (and its generation, as the core numbers it) the test sets.
    struct Fake(Arc<std::sync::Mutex<Option<(u64, AccessToken)>>>);

    impl FreshSource for Fake {
        fn fresh_generation(&self) -> Option<u64> {
            self.fresh_with_generation().map(|(g, _)| g)
        }
        fn fresh_with_generation(&self) -> Option<(u64, AccessToken)> {
            self.0.lock().map(|t| t.clone()).unwrap_or(None)
        }
        fn admits(&self, _method: &str, url: &str) -> bool {
            !url.contains("refused")
        }
    }

    type Slot = Arc<std::sync::Mutex<Option<(u64, AccessToken)>>>;

    fn fake() -> (Fast, Slot) {
        let slot = Arc::new(std::sync::Mutex::new(None));
        (Fast::new(Fake(Arc::clone(&slot))), slot)
    }

    fn set(slot: &std::sync::Mutex<Option<(u64, AccessToken)>>, token: Option<(u64, &str)>) {
        *slot.lock().expect("test mutex") = token.map(|(g, t)| (g, AccessToken::new(t)));
    }

    #[test]
    fn the_core_generation_names_the_token_and_a_closed_object_has_none() {
        let (fast, slot) = fake();
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), -1);
        set(&slot, Some((7, "t1")));
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), 7);
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), 7);
        assert_eq!(fast.token_at(7).as_deref(), Some("t1"));
        set(&slot, Some((9, "t2")));
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), 9);
        assert_eq!(fast.token_at(7), None);
        assert_eq!(fast.token_at(9).as_deref(), Some("t2"));
        set(&slot, None);
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), -1);
        let id = fast.id();
        drop(fast);
        set(&slot, Some((11, "t3")));
        assert_eq!(finauth_jvm_fresh_generation(id), -1);
    }

    #[test]
    fn under_threads_a_generation_always_names_one_token() {
        let (fast, slot) = fake();
        let fast = Arc::new(fast);
        set(&slot, Some((1, "token-first")));
        let seen: Vec<(i64, String)> = std::thread::scope(|scope| {
            let readers: Vec<_> = (0..4)
                .map(|_| {
                    let fast = Arc::clone(&fast);
                    scope.spawn(move || {
                        let mut seen = Vec::new();
                        for _ in 0..20_000 {
                            let g = finauth_jvm_fresh_generation(fast.id());
                            if let Some(t) = fast.token_at(g) {
                                seen.push((g, t));
                            }
                        }
                        seen
                    })
                })
                .collect();
            for i in 0..200u64 {
                set(&slot, Some((i + 2, &format!("token-{i}"))));
                std::thread::yield_now();
            }
            readers
                .into_iter()
                .flat_map(|r| r.join().expect("reader thread"))
                .collect()
        });
        assert!(seen.len() > 1_000, "{} answers", seen.len());
        let mut by_generation = HashMap::new();
        for (g, t) in seen {
            assert_eq!(by_generation.entry(g).or_insert_with(|| t.clone()), &t);
        }
    }

    #[test]
    fn unknown_ids_take_the_slow_path() {
        assert_eq!(finauth_jvm_fresh_generation(0), -1);
        assert_eq!(finauth_jvm_fresh_generation(-5), -1);
        assert_eq!(finauth_jvm_fresh_generation(i64::MAX), -1);
    }

    fn admitted(id: i64, method: &str, url: &str) -> i32 {
        let len = |s: &str| i32::try_from(s.len()).expect("short");
        // SAFETY: two byte slices alive for the call, with their lengths.
        unsafe {
            finauth_jvm_exchange_admitted(id, method.as_ptr(), len(method), url.as_ptr(), len(url))
        }
    }

    #[test]
    fn admission_is_the_sources_and_unknown_ids_or_null_strings_are_refused() {
        let (fast, _slot) = fake();
        assert_eq!(admitted(fast.id(), "GET", "https://x.example/ok"), 1);
        assert_eq!(admitted(fast.id(), "GET", "https://x.example/refused"), 0);
        assert_eq!(admitted(0, "GET", "https://x.example/ok"), 0);
        // SAFETY: null pointers and negative lengths are checked before use.
        assert_eq!(
            unsafe {
                finauth_jvm_exchange_admitted(fast.id(), std::ptr::null(), 3, std::ptr::null(), 3)
            },
            0
        );
        assert_eq!(
            unsafe {
                finauth_jvm_exchange_admitted(fast.id(), b"GET".as_ptr(), -1, b"x".as_ptr(), 1)
            },
            0
        );
        assert_eq!(
            admitted(fast.id(), "GET", "https://x.example/\u{e9}t\u{e9}"),
            1
        );
        let id = fast.id();
        drop(fast);
        assert_eq!(admitted(id, "GET", "https://x.example/ok"), 0);
    }

    #[test]
    fn a_partner_auth_admits_its_resources_but_not_its_authentication_endpoint() {
        let core = finauth::PartnerAuthBuilder::new()
            .partner_id("p")
            .partner_secret("s")
            .app_key("k")
            .build()
            .expect("a valid configuration");
        let fast = Fast::new(core);
        let base = "https://api.finicity.com";
        assert_eq!(
            admitted(
                fast.id(),
                "GET",
                &format!("{base}/aggregation/v1/customers")
            ),
            1
        );
        for (method, path) in [
            ("POST", "/aggregation/v2/partners/authentication"),
            ("PUT", "/aggregation/v2/partners/authentication/"),
        ] {
            assert_eq!(
                admitted(fast.id(), method, &format!("{base}{path}")),
                0,
                "{method} {path}"
            );
        }
        assert_eq!(admitted(fast.id(), "NOT A METHOD", &format!("{base}/x")), 0);
    }
}
