//! Per-thread copies of the current token. Handing every thread a clone of one shared `Arc` makes
//! the threads fight over its reference count (a cache line bouncing between cores on every call);
//! a copy per thread and token keeps the fresh path's writes thread-local.

use crate::secret::AccessToken;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Copies kept per thread; older ones are dropped (and zeroized) first.
const KEEP: usize = 4;

static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static COPIES: RefCell<Vec<(u64, AccessToken)>> = const { RefCell::new(Vec::new()) };
}

/// A process-wide unique id for one cached token.
pub(crate) fn new_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// This thread's copy of `token`, made on first use.
#[inline]
pub(crate) fn local_copy(generation: u64, token: &AccessToken) -> AccessToken {
    COPIES
        .try_with(|copies| {
            let Ok(mut copies) = copies.try_borrow_mut() else {
                return token.clone();
            };
            if let Some((_, t)) = copies.iter().find(|(g, _)| *g == generation) {
                return t.clone();
            }
            if copies.len() >= KEEP {
                copies.remove(0);
            }
            let copy = AccessToken::new(token.expose());
            copies.push((generation, copy.clone()));
            copy
        })
        // During thread teardown: fall back to the shared token.
        .unwrap_or_else(|_| token.clone())
}

/// Drop this thread's copy of a token that is no longer current.
pub(crate) fn forget(generation: u64) {
    let _ = COPIES.try_with(|copies| {
        if let Ok(mut copies) = copies.try_borrow_mut() {
            copies.retain(|(g, _)| *g != generation);
        }
    });
}
