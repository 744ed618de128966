//! Time sources. The engine reads the monotonic clock for its own deadlines and the wall clock only
//! for records shared with other processes, so a wall clock that jumps cannot expire a token early
//! or start a refresh storm. [`ManualClock`] makes every window testable without sleeping.

use std::fmt::Debug;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of monotonic and wall-clock time.
pub trait Clock: Send + Sync + Debug + 'static {
    /// Monotonic time.
    fn now(&self) -> Instant;
    /// Wall-clock time as milliseconds since the Unix epoch.
    fn wall_ms(&self) -> u64;
}

/// The real clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[inline]
    fn now(&self) -> Instant {
        Instant::now()
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
    base: Instant,
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
            base: Instant::now(),
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
    fn now(&self) -> Instant {
        self.base + Duration::from_nanos(self.mono_offset_ns.load(Ordering::SeqCst))
    }

    fn wall_ms(&self) -> u64 {
        (self.base_wall_ms as i64 + self.wall_offset_ms.load(Ordering::SeqCst)).max(0) as u64
    }
}
