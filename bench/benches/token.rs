//! Benchmarks of `PartnerAuth::token()` against the local Finicity sandbox.
//!
//! * `token/fresh/...`: the fresh path (token already cached), on one thread and on two threads
//!   sharing one `PartnerAuth`. Goal of the issue: < 50 ns per call.
//! * `herd/cold_1000_tasks`: 1,000 tasks calling `token()` on a new (cold) `PartnerAuth`; wall
//!   time until all have their token, and the authentications the sandbox saw per herd (goal: 1).
//!   `herd/cold_1000_tasks_server_20ms`: the same against a server that takes 20 ms to answer, so
//!   that every caller arrives while the authentication is in flight.
//!
//! Figures are printed, never asserted. Run: `cargo bench -p finauth-bench --bench token`.
//! See bench/README.md for what each figure means.

use criterion::{criterion_group, criterion_main, Criterion};
use finauth::PartnerAuth;
use finauth_sandbox::{Partner, Sandbox, SandboxConfig};
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Barrier;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// Callers in one herd.
const HERD: usize = 1_000;
/// Latency of the sandbox's authentication endpoint in the slow-server herd.
const SLOW_SERVER: Duration = Duration::from_millis(20);

fn builder(url: &str) -> finauth::PartnerAuthBuilder {
    PartnerAuth::builder()
        .partner_id(Partner::DEMO_PARTNER_ID)
        .partner_secret(Partner::DEMO_SECRET)
        .app_key(Partner::DEMO_APP_KEY)
        .base_url(url)
        .allow_insecure_loopback(true)
}

/// A multi-thread runtime with `workers` threads, for the sandbox (and the herd).
fn runtime(workers: usize) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Polls `fut` once with a no-op waker: no runtime, no scheduling, just the future's own work.
/// The fresh path completes on its first poll; anything else is a setup error.
#[inline(always)]
fn poll_once<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => {
            panic!("token() did not complete on its first poll: no fresh token cached")
        }
    }
}

/// Two OS threads, the first calling the fresh path on `auths[0]`, the second on `auths[1]`,
/// `iters` times each after a common start. Each thread times its own calls; the slower one
/// counts, so the figure is the time per call seen by a thread while the other runs too.
fn two_threads(iters: u64, auths: [&PartnerAuth; 2]) -> Duration {
    let start = Barrier::new(2);
    std::thread::scope(|s| {
        let threads: Vec<_> = auths
            .into_iter()
            .map(|auth| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let t = Instant::now();
                    for _ in 0..iters {
                        drop(black_box(poll_once(auth.token())));
                    }
                    t.elapsed()
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("bench thread"))
            .max()
            .unwrap_or_default()
    })
}

fn fresh(c: &mut Criterion) {
    // The sandbox lives on its own runtime; it is only needed to fill the cache once.
    let server_rt = runtime(1);
    let sb = server_rt
        .block_on(Sandbox::start(SandboxConfig::default()))
        .expect("start sandbox");
    let url = sb.url();

    let auth = builder(&url).build().expect("build PartnerAuth");
    server_rt
        .block_on(auth.token())
        .expect("first token from the sandbox");
    let blocking = builder(&url)
        .build_blocking()
        .expect("build blocking PartnerAuth");
    blocking.token().expect("first blocking token");
    // A second, independent object for the two-thread control.
    let other = builder(&url).build().expect("build PartnerAuth");
    server_rt
        .block_on(other.token())
        .expect("first token from the sandbox");
    let auths_before = sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests;

    let mut g = c.benchmark_group("token/fresh");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // The future polled once by hand: the cost of the fresh path itself.
    g.bench_function("1_thread/poll_once", |b| b.iter(|| poll_once(auth.token())));

    // The same call awaited inside a current-thread tokio runtime (criterion's async loop).
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("current-thread runtime");
    g.bench_function("1_thread/tokio_current_thread", |b| {
        b.to_async(&current).iter(|| auth.token())
    });

    // `finauth::blocking`: what the C, sync-Python and plain-thread callers pay (a `block_on`
    // on the object's own runtime around the same fresh path).
    g.bench_function("1_thread/blocking_api", |b| b.iter(|| blocking.token()));

    // Two OS threads hammering the same `PartnerAuth` (clones share the engine and the token).
    g.bench_function("2_threads_contending/poll_once", |b| {
        b.iter_custom(|iters| two_threads(iters, [&auth, &auth]))
    });

    // Control: two threads, each with its own `PartnerAuth` (nothing shared). The difference
    // from the figure above is the cost of sharing.
    g.bench_function("2_threads_separate_objects/poll_once", |b| {
        b.iter_custom(|iters| two_threads(iters, [&auth, &other]))
    });
    g.finish();

    let auths = sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests - auths_before;
    println!(
        "token/fresh: authentications sent during the fresh-path benchmarks: {auths} (expected 0); \
         the token() future is {} bytes",
        std::mem::size_of_val(&auth.token())
    );
    drop(blocking);
    drop(sb);
}

