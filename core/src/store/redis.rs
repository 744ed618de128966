//! `RedisStore`: the state of an identity shared by a fleet of hosts through one Redis server.
//!
//! One key per identity, `<prefix>:<identity digest>`, holding the same JSON document as a
//! `FileStore` file. Every [`StoreOp`] is an optimistic compare-and-set:
//!
//! 1. `GET key` and `TIME` in one round trip;
//! 2. [`IdentityState::apply`] in Rust (the guard's rules stay written once, in `state.rs`), at the
//!    **Redis server's** time, so every host judges lease and reservation expiry on one clock;
//! 3. if the document changed, one Lua script replaces it only if it still holds exactly what was
//!    read (`SET ... PX ttl` or `SET` + `PERSIST`), atomically on the server; on a conflict the
//!    operation starts again from 1 after a short jittered pause, until the command time-out.
//!
//! The refresh lease lives in the document (holder, fencing counter, expiry), which is the
//! `SET NX PX` + fencing-token pattern with the fence checked in the same atomic step as the
//! token write: `PublishToken` is accepted only if no lease was granted since the publisher's.
//!
//! Time to live: while the document holds lockout-guard state (failures, attempts in flight,
//! rejected secrets, the locked flag, secret rotations) the key has **no** expiry, so the guard
//! never forgets silently; only an operator reset clears it. Otherwise the key expires an hour
//! after the later of its token's expiry and its lease's expiry. A re-created document starts its
//! fencing counter and reservation ids at the server's clock in milliseconds, so both stay
//! increasing across an expiry.
//!
//! Connection: one multiplexed connection, dialled on first use with a connect time-out, every
//! command bounded by a command time-out; on an I/O error the connection is dropped and the next
//! operation dials again (at most one dial per `redial_pause` while Redis is down, so a dead server
//! costs one fast error per operation, and the engine goes on with local state; see docs/ARCHITECTURE.md, "Stores, the refresh lease and the lockout guard").

use super::{IdentityKey, IdentityState, Store, StoreOp, StoreReply};
use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use zeroize::Zeroizing;

/// Default key prefix.
pub const DEFAULT_PREFIX: &str = "finauth";

/// After the token and lease are gone, how long an idle document stays.
const IDLE_TTL_MS: u64 = 3_600_000;

/// Compare-and-set: replace KEYS[1] if it holds ARGV[1] ("" = absent). ARGV[3] = TTL in ms, or
/// 0 for none. Returns 1 if written, 0 on conflict.
const CAS_SCRIPT: &str = r#"
local cur = redis.call('GET', KEYS[1])
if cur == false then cur = '' end
if cur ~= ARGV[1] then return 0 end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
"#;

/// Options of a [`RedisStore`]; see [`RedisStore::builder`].
#[derive(Clone)]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    connect_timeout: Duration,
    command_timeout: Duration,
    redial_pause: Duration,
}

impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &redact_url(&self.url))
            .field("prefix", &self.prefix)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .finish()
    }
}

impl RedisStoreBuilder {
    /// Key prefix (default `finauth`): keys are `<prefix>:<identity digest>`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Bound on establishing a connection, TLS and `AUTH` included (default 2 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Bound on one command, and on one store operation's conflict retries (default 2 s).
    pub fn command_timeout(mut self, d: Duration) -> Self {
        self.command_timeout = d;
        self
    }

    /// While Redis is unreachable, the pause between two connection attempts (default 500 ms).
    pub fn redial_pause(mut self, d: Duration) -> Self {
        self.redial_pause = d;
        self
    }

