use super::backoff;
use super::local_copy;
use super::stats::{bump, Counters, Stats};
use super::{FetchError, Fetched, TokenSource};
use crate::clock::{Clock, Mono};
use crate::error::{Error, GuardReason, Result};
use crate::fingerprint;
use crate::secret::{AccessToken, Secret};
use crate::store::{
    unexpected, AttemptOutcome, IdentityKey, IdentityState, MemoryStore, ReserveOutcome, Rotation,
    Store, StoreOp, StoreReply, TokenRecord,
};
use crate::token_check;
use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Extra time a waiter gives a refresh beyond its request time-out (store operations).
const WAIT_GRACE: Duration = Duration::from_secs(2);

/// Tunables of the engine. The defaults are those of docs/ARCHITECTURE.md, "The lifecycle engine".
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Credential failures allowed since the last success, across the store (1–4).
    pub max_failed_attempts: u32,
    /// Bound on one authentication request and on any wait for a token.
    pub timeout: Duration,
    /// Before expiry, the span in which every caller waits for a new token.
    pub mandatory_margin: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How long a refresher holds the shared lease before others may take over.
    pub lease_ttl: Duration,
    /// How often a process waiting on another's refresh looks at the store.
    pub poll_interval: Duration,
    /// On a store failure, go on with process-local state and a one-attempt guard (true), or
    /// fail with `Error::Store` (false: for short-lived processes such as the CLI, where a
    /// local guard would start from zero on every run).
    pub degrade_on_store_error: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_failed_attempts: 3,
            timeout: Duration::from_secs(30),
            mandatory_margin: Duration::from_secs(600),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            lease_ttl: Duration::from_secs(35),
            poll_interval: Duration::from_millis(50),
            degrade_on_store_error: true,
        }
    }
}

/// What the lockout guard knows about an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardStatus {
    pub failed_attempts: u32,
    pub in_flight: u32,
    pub max_failed_attempts: u32,
    pub attempts_remaining: u32,
    pub rejected_secrets: u32,
    /// The 24302 code if the server locked the account.
    pub locked: Option<u32>,
    /// True if the current secret is among the rejected ones.
    pub current_secret_rejected: bool,
    /// Where the state lives (`memory`, `file:/path`, ...).
    pub store: String,
}

struct Cached {
    token: AccessToken,
    /// Unique id of this token, for the per-thread copies.
    generation: u64,
    refresh_at: Mono,
    mandatory_at: Mono,
}

type Flight = Shared<BoxFuture<'static, Result<AccessToken>>>;

#[derive(Default)]
struct FlightState {
    current: Option<(u64, Flight)>,
    generation: u64,
    failures: u32,
    backoff_until: Option<Mono>,
    last_error: Option<Error>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Window {
    Advisory,
    Mandatory,
}

/// One identity's token lifecycle over a [`TokenSource`] and a [`Store`].
pub struct Engine<S: TokenSource> {
    source: S,
    store: Arc<dyn Store>,
    fallback: MemoryStore,
    degraded: AtomicBool,
    cfg: EngineConfig,
    clock: Arc<dyn Clock>,
    cache: ArcSwapOption<Cached>,
    /// The last token a server rejected: never adopted again from the store.
    rejected_token: ArcSwapOption<AccessToken>,
    flight: Mutex<FlightState>,
    counters: Counters,
    holder: String,
}

impl<S: TokenSource> std::fmt::Debug for Engine<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("identity", self.source.identity())
            .field("store", &self.store)
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl<S: TokenSource> Engine<S> {
    pub fn new(source: S, store: Arc<dyn Store>, cfg: EngineConfig, clock: Arc<dyn Clock>) -> Self {
        let holder = fingerprint::random_bytes::<8>()
            .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>())
            .unwrap_or_default();
        Engine {
            source,
            store,
            fallback: MemoryStore::new(),
            degraded: AtomicBool::new(false),
            cfg,
            clock,
            cache: ArcSwapOption::empty(),
            rejected_token: ArcSwapOption::empty(),
            flight: Mutex::new(FlightState::default()),
            counters: Counters::default(),
            holder: format!("{}-{holder}", std::process::id()),
        }
    }

