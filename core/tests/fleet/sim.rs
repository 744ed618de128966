//! The scheduler: draws a run's shape from its seed, then for a few hundred steps lets the PRNG
//! pick what happens next (callers, time passing, crashes and restarts, secret rotations, wall
//! clock jumps, an outside lock), all on one paused current-thread runtime.

use super::clock::SimClock;
use super::rng::Rng;
use super::server::SimSource;
use super::store::ProcStore;
use super::world::{lock, Params, Proc, Shared, World, SECRETS};
use finauth::lifecycle::{Engine, EngineConfig};
use finauth::store::IdentityKey;
use finauth::Secret;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The engine's extra wait beyond `timeout` for a flight's verdict (engine.rs, `WAIT_GRACE`).
pub const WAIT_GRACE: Duration = Duration::from_secs(2);

/// What one seed's run left behind.
pub struct Outcome {
    pub seed: u64,
    pub violations: Vec<String>,
    pub trace_hash: u64,
    pub trace_tail: String,
    pub summary: String,
    pub server_calls: u64,
    pub callers: u64,
    /// Adversity this run produced, summed over a CI run to show it was explored.
    pub crashes: u64,
    pub leases_expired_held: u64,
    pub lost_wrong_verdicts: u64,
    pub wrong_verdicts: u64,
    pub slowest_caller_ms: u64,
}

type SimEngine = Arc<Engine<SimSource>>;

struct Sim {
    world: Shared,
    clock: Arc<SimClock>,
    identity: IdentityKey,
    engines: Vec<SimEngine>,
    next_caller: u64,
    /// Callers that have not answered yet: (id, pid, incarnation).
    open: Arc<Mutex<Vec<(u64, usize, u32)>>>,
}

/// The longest a `token()` call may take: one wait for a flight, and a second one when the first
/// flight handed back a token invalidated meanwhile (engine.rs, `wait_for_token`).
pub fn caller_bound(p: &Params) -> Duration {
    (p.timeout + WAIT_GRACE) * 2
}

pub fn params(seed: u64, rng: &mut Rng, steps: usize) -> Params {
    let pick = |rng: &mut Rng, xs: &[u64]| xs[rng.below(xs.len() as u64) as usize];
    let _ = seed;
    Params {
        procs: rng.range(2, 5) as usize,
        steps,
        max_failed_attempts: rng.range(1, 4) as u32,
        crash_per_mille: pick(rng, &[0, 0, 3, 15]),
        server_5xx_per_mille: pick(rng, &[0, 50, 200]),
        server_slow_per_mille: pick(rng, &[0, 30, 150]),
        wall_jumps: rng.per_mille(333),
        wrong_secrets: rng.per_mille(500),
        server_rotation: rng.per_mille(250),
        external_lock: rng.per_mille(125),
        timeout: Duration::from_secs(10),
        lease_ttl: Duration::from_secs(15),
        refresh_after: Duration::from_secs(60),
        lifetime: Duration::from_secs(100),
        mandatory_margin: Duration::from_secs(20),
    }
}

/// Run one seed to the end (or to its first violation).
pub fn run(seed: u64, steps: usize) -> Outcome {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async move {
        let mut rng = Rng::new(seed);
        let params = params(seed, &mut rng, steps);
        let clock = Arc::new(SimClock::new());
        let world = Arc::new(Mutex::new(World::new(
            seed,
            rng,
            params.clone(),
            clock.clone(),
        )));
        let mut sim = Sim {
            world,
            clock,
            identity: IdentityKey::new("finicity", "https://fleet-model.invalid", "partner-1"),
            engines: Vec::new(),
            next_caller: 0,
            open: Arc::new(Mutex::new(Vec::new())),
        };
        sim.world_mut().log(format!("params {params:?}"));
        for pid in 0..params.procs {
            let secret = sim.pick_secret();
            sim.world_mut().procs.push(Proc::default());
            let engine = sim.start(pid, 0, secret);
            sim.engines.push(engine);
        }
        for _ in 0..params.steps {
            sim.step().await;
            if !sim.world_mut().violations.is_empty() {
                break;
            }
        }
        sim.drain().await;
        sim.outcome()
    })
}

