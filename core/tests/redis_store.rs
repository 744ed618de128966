//! `RedisStore` against a real `redis-server`, across real OS processes (this test binary re-runs
//! itself as the child, as in `processes.rs`).
//!
//! The server: `FINAUTH_TEST_REDIS_URL` (scripts/test.sh and .ci/run start one with
//! `scripts/redis-server.sh start` and always set it). Under plain `cargo test` without it, every
//! test here prints why and passes without running; with `CI` set, a missing URL is a failure.
//! The restart test runs its own `redis-server` child (password and ACL user) on a free port.

#![cfg(feature = "redis")]

mod common;

use common::*;
use finauth::{Error, RedisStore, Store};
use finauth_sandbox::Fault;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHILD: &str = "FINAUTH_TEST_REDIS_CHILD";

fn redis_url() -> Option<String> {
    match std::env::var("FINAUTH_TEST_REDIS_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_owned()),
        _ => {
            assert!(
                std::env::var_os("CI").is_none() && std::env::var_os(CHILD).is_none(),
                "FINAUTH_TEST_REDIS_URL is not set: the CI path must start redis-server \
                 (scripts/redis-server.sh start) and set it"
            );
            // Written to the real stderr (libtest captures only the print macros), once.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED (tests/redis_store.rs): FINAUTH_TEST_REDIS_URL is not set; run \
                     `FINAUTH_TEST_REDIS_URL=$(bash scripts/redis-server.sh start) cargo test -p finauth --test redis_store` \
                     (scripts/test.sh does)"
                );
            });
            None
        }
    }
}

/// A key prefix of its own for each test, so tests sharing one server never see each other.
fn prefix(name: &str) -> String {
    format!(
        "finauth-test-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn store(url: &str, prefix: &str) -> Arc<dyn Store> {
    Arc::new(RedisStore::builder(url).prefix(prefix).build().unwrap())
}

fn redis_cli(url: &str, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .arg("-u")
        .arg(url)
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Not a test of its own: the body of each child process.
#[test]
fn child_process_entry() {
    let Ok(url) = std::env::var(CHILD) else {
        return;
    };
    let var = |n: &str| std::env::var(n).unwrap_or_default();
    let secs = |n: &str, d: f64| var(n).parse::<f64>().unwrap_or(d);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt.block_on(async {
        let auth = builder_for(&url)
            .partner_secret(var("CHILD_SECRET"))
            .store(store(&var("CHILD_REDIS"), &var("CHILD_PREFIX")))
            .token_lifetime(Duration::from_secs_f64(secs("CHILD_LIFETIME", 7200.0)))
            .refresh_after(Duration::from_secs_f64(secs("CHILD_REFRESH", 5400.0)))
            .mandatory_margin(Duration::from_secs_f64(secs("CHILD_MARGIN", 600.0)))
            .lease_ttl(Duration::from_secs_f64(secs("CHILD_LEASE", 15.0)))
            .build()
            .unwrap();
        let tasks = var("CHILD_TASKS").parse::<usize>().unwrap_or(1);
        let threads = var("CHILD_THREADS").parse::<usize>().unwrap_or(0);
        let results = if threads > 0 {
            on_os_threads(&auth, threads).await
        } else {
            concurrent_tokens(&auth, tasks).await
        };
        let mut kinds: Vec<String> = results
            .into_iter()
            .map(|r| match r {
                Ok(_) => "OK".to_string(),
                Err(e) => e.kind().to_string(),
            })
            .collect();
        kinds.dedup();
        let s = auth.stats();
        format!("{} store_errors={}", kinds.join(","), s.store_errors)
    });
    println!("\nOUTCOME={outcome}");
}

/// `n` OS threads released together by a barrier, each calling `token()` on its own
/// current-thread runtime: real threads, not tasks multiplexed on a few workers.
async fn on_os_threads(
    auth: &finauth::PartnerAuth,
    n: usize,
) -> Vec<finauth::Result<finauth::AccessToken>> {
    let barrier = Arc::new(std::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (auth, barrier) = (auth.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                barrier.wait();
                rt.block_on(auth.token())
            })
        })
        .collect();
    tokio::task::spawn_blocking(move || handles.into_iter().map(|h| h.join().unwrap()).collect())
        .await
        .unwrap()
}