    pub fn source(&self) -> &S {
        &self.source
    }

    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    /// A valid token: from the cache when fresh (no lock), else by the single-flight refresh.
    pub async fn token(self: &Arc<Self>) -> Result<AccessToken> {
        let now = self.clock.now();
        if let Some(c) = &*self.cache.load() {
            if now < c.refresh_at {
                self.counters.cache_hits.incr();
                return Ok(local_copy::local_copy(c.generation, &c.token));
            }
            if now < c.mandatory_at {
                self.counters.cache_hits.incr();
                self.start_advisory_refresh(now);
                return Ok(local_copy::local_copy(c.generation, &c.token));
            }
            local_copy::forget(c.generation);
        }
        self.wait_for_token().await
    }

    /// The cached token if no refresh is due yet; `None` otherwise. Needs no runtime: blocking
    /// callers use it to skip the runtime on the hot path.
    pub fn fresh_token(&self) -> Option<AccessToken> {
        let now = self.clock.now();
        let cache = self.cache.load();
        let c = cache.as_ref()?;
        if now < c.refresh_at {
            self.counters.cache_hits.incr();
            Some(local_copy::local_copy(c.generation, &c.token))
        } else {
            None
        }
    }

    /// The fresh token with its generation: a process-wide number that names this token (and,
    /// for Finicity, this App Key; see [`Engine::bump_generation`]). Bindings keep one string per
    /// generation and compare numbers on the hot path instead of taking a lock.
    /// Counts no cache hit: bindings call it after [`Engine::fresh_generation`] (which does) or
    /// after a `token()` that waited.
    pub fn fresh_token_with_generation(&self) -> Option<(u64, AccessToken)> {
        let now = self.clock.now();
        let cache = self.cache.load();
        let c = cache.as_ref()?;
        if now < c.refresh_at {
            Some((c.generation, local_copy::local_copy(c.generation, &c.token)))
        } else {
            None
        }
    }

    /// The generation of the fresh token, without copying it (a hit is counted).
    pub fn fresh_generation(&self) -> Option<u64> {
        let now = self.clock.now();
        let cache = self.cache.load();
        let c = cache.as_ref()?;
        if now < c.refresh_at {
            self.counters.cache_hits.incr();
            Some(c.generation)
        } else {
            None
        }
    }

    /// Give the cached token a new generation (the App Key changed: headers built from the old
    /// generation are stale). Lock-free: a concurrent install wins and brings its own number.
    pub(crate) fn bump_generation(&self) {
        self.cache.rcu(|c| {
            c.as_ref().map(|c| {
                Arc::new(Cached {
                    token: c.token.clone(),
                    generation: local_copy::new_generation(),
                    refresh_at: c.refresh_at,
                    mandatory_at: c.mandatory_at,
                })
            })
        });
    }

    fn start_advisory_refresh(self: &Arc<Self>, now: Mono) {
        let Ok(mut f) = self.flight.try_lock() else {
            return;
        };
        if f.current.is_some() || f.backoff_until.is_some_and(|t| now < t) {
            return;
        }
        if let Err(e) = self.spawn_flight(&mut f, Window::Advisory) {
            tracing::warn!(error = %e, "could not start a background token refresh");
        }
    }

    async fn wait_for_token(self: &Arc<Self>) -> Result<AccessToken> {
        let token = self.join_or_start_flight().await?;
        // A flight that finished while its token was being invalidated would hand back the
        // rejected token: start one more refresh instead.
        let rejected = self.rejected_token.load();
        if rejected.as_ref().is_some_and(|r| r.same_as(&token)) {
            return self.join_or_start_flight().await;
        }
        Ok(token)
    }

