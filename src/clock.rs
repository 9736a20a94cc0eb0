//! The one place that reads the wall clock. Everything else takes `now` as an
//! argument, so tests and snapshots are deterministic.

use chrono::{DateTime, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// The same clock, to hand to another thread.
    fn shared(&self) -> std::sync::Arc<dyn Clock>;
}

/// The system clock, truncated to whole seconds (the store keeps seconds).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one allowed reader of the wall clock
    fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
    }

    fn shared(&self) -> std::sync::Arc<dyn Clock> {
        std::sync::Arc::new(*self)
    }
}

/// A clock that always says the same time, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }

    fn shared(&self) -> std::sync::Arc<dyn Clock> {
        std::sync::Arc::new(*self)
    }
}