/// What the sandbox and the clients saw over the herds of one benchmark.
#[derive(Default)]
struct HerdTally {
    herds: u64,
    client_auths: u64,
    max_auths_in_a_herd: u64,
    /// Callers that found no token and waited on the flight (the others arrived after it landed
    /// and read the cache).
    joined_flight: u64,
}

/// One herd: `HERD` tasks on `rt` calling `token()` on a new (cold) `PartnerAuth`. Returns the
/// wall time from the first spawn until every caller has its token. Building the object (its
/// HTTP client) is not timed.
fn one_herd(rt: &Runtime, url: &str, tally: &mut HerdTally) -> Duration {
    let auth = builder(url).build().expect("build PartnerAuth");
    let t = Instant::now();
    rt.block_on(async {
        let tasks: Vec<_> = (0..HERD)
            .map(|_| {
                let auth = auth.clone();
                tokio::spawn(async move { auth.token().await })
            })
            .collect();
        for task in tasks {
            task.await.expect("herd task").expect("token");
        }
    });
    let elapsed = t.elapsed();
    let s = auth.stats();
    tally.herds += 1;
    tally.client_auths += s.auth_requests;
    tally.max_auths_in_a_herd = tally.max_auths_in_a_herd.max(s.auth_requests);
    tally.joined_flight += HERD as u64 - s.cache_hits;
    elapsed
}

fn report_herd(name: &str, server_auths: u64, t: &HerdTally) {
    if t.herds == 0 {
        return;
    }
    println!(
        "{name}: {} herds of {HERD} callers; the sandbox saw {server_auths} authentications = \
         {:.3} per herd (goal 1; without single flight {HERD}); client count {}, at most {} in \
         one herd; on average {:.0} of {HERD} callers waited on the flight, the rest read the cache",
        t.herds,
        server_auths as f64 / t.herds as f64,
        t.client_auths,
        t.max_auths_in_a_herd,
        t.joined_flight as f64 / t.herds as f64,
    );
}

fn herd(c: &mut Criterion) {
    let rt = runtime(2);
    let sb = rt
        .block_on(Sandbox::start(SandboxConfig::default()))
        .expect("start sandbox");
    let url = sb.url();
    let auths = || sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests;

    let mut g = c.benchmark_group("herd");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));

    // The sandbox answers at once: the wall time is finauth's own cost (1,000 spawns, one
    // loopback HTTP exchange on a new connection, 1,000 wake-ups).
    let before = auths();
    let mut tally = HerdTally::default();
    g.bench_function("cold_1000_tasks", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| one_herd(&rt, &url, &mut tally)).sum())
    });
    report_herd("herd/cold_1000_tasks", auths() - before, &tally);

    // The server takes 20 ms to answer, as a real one does (more, in fact): every caller
    // arrives while the authentication is in flight, the worst case for single flight.
    sb.set_latency(SLOW_SERVER);
    g.measurement_time(Duration::from_secs(3));
    let before = auths();
    let mut tally = HerdTally::default();
    g.bench_function("cold_1000_tasks_server_20ms", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| one_herd(&rt, &url, &mut tally)).sum())
    });
    report_herd("herd/cold_1000_tasks_server_20ms", auths() - before, &tally);
    g.finish();
    drop(sb);
}

criterion_group!(benches, fresh, herd);
criterion_main!(benches);