    /// Validate the URL and make the store. No connection is made until the first operation.
    pub fn build(self) -> Result<RedisStore> {
        let url = self.url.trim();
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            return Err(Error::config(format!(
                "store: a Redis URL starts with redis:// or rediss:// (got `{}`)",
                redact_url(url)
            )));
        }
        if self.prefix.is_empty() || self.prefix.contains(char::is_whitespace) {
            return Err(Error::config(
                "store: the Redis key prefix must be non-empty, without spaces",
            ));
        }
        let parsed = url::Url::parse(url).map_err(|e| {
            Error::config(format!(
                "store: invalid Redis URL `{}`: {e}",
                redact_url(url)
            ))
        })?;
        if parsed.host_str().is_none_or(|h| h.is_empty()) {
            return Err(Error::config(format!(
                "store: the Redis URL `{}` has no host",
                redact_url(url)
            )));
        }
        let client = redis::Client::open(url).map_err(|e| {
            Error::config(format!(
                "store: invalid Redis URL `{}`: {}",
                redact_url(url),
                scrub(&e.to_string(), parsed.password())
            ))
        })?;
        let password = client
            .get_connection_info()
            .redis_settings()
            .password()
            .filter(|p| !p.is_empty())
            .map(|p| Zeroizing::new(p.to_owned()));
        let describe = format!("{} prefix={}", redact_url(url), self.prefix);
        Ok(RedisStore {
            inner: Arc::new(Inner {
                client,
                password,
                describe,
                prefix: self.prefix,
                config: redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(self.connect_timeout))
                    .set_response_timeout(Some(self.command_timeout)),
                command_timeout: self.command_timeout,
                redial_pause: self.redial_pause,
                conn: Mutex::new(ConnState::default()),
                script: redis::Script::new(CAS_SCRIPT),
            }),
        })
    }
}

#[derive(Default)]
struct ConnState {
    /// The connection and the process that dialled it (a forked child dials its own: the
    /// parent's connection is driven by a task of the parent's runtime).
    conn: Option<(u32, redis::aio::MultiplexedConnection)>,
    /// After a failed dial: fail fast until then.
    down_until: Option<(Instant, String)>,
}

struct Inner {
    /// Holds the password: never printed (its `Debug` would show it).
    client: redis::Client,
    password: Option<Zeroizing<String>>,
    describe: String,
    prefix: String,
    config: redis::AsyncConnectionConfig,
    command_timeout: Duration,
    redial_pause: Duration,
    conn: Mutex<ConnState>,
    script: redis::Script,
}

/// Identity state shared by every host that reaches one Redis server (docs/ARCHITECTURE.md, "Stores, the refresh lease and the lockout guard").
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<Inner>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisStore({})", self.inner.describe)
    }
}

impl RedisStore {
    /// A store on `url` (`redis://[user[:password]@]host[:port][/db]` or `rediss://...` for TLS)
    /// with the default prefix and time-outs.
    pub fn new(url: &str) -> Result<Self> {
        Self::builder(url).build()
    }

    /// Options: prefix, connect and command time-outs.
    pub fn builder(url: &str) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.to_owned(),
            prefix: DEFAULT_PREFIX.to_owned(),
            connect_timeout: Duration::from_secs(2),
            command_timeout: Duration::from_secs(2),
            redial_pause: Duration::from_millis(500),
        }
    }

    /// From a `FINAUTH_STORE`-style spec: the URL, optionally with `?prefix=NAME` (which is not
    /// passed on to Redis).
    pub fn from_spec(spec: &str) -> Result<Self> {
        let (url, prefix) = split_prefix(spec);
        let mut b = Self::builder(&url);
        if let Some(p) = prefix {
            b = b.prefix(p);
        }
        b.build()
    }

    /// The key holding `key`'s state.
    pub fn key_for(&self, key: &IdentityKey) -> String {
        format!("{}:{}", self.inner.prefix, key.digest())
    }

    /// Check that Redis answers (connect, authenticate, `PING`).
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.inner.connection().await?;
        let r: redis::RedisResult<String> = redis::cmd("PING").query_async(&mut c).await;
        r.map(|_| ()).map_err(|e| self.inner.fail(e))
    }
}

fn split_prefix(spec: &str) -> (String, Option<String>) {
    let Some((base, query)) = spec.split_once('?') else {
        return (spec.to_owned(), None);
    };
    let mut prefix = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("prefix=") {
            Some(p) => {
                prefix = Some(p.to_owned());
                false
            }
            None => !kv.is_empty(),
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, prefix)
}

/// The URL without its password (`redis://user:***@host:port/db`) and without a query.
pub(crate) fn redact_url(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.set_query(None);
            u.to_string()
        }
        Err(_) => {
            // Not a URL: keep the scheme only, never the rest (it may hold a password).
            let scheme = url.split("://").next().unwrap_or("");
            if scheme.len() < url.len() && scheme.chars().all(|c| c.is_ascii_alphanumeric()) {
                format!("{scheme}://…")
            } else {
                "…".into()
            }
        }
    }
}

fn scrub(msg: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => msg.replace(p, "***"),
        _ => msg.to_owned(),
    }
}

