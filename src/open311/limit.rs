//! The per-key rate limit, in memory: a token bucket per client that holds a
//! minute's worth of requests and refills continuously, so a client may
//! burst up to its limit and then goes on at its rate. The rule: the time is
//! given by the caller, so the limit is tested without waiting. A restart
//! forgets the buckets (every client starts full), which only errs towards
//! letting requests in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct Limiter {
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Limiter {
    /// Takes one request from `client`'s bucket of `per_minute`; false when
    /// it is empty (the request is refused and not counted).
    pub fn allow(&self, client: &str, per_minute: u32, now: Instant) -> bool {
        let capacity = f64::from(per_minute.max(1));
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let b = buckets.entry(client.to_owned()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * capacity / 60.0).min(capacity);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_minute_of_requests_then_the_rate() {
        let l = Limiter::default();
        let t = Instant::now();
        for _ in 0..60 {
            assert!(l.allow("web", 60, t));
        }
        assert!(!l.allow("web", 60, t), "the 61st in the same instant");
        assert!(l.allow("app", 60, t), "another key has its own bucket");
        assert!(!l.allow("web", 60, t + Duration::from_millis(500)));
        assert!(l.allow("web", 60, t + Duration::from_secs(1)));
    }
}
