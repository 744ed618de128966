use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Counters of one `PartnerAuth` (or OAuth 2.0 client), for dashboards and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Authentication requests sent to the server.
    pub auth_requests: u64,
    pub auth_successes: u64,
    /// Answers that rejected the credential.
    pub credential_failures: u64,
    pub refreshes_advisory: u64,
    pub refreshes_mandatory: u64,
    /// `token()` calls answered from the cache.
    pub cache_hits: u64,
    pub invalidations: u64,
    /// Authentications the lockout guard refused to send.
    pub guard_refusals: u64,
    /// Tokens taken from the shared store (fetched by another process).
    pub tokens_adopted: u64,
    /// Store operations that failed and fell back to process-local state.
    pub store_errors: u64,
}

const SHARDS: usize = 16;

#[repr(align(128))]
#[derive(Default)]
struct Padded(AtomicU64);

/// A counter that threads increment without sharing a cache line (the hot path counts hits).
#[derive(Default)]
pub(crate) struct ShardedCounter([Padded; SHARDS]);

static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static SHARD: Cell<usize> = Cell::new(NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS);
}

impl ShardedCounter {
    #[inline]
    pub(crate) fn incr(&self) {
        let i = SHARD.with(|s| s.get());
        self.0[i].0.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.iter().map(|p| p.0.load(Ordering::Relaxed)).sum()
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    pub auth_requests: AtomicU64,
    pub auth_successes: AtomicU64,
    pub credential_failures: AtomicU64,
    pub refreshes_advisory: AtomicU64,
    pub refreshes_mandatory: AtomicU64,
    pub cache_hits: ShardedCounter,
    pub invalidations: AtomicU64,
    pub guard_refusals: AtomicU64,
    pub tokens_adopted: AtomicU64,
    pub store_errors: AtomicU64,
}

pub(crate) fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

impl Counters {
    pub(crate) fn snapshot(&self) -> Stats {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            auth_requests: g(&self.auth_requests),
            auth_successes: g(&self.auth_successes),
            credential_failures: g(&self.credential_failures),
            refreshes_advisory: g(&self.refreshes_advisory),
            refreshes_mandatory: g(&self.refreshes_mandatory),
            cache_hits: self.cache_hits.get(),
            invalidations: g(&self.invalidations),
            guard_refusals: g(&self.guard_refusals),
            tokens_adopted: g(&self.tokens_adopted),
            store_errors: g(&self.store_errors),
        }
    }
}
