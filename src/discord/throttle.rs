//! The per-member rate limit, shared by commands, buttons and mentions: a token bucket (governor's
//! GCRA) per member. A member may send `burst` requests at once; each comes back after `refill`.
//! So a typo corrected right away goes through, and a flood is slowed to one request per
//! `refill`. The limit is per process: replicas of `cabildo serve` each keep their own.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

/// Members remembered before the ones whose buckets are full again are forgotten.
const FORGET_ABOVE: usize = 10_000;

type Limiter<C> =
    RateLimiter<u64, DashMapStateStore<u64>, C, NoOpMiddleware<<C as Clock>::Instant>>;

/// A token bucket per member.
pub struct Throttle<C: Clock = DefaultClock> {
    /// `None`: no limit (a refill of 0 seconds).
    limiter: Option<Limiter<C>>,
    clock: C,
    calls: AtomicU64,
}

impl<C: Clock> std::fmt::Debug for Throttle<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("on", &self.limiter.is_some())
            .finish()
    }
}

impl Throttle {
    /// `burst` requests at once (at least 1), one more every `refill`; a zero `refill` turns the
    /// limit off.
    pub fn new(burst: u32, refill: Duration) -> Self {
        Throttle::with_clock(burst, refill, DefaultClock::default())
    }
}

impl<C: Clock + Clone> Throttle<C> {
    /// The same on another clock (tests use governor's fake one).
    pub fn with_clock(burst: u32, refill: Duration, clock: C) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let limiter = Quota::with_period(refill)
            .map(|q| RateLimiter::dashmap_with_clock(q.allow_burst(burst), clock.clone()));
        Throttle {
            limiter,
            clock,
            calls: AtomicU64::new(0),
        }
    }

    /// Takes one request from `member`'s bucket: `Err(seconds)` until the next one comes back
    /// (rounded up, at least 1).
    pub fn take(&self, member: u64) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        // Now and then forget members whose buckets are full again, so memory stays flat.
        if self.calls.fetch_add(1, Ordering::Relaxed) % 1024 == 1023 && limiter.len() > FORGET_ABOVE
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(&member).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn a_burst_then_one_per_refill_per_member() {
        let clock = FakeRelativeClock::default();
        let t = Throttle::with_clock(5, Duration::from_secs(3), clock.clone());
        for _ in 0..5 {
            assert_eq!(t.take(1), Ok(()));
        }
        assert_eq!(t.take(1), Err(3));
        assert_eq!(
            t.take(2),
            Ok(()),
            "another member has a bucket of their own"
        );
        clock.advance(Duration::from_millis(2500));
        assert_eq!(t.take(1), Err(1));
        clock.advance(Duration::from_millis(500));
        assert_eq!(t.take(1), Ok(()), "one request came back");
        assert_eq!(t.take(1), Err(3));
        clock.advance(Duration::from_secs(60));
        for _ in 0..5 {
            assert_eq!(
                t.take(1),
                Ok(()),
                "the bucket refills to the burst, no more"
            );
        }
        assert!(t.take(1).is_err());
    }

    #[test]
    fn zero_refill_is_no_limit_and_zero_burst_is_one() {
        let off = Throttle::new(5, Duration::ZERO);
        assert!((0..100).all(|_| off.take(1).is_ok()));
        let one = Throttle::with_clock(0, Duration::from_secs(3), FakeRelativeClock::default());
        assert_eq!(one.take(1), Ok(()));
        assert!(one.take(1).is_err());
    }
}
