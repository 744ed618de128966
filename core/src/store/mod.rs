//! Where an identity's token, lockout guard and refresh lease live.
//!
//! A store executes [`StoreOp`]s atomically per identity: that is the whole contract, so a
//! backend plugs in without touching the engine (`RedisStore` computes each change in Rust and
//! writes it with a compare-and-set script). `MemoryStore` serves one process; `FileStore` every process on a host;
//! `RedisStore` every host that reaches one Redis server.

pub(crate) mod file;
mod memory;
#[cfg(feature = "redis")]
pub(crate) mod redis;
pub(crate) mod state;

pub use file::FileStore;
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreBuilder};
pub use state::{
    AttemptOutcome, Fingerprint, IdentityState, Lease, Locked, Reservation, ReserveOutcome,
    Rotation, StoreOp, StoreReply, TokenRecord,
};

use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use std::fmt::{self, Debug};
use std::sync::Arc;

/// What a token and a lockout count belong to: `(kind, endpoint, client)`, e.g.
/// `("finicity", "https://api.finicity.com", partner_id)`. Sandbox and production never mix.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdentityKey(Arc<str>);

impl IdentityKey {
    pub fn new(kind: &str, endpoint: &str, client: &str) -> Self {
        IdentityKey(format!("{kind}|{}|{client}", endpoint.trim_end_matches('/')).into())
    }

    /// Extend the key (e.g. with an OAuth 2.0 scope set).
    pub fn with(&self, extra: &str) -> Self {
        IdentityKey(format!("{}|{extra}", self.0).into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How an operator repairs an unreadable record of this identity (for store errors): the
    /// guard reset of its kind rewrites it; issuer metadata is only a cache.
    pub(crate) fn repair_hint(&self) -> &'static str {
        match self.0.split('|').next() {
            Some("oauth2") => "`finauth oauth2 guard reset` rewrites it",
            Some("oauth2-metadata") => "deleting it is safe (the issuer's metadata is read again)",
            _ => "`finauth guard reset` rewrites it",
        }
    }

    /// A short, file-name-safe digest of the key.
    pub fn digest(&self) -> String {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.0.as_bytes());
        d.as_ref()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Partner IDs are not secret; the key carries no secret by construction.
        write!(f, "IdentityKey({})", self.0)
    }
}

/// A place that holds identity state and applies [`StoreOp`]s to it atomically.
pub trait Store: Send + Sync + Debug + 'static {
    /// Apply `op` to the state of `key` at wall time `now_ms`, atomically with respect to every
    /// other process sharing this store.
    fn execute<'a>(
        &'a self,
        key: &'a IdentityKey,
        now_ms: u64,
        op: StoreOp,
    ) -> BoxFuture<'a, Result<StoreReply>>;

    /// True if other processes may see this store's state (the engine then uses the refresh lease
    /// and polls for tokens published by others).
    fn is_shared(&self) -> bool;

    /// A short description for logs and `guard status` (no credentials).
    fn describe(&self) -> String;
}

/// A store chosen by a `FINAUTH_STORE`-style string: `memory`, `file:/path`,
/// `redis://[user:password@]host[:port][/db][?prefix=NAME]` or `rediss://...` (TLS).
pub fn store_from_spec(spec: &str) -> Result<Arc<dyn Store>> {
    let spec = spec.trim();
    if spec.is_empty() || spec == "memory" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if let Some(path) = spec.strip_prefix("file:") {
        if path.is_empty() {
            return Err(Error::config("store: `file:` needs a directory path"));
        }
        return Ok(Arc::new(FileStore::new(path)?));
    }
    if spec.starts_with("redis://") || spec.starts_with("rediss://") {
        #[cfg(feature = "redis")]
        return Ok(Arc::new(RedisStore::from_spec(spec)?));
        #[cfg(not(feature = "redis"))]
        return Err(Error::config(
            "store: this build of finauth has no Redis support (cargo feature `redis`)",
        ));
    }
    Err(Error::config(format!(
        "store: unknown store `{}` (expected `memory`, `file:/path` or `redis://...`)",
        spec.split([':', '@', '?', '/']).next().unwrap_or("")
    )))
}

pub(crate) fn unexpected(op: &str) -> Error {
    Error::Store(format!("store answered {op} with an unexpected reply"))
}
