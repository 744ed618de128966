use std::time::Duration;

/// Capped exponential backoff with "equal jitter": half fixed, half random, so retries spread out
/// but never come sooner than half the nominal delay.
pub(crate) fn delay(failures: u32, base: Duration, max: Duration) -> Duration {
    let exp = failures.saturating_sub(1).min(20);
    let nominal = base.saturating_mul(1u32 << exp).min(max);
    let half = nominal / 2;
    let r = crate::fingerprint::random_bytes::<4>()
        .map(u32::from_le_bytes)
        .unwrap_or(u32::MAX / 2);
    half + half.mul_f64(r as f64 / u32::MAX as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_is_capped() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(30);
        let d1 = delay(1, base, max);
        assert!(d1 >= Duration::from_millis(500) && d1 <= base);
        let d4 = delay(4, base, max);
        assert!(d4 >= Duration::from_secs(4) && d4 <= Duration::from_secs(8));
        assert!(delay(50, base, max) <= max);
    }
}
