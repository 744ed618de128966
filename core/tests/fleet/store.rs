//! The shared store as each process sees it: the real rules (`IdentityState::apply`, the function
//! every backend runs) on state in the [`World`], behind a per-process handle that adds a seeded
//! latency between operations, records each one, and can kill its process just before one.

use super::world::{lock, Shared, World};
use finauth::store::{
    AttemptOutcome, IdentityKey, IdentityState, ReserveOutcome, Store, StoreOp, StoreReply,
};
use futures_util::future::BoxFuture;
use std::time::Duration;

/// One incarnation of one process's handle on the shared store.
pub struct ProcStore {
    pub world: Shared,
    pub pid: usize,
    pub incarnation: u32,
}

impl std::fmt::Debug for ProcStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProcStore(p{}.{})", self.pid, self.incarnation)
    }
}

enum Step {
    Dead,
    Go(u64),
}

impl Store for ProcStore {
    fn execute<'a>(
        &'a self,
        key: &'a IdentityKey,
        now_ms: u64,
        op: StoreOp,
    ) -> BoxFuture<'a, finauth::Result<StoreReply>> {
        Box::pin(async move {
            let step = {
                let mut w = lock(&self.world);
                if w.alive(self.pid, self.incarnation) {
                    Step::Go(w.rng.below(3))
                } else {
                    Step::Dead
                }
            };
            let Step::Go(latency) = step else {
                // A dead process does nothing more, ever.
                return std::future::pending().await;
            };
            // Even a zero latency yields, so other processes may act between any two operations.
            if latency == 0 {
                tokio::task::yield_now().await;
            } else {
                tokio::time::sleep(Duration::from_millis(latency)).await;
            }
            let reply = {
                let mut w = lock(&self.world);
                let rate = w.params.crash_per_mille;
                if !w.alive(self.pid, self.incarnation) {
                    None
                } else if w.rng.per_mille(rate) {
                    let what = short_op(&op);
                    w.kill(self.pid, &format!("crashed before {what}"));
                    None
                } else {
                    Some(w.apply(self.pid, key, now_ms, op))
                }
            };
            match reply {
                Some(r) => Ok(r),
                None => std::future::pending().await,
            }
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        "fleet-model".into()
    }
}

impl World {
    /// Mark a process dead: from now on its store operations and server replies never complete,
    /// which is what the rest of the fleet sees of a killed process.
    pub fn kill(&mut self, pid: usize, why: &str) {
        let inc = self.procs[pid].incarnation;
        if !self.procs[pid].alive {
            return;
        }
        self.procs[pid].alive = false;
        self.facts.crashes += 1;
        self.log(format!("p{pid}.{inc} DIES ({why})"));
    }