impl Inner {
    fn fail(&self, e: redis::RedisError) -> Error {
        Error::Store(format!(
            "Redis {}: {}",
            self.describe,
            scrub(&e.to_string(), self.password.as_deref().map(|p| p.as_str()))
        ))
    }

    async fn connection(&self) -> Result<redis::aio::MultiplexedConnection> {
        let mut st = self.conn.lock().await;
        let pid = std::process::id();
        match &st.conn {
            Some((p, c)) if *p == pid => return Ok(c.clone()),
            Some(_) => {
                // Inherited through fork(): never touch it, not even to drop it.
                if let Some(c) = st.conn.take() {
                    std::mem::forget(c);
                }
            }
            None => {}
        }
        if let Some((until, why)) = &st.down_until {
            if Instant::now() < *until {
                return Err(Error::Store(format!(
                    "Redis {} unreachable: {why}",
                    self.describe
                )));
            }
        }
        let dial = self
            .client
            .get_multiplexed_async_connection_with_config(&self.config);
        // The connect time-out covers TCP; bound TLS and the handshake commands too.
        let bound = self.command_timeout * 2;
        let r = match tokio::time::timeout(bound, dial).await {
            Ok(r) => r.map_err(|e| self.fail(e)),
            Err(_) => Err(Error::Store(format!(
                "Redis {}: no connection within {:.1} s",
                self.describe,
                bound.as_secs_f64()
            ))),
        };
        match r {
            Ok(c) => {
                st.conn = Some((pid, c.clone()));
                st.down_until = None;
                Ok(c)
            }
            Err(e) => {
                st.down_until = Some((Instant::now() + self.redial_pause, e.to_string()));
                Err(e)
            }
        }
    }

    /// Forget a connection that failed, so the next operation dials again.
    async fn drop_connection(&self, e: &redis::RedisError) {
        if e.is_io_error()
            || e.is_connection_dropped()
            || e.is_timeout()
            || e.is_unrecoverable_error()
        {
            self.conn.lock().await.conn = None;
        }
    }

    async fn query<T: redis::FromRedisValue>(
        &self,
        f: impl AsyncFnOnce(&mut redis::aio::MultiplexedConnection) -> redis::RedisResult<T>,
    ) -> Result<T> {
        let mut c = self.connection().await?;
        match f(&mut c).await {
            Ok(v) => Ok(v),
            Err(e) => {
                self.drop_connection(&e).await;
                Err(self.fail(e))
            }
        }
    }

    async fn execute(&self, key: &str, identity: &IdentityKey, op: StoreOp) -> Result<StoreReply> {
        let started = Instant::now();
        let mut pause_ms = 1u64;
        loop {
            let (raw, (secs, micros)): (Option<Vec<u8>>, (u64, u64)) = self
                .query(async |c| {
                    redis::pipe()
                        .cmd("GET")
                        .arg(key)
                        .cmd("TIME")
                        .query_async(c)
                        .await
                })
                .await?;
            let raw = raw.map(Zeroizing::new);
            // Saturating: TIME comes from the server, and a hostile one must not overflow it.
            let now_ms = secs.saturating_mul(1000).saturating_add(micros / 1000);
            let mut state = match &raw {
                None => IdentityState {
                    // Monotonic across an expiry of the key: a fence or a reservation id from a
                    // previous document can never match one of this document.
                    fence_counter: now_ms,
                    next_id: now_ms,
                    ..IdentityState::default()
                },
                Some(b) => match serde_json::from_slice::<IdentityState>(b) {
                    Ok(s) => s,
                    // An operator reset rewrites an unreadable document; nothing else guesses.
                    Err(_) if matches!(op, StoreOp::ResetGuard) => IdentityState {
                        fence_counter: now_ms,
                        next_id: now_ms,
                        ..IdentityState::default()
                    },
                    Err(e) => {
                        return Err(Error::Store(format!(
                            "Redis key {key} is corrupt (line {}, column {}); {}",
                            e.line(),
                            e.column(),
                            identity.repair_hint()
                        )))
                    }
                },
            };
            let reply = state.apply(now_ms, op.clone());
            let after = Zeroizing::new(
                serde_json::to_vec(&state)
                    .map_err(|e| Error::Store(format!("cannot encode state: {e}")))?,
            );
            if raw.as_deref().map(|v| v.as_slice()) == Some(after.as_slice()) {
                return Ok(reply);
            }
            let ttl = ttl_ms(&state, now_ms);
            let expected: &[u8] = raw.as_deref().map(|v| v.as_slice()).unwrap_or(b"");
            let written: i64 = self
                .query(async |c| {
                    self.script
                        .key(key)
                        .arg(expected)
                        .arg(after.as_slice())
                        .arg(ttl)
                        .invoke_async(c)
                        .await
                })
                .await?;
            if written == 1 {
                return Ok(reply);
            }
            // Another process changed the document in between: read again.
            if started.elapsed() >= self.command_timeout {
                return Err(Error::Store(format!(
                    "Redis {}: key {key} too contended to update within {:.1} s",
                    self.describe,
                    self.command_timeout.as_secs_f64()
                )));
            }
            let jitter = crate::fingerprint::random_bytes::<1>()
                .map(|b| b[0] as u64)
                .unwrap_or(0)
                % (pause_ms + 1);
            tokio::time::sleep(Duration::from_millis(pause_ms + jitter)).await;
            pause_ms = (pause_ms * 2).min(20);
        }
    }
}