struct Fleet {
    sandbox: String,
    redis: String,
    prefix: String,
}

impl Fleet {
    fn child(&self, secret: &str, extra: &[(&str, &str)]) -> Command {
        let mut env = vec![
            (CHILD, self.sandbox.as_str()),
            ("CHILD_REDIS", self.redis.as_str()),
            ("CHILD_PREFIX", self.prefix.as_str()),
            ("CHILD_SECRET", secret),
        ];
        env.extend_from_slice(extra);
        child_command(&env)
    }
}

/// The error kinds of an outcome, without the counters.
fn kinds(o: &str) -> &str {
    o.split(' ').next().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_processes_of_twenty_threads_authenticate_once_cold_and_once_at_expiry() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    sb.set_latency(Duration::from_millis(300));
    let fleet = Fleet {
        sandbox: sb.url(),
        redis: redis.clone(),
        prefix: prefix("fleet"),
    };
    let short = [
        ("CHILD_THREADS", "20"),
        ("CHILD_LIFETIME", "6"),
        ("CHILD_REFRESH", "1"),
        ("CHILD_MARGIN", "3"),
    ];
    let first = wave(16, || fleet.child(SECRET, &short)).await;
    assert!(first.iter().all(|o| o == "OK store_errors=0"), "{first:?}");
    assert_eq!(auths(&sb), 1, "one authentication for 16 cold processes");
    // The shared key expires on its own once nothing guards it.
    let keys = redis_cli(
        &redis,
        &["--scan", "--pattern", &format!("{}:*", fleet.prefix)],
    );
    let key = keys.lines().next().expect("one key").to_owned();
    let ttl: i64 = redis_cli(&redis, &["PTTL", &key]).parse().unwrap();
    assert!(ttl > 0, "a clean key has a TTL ({ttl})");
    // Past the mandatory point of the shared token: one process refreshes for all.
    tokio::time::sleep(Duration::from_millis(3300)).await;
    let second = wave(16, || fleet.child(SECRET, &short)).await;
    assert!(
        second.iter().all(|o| o == "OK store_errors=0"),
        "{second:?}"
    );
    assert_eq!(auths(&sb), 2, "one more authentication at expiry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_in_sixteen_processes_restarted_five_times_never_locks() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    let fleet = Fleet {
        sandbox: sb.url(),
        redis: redis.clone(),
        prefix: prefix("wrong"),
    };
    let mut seen = Vec::new();
    for _restart in 0..5 {
        seen.extend(
            wave(16, || {
                fleet.child("WrongSecret999", &[("CHILD_TASKS", "4")])
            })
            .await,
        );
    }
    assert!(failures(&sb) <= 3, "{} failures", failures(&sb));
    assert_eq!(failures(&sb), 1, "the rejected secret is never sent again");
    assert!(!sb.partner_stats(PARTNER).locked);
    assert!(
        seen.iter()
            .all(|o| kinds(o) == "INVALID_CREDENTIALS" || kinds(o) == "LOCKOUT_GUARD"),
        "{seen:?}"
    );
    // Guard state has no TTL: it never expires silently.
    let keys = redis_cli(
        &redis,
        &["--scan", "--pattern", &format!("{}:*", fleet.prefix)],
    );
    let key = keys.lines().next().expect("one key").to_owned();
    assert_eq!(redis_cli(&redis, &["PTTL", &key]), "-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_locked_once_stops_every_process_without_a_call() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    sb.push_fault(Fault::Locked, 1);
    let fleet = Fleet {
        sandbox: sb.url(),
        redis,
        prefix: prefix("locked"),
    };
    let first = wave(1, || fleet.child(SECRET, &[])).await;
    assert_eq!(kinds(&first[0]), "ACCOUNT_LOCKED", "{first:?}");
    assert_eq!(auths(&sb), 1);
    let all = wave(16, || fleet.child(SECRET, &[("CHILD_TASKS", "4")])).await;
    assert!(all.iter().all(|o| kinds(o) == "ACCOUNT_LOCKED"), "{all:?}");
    assert_eq!(auths(&sb), 1, "no process called the server again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_holder_killed_mid_refresh_is_replaced_after_the_lease_ttl() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    let fleet = Fleet {
        sandbox: sb.url(),
        redis,
        prefix: prefix("killed"),
    };
    let lease = [("CHILD_LEASE", "2")];
    sb.set_latency(Duration::from_secs(5));
    let mut holder = fleet.child(SECRET, &lease).spawn().unwrap();
    for _ in 0..300 {
        if auths(&sb) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(auths(&sb), 1);
    holder.kill().unwrap(); // SIGKILL, mid-request
    let _ = holder.wait();
    sb.set_latency(Duration::ZERO);
    let started = Instant::now();
    let others = wave(4, || fleet.child(SECRET, &lease)).await;
    assert!(
        others.iter().all(|o| o == "OK store_errors=0"),
        "{others:?}"
    );
    assert_eq!(
        auths(&sb),
        2,
        "one extra authentication after the lease TTL"
    );
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "waited {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn rotation_through_one_process_reaches_all_and_the_old_secret_is_never_sent() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    let p = prefix("rotation");
    let a = builder(&sb).store(store(&redis, &p)).build().unwrap();
    let b = builder(&sb).store(store(&redis, &p)).build().unwrap();
    a.token().await.unwrap();
    b.token().await.unwrap();
    assert_eq!(auths(&sb), 1, "b adopted a's token through Redis");
    a.modify_partner_secret("RotatedSecret2027", true)
        .await
        .unwrap();
    assert_eq!(sb.partner_stats(PARTNER).modify_success, 1);

    // b still holds the old secret; its token expires at the server and it must re-authenticate.
    sb.expire_tokens(PARTNER);
    let resp = b
        .send(
            b.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // New processes configured with the old secret follow the rotation too.
    let fleet = Fleet {
        sandbox: sb.url(),
        redis,
        prefix: p,
    };
    let out = wave(4, || fleet.child(SECRET, &[])).await;
    assert!(out.iter().all(|o| o == "OK store_errors=0"), "{out:?}");
    sb.expire_tokens(PARTNER);
    a.invalidate(&a.token().await.unwrap()).await;
    a.token().await.unwrap();

    let ps = sb.partner_stats(PARTNER);
    assert_eq!(
        ps.retired_secret_attempts, 0,
        "no request carried the old secret"
    );
    assert_eq!(ps.auth_failures, 0);
}

/// A private redis-server child with a password and an ACL user, for the restart test.
struct OwnRedis {
    port: u16,
    dir: std::path::PathBuf,
    child: Option<Child>,
}

const ADMIN_PASSWORD: &str = "AdminPw-4f1b9c";
const FLEET_PASSWORD: &str = "FleetPw-77d2e0";

impl OwnRedis {
    fn start() -> OwnRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut r = OwnRedis {
            port,
            dir: temp_dir("own-redis"),
            child: None,
        };
        std::fs::create_dir_all(&r.dir).unwrap();
        r.resume();
        r
    }

    fn resume(&mut self) {
        let conf = self.dir.join("redis.conf");
        std::fs::write(
            &conf,
            format!(
                "bind 127.0.0.1\nport {}\nsave \"\"\nappendonly no\ndir {}\n\
                 requirepass {ADMIN_PASSWORD}\nuser fleet on >{FLEET_PASSWORD} ~* &* +@all\n",
                self.port,
                self.dir.display()
            ),
        )
        .unwrap();
        let child = Command::new("redis-server")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/redis-server.sh installs it)");
        self.child = Some(child);
        for _ in 0..200 {
            if redis_cli(&self.admin_url(), &["PING"]) == "PONG" {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("own redis-server did not start");
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn admin_url(&self) -> String {
        format!("redis://default:{ADMIN_PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    fn fleet_url(&self) -> String {
        format!("redis://fleet:{FLEET_PASSWORD}@127.0.0.1:{}/0", self.port)
    }

    fn commands(&self) -> u64 {
        redis_cli(&self.admin_url(), &["INFO", "stats"])
            .lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap()
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_degrades_to_a_local_one_attempt_guard_and_recovers() {
    if redis_url().is_none() {
        return;
    }
    // The refreshes run on worker threads: capture every thread's logs (the only test here that
    // installs a subscriber).
    let logs = Capture::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let sb = sandbox().await;
    let mut server = OwnRedis::start();
    let url = server.fleet_url();
    let p = prefix("restart");
    let make = || {
        Arc::new(
            RedisStore::builder(&url)
                .prefix(&p)
                .connect_timeout(Duration::from_millis(500))
                .command_timeout(Duration::from_millis(500))
                .redial_pause(Duration::from_millis(200))
                .build()
                .unwrap(),
        )
    };
    // The ACL user and its password work; no description or error shows a password.
    let s = make();
    s.ping().await.unwrap();
    for text in [format!("{s:?}"), s.describe()] {
        assert!(!text.contains(FLEET_PASSWORD), "{text}");
    }
    let wrong = RedisStore::new(&format!(
        "redis://fleet:NotThePassword9@127.0.0.1:{}/0",
        server.port
    ))
    .unwrap();
    let e = wrong.ping().await.unwrap_err();
    assert!(matches!(e, Error::Store(_)), "{e:?}");
    assert!(!e.to_string().contains("NotThePassword9"), "{e}");

    let a = builder(&sb).store(make()).build().unwrap();
    let b = builder(&sb).store(make()).build().unwrap();
    a.token().await.unwrap();
    b.token().await.unwrap();
    assert_eq!(auths(&sb), 1);

    // The fresh path never talks to Redis.
    let before = server.commands();
    for _ in 0..100_000 {
        a.token().await.unwrap();
    }
    assert_eq!(
        server.commands() - before,
        2,
        "no command but the first reading's INFO and the second reading's AUTH"
    );

    server.stop();
    // A strict process (the CLI's mode) gets a typed store error, without the password.
    let strict = builder(&sb)
        .store(make())
        .degrade_on_store_error(false)
        .build()
        .unwrap();
    match strict.token().await {
        Err(Error::Store(m)) => assert!(!m.contains(FLEET_PASSWORD), "{m}"),
        other => panic!("expected a store error, got {other:?}"),
    }
    // A degrading process goes on with local state: no panic, a token, counted store errors.
    let t = a.token().await.unwrap();
    a.invalidate(&t).await;
    a.token().await.unwrap();
    assert_eq!(auths(&sb), 2);
    assert!(a.stats().store_errors > 0);
    let warned = |what: &str| {
        logs.text()
            .lines()
            .filter(|l| l.contains(" WARN ") && l.contains(what))
            .count()
    };
    // Checked after c ran, below: one warning per object that degraded, not one per operation.
    // ... and with the strictest guard: one credential failure, then the guard refuses.
    let c = builder(&sb)
        .partner_secret("WrongSecret999")
        .store(make())
        .build()
        .unwrap();
    assert!(matches!(
        c.token().await,
        Err(Error::InvalidCredentials { .. })
    ));
    let c2 = c.token().await;
    assert!(matches!(c2, Err(Error::LockoutGuard { .. })), "{c2:?}");
    assert_eq!(failures(&sb), 1);
    assert_eq!(
        warned("store unavailable; using process-local state with a one-attempt lockout guard"),
        2,
        "a and c warn once each:\n{}",
        logs.text()
    );

    // Redis returns (empty: no persistence): the stores reconnect by themselves.
    server.resume();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = b.token().await.unwrap();
    b.invalidate(&t).await;
    b.token().await.unwrap();
    assert_eq!(auths(&sb), 4, "a's, c's (rejected) and b's since the stop");
    // b published through Redis again: a new process adopts it without authenticating.
    let d = builder(&sb).store(make()).build().unwrap();
    d.token().await.unwrap();
    assert_eq!(auths(&sb), 4, "shared state restored");
    assert_eq!(d.stats().store_errors, 0);
    assert!(
        warned("store reachable again; shared state restored") >= 1,
        "{}",
        logs.text()
    );
    assert!(!logs.text().contains(FLEET_PASSWORD));
}

#[tokio::test]
async fn rediss_to_a_plain_port_is_a_typed_store_error_not_a_panic() {
    let Some(redis) = redis_url() else { return };
    // TLS (rustls) is built in: a TLS handshake against a plain-text server fails cleanly.
    let tls = redis.replacen("redis://", "rediss://", 1);
    let s = RedisStore::builder(&tls)
        .connect_timeout(Duration::from_millis(500))
        .command_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert!(s.describe().starts_with("rediss://"));
    match s.ping().await {
        Err(Error::Store(m)) => assert!(m.contains("rediss://"), "{m}"),
        other => panic!("expected a store error, got {other:?}"),
    }
}

#[tokio::test]
async fn finauth_store_redis_url_in_from_env_shares_one_token_between_objects() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    let url = sb.url();
    let spec = format!("{redis}?prefix={}", prefix("from-env"));
    let vars = |name: &str| -> Option<String> {
        match name {
            "FINICITY_PARTNER_ID" => Some(PARTNER.into()),
            "FINICITY_PARTNER_SECRET" => Some(SECRET.into()),
            "FINICITY_APP_KEY" => Some(APP_KEY.into()),
            "FINICITY_BASE_URL" => Some(url.clone()),
            "FINAUTH_ALLOW_INSECURE_LOOPBACK" => Some("1".into()),
            "FINAUTH_STORE" => Some(spec.clone()),
            _ => None,
        }
    };
    let a = finauth::PartnerAuthBuilder::from_vars(vars)
        .unwrap()
        .build()
        .unwrap();
    let b = finauth::PartnerAuthBuilder::from_vars(vars)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(a.token().await.unwrap(), b.token().await.unwrap());
    assert_eq!(
        auths(&sb),
        1,
        "the second object adopted the token from Redis"
    );
    let keys = redis_cli(
        &redis,
        &[
            "--scan",
            "--pattern",
            &format!("{}:*", spec.rsplit_once('=').unwrap().1),
        ],
    );
    assert_eq!(keys.lines().count(), 1, "{keys}");
}

#[tokio::test]
async fn identities_never_share_keys_sandbox_and_production_stay_apart() {
    let Some(redis) = redis_url() else { return };
    // Two servers (think sandbox and production) with the same Partner ID, one prefix.
    let (one, two) = (sandbox().await, sandbox().await);
    let p = prefix("identities");
    let a = builder(&one).store(store(&redis, &p)).build().unwrap();
    let b = builder(&two).store(store(&redis, &p)).build().unwrap();
    let (ta, tb) = (a.token().await.unwrap(), b.token().await.unwrap());
    assert_ne!(ta, tb);
    assert_eq!((auths(&one), auths(&two)), (1, 1));
    let keys = redis_cli(&redis, &["--scan", "--pattern", &format!("{p}:*")]);
    assert_eq!(keys.lines().count(), 2, "one key per identity: {keys}");
    // The key names a digest, never the Partner ID or the URL in clear.
    assert!(
        !keys.contains(PARTNER) && !keys.contains("127.0.0.1"),
        "{keys}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_record_rewritten_to_hold_a_crlf_token_is_never_adopted() {
    let Some(redis) = redis_url() else { return };
    let sb = sandbox().await;
    let p = prefix("hostile");
    let first = builder(&sb).store(store(&redis, &p)).build().unwrap();
    let good = first.token().await.unwrap();
    let keys = redis_cli(&redis, &["--scan", "--pattern", &format!("{p}:*")]);
    let key = keys.lines().next().expect("one key").to_owned();
    let doc = redis_cli(&redis, &["GET", &key]);
    assert!(doc.contains(good.expose()), "the record holds the token");
    // Another writer puts a token with CRLF in its place (JSON escapes, as a store would hold it).
    let hostile = doc.replace(good.expose(), "abc\\r\\nX-Injected: 1");
    redis_cli(&redis, &["SET", &key, &hostile, "KEEPTTL"]);
    assert!(redis_cli(&redis, &["GET", &key]).contains("X-Injected"));

    let second = builder(&sb).store(store(&redis, &p)).build().unwrap();
    let token = second.token().await.unwrap();
    assert!(!token.expose().contains("Injected"));
    assert_ne!(token, good);
    assert_eq!(auths(&sb), 2, "it authenticated instead of adopting");
    assert!(!redis_cli(&redis, &["GET", &key]).contains("Injected"));
}
