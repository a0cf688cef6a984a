//! The retry budget: a per-client token bucket that stops a client from amplifying load on
//! a failing upstream (after the AWS SDK's retry quota and gRPC's retry throttling).
//!
//! Every retry takes tokens, a timeout retry twice as many (a hung server is the costliest
//! to hammer). A call that succeeds at once gives one token back; a call that succeeds after
//! retrying gives back what its last retry took, so a recovered upstream refills the bucket
//! quickly. With the bucket too low for a retry, the call fails at once instead of retrying.
//! First attempts never need tokens: the budget limits amplification, not traffic.

use super::decision::Failure;

/// Tokens in a full bucket by default: 100 plain retries in a row with nothing succeeding.
pub const DEFAULT_CAPACITY: u32 = 500;
/// Tokens a retry takes.
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after an attempt timeout takes.
pub const TIMEOUT_COST: u32 = 10;
/// Tokens a call that succeeded on its first attempt gives back.
pub const SUCCESS_REFILL: u32 = 1;

/// The bucket. Copyable so the engine can keep it in a `Cell`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget {
    capacity: u32,
    tokens: u32,
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> RetryBudget {
        RetryBudget {
            capacity,
            tokens: capacity,
        }
    }

    /// Tokens left.
    pub fn tokens(&self) -> u32 {
        self.tokens
    }

    /// The bucket's size.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// What a retry after `failure` costs.
    pub fn cost(failure: Failure) -> u32 {
        match failure {
            Failure::Timeout => TIMEOUT_COST,
            Failure::Status(_) | Failure::Network | Failure::Refused => RETRY_COST,
        }
    }

    /// Takes the tokens for a retry after `failure`; `None` (and nothing taken) when the
    /// bucket holds too few.
    pub fn try_spend(&mut self, failure: Failure) -> Option<u32> {
        let cost = Self::cost(failure);
        self.tokens = self.tokens.checked_sub(cost)?;
        Some(cost)
    }

    /// Refills after a successful call: what its last retry took, or one token for a call
    /// that never retried.
    pub fn refund(&mut self, last_retry_cost: Option<u32>) {
        let back = last_retry_cost.unwrap_or(SUCCESS_REFILL);
        self.tokens = self.tokens.saturating_add(back).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_drain_the_bucket_and_stop_when_it_is_low() {
        let mut b = RetryBudget::new(12);
        assert_eq!(b.try_spend(Failure::Status(503)), Some(5));
        assert_eq!(b.try_spend(Failure::Network), Some(5));
        assert_eq!(b.tokens(), 2);
        // Too few for another retry: nothing is taken.
        assert_eq!(b.try_spend(Failure::Status(503)), None);
        assert_eq!(b.tokens(), 2);
    }

    #[test]
    fn timeouts_cost_double() {
        let mut b = RetryBudget::new(15);
        assert_eq!(b.try_spend(Failure::Timeout), Some(10));
        assert_eq!(b.try_spend(Failure::Timeout), None);
        assert_eq!(b.try_spend(Failure::Status(429)), Some(5));
        assert_eq!(b.tokens(), 0);
    }

    #[test]
    fn successes_refill_up_to_capacity() {
        let mut b = RetryBudget::new(20);
        b.try_spend(Failure::Timeout);
        b.try_spend(Failure::Status(500));
        assert_eq!(b.tokens(), 5);
        // A call that recovered after a timeout retry gives back its cost.
        b.refund(Some(10));
        assert_eq!(b.tokens(), 15);
        // A clean call gives one back.
        b.refund(None);
        assert_eq!(b.tokens(), 16);
        for _ in 0..10 {
            b.refund(Some(10));
        }
        assert_eq!(b.tokens(), b.capacity());
    }

    #[test]
    fn an_empty_bucket_recovers_with_successes() {
        let mut b = RetryBudget::new(DEFAULT_CAPACITY);
        while b.try_spend(Failure::Network).is_some() {}
        assert_eq!(b.tokens(), 0);
        for _ in 0..RETRY_COST {
            b.refund(None);
        }
        assert_eq!(b.try_spend(Failure::Network), Some(RETRY_COST));
    }

    #[test]
    fn a_zero_budget_never_retries() {
        let mut b = RetryBudget::new(0);
        assert_eq!(b.try_spend(Failure::Status(429)), None);
        b.refund(None);
        assert_eq!(b.tokens(), 0);
    }
}
