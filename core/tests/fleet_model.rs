//! The fleet model (docs/FLEET-MODEL.md): thousands of seeded interleavings of processes sharing
//! one store, over the real engine and store rules, each checked against the lockout guard's and
//! the refresh lease's invariants.
//!
//! `FINAUTH_FLEET_SEEDS=<n>` sets how many seeds run (default 2000), `FINAUTH_FLEET_SEED=<n>`
//! replays one and prints its trace, `FINAUTH_FLEET_FIRST_SEED=<n>` starts elsewhere,
//! `FINAUTH_FLEET_STEPS=<n>` sets the steps per seed (default 250), `FINAUTH_FLEET_KEEP_GOING=1`
//! lists every failing seed instead of stopping at the first, `FINAUTH_FLEET_TRACE_LINES=<n>` sets
//! how much trace a failure prints (default 250).

mod fleet;

use fleet::sim::{self, Outcome};

const DEFAULT_SEEDS: u64 = 2000;
const DEFAULT_STEPS: usize = 250;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn steps() -> usize {
    env_u64("FINAUTH_FLEET_STEPS")
        .map(|n| n as usize)
        .unwrap_or(DEFAULT_STEPS)
}

fn report(o: &Outcome) -> String {
    format!(
        "fleet model: invariant violated for seed {seed}\n{violations}\n--- trace (tail) ---\n{trace}--- end of trace ---\n{summary}\nreplay: FINAUTH_FLEET_SEED={seed} cargo test -p finauth --test fleet_model",
        seed = o.seed,
        violations = o
            .violations
            .iter()
            .map(|v| format!("  - {v}"))
            .collect::<Vec<_>>()
            .join("\n"),
        trace = o.trace_tail,
        summary = o.summary,
    )
}

#[test]
fn fleet_model_holds_its_invariants_over_many_seeds() {
    let steps = steps();
    if let Some(seed) = env_u64("FINAUTH_FLEET_SEED") {
        let o = sim::run(seed, steps);
        println!("{}\n{}", o.trace_tail, o.summary);
        assert!(o.violations.is_empty(), "{}", report(&o));
        return;
    }
    let first = env_u64("FINAUTH_FLEET_FIRST_SEED").unwrap_or(0);
    let n = env_u64("FINAUTH_FLEET_SEEDS").unwrap_or(DEFAULT_SEEDS);
    let started = std::time::Instant::now();
    // `FINAUTH_FLEET_KEEP_GOING=1`: list every failing seed (its first violation), fail at the end.
    let keep_going = std::env::var_os("FINAUTH_FLEET_KEEP_GOING").is_some();
    let (mut calls, mut callers, mut failed) = (0u64, 0u64, Vec::new());
    let (mut crashes, mut expired, mut wrong, mut lost, mut slowest) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for seed in first..first + n {
        let o = sim::run(seed, steps);
        if !o.violations.is_empty() {
            if !keep_going {
                panic!("{}", report(&o));
            }
            println!("seed {seed}: {}", o.violations[0]);
            failed.push(seed);
        }
        calls += o.server_calls;
        callers += o.callers;
        crashes += o.crashes;
        expired += o.leases_expired_held;
        wrong += o.wrong_verdicts;
        lost += o.lost_wrong_verdicts;
        slowest = slowest.max(o.slowest_caller_ms);
    }
    assert!(
        failed.is_empty(),
        "{} failing seed(s): {failed:?}",
        failed.len()
    );
    println!(
        "fleet model: {n} seeds x {steps} steps from seed {first}: {calls} authentication requests ({wrong} wrong-secret verdicts, {lost} of them lost to a client time-out), {callers} token() calls answered (slowest {slowest} ms), {crashes} crashes, {expired} leases expired while held; no violation ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_replay_gives_the_same_trace() {
    for seed in [1, 7, 42, 1234] {
        let a = sim::run(seed, 200);
        let b = sim::run(seed, 200);
        assert_eq!(
            a.trace_hash, b.trace_hash,
            "seed {seed} replayed differently:\n{}\n---\n{}",
            a.trace_tail, b.trace_tail
        );
        assert!(a.server_calls > 0, "seed {seed} made no request");
    }
}
