//! The model's clock. The engine takes its waits from tokio's timer (`sleep`, `timeout`) and its
//! windows from a [`Clock`]; reading tokio's paused clock keeps the two in step (a `ManualClock`
//! would have to be moved by hand every time tokio auto-advances), and the wall clock can still
//! jump on its own, forward or backward.

use finauth::clock::{Clock, Mono};
use std::sync::atomic::{AtomicI64, Ordering};
use tokio::time::Instant;

/// A fixed wall-clock origin, so a replay sees the same wall times.
pub const WALL_BASE_MS: u64 = 1_750_000_000_000;

#[derive(Debug)]
pub struct SimClock {
    origin: Instant,
    wall_offset_ms: AtomicI64,
}

impl SimClock {
    /// Must be made inside the paused runtime.
    pub fn new() -> Self {
        SimClock {
            origin: Instant::now(),
            wall_offset_ms: AtomicI64::new(0),
        }
    }

    /// True (monotonic) time since the run started.
    pub fn elapsed_ms(&self) -> u64 {
        Instant::now().duration_since(self.origin).as_millis() as u64
    }

    pub fn jump_wall(&self, ms: i64) {
        self.wall_offset_ms.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn wall_offset_ms(&self) -> i64 {
        self.wall_offset_ms.load(Ordering::SeqCst)
    }
}

impl Clock for SimClock {
    fn now(&self) -> Mono {
        let ns = Instant::now().duration_since(self.origin).as_nanos() as u64;
        Mono(1_000_000_000_000 + ns)
    }

    fn wall_ms(&self) -> u64 {
        (WALL_BASE_MS as i64 + self.elapsed_ms() as i64 + self.wall_offset_ms()).max(0) as u64
    }
}
