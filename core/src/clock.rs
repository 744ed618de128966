//! Time sources. The engine reads the monotonic clock for its own deadlines and the wall clock only
//! for records shared with other processes, so a wall clock that jumps cannot expire a token early
//! or start a refresh storm. [`ManualClock`] makes every window testable without sleeping.

use std::fmt::Debug;
use std::ops::Add;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A reading of a monotonic clock, in nanoseconds from an arbitrary origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mono(pub u64);

impl Add<Duration> for Mono {
    type Output = Mono;
    fn add(self, d: Duration) -> Mono {
        Mono(
            self.0
                .saturating_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)),
        )
    }
}

/// A source of monotonic and wall-clock time.
pub trait Clock: Send + Sync + Debug + 'static {
    /// Monotonic time. May be coarse (a few milliseconds): every window it decides is seconds long.
    fn now(&self) -> Mono;
    /// Wall-clock time as milliseconds since the Unix epoch.
    fn wall_ms(&self) -> u64;
}

/// The real clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    /// `CLOCK_MONOTONIC_COARSE`: about 4 ns a read where the precise clock costs about 20 ns,
    /// which is half of the fresh `token()` path.
    #[inline]
    fn now(&self) -> Mono {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; the call only writes it.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut ts) };
        if rc != 0 {
            return Mono(0);
        }
        Mono((ts.tv_sec as u64).saturating_mul(1_000_000_000) + ts.tv_nsec as u64)
    }

    fn wall_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock that stands still until moved: `advance` moves both clocks, `jump_wall` only the wall
/// clock. For tests.
#[derive(Debug)]
pub struct ManualClock {
    base_wall_ms: u64,
    mono_offset_ns: AtomicU64,
    wall_offset_ms: AtomicI64,
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    pub fn new() -> Self {
        ManualClock {
            base_wall_ms: SystemClock.wall_ms(),
            mono_offset_ns: AtomicU64::new(0),
            wall_offset_ms: AtomicI64::new(0),
        }
    }

    /// Move monotonic and wall time forward together.
    pub fn advance(&self, d: Duration) {
        self.mono_offset_ns
            .fetch_add(d.as_nanos() as u64, Ordering::SeqCst);
        self.wall_offset_ms
            .fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }

    /// Move only the wall clock (negative: backwards), as NTP or an operator might.
    pub fn jump_wall(&self, ms: i64) {
        self.wall_offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Mono {
        // Starts well above zero so `now - margin` style arithmetic never matters.
        Mono(1_000_000_000_000 + self.mono_offset_ns.load(Ordering::SeqCst))
    }

    fn wall_ms(&self) -> u64 {
        (self.base_wall_ms as i64 + self.wall_offset_ms.load(Ordering::SeqCst)).max(0) as u64
    }
}
