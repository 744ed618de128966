//! The fresh-token fast path. A uniffi call costs the JVM several µs of JNA structures
//! (bench/README.md, JVM), so the Kotlin `PartnerAuth`/`ClientCredentials` ask
//! [`finauth_jvm_fresh_generation`] (a plain C function with a number in and out, bound by JNA
//! direct mapping) for the *generation* of the fresh token and keep the string of the current
//! generation; the string crosses uniffi once per token ([`Fast::token_at`]).

use arc_swap::{ArcSwap, ArcSwapOption};
use finauth::AccessToken;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};

/// A core object that may have a fresh token in memory.
pub(crate) trait FreshSource: Send + Sync {
    fn fresh(&self) -> Option<AccessToken>;
}

impl FreshSource for finauth::PartnerAuth {
    fn fresh(&self) -> Option<AccessToken> {
        self.fresh_token()
    }
}

impl FreshSource for finauth::ClientCredentials {
    fn fresh(&self) -> Option<AccessToken> {
        self.fresh_token()
    }
}

/// The last token handed out and its number.
struct Last {
    token: AccessToken,
    generation: i64,
}

/// Read on every call by every thread without a lock (the fresh `token()` stays lock-free, as
/// in core): `ArcSwap` loads.
struct Shared {
    source: Box<dyn FreshSource>,
    last: ArcSwapOption<Last>,
}

impl Shared {
    /// The generation of the fresh token, or -1 when there is none.
    fn fresh_generation(&self) -> i64 {
        let Some(token) = self.source.fresh() else {
            return -1;
        };
        // A new token is numbered once, whichever thread gets here first.
        let mut current = self.last.load();
        loop {
            if let Some(l) = current.as_ref() {
                if same(&l.token, &token) {
                    return l.generation;
                }
            }
            let next = Arc::new(Last {
                token: token.clone(),
                generation: current.as_ref().map_or(1, |l| l.generation + 1),
            });
            let previous = self
                .last
                .compare_and_swap(&current, Some(Arc::clone(&next)));
            let swapped = match (previous.as_ref(), current.as_ref()) {
                (Some(p), Some(c)) => Arc::ptr_eq(p, c),
                (None, None) => true,
                _ => false,
            };
            if swapped {
                return next.generation;
            }
            current = previous;
        }
    }
}

/// Same token: the same copy, or another thread's copy (the core hands each thread its own). Not
/// a secret comparison: both values are ours.
fn same(last: &AccessToken, token: &AccessToken) -> bool {
    std::ptr::eq(last.expose().as_ptr(), token.expose().as_ptr()) || last.expose() == token.expose()
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
            last: ArcSwapOption::empty(),
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

    /// The token of `generation` if it is still the last one handed out, else `None`.
    pub(crate) fn token_at(&self, generation: i64) -> Option<String> {
        match self.shared.last.load().as_ref() {
            Some(l) if l.generation == generation => Some(l.token.expose().to_owned()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A source whose fresh token the test sets.
    struct Fake(Arc<std::sync::Mutex<Option<AccessToken>>>);

    impl FreshSource for Fake {
        fn fresh(&self) -> Option<AccessToken> {
            self.0.lock().map(|t| t.clone()).unwrap_or(None)
        }
    }

    fn fake() -> (Fast, Arc<std::sync::Mutex<Option<AccessToken>>>) {
        let slot = Arc::new(std::sync::Mutex::new(None));
        (Fast::new(Fake(Arc::clone(&slot))), slot)
    }

    fn set(slot: &std::sync::Mutex<Option<AccessToken>>, token: Option<&str>) {
        *slot.lock().expect("test mutex") = token.map(AccessToken::new);
    }

    #[test]
    fn each_new_token_gets_the_next_generation_and_a_closed_object_none() {
        let (fast, slot) = fake();
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), -1);
        set(&slot, Some("t1"));
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), 1);
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), 1);
        assert_eq!(fast.token_at(1).as_deref(), Some("t1"));
        set(&slot, Some("t2"));
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), 2);
        assert_eq!(fast.token_at(1), None);
        assert_eq!(fast.token_at(2).as_deref(), Some("t2"));
        set(&slot, None);
        assert_eq!(finauth_jvm_fresh_generation(fast.id()), -1);
        let id = fast.id();
        drop(fast);
        set(&slot, Some("t3"));
        assert_eq!(finauth_jvm_fresh_generation(id), -1);
    }

    #[test]
    fn under_threads_a_generation_always_names_one_token() {
        let (fast, slot) = fake();
        let fast = Arc::new(fast);
        set(&slot, Some("token-first"));
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
            for i in 0..200 {
                set(&slot, Some(&format!("token-{i}")));
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
}
