//! A circuit breaker: after `threshold` failures in a row the provider is not called for
//! `cool_down`; then one trial call is let through, and its outcome closes the circuit
//! again or opens it for another cool-down. Shoppers get a quick "try again shortly"
//! instead of waiting for timeouts on a provider that is down.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    cool_down: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Clone, Copy)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One trial call is under way.
    HalfOpen,
}

impl Breaker {
    pub fn new(threshold: u32, cool_down: Duration) -> Self {
        Breaker {
            threshold: threshold.max(1),
            cool_down,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    /// Whether a call may go out now.
    pub fn allow(&self) -> bool {
        let Ok(mut state) = self.state.lock() else {
            return true;
        };
        match *state {
            State::Closed { .. } => true,
            State::Open { until } if Instant::now() >= until => {
                *state = State::HalfOpen;
                true
            }
            State::Open { .. } | State::HalfOpen => false,
        }
    }

    pub fn succeeded(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = State::Closed { failures: 0 };
        }
    }

    pub fn failed(&self) {
        if let Ok(mut state) = self.state.lock() {
            *state = match *state {
                State::Closed { failures } if failures + 1 < self.threshold => State::Closed {
                    failures: failures + 1,
                },
                _ => State::Open {
                    until: Instant::now() + self.cool_down,
                },
            };
        }
    }

    pub fn is_open(&self) -> bool {
        self.state
            .lock()
            .map(|s| !matches!(*s, State::Closed { .. }))
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_and_lets_one_trial_through_after_the_cool_down() {
        let b = Breaker::new(3, Duration::from_millis(30));
        b.failed();
        b.failed();
        b.succeeded();
        b.failed();
        b.failed();
        assert!(b.allow(), "a success in between resets the count");
        b.failed();
        assert!(b.is_open());
        assert!(!b.allow());
        std::thread::sleep(Duration::from_millis(40));
        assert!(b.allow(), "the trial call");
        assert!(!b.allow(), "only one at a time");
        b.failed();
        assert!(!b.allow(), "a failed trial opens it again");
        std::thread::sleep(Duration::from_millis(40));
        assert!(b.allow());
        b.succeeded();
        assert!(b.allow() && b.allow() && !b.is_open());
    }
}