    async fn join_or_start_flight(self: &Arc<Self>) -> Result<AccessToken> {
        let flight = {
            let mut f = self.lock_flight();
            let now = self.clock.now();
            if let Some(c) = &*self.cache.load() {
                if now < c.mandatory_at {
                    self.counters.cache_hits.incr();
                    return Ok(c.token.clone());
                }
            }
            let rejected = self.rejected_token.load();
            let finished_rejected = |fl: &Flight| matches!(fl.peek(), Some(Ok(t)) if rejected.as_ref().is_some_and(|r| r.same_as(t)));
            match &f.current {
                Some((_, flight)) if !finished_rejected(flight) => flight.clone(),
                _ => {
                    if let (Some(until), Some(err)) = (f.backoff_until, &f.last_error) {
                        if now < until {
                            return Err(err.clone());
                        }
                    }
                    self.spawn_flight(&mut f, Window::Mandatory)?
                }
            }
        };
        // The flight bounds its own request by `timeout`; the grace lets its verdict (and its
        // backoff) land before a waiter gives up, so every waiter sees the same outcome.
        let bound = self.cfg.timeout + WAIT_GRACE;
        match tokio::time::timeout(bound, flight).await {
            Ok(r) => r,
            Err(_) => Err(Error::Timeout {
                after: bound,
                what: "waiting for a token".into(),
            }),
        }
    }

