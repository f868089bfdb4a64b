//! The job runner's pulse. The runner ticks it between jobs; `/healthz` and the admin page
//! read it. Every clock of the policy (reminders, the disclosure deadline, scheduled
//! publication) is a job, so a runner that stopped ticking is a broken promise, even while
//! the web pages still answer.
//!
//! Kept in memory, per process: each instance reports its own runner, and a tick costs no
//! database write.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::{SignedDuration, Timestamp};

/// A shared handle: the runner and the web state hold clones of one heartbeat.
#[derive(Debug, Clone)]
pub struct Heartbeat(Arc<Mutex<Pulse>>);

/// What the heartbeat knows about its runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pulse {
    /// The last tick, or the heartbeat's creation until the first one (so a runner that
    /// never starts goes stale too).
    pub last_tick: Timestamp,
    /// How often a supervisor restarted the runner after it stopped unexpectedly.
    pub restarts: u32,
}

/// The runner's state as `/healthz` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunnerState {
    Running,
    /// No tick for longer than allowed.
    Stalled,
}

impl RunnerState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunnerState::Running => "running",
            RunnerState::Stalled => "stalled",
        }
    }
}

impl Heartbeat {
    pub fn new(now: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(Pulse {
            last_tick: now,
            restarts: 0,
        })))
    }

    /// The runner is alive and between jobs.
    pub fn tick(&self, now: Timestamp) {
        // A poisoned lock only means a holder panicked; the pulse itself is two plain
        // values and still right.
        let mut pulse = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        pulse.last_tick = pulse.last_tick.max(now);
    }

    /// The runner stopped unexpectedly and was started again.
    pub fn restarted(&self) {
        let mut pulse = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        pulse.restarts = pulse.restarts.saturating_add(1);
    }

    pub fn pulse(&self) -> Pulse {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Running, or stalled when the last tick is older than `stale_after` at `now`.
    pub fn state(&self, now: Timestamp, stale_after: SignedDuration) -> RunnerState {
        if now.duration_since(self.pulse().last_tick) > stale_after {
            RunnerState::Stalled
        } else {
            RunnerState::Running
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code
    use super::*;

    #[test]
    fn a_runner_that_stops_ticking_goes_stale() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let h = Heartbeat::new(t0);
        let limit = SignedDuration::from_secs(60);
        assert_eq!(h.state(t0 + limit, limit), RunnerState::Running);
        assert_eq!(
            h.state(t0 + SignedDuration::from_secs(61), limit),
            RunnerState::Stalled
        );
        h.clone().tick(t0 + SignedDuration::from_secs(50));
        assert_eq!(
            h.state(t0 + SignedDuration::from_secs(100), limit),
            RunnerState::Running
        );
        h.restarted();
        assert_eq!(h.pulse().restarts, 1);
    }
}
