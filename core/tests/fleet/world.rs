//! Everything the processes share in the model: the store's state, the token server, the PRNG,
//! the trace and what the invariants need to remember. One mutex, never held across an await.

use super::clock::SimClock;
use super::rng::Rng;
use finauth::store::IdentityState;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Lines of trace kept (the tail is what a failure prints).
const TRACE_KEEP: usize = 4000;

/// The shape of one run, drawn from its seed.
#[derive(Debug, Clone)]
pub struct Params {
    pub procs: usize,
    pub steps: usize,
    pub max_failed_attempts: u32,
    /// Per store operation: the process dies just before it.
    pub crash_per_mille: u64,
    /// Per authentication request.
    pub server_5xx_per_mille: u64,
    pub server_slow_per_mille: u64,
    /// Wall-clock jumps happen in this run.
    pub wall_jumps: bool,
    /// Processes may be configured with wrong secrets.
    pub wrong_secrets: bool,
    /// The server's own secret may change (someone rotated it elsewhere).
    pub server_rotation: bool,
    /// The account may be locked by someone outside the fleet.
    pub external_lock: bool,
    pub timeout: Duration,
    pub lease_ttl: Duration,
    pub refresh_after: Duration,
    pub lifetime: Duration,
    pub mandatory_margin: Duration,
}

/// The model's secrets: labels only, printed in traces; none looks like a real one.
pub const SECRETS: [&str; 5] = [
    "sim-right-0",
    "sim-right-1",
    "sim-wrong-a",
    "sim-wrong-b",
    "sim-wrong-c",
];

#[derive(Debug, Default)]
pub struct Proc {
    pub incarnation: u32,
    pub alive: bool,
    /// The fingerprint of this incarnation's last granted reservation.
    pub reserved_fp: Option<String>,
    /// What this incarnation's last `Load` saw: the token version and record.
    pub seen_version: u64,
    pub seen_token: Option<String>,
    /// Secrets this incarnation was told were rejected.
    pub told_rejected: BTreeSet<String>,
    /// The fence of the lease this incarnation holds (as far as it knows).
    pub held_fence: Option<u64>,
    /// Tokens this incarnation invalidated: it never adopts them again, by design.
    pub invalidated: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub struct TokenInfo {
    pub issued_ms: u64,
    pub number: u64,
}

#[derive(Debug, Default)]
pub struct Server {
    /// Index into [`SECRETS`] of the secret the server accepts.
    pub secret: usize,
    pub calls: u64,
    pub calls_per_secret: BTreeMap<String, u64>,
    /// Wrong secrets in a row (a success resets it), as the server counts them.
    pub wrong_in_a_row: u32,
    pub wrong_total: u32,
    /// Wrong-secret verdicts the client never read (it had timed out).
    pub lost_wrong_total: u32,
    pub locked: bool,
    /// The server has answered "locked" at least once.
    pub said_locked: bool,
    /// Secrets the server answered "wrong secret" to.
    pub rejected: BTreeSet<String>,
    pub next_token: u64,
    pub tokens: BTreeMap<String, TokenInfo>,
}

#[derive(Debug, Default)]
pub struct Facts {
    /// Bumped whenever the shared token record changes (published or dropped).
    pub version: u64,
    /// Tokens delivered per token version the authenticator saw last, each marked true if its
    /// authenticator's lease had expired under it.
    pub ok_per_base: BTreeMap<u64, Vec<bool>>,
    /// Leases (by fence) that expired while held.
    pub broken_fences: BTreeSet<u64>,
    /// Versions during which a lease expired while held: two refreshers are then by design.
    pub excused_bases: BTreeSet<u64>,
    /// Token version when each lease (by fence) was granted.
    pub lease_version: BTreeMap<u64, u64>,
    /// True time of the last forward wall-clock jump.
    pub forward_jump_ms: Option<u64>,
    pub backward_jumps: u32,
    /// Secrets whose rejection the store has recorded.
    pub recorded_rejected: BTreeSet<String>,
    pub recorded_locked: bool,
    /// Fingerprint (per the store's salt) to secret, learnt from reserve-then-fetch.
    pub fp_secret: BTreeMap<String, String>,
    /// Counts reported at the end of a run.
    pub crashes: u32,
    pub restarts: u32,
    pub leases_expired_held: u32,
    pub resent_unrecorded_rejections: u32,
    pub calls_after_unrecorded_lock: u32,
    pub callers_done: u32,
    pub callers_ok: u32,
    pub slowest_caller_ms: u64,
}

pub struct World {
    pub seed: u64,
    pub rng: Rng,
    pub params: Params,
    pub clock: Arc<SimClock>,
    pub states: BTreeMap<String, IdentityState>,
    pub procs: Vec<Proc>,
    pub server: Server,
    pub facts: Facts,
    pub violations: Vec<String>,
    trace: Vec<String>,
    trace_dropped: usize,
    /// FNV-1a over every trace line: replays compare it.
    pub trace_hash: u64,
}

pub type Shared = Arc<Mutex<World>>;

pub fn lock(w: &Shared) -> MutexGuard<'_, World> {
    w.lock().unwrap_or_else(|e| e.into_inner())
}

impl World {
    pub fn new(seed: u64, rng: Rng, params: Params, clock: Arc<SimClock>) -> Self {
        World {
            seed,
            rng,
            params,
            clock,
            states: BTreeMap::new(),
            procs: Vec::new(),
            server: Server::default(),
            facts: Facts::default(),
            violations: Vec::new(),
            trace: Vec::new(),
            trace_dropped: 0,
            trace_hash: 0xcbf2_9ce4_8422_2325,
        }
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.elapsed_ms()
    }

    pub fn log(&mut self, line: impl AsRef<str>) {
        let line = format!("{:>8} {}", self.now_ms(), line.as_ref());
        for b in line.bytes().chain(std::iter::once(b'\n')) {
            self.trace_hash = (self.trace_hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        if self.trace.len() == TRACE_KEEP {
            self.trace.remove(0);
            self.trace_dropped += 1;
        }
        self.trace.push(line);
    }

    pub fn violate(&mut self, what: impl Into<String>) {
        let what = what.into();
        self.log(format!("VIOLATION {what}"));
        self.violations.push(what);
    }

    pub fn alive(&self, pid: usize, incarnation: u32) -> bool {
        self.procs
            .get(pid)
            .is_some_and(|p| p.alive && p.incarnation == incarnation)
    }

    /// The last `n` trace lines.
    pub fn trace_tail(&self, n: usize) -> String {
        let start = self.trace.len().saturating_sub(n);
        let mut out = String::new();
        if start > 0 || self.trace_dropped > 0 {
            out.push_str(&format!(
                "   ... {} earlier line(s)\n",
                start + self.trace_dropped
            ));
        }
        for l in &self.trace[start..] {
            out.push_str(l);
            out.push('\n');
        }
        out
    }
}
