use super::{IdentityKey, IdentityState, Store, StoreOp, StoreReply};
use crate::error::Result;
use futures_util::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Mutex;

/// State for one process. The default store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    states: Mutex<HashMap<IdentityKey, IdentityState>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn apply(&self, key: &IdentityKey, now_ms: u64, op: StoreOp) -> StoreReply {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        states.entry(key.clone()).or_default().apply(now_ms, op)
    }
}

impl Store for MemoryStore {
    fn execute<'a>(
        &'a self,
        key: &'a IdentityKey,
        now_ms: u64,
        op: StoreOp,
    ) -> BoxFuture<'a, Result<StoreReply>> {
        let reply = self.apply(key, now_ms, op);
        Box::pin(async move { Ok(reply) })
    }

    fn is_shared(&self) -> bool {
        false
    }

    fn describe(&self) -> String {
        "memory".into()
    }
}
