//! Proactive pacing: when a response's `RateLimit` header says a policy is exhausted
//! (`r=0`) and recovers in `t` seconds, the client's next requests wait until then instead
//! of running into certain 429s. Any response counts, a 2xx included: the real server sends
//! `RateLimit` on every answer, and `r=0` on a success means the next request would fail.
//! The hold is capped (at `maxRetryDelay`) so a wrong or hostile header cannot stall a
//! client for long.

use super::ratelimit::{may_be_exhausted, parse_ratelimit, summarize};

/// When the client may send again. Copyable so the engine can keep it in a `Cell`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Pacer {
    /// Epoch ms before which no request starts; 0 when not holding.
    until_ms: f64,
}

impl Pacer {
    /// Reads one response's `RateLimit` value at `now_ms`. Extends the hold when an
    /// exhausted policy recovers later than the current hold ends, never beyond
    /// `now_ms + cap_ms`. `exact_ms` is the same response's precise wait (the real server's
    /// body `retry_after`), which beats the whole seconds of `t`. Returns the hold in ms
    /// that this response asked for, if any.
    pub fn observe(
        &mut self,
        ratelimit: &str,
        now_ms: f64,
        cap_ms: f64,
        exact_ms: Option<u64>,
    ) -> Option<u64> {
        if !now_ms.is_finite() || !may_be_exhausted(ratelimit) {
            return None;
        }
        let t = summarize(&parse_ratelimit(ratelimit)).exhausted_wait_ms?;
        let wait = exact_ms.unwrap_or(t);
        if wait == 0 {
            return None;
        }
        let capped = (wait as f64).min(cap_ms.max(0.0));
        let until = now_ms + capped;
        if until > self.until_ms {
            self.until_ms = until;
        }
        Some(capped as u64)
    }

    /// How long a request starting at `now_ms` must wait; `None` when it may go now.
    pub fn wait_ms(&self, now_ms: f64) -> Option<u64> {
        let left = self.until_ms - now_ms;
        // NaN compares false: an unknowable clock never holds anything.
        (left > 0.0).then(|| left.ceil() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exhausted_policy_holds_until_t() {
        let mut p = Pacer::default();
        assert_eq!(
            p.observe(r#""burst";r=0;t=2"#, 1000.0, 30_000.0, None),
            Some(2000)
        );
        assert_eq!(p.wait_ms(1000.0), Some(2000));
        assert_eq!(p.wait_ms(2500.5), Some(500));
        assert_eq!(p.wait_ms(3000.0), None);
    }

    #[test]
    fn units_left_or_no_reset_means_no_hold() {
        let mut p = Pacer::default();
        assert_eq!(p.observe(r#""burst";r=3;t=9"#, 0.0, 30_000.0, None), None);
        assert_eq!(p.observe(r#""burst";r=0;t=0"#, 0.0, 30_000.0, None), None);
        assert_eq!(p.observe(r#""burst";r=0"#, 0.0, 30_000.0, None), None);
        assert_eq!(p.observe("garbage;;=", 0.0, 30_000.0, None), None);
        assert_eq!(p.wait_ms(0.0), None);
    }

    #[test]
    fn the_longest_exhausted_policy_wins_and_holds_only_grow() {
        let mut p = Pacer::default();
        p.observe(
            r#""minute";r=0;t=4, "day";r=5;t=80000"#,
            0.0,
            30_000.0,
            None,
        );
        assert_eq!(p.wait_ms(0.0), Some(4000));
        // A later, shorter hold does not shorten the current one.
        p.observe(r#""burst";r=0;t=1"#, 500.0, 30_000.0, None);
        assert_eq!(p.wait_ms(500.0), Some(3500));
        p.observe(r#""a";r=0;t=1, "b";r=0;t=6"#, 1000.0, 30_000.0, None);
        assert_eq!(p.wait_ms(1000.0), Some(6000));
    }

    #[test]
    fn a_hold_never_exceeds_the_cap() {
        let mut p = Pacer::default();
        assert_eq!(
            p.observe(r#""day";r=0;t=86400"#, 0.0, 5000.0, None),
            Some(5000)
        );
        assert_eq!(p.wait_ms(0.0), Some(5000));
        assert_eq!(
            p.observe(r#""x";r=0;t=999999999999999"#, 0.0, 5000.0, None),
            Some(5000)
        );
    }

    #[test]
    fn a_precise_wait_from_the_same_response_beats_t() {
        let mut p = Pacer::default();
        assert_eq!(
            p.observe(r#""burst";r=0;t=2"#, 0.0, 30_000.0, Some(1370)),
            Some(1370)
        );
        assert_eq!(p.wait_ms(0.0), Some(1370));
        // Without an exhausted policy, a precise wait alone does not pace.
        let mut p = Pacer::default();
        assert_eq!(p.observe(r#""burst";r=4"#, 0.0, 30_000.0, Some(900)), None);
    }

    #[test]
    fn a_broken_clock_never_holds() {
        let mut p = Pacer::default();
        assert_eq!(p.observe(r#""b";r=0;t=3"#, f64::NAN, 30_000.0, None), None);
        assert_eq!(p.wait_ms(f64::NAN), None);
    }
}