    fn lock_flight(&self) -> std::sync::MutexGuard<'_, FlightState> {
        self.flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn spawn_flight(self: &Arc<Self>, f: &mut FlightState, window: Window) -> Result<Flight> {
        let handle = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::config("finauth's async API must run inside a tokio runtime; use finauth::blocking elsewhere")
        })?;
        f.generation += 1;
        let generation = f.generation;
        match window {
            Window::Advisory => bump(&self.counters.refreshes_advisory),
            Window::Mandatory => bump(&self.counters.refreshes_mandatory),
        }
        let this = Arc::clone(self);
        let task = handle.spawn(async move { this.run_flight(generation, window).await });
        let flight: Flight = async move {
            match task.await {
                Ok(r) => r,
                Err(e) => Err(Error::Transport(format!("token refresh task failed: {e}"))),
            }
        }
        .boxed()
        .shared();
        f.current = Some((generation, flight.clone()));
        Ok(flight)
    }

    async fn run_flight(self: Arc<Self>, generation: u64, window: Window) -> Result<AccessToken> {
        let result = self.refresh(window).await;
        let mut f = self.lock_flight();
        if f.current.as_ref().is_some_and(|(g, _)| *g == generation) {
            f.current = None;
        }
        match &result {
            Ok(_) => {
                f.failures = 0;
                f.backoff_until = None;
                f.last_error = None;
            }
            Err(e) if backs_off(e) => {
                f.failures = f.failures.saturating_add(1);
                let mut d = backoff::delay(f.failures, self.cfg.backoff_base, self.cfg.backoff_max);
                if let Error::RateLimited {
                    retry_after: Some(ra),
                    ..
                } = e
                {
                    d = d.max(*ra);
                }
                f.backoff_until = Some(self.clock.now() + d);
                f.last_error = Some(e.clone());
                log_refresh_failure(window, e, Some(d));
            }
            Err(e) => {
                f.last_error = None;
                f.backoff_until = None;
                log_refresh_failure(window, e, None);
            }
        }
        result
    }

    /// Drop `token` if it is still the current one; `true` if this call dropped it.
    pub async fn invalidate(&self, token: &AccessToken) -> bool {
        let current = self.cache.load();
        let Some(c) = current.as_ref() else {
            return false;
        };
        if !c.token.same_as(token) {
            return false;
        }
        let prev = self.cache.compare_and_swap(&current, None);
        let dropped = match (prev.as_ref(), current.as_ref()) {
            (Some(p), Some(c)) => Arc::ptr_eq(p, c),
            _ => false,
        };
        if dropped {
            bump(&self.counters.invalidations);
            self.rejected_token.store(Some(Arc::new(token.clone())));
            tracing::info!("token invalidated after the server rejected it");
            let _ = self
                .exec(StoreOp::DropToken {
                    token: token.0.clone(),
                })
                .await;
        }
        dropped
    }

    /// In a child after `fork()`: the refresh in flight ran on a runtime the child does not have;
    /// drop it so the next caller starts a new one. The cached token, backoff and guard stay.
    pub fn reset_after_fork(&self) {
        self.lock_flight().current = None;
    }

    /// Forget the cached token of this process (the shared record stays).
    pub fn clear_cache(&self) {
        self.cache.store(None);
        let mut f = self.lock_flight();
        f.backoff_until = None;
        f.last_error = None;
        f.failures = 0;
    }

    // ---- store access -------------------------------------------------------------------------

    /// Run `op` on the configured store; if that store fails, fall back to process-local state with
    /// the strictest guard (one attempt), never failing open.
    pub(crate) async fn exec(&self, op: StoreOp) -> Result<StoreReply> {
        self.exec_at(self.key_of(&op), op).await
    }

    /// Guard operations go to the guard's state; token, lease and `Load` to the token's.
    fn key_of(&self, op: &StoreOp) -> &IdentityKey {
        match op {
            StoreOp::Reserve { .. }
            | StoreOp::Settle { .. }
            | StoreOp::ResetGuard
            | StoreOp::MarkLocked { .. }
            | StoreOp::RecordRotation { .. } => self.source.guard_identity(),
            StoreOp::Load
            | StoreOp::AcquireLease { .. }
            | StoreOp::ReleaseLease { .. }
            | StoreOp::PublishToken { .. }
            | StoreOp::DropToken { .. } => self.source.identity(),
        }
    }

    async fn exec_at(&self, key: &IdentityKey, op: StoreOp) -> Result<StoreReply> {
        let now = self.clock.wall_ms();
        match self.store.execute(key, now, op.clone()).await {
            Ok(r) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::warn!(store = %self.store.describe(), "store reachable again; shared state restored");
                }
                Ok(r)
            }
            Err(e) if !self.cfg.degrade_on_store_error => {
                bump(&self.counters.store_errors);
                Err(e)
            }
            Err(e) => {
                bump(&self.counters.store_errors);
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(store = %self.store.describe(), error = %e,
                        "store unavailable; using process-local state with a one-attempt lockout guard");
                }
                let op = match op {
                    StoreOp::Reserve {
                        fingerprint,
                        ttl_ms,
                        ..
                    } => StoreOp::Reserve {
                        fingerprint,
                        max_failed_attempts: 1,
                        ttl_ms,
                    },
                    other => other,
                };
                Ok(self.fallback.apply(key, now, op))
            }
        }
    }

    /// Like `exec` on the guard's state, but an operator action must reach the real store or fail.
    pub(crate) async fn exec_strict(&self, op: StoreOp) -> Result<StoreReply> {
        let key = self.source.guard_identity();
        let now = self.clock.wall_ms();
        let r = self.store.execute(key, now, op.clone()).await?;
        self.fallback.apply(key, now, op);
        Ok(r)
    }

    /// The token's state (token record, lease, fence).
    pub(crate) async fn load(&self) -> Result<IdentityState> {
        match self.exec(StoreOp::Load).await? {
            StoreReply::Snapshot(s) => Ok(*s),
            _ => Err(unexpected("load")),
        }
    }

    /// The guard's state (failures, rejected secrets, lock, rotations, fingerprint salt).
    pub(crate) async fn load_guard(&self) -> Result<IdentityState> {
        match self
            .exec_at(self.source.guard_identity(), StoreOp::Load)
            .await?
        {
            StoreReply::Snapshot(s) => Ok(*s),
            _ => Err(unexpected("load")),
        }
    }

    /// `state` must be the guard's state (its salt keys the fingerprints).
    pub(crate) fn fingerprint(&self, state: &IdentityState, secret: &Secret) -> String {
        fingerprint::fingerprint(
            &state.fingerprint_salt,
            self.source.guard_identity().as_str(),
            secret,
        )
    }

    /// Hold the shared refresh lease (waiting for another holder at most `timeout`).
    pub(crate) async fn acquire_lease(&self) -> Result<Option<u64>> {
        if !self.store.is_shared() {
            return Ok(None);
        }
        let deadline = tokio::time::Instant::now() + self.cfg.timeout;
        loop {
            if let Some(fence) = self.try_lease().await? {
                return Ok(Some(fence));
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::Timeout {
                    after: self.cfg.timeout,
                    what: "waiting for another process's refresh lease".into(),
                });
            }
            tokio::time::sleep(self.cfg.poll_interval).await;
        }
    }

    async fn try_lease(&self) -> Result<Option<u64>> {
        match self
            .exec(StoreOp::AcquireLease {
                holder: self.holder.clone(),
                ttl_ms: self.cfg.lease_ttl.as_millis() as u64,
            })
            .await?
        {
            StoreReply::Lease(l) => Ok(l),
            _ => Err(unexpected("lease")),
        }
    }

    pub(crate) async fn release_lease(&self, fence: Option<u64>) {
        if let Some(fence) = fence {
            let _ = self.exec(StoreOp::ReleaseLease { fence }).await;
        }
    }

    /// Reserve a guard slot for `secret`, following a rotation another process recorded.
    /// Returns the reservation and the secret to send (it may be the rotated successor).
    pub(crate) async fn reserve(&self) -> Result<(u64, Secret, String)> {
        for _ in 0..8 {
            let state = self.load_guard().await?;
            let secret = self.source.credential();
            let fp = self.fingerprint(&state, &secret);
            let reply = self
                .exec(StoreOp::Reserve {
                    fingerprint: fp.clone(),
                    max_failed_attempts: self.cfg.max_failed_attempts,
                    ttl_ms: (self.cfg.timeout + Duration::from_secs(5)).as_millis() as u64,
                })
                .await?;
            let StoreReply::Reserve(outcome) = reply else {
                return Err(unexpected("reserve"));
            };
            match outcome {
                ReserveOutcome::Granted { reservation } => return Ok((reservation, secret, fp)),
                ReserveOutcome::SecretRetired { rotation } => {
                    if !self.follow_rotation(&state, &secret, &rotation) {
                        bump(&self.counters.guard_refusals);
                        return Err(Error::LockoutGuard {
                            failed_attempts: state.failed_attempts,
                            reason: GuardReason::SecretRetired,
                            hint: "this secret was replaced by Modify Partner Secret; configure the new secret".into(),
                        });
                    }
                }
                ReserveOutcome::SecretRejected { failed_attempts } => {
                    bump(&self.counters.guard_refusals);
                    return Err(Error::LockoutGuard {
                        failed_attempts,
                        reason: GuardReason::SecretRejected,
                        hint: format!(
                            "the server already rejected this exact credential, so it is not sent again; fix {} (a changed one is tried while attempts remain)",
                            self.source.advice().fix
                        ),
                    });
                }
                ReserveOutcome::Exhausted { failed_attempts } => {
                    bump(&self.counters.guard_refusals);
                    return Err(Error::LockoutGuard {
                        failed_attempts,
                        reason: GuardReason::AttemptsExhausted,
                        hint: format!(
                            "{} failed attempt(s) of {} allowed (a request left unanswered after \
                             it was sent counts, since the server may have judged it); fix {}, \
                             then run {}",
                            failed_attempts,
                            self.cfg.max_failed_attempts,
                            self.source.advice().fix,
                            self.source.advice().reset
                        ),
                    });
                }
                ReserveOutcome::Locked { code } => {
                    bump(&self.counters.guard_refusals);
                    return Err(Error::AccountLocked { code });
                }
            }
        }
        Err(Error::LockoutGuard {
            failed_attempts: 0,
            reason: GuardReason::SecretRetired,
            hint: "too many chained secret rotations; configure the current secret".into(),
        })
    }

    fn follow_rotation(&self, state: &IdentityState, secret: &Secret, rotation: &Rotation) -> bool {
        let id = self.source.guard_identity().as_str();
        let Some(next) = fingerprint::open(&state.fingerprint_salt, id, secret, &rotation.sealed)
        else {
            return false;
        };
        if self.fingerprint(state, &next) != rotation.new_fingerprint {
            return false;
        }
        tracing::info!("picked up a partner secret rotated by another process");
        self.source.replace_credential(secret, next)
    }

    pub(crate) async fn settle(
        &self,
        reservation: u64,
        fingerprint: String,
        outcome: AttemptOutcome,
    ) {
        let _ = self
            .exec(StoreOp::Settle {
                reservation,
                fingerprint,
                outcome,
            })
            .await;
    }

    // ---- refresh --------------------------------------------------------------------------------

    async fn refresh(&self, window: Window) -> Result<AccessToken> {
        let deadline = tokio::time::Instant::now() + self.cfg.timeout;
        loop {
            if let Some(t) = self.adopt_shared(window).await? {
                return Ok(t);
            }
            let fence = if self.store.is_shared() {
                match self.try_lease().await? {
                    Some(f) => Some(f),
                    None => {
                        // Another process is refreshing: wait for its token or its lease to end.
                        if let Some(t) = self.wait_for_other(window, deadline).await? {
                            return Ok(t);
                        }
                        continue;
                    }
                }
            } else {
                None
            };
            let result = self.authenticate_holding(window, fence).await;
            self.release_lease(fence).await;
            return result;
        }
    }

    async fn authenticate_holding(
        &self,
        window: Window,
        fence: Option<u64>,
    ) -> Result<AccessToken> {
        if fence.is_some() {
            if let Some(t) = self.adopt_shared(window).await? {
                return Ok(t);
            }
        }
        let (reservation, secret, fp) = self.reserve().await?;
        bump(&self.counters.auth_requests);
        let sent_mono = self.clock.now();
        let sent_wall = self.clock.wall_ms();
        match self.source.fetch(&secret).await {
            Ok(fetched) => {
                if let Err(defect) = token_check::check(fetched.token.expose()) {
                    // The secret was not judged wrong: no charge to the guard, but back off, as
                    // for any server fault, so a broken server is not asked again at once.
                    self.settle(reservation, fp, AttemptOutcome::Neutral).await;
                    // The error itself reaches the caller (or the refresh-failure log): debug only.
                    tracing::debug!(%defect, "refused the token in the server's answer: not a valid header value");
                    return Err(Error::Server {
                        status: 200,
                        code: None,
                        message: format!(
                            "the server's token is not a valid header value ({defect}); it was refused"
                        ),
                        oauth: None,
                    });
                }
                self.settle(reservation, fp, AttemptOutcome::Success).await;
                bump(&self.counters.auth_successes);
                let token = fetched.token.clone();
                self.install_own(&fetched, sent_mono, sent_wall, fence)
                    .await;
                tracing::info!(?window, "new token obtained");
                Ok(token)
            }
            Err(FetchError::Credential { code, oauth }) => {
                self.settle(reservation, fp, AttemptOutcome::CredentialFailure)
                    .await;
                bump(&self.counters.credential_failures);
                let remaining = self
                    .load_guard()
                    .await
                    .map(|s| s.attempts_remaining(self.cfg.max_failed_attempts))
                    .unwrap_or(0);
                Err(Error::InvalidCredentials {
                    attempts_remaining: remaining,
                    code,
                    oauth,
                    hint: self.source.advice().after_rejection(),
                })
            }
            Err(FetchError::Locked { code }) => {
                self.settle(reservation, fp, AttemptOutcome::Locked { code })
                    .await;
                self.drop_dead_token().await;
                tracing::error!(
                    code,
                    "the server reports the account as locked; stopping all authentication"
                );
                Err(Error::AccountLocked { code })
            }
            Err(FetchError::Unanswered(e)) => {
                // The server may have judged the secret: counted, as a crashed attempt is, so
                // the failures the server sees in a row stay within max_failed_attempts even
                // when its answers are lost (docs/FLEET-MODEL.md, invariant 1).
                self.settle(reservation, fp, AttemptOutcome::Unanswered)
                    .await;
                tracing::warn!(error = %e, "the authentication request got no answer; the lockout guard counts it as a failed attempt");
                Err(e)
            }
            Err(FetchError::Other(e)) => {
                self.settle(reservation, fp, AttemptOutcome::Neutral).await;
                Err(e)
            }
        }
    }

    async fn install_own(&self, f: &Fetched, sent_mono: Mono, sent_wall: u64, fence: Option<u64>) {
        // The mandatory window never opens before the advisory one (short OAuth 2.0 lifetimes).
        let margin = self
            .cfg
            .mandatory_margin
            .min(f.lifetime.saturating_sub(f.refresh_after));
        let cached = Cached {
            token: f.token.clone(),
            generation: local_copy::new_generation(),
            refresh_at: sent_mono + f.refresh_after,
            mandatory_at: sent_mono + (f.lifetime - margin),
        };
        let record = TokenRecord {
            token: f.token.0.clone(),
            issued_at_ms: sent_wall,
            refresh_at_ms: sent_wall + f.refresh_after.as_millis() as u64,
            expires_at_ms: sent_wall + f.lifetime.as_millis() as u64,
        };
        self.cache.store(Some(Arc::new(cached)));
        let fence = match fence {
            Some(f) => f,
            // Memory store: no lease needed, publish under the current fence.
            None => match self.load().await {
                Ok(s) => s.fence_counter,
                Err(_) => return,
            },
        };
        match self.exec(StoreOp::PublishToken { record, fence }).await {
            Ok(StoreReply::Published(true)) => {}
            Ok(_) => tracing::warn!("refresh lease expired before the token was shared; keeping it for this process only"),
            Err(e) => tracing::warn!(error = %e, "could not share the new token"),
        }
    }

    /// Take a token another process published, if it suits the window.
    async fn adopt_shared(&self, window: Window) -> Result<Option<AccessToken>> {
        if !self.store.is_shared() {
            return Ok(None);
        }
        let state = self.load().await?;
        let Some(rec) = state.token else {
            return Ok(None);
        };
        if let Err(defect) = token_check::check(rec.token.expose()) {
            // Written by something other than finauth (an edited file, a foreign writer): never
            // put it in a header; this process authenticates and publishes a good one instead.
            tracing::warn!(%defect, store = %self.store.describe(), "the store holds a token that is not a valid header value; not adopting it");
            return Ok(None);
        }
        let now_wall = self.clock.wall_ms();
        let now = self.clock.now();
        if let Some(rejected) = &*self.rejected_token.load() {
            if rec.token.ct_eq(&rejected.0) {
                return Ok(None);
            }
        }
        // Only this process's own copy is skipped. Comparing issue times here made a wall clock
        // set back refuse every newer record, so each process authenticated for itself (found by
        // the fleet model, docs/FLEET-MODEL.md); an older record fails the window check anyway.
        if let Some(c) = &*self.cache.load() {
            if c.token.0.ct_eq(&rec.token) {
                return Ok(None);
            }
        }
        let margin_ms = self.cfg.mandatory_margin.as_millis() as u64;
        // Never trust a record for longer than a token lives, whatever the wall clocks say.
        let lifetime_ms = rec.expires_at_ms.saturating_sub(rec.issued_at_ms);
        let expires_ms = rec.expires_at_ms.min(now_wall.saturating_add(lifetime_ms));
        let advisory_span_ms = rec.expires_at_ms.saturating_sub(rec.refresh_at_ms);
        let mandatory_ms =
            expires_ms.saturating_sub(margin_ms.min(lifetime_ms).min(advisory_span_ms));
        let usable = match window {
            Window::Advisory => now_wall < rec.refresh_at_ms,
            Window::Mandatory => now_wall < mandatory_ms,
        };
        if !usable {
            return Ok(None);
        }
        let at = |ms: u64| now + Duration::from_millis(ms.saturating_sub(now_wall));
        let token = AccessToken(rec.token.clone());
        self.cache.store(Some(Arc::new(Cached {
            token: token.clone(),
            generation: local_copy::new_generation(),
            refresh_at: at(rec.refresh_at_ms.min(mandatory_ms)),
            mandatory_at: at(mandatory_ms),
        })));
        bump(&self.counters.tokens_adopted);
        tracing::debug!("adopted a token published by another process");
        Ok(Some(token))
    }

    async fn wait_for_other(
        &self,
        window: Window,
        deadline: tokio::time::Instant,
    ) -> Result<Option<AccessToken>> {
        let mut interval = self.cfg.poll_interval;
        loop {
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::Timeout {
                    after: self.cfg.timeout,
                    what: "waiting for another process to refresh the token".into(),
                });
            }
            tokio::time::sleep(interval).await;
            interval = (interval * 3 / 2).min(Duration::from_millis(500));
            if let Some(t) = self.adopt_shared(window).await? {
                return Ok(Some(t));
            }
            let state = self.load().await?;
            if state.lease.is_none() {
                return Ok(None);
            }
        }
    }

    // ---- guard administration ---------------------------------------------------------------

    pub async fn guard_status(&self) -> Result<GuardStatus> {
        let StoreReply::Snapshot(state) = self.exec_strict(StoreOp::Load).await? else {
            return Err(unexpected("load"));
        };
        let fp = self.fingerprint(&state, &self.source.credential());
        Ok(GuardStatus {
            failed_attempts: state.failed_attempts,
            in_flight: state.reservations.len() as u32,
            max_failed_attempts: self.cfg.max_failed_attempts,
            attempts_remaining: state.attempts_remaining(self.cfg.max_failed_attempts),
            rejected_secrets: state.rejected.len() as u32,
            locked: state.locked.as_ref().map(|l| l.code),
            current_secret_rejected: state.rejected.contains(&fp),
            store: self.store.describe(),
        })
    }

    /// Operator action: clear failures, rejected secrets and the locked flag, everywhere.
    pub async fn reset_guard(&self) -> Result<()> {
        self.exec_strict(StoreOp::ResetGuard).await?;
        {
            let mut f = self.lock_flight();
            f.backoff_until = None;
            f.last_error = None;
            f.failures = 0;
        }
        tracing::info!(identity = %self.source.guard_identity().as_str(), "lockout guard reset by an operator");
        Ok(())
    }

    /// Record the server's lock verdict seen on some other call.
    pub(crate) async fn mark_locked(&self, code: u32) {
        tracing::error!(
            code,
            "the server reports the account as locked; stopping all authentication"
        );
        let _ = self.exec(StoreOp::MarkLocked { code }).await;
        self.drop_dead_token().await;
    }

    /// After a lock verdict the token is useless: callers must get `AccountLocked`, not a dead
    /// token, and no process may adopt it from the store.
    async fn drop_dead_token(&self) {
        self.clear_cache();
        if let Ok(IdentityState {
            token: Some(rec), ..
        }) = self.load().await
        {
            let _ = self.exec(StoreOp::DropToken { token: rec.token }).await;
        }
    }

    /// A rotation made by this process: seal the successor for the others and swap locally.
    pub(crate) async fn publish_rotation(&self, old: &Secret, new: Secret) -> Result<()> {
        let state = self.load_guard().await?;
        let id = self.source.guard_identity().as_str();
        let rotation = Rotation {
            old_fingerprint: self.fingerprint(&state, old),
            new_fingerprint: self.fingerprint(&state, &new),
            sealed: fingerprint::seal(&state.fingerprint_salt, id, old, &new)?,
            at_ms: self.clock.wall_ms(),
        };
        self.source.replace_credential(old, new);
        self.exec(StoreOp::RecordRotation { rotation }).await?;
        Ok(())
    }
}

/// A mandatory refresh's error reaches its callers, so it is only logged at debug level; an
/// advisory refresh's error reaches nobody, so it is a warning.
fn log_refresh_failure(window: Window, e: &Error, backoff: Option<Duration>) {
    let backoff_ms = backoff.map(|d| d.as_millis() as u64);
    match window {
        Window::Advisory => {
            tracing::warn!(error = %e, kind = e.kind(), backoff_ms, "background token refresh failed; keeping the current token")
        }
        Window::Mandatory => {
            tracing::debug!(error = %e, kind = e.kind(), backoff_ms, "token refresh failed")
        }
    }
}

/// Failures after which the engine waits before trying again (credential verdicts are the
/// guard's business instead).
fn backs_off(e: &Error) -> bool {
    !matches!(
        e,
        Error::InvalidCredentials { .. } | Error::LockoutGuard { .. } | Error::AccountLocked { .. }
    )
}