/// The key's time to live in ms, or 0 for none (lockout-guard state never expires silently).
pub(crate) fn ttl_ms(s: &IdentityState, now_ms: u64) -> u64 {
    let guard_state = s.failed_attempts > 0
        || !s.reservations.is_empty()
        || !s.rejected.is_empty()
        || s.locked.is_some()
        || !s.rotations.is_empty();
    if guard_state {
        return 0;
    }
    let until = [
        s.token.as_ref().map(|t| t.expires_at_ms),
        s.lease.as_ref().map(|l| l.expires_at_ms),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(now_ms)
    .max(now_ms);
    (until - now_ms).saturating_add(IDLE_TTL_MS)
}

impl Store for RedisStore {
    fn execute<'a>(
        &'a self,
        key: &'a IdentityKey,
        _now_ms: u64,
        op: StoreOp,
    ) -> BoxFuture<'a, Result<StoreReply>> {
        Box::pin(async move {
            let k = self.key_for(key);
            self.inner.execute(&k, key, op).await
        })
    }

    fn is_shared(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        self.inner.describe.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let s = RedisStore::builder("redis://app:s3cr%40t@127.0.0.1:6390/2?prefix=x")
            .build()
            .unwrap();
        for text in [format!("{s:?}"), s.describe()] {
            assert!(!text.contains("s3cr"), "{text}");
            assert!(text.contains("app:***@127.0.0.1:6390/2"), "{text}");
        }
        assert_eq!(redact_url("redis://:pw@h"), "redis://:***@h");
        assert!(!redact_url("redis://u:pw@[bad").contains("pw"));
    }

    #[test]
    fn prefix_comes_from_the_spec() {
        let (u, p) = split_prefix("redis://h:1/0?prefix=team-a&protocol=resp3");
        assert_eq!(u, "redis://h:1/0?protocol=resp3");
        assert_eq!(p.as_deref(), Some("team-a"));
        let s = RedisStore::from_spec("redis://h/?prefix=fleet").unwrap();
        assert!(s
            .key_for(&IdentityKey::new("f", "u", "p"))
            .starts_with("fleet:"));
    }

    #[test]
    fn a_token_expiring_at_the_end_of_time_gets_a_ttl() {
        // Found by the store_documents fuzz target: `until - now + IDLE_TTL_MS` overflowed.
        let s = IdentityState {
            token: Some(crate::store::TokenRecord {
                token: crate::Secret::new("t"),
                issued_at_ms: 0,
                refresh_at_ms: 0,
                expires_at_ms: u64::MAX,
            }),
            ..IdentityState::default()
        };
        assert_eq!(ttl_ms(&s, 0), u64::MAX);
    }

    #[test]
    fn guard_state_never_expires_and_clean_state_does() {
        let mut s = IdentityState::default();
        assert_eq!(ttl_ms(&s, 1000), IDLE_TTL_MS);
        s.failed_attempts = 1;
        assert_eq!(ttl_ms(&s, 1000), 0);
        s.failed_attempts = 0;
        s.locked = Some(super::super::Locked { code: 1, at_ms: 0 });
        assert_eq!(ttl_ms(&s, 1000), 0);
    }

    #[test]
    fn bad_urls_are_config_errors() {
        for u in ["", "http://h", "redis://", "file:/x"] {
            assert!(matches!(RedisStore::new(u), Err(Error::Config(_))), "{u}");
        }
    }
}