impl Sim {
    fn world_mut(&self) -> std::sync::MutexGuard<'_, World> {
        lock(&self.world)
    }

    fn engine_config(p: &Params) -> EngineConfig {
        EngineConfig {
            max_failed_attempts: p.max_failed_attempts,
            timeout: p.timeout,
            mandatory_margin: p.mandatory_margin,
            // Zero: the engine's backoff jitter comes from the OS, which a replay cannot repeat;
            // retrying at once is also the harshest case for the guard (docs/FLEET-MODEL.md).
            backoff_base: Duration::ZERO,
            backoff_max: Duration::ZERO,
            lease_ttl: p.lease_ttl,
            poll_interval: Duration::from_millis(50),
            degrade_on_store_error: true,
        }
    }

    /// A (re)started process: fresh engine, fresh memory, the same shared store.
    fn start(&self, pid: usize, incarnation: u32, secret: usize) -> SimEngine {
        let params = {
            let mut w = self.world_mut();
            w.procs[pid] = Proc {
                incarnation,
                alive: true,
                ..Proc::default()
            };
            let label = super::server::secret_label(SECRETS[secret]).to_owned();
            w.log(format!("p{pid}.{incarnation} starts with {label}"));
            w.params.clone()
        };
        let source = SimSource {
            identity: self.identity.clone(),
            secret: Mutex::new(Secret::new(SECRETS[secret])),
            world: self.world.clone(),
            pid,
            incarnation,
            timeout: params.timeout,
            refresh_after: params.refresh_after,
            lifetime: params.lifetime,
        };
        let store = Arc::new(ProcStore {
            world: self.world.clone(),
            pid,
            incarnation,
        });
        Arc::new(Engine::new(
            source,
            store,
            Self::engine_config(&params),
            self.clock.clone(),
        ))
    }

    /// The secret a (re)started process is configured with: usually the server's current one.
    fn pick_secret(&self) -> usize {
        let mut w = self.world_mut();
        let p = w.params.clone();
        let current = w.server.secret;
        if p.wrong_secrets && w.rng.per_mille(250) {
            return 2 + w.rng.below(3) as usize;
        }
        if p.server_rotation && w.rng.per_mille(200) {
            // An operator who has not caught up with a rotation yet.
            return 1 - current;
        }
        current
    }

    async fn step(&mut self) {
        let (roll, procs, p) = {
            let mut w = self.world_mut();
            (w.rng.below(1000), w.procs.len(), w.params.clone())
        };
        let pid = self.world_mut().rng.below(procs as u64) as usize;
        match roll {
            0..=399 => {
                let n = self.world_mut().rng.range(1, 3);
                for _ in 0..n {
                    self.spawn_caller(pid);
                }
            }
            400..=849 => {
                let ms = {
                    let mut w = self.world_mut();
                    match w.rng.below(10) {
                        0..=6 => w.rng.below(3_000),
                        7..=8 => w.rng.range(5_000, 40_000),
                        _ => w.rng.range(60_000, 120_000),
                    }
                };
                self.world_mut().log(format!("time passes {ms} ms"));
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            850..=909 => {
                self.world_mut().kill(pid, "killed by the scheduler");
            }
            910..=949 if p.wall_jumps => {
                let ms = {
                    let mut w = self.world_mut();
                    let ms = w.rng.range(1_000, 200_000) as i64;
                    if w.rng.per_mille(500) {
                        ms
                    } else {
                        -ms
                    }
                };
                self.clock.jump_wall(ms);
                let mut w = self.world_mut();
                let now = w.now_ms();
                if ms > 0 {
                    w.facts.forward_jump_ms = Some(now);
                } else {
                    w.facts.backward_jumps += 1;
                }
                w.log(format!("wall clock jumps {ms} ms"));
            }
            950..=959 if p.server_rotation => {
                let mut w = self.world_mut();
                w.server.secret = 1 - w.server.secret;
                let label = super::server::secret_label(SECRETS[w.server.secret]).to_owned();
                w.log(format!("server's secret rotated elsewhere to {label}"));
            }
            960..=962 if p.external_lock => {
                let mut w = self.world_mut();
                w.server.locked = true;
                w.log("account locked by someone outside the fleet");
            }
            _ => {
                tokio::task::yield_now().await;
            }
        }
        self.restart_dead();
    }

    /// A process manager restarts dead processes, some with a new configured secret.
    fn restart_dead(&mut self) {
        for pid in 0..self.engines.len() {
            let (dead, inc, restart) = {
                let mut w = self.world_mut();
                let p = &w.procs[pid];
                let (dead, inc) = (!p.alive, p.incarnation);
                (dead, inc, w.rng.per_mille(500))
            };
            if dead && restart {
                let secret = self.pick_secret();
                self.world_mut().facts.restarts += 1;
                self.engines[pid] = self.start(pid, inc + 1, secret);
            }
        }
    }

    fn spawn_caller(&mut self, pid: usize) {
        let (inc, alive, invalidate, p) = {
            let mut w = self.world_mut();
            let pr = &w.procs[pid];
            let (inc, alive) = (pr.incarnation, pr.alive);
            let inv = w.rng.per_mille(100);
            (inc, alive, inv, w.params.clone())
        };
        if !alive {
            return;
        }
        let id = self.next_caller;
        self.next_caller += 1;
        self.open.lock().unwrap().push((id, pid, inc));
        let engine = self.engines[pid].clone();
        let world = self.world.clone();
        let open = self.open.clone();
        let bound = caller_bound(&p);
        lock(&world).log(format!("c{id} calls token() on p{pid}.{inc}"));
        tokio::spawn(async move {
            let started = tokio::time::Instant::now();
            // The simulated caller's own deadline, a little past the engine's bound, to tell a
            // late answer from a hang.
            let r = tokio::time::timeout(bound + Duration::from_secs(1), engine.token()).await;
            let took = started.elapsed();
            open.lock().unwrap().retain(|(c, _, _)| *c != id);
            let token = {
                let mut w = lock(&world);
                if !w.alive(pid, inc) {
                    // The caller died with its process.
                    return;
                }
                let ms = took.as_millis();
                match r {
                    Err(_) => {
                        w.violate(format!("c{id} on p{pid}.{inc}: no answer after {ms} ms"));
                        None
                    }
                    Ok(r) => {
                        if took > bound {
                            w.violate(format!(
                                "c{id} on p{pid}.{inc}: answered after {ms} ms, bound {} ms",
                                bound.as_millis()
                            ));
                        }
                        w.facts.callers_done += 1;
                        w.facts.slowest_caller_ms = w.facts.slowest_caller_ms.max(ms as u64);
                        match r {
                            Ok(t) => {
                                w.facts.callers_ok += 1;
                                w.check_handed_out(id, pid, inc, t.expose());
                                Some(t)
                            }
                            Err(e) => {
                                w.log(format!("c{id} on p{pid}.{inc} -> {} ({ms} ms)", e.kind()));
                                None
                            }
                        }
                    }
                }
            };
            if let (Some(t), true) = (token, invalidate) {
                // The resource server rejected the token (10022/10023): the caller invalidates it.
                {
                    let mut w = lock(&world);
                    w.log(format!("c{id} invalidates its token"));
                    w.procs[pid].invalidated.insert(t.expose().to_owned());
                }
                engine.invalidate(&t).await;
            }
        });
    }

    /// Let every caller finish, then report the ones that never answered.
    async fn drain(&mut self) {
        let bound = caller_bound(&self.world_mut().params);
        tokio::time::sleep(bound * 2).await;
        let open: Vec<_> = self.open.lock().unwrap().clone();
        let mut w = self.world_mut();
        for (id, pid, inc) in open {
            if w.alive(pid, inc) {
                w.violate(format!("c{id} on p{pid}.{inc} never answered"));
            }
        }
    }

    fn outcome(&self) -> Outcome {
        let w = self.world_mut();
        let f = &w.facts;
        let s = &w.server;
        let summary = format!(
            "seed {}: {} server calls ({} wrong, {} of them lost to a client time-out; max_failed_attempts {}), {} tokens, {} callers answered ({} ok), {} crashes, {} restarts, {} leases expired while held, {} resends of unrecorded rejections, {} calls after an unrecorded lock",
            w.seed,
            s.calls,
            s.wrong_total,
            s.lost_wrong_total,
            w.params.max_failed_attempts,
            s.next_token,
            f.callers_done,
            f.callers_ok,
            f.crashes,
            f.restarts,
            f.leases_expired_held,
            f.resent_unrecorded_rejections,
            f.calls_after_unrecorded_lock,
        );
        Outcome {
            seed: w.seed,
            violations: w.violations.clone(),
            trace_hash: w.trace_hash,
            trace_tail: w.trace_tail(
                std::env::var("FINAUTH_FLEET_TRACE_LINES")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(250),
            ),
            summary,
            server_calls: s.calls,
            callers: f.callers_done as u64,
            crashes: f.crashes as u64,
            leases_expired_held: f.leases_expired_held as u64,
            lost_wrong_verdicts: s.lost_wrong_total as u64,
            wrong_verdicts: s.wrong_total as u64,
            slowest_caller_ms: f.slowest_caller_ms,
        }
    }
}

impl World {
    /// A token handed to a caller came from the server and, unless the wall clock was set back
    /// (the documented weaker bound: a record is trusted for at most its lifetime from adoption),
    /// has not expired.
    fn check_handed_out(&mut self, id: u64, pid: usize, inc: u32, token: &str) {
        let now = self.now_ms();
        let lifetime = self.params.lifetime.as_millis() as u64;
        let Some(info) = self.server.tokens.get(token) else {
            self.violate(format!(
                "c{id} on p{pid}.{inc} got a token the server never issued"
            ));
            return;
        };
        let (number, expires) = (info.number, info.issued_ms + lifetime);
        self.log(format!("c{id} on p{pid}.{inc} -> t{number}"));
        if now >= expires && self.facts.backward_jumps == 0 {
            self.violate(format!(
                "c{id} on p{pid}.{inc} got t{number}, expired at {expires}"
            ));
        }
    }
}