    /// Apply one operation atomically and keep what the invariants need.
    pub fn apply(&mut self, pid: usize, key: &IdentityKey, now_ms: u64, op: StoreOp) -> StoreReply {
        let state = self.states.entry(key.as_str().to_owned()).or_default();
        let expired_fence = state
            .lease
            .as_ref()
            .filter(|l| l.expires_at_ms <= now_ms)
            .map(|l| l.fence);
        let desc = short_op(&op);
        let reply = state.apply(now_ms, op.clone());
        let summary = short_reply(&reply, state);
        let inc = self.procs[pid].incarnation;

        if let Some(fence) = expired_fence {
            // The holder crashed or overran: a second refresher is now allowed by design.
            self.facts.leases_expired_held += 1;
            let from = self
                .facts
                .lease_version
                .get(&fence)
                .copied()
                .unwrap_or(self.facts.version);
            self.facts.excused_bases.extend(from..=self.facts.version);
            self.facts.broken_fences.insert(fence);
            self.log(format!("lease f{fence} expired while held"));
        }
        match (&op, &reply) {
            (StoreOp::Load, StoreReply::Snapshot(s)) => {
                let p = &mut self.procs[pid];
                p.seen_version = self.facts.version;
                p.seen_token = s.token.as_ref().map(|r| r.token.expose().to_owned());
            }
            (StoreOp::AcquireLease { .. }, StoreReply::Lease(Some(fence))) => {
                self.facts.lease_version.insert(*fence, self.facts.version);
                self.procs[pid].held_fence = Some(*fence);
            }
            (StoreOp::ReleaseLease { .. }, _) => self.procs[pid].held_fence = None,
            (StoreOp::PublishToken { .. }, StoreReply::Published(true))
            | (StoreOp::DropToken { .. }, StoreReply::Dropped(true)) => {
                self.facts.version += 1;
            }
            (
                StoreOp::Reserve { fingerprint, .. },
                StoreReply::Reserve(ReserveOutcome::Granted { .. }),
            ) => {
                self.procs[pid].reserved_fp = Some(fingerprint.clone());
            }
            (
                StoreOp::Settle {
                    fingerprint,
                    outcome,
                    ..
                },
                _,
            ) => match outcome {
                AttemptOutcome::CredentialFailure => {
                    if let Some(s) = self.facts.fp_secret.get(fingerprint).cloned() {
                        self.facts.recorded_rejected.insert(s);
                    }
                }
                AttemptOutcome::Locked { .. } => self.facts.recorded_locked = true,
                _ => {}
            },
            (StoreOp::MarkLocked { .. }, _) => self.facts.recorded_locked = true,
            _ => {}
        }
        self.log(format!("p{pid}.{inc} {desc} -> {summary}"));
        reply
    }
}

pub fn short_op(op: &StoreOp) -> String {
    match op {
        StoreOp::Load => "load".into(),
        StoreOp::AcquireLease { .. } => "lease".into(),
        StoreOp::ReleaseLease { fence } => format!("release f{fence}"),
        StoreOp::PublishToken { record, fence } => {
            format!("publish {} f{fence}", token_number(record.token.expose()))
        }
        StoreOp::DropToken { token } => format!("drop {}", token_number(token.expose())),
        // Fingerprints are keyed by a random salt: printing them would make replays differ.
        StoreOp::Reserve { .. } => "reserve".into(),
        StoreOp::Settle {
            reservation,
            outcome,
            ..
        } => format!("settle r{reservation} {outcome:?}"),
        StoreOp::ResetGuard => "reset".into(),
        StoreOp::MarkLocked { code } => format!("mark-locked {code}"),
        StoreOp::RecordRotation { .. } => "rotation".into(),
    }
}

/// Token labels without the server's table: the model's tokens end in their number.
fn token_number(token: &str) -> String {
    match token.rsplit('-').next() {
        Some(n) if n.chars().all(|c| c.is_ascii_digit()) => format!("t{n}"),
        _ => "t?".into(),
    }
}

fn short_reply(reply: &StoreReply, state: &IdentityState) -> String {
    let guard = format!(
        "[fails {} res {} rej {}{}{}]",
        state.failed_attempts,
        state.reservations.len(),
        state.rejected.len(),
        if state.locked.is_some() {
            " LOCKED"
        } else {
            ""
        },
        match &state.lease {
            Some(l) => format!(" lease f{}", l.fence),
            None => String::new(),
        }
    );
    let r = match reply {
        StoreReply::Snapshot(s) => match &s.token {
            Some(t) => format!("token {}", token_number(t.token.expose())),
            None => "no token".into(),
        },
        StoreReply::Lease(Some(f)) => format!("granted f{f}"),
        StoreReply::Lease(None) => "busy".into(),
        StoreReply::Published(ok) => format!("published {ok}"),
        StoreReply::Dropped(ok) => format!("dropped {ok}"),
        StoreReply::Reserve(r) => match r {
            ReserveOutcome::Granted { reservation } => format!("granted r{reservation}"),
            ReserveOutcome::Locked { .. } => "locked".into(),
            ReserveOutcome::SecretRejected { .. } => "secret rejected".into(),
            ReserveOutcome::SecretRetired { .. } => "secret retired".into(),
            ReserveOutcome::Exhausted { .. } => "exhausted".into(),
        },
        StoreReply::Done => "done".into(),
    };
    format!("{r} {guard}")
}
