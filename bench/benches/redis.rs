//! `RedisStore` benchmarks against a real redis-server and the local sandbox.
//!
//! * Redis commands per 1,000,000 fresh `token()` calls (goal: 0 between refreshes), read from the
//!   server's `INFO stats` `total_commands_processed` before and after; printed, not timed.
//! * `refresh/{memory,file,redis}`: one full refresh (`invalidate` the current token, then
//!   `token()`: shared-token check, lease, guard reservation, authentication at the sandbox on
//!   loopback with no added latency, settle, publish, lease release), per store.
//! * `redis/fresh/1_thread`: the fresh path with a `RedisStore` configured (same as any store).
//!
//! Needs `FINAUTH_TEST_REDIS_URL` (e.g. `FINAUTH_TEST_REDIS_URL=$(bash scripts/redis-server.sh
//! start)`), else it prints why and measures only the memory and file stores.
//! Run: `cargo bench -p finauth-bench --bench redis`. See bench/redis/README.md.

use criterion::{criterion_group, criterion_main, Criterion};
use finauth::{FileStore, MemoryStore, PartnerAuth, RedisStore, Store};
use finauth_sandbox::{Partner, Sandbox, SandboxConfig};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FRESH_CALLS: u64 = 1_000_000;

fn redis_url() -> Option<String> {
    std::env::var("FINAUTH_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

fn total_commands(url: &str) -> u64 {
    let out = std::process::Command::new("redis-cli")
        .args(["-u", url, "INFO", "stats"])
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("total_commands_processed")
}

fn auth(url: &str, store: Arc<dyn Store>) -> PartnerAuth {
    PartnerAuth::builder()
        .partner_id(Partner::DEMO_PARTNER_ID)
        .partner_secret(Partner::DEMO_SECRET)
        .app_key(Partner::DEMO_APP_KEY)
        .base_url(url)
        .allow_insecure_loopback(true)
        .store(store)
        .build()
        .expect("PartnerAuth")
}

fn prefix() -> String {
    format!(
        "finauth-bench-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sb = rt
        .block_on(Sandbox::start(SandboxConfig::default()))
        .unwrap();
    let url = sb.url();
    let redis = redis_url();
    if redis.is_none() {
        eprintln!(
            "FINAUTH_TEST_REDIS_URL is not set: Redis figures skipped (memory and file only)"
        );
    }

    if let Some(r) = &redis {
        let a = auth(
            &url,
            Arc::new(RedisStore::builder(r).prefix(prefix()).build().unwrap()),
        );
        rt.block_on(a.token()).unwrap();
        let auths = sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests;
        // Two readings with nothing in between: the cost of a reading itself.
        let r0 = total_commands(r);
        let r1 = total_commands(r);
        let reading = r1 - r0;
        let started = Instant::now();
        rt.block_on(async {
            for _ in 0..FRESH_CALLS {
                black_box(a.token().await.unwrap());
            }
        });
        let took = started.elapsed();
        let r2 = total_commands(r);
        println!(
            "redis: {} Redis commands for {FRESH_CALLS} fresh token() calls \
             ({} counted, minus {reading} for the INFO reading itself); {} authentications; \
             {:.1} ns per call",
            (r2 - r1).saturating_sub(reading),
            r2 - r1,
            sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests - auths,
            took.as_nanos() as f64 / FRESH_CALLS as f64
        );
        c.bench_function("redis/fresh/1_thread", |b| {
            b.to_async(&rt).iter(|| a.token())
        });
    }

    let dir = std::env::temp_dir().join(format!("finauth-bench-file-{}", std::process::id()));
    let mut stores: Vec<(&str, Arc<dyn Store>)> = vec![
        ("memory", Arc::new(MemoryStore::new())),
        ("file", Arc::new(FileStore::new(&dir).unwrap())),
    ];
    if let Some(r) = &redis {
        stores.push((
            "redis",
            Arc::new(RedisStore::builder(r).prefix(prefix()).build().unwrap()),
        ));
    }
    let mut g = c.benchmark_group("refresh");
    g.sample_size(30).measurement_time(Duration::from_secs(5));
    for (name, store) in stores {
        let a = auth(&url, store);
        let before = sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests;
        let commands_before = redis
            .as_deref()
            .filter(|_| name == "redis")
            .map(total_commands);
        let mut refreshes = 0u64;
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let t = a.token().await.unwrap();
                        a.invalidate(&t).await;
                        let started = Instant::now();
                        black_box(a.token().await.unwrap());
                        total += started.elapsed();
                        refreshes += 1;
                    }
                    total
                })
            })
        });
        let after = sb.partner_stats(Partner::DEMO_PARTNER_ID).auth_requests;
        if let (Some(r), Some(c0)) = (redis.as_deref(), commands_before) {
            // Every timed refresh also had an untimed token() (a cache hit) and an invalidate
            // (one DropToken operation) before it; those commands are included.
            let commands = total_commands(r) - c0 - 1;
            println!(
                "refresh/redis: {:.1} Redis commands per refresh cycle (invalidate + refresh)",
                commands as f64 / refreshes.max(1) as f64
            );
        }
        println!(
            "refresh/{name}: {refreshes} refreshes, {} authentications, store errors {}",
            after - before,
            a.stats().store_errors
        );
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(redis_benches, benches);
criterion_main!(redis_benches);
