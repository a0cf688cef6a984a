//! Exponential backoff with jitter, capped.
//!
//! `delay(n) = min(cap, base · 2ⁿ)` for the n-th retry (0-based), then jittered. The jitter
//! sample `u ∈ [0, 1)` comes in as an argument so schedules are exact under a seeded RNG.

/// How randomness spreads the delays of many clients apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// No randomness: exactly `min(cap, base · 2ⁿ)`.
    None,
    /// Adds up to 25 % (the reference client's rule); never shorter than the exponential delay.
    Additive,
    /// "Full jitter": uniform in `[0, min(cap, base · 2ⁿ))`, the AWS recommendation for
    /// the least total load on a struggling server.
    Full,
}

impl Jitter {
    /// Parses the option value (`"none"`, `"additive"`, `"full"`).
    pub fn parse(value: &str) -> Option<Jitter> {
        match value {
            "none" => Some(Jitter::None),
            "additive" => Some(Jitter::Additive),
            "full" => Some(Jitter::Full),
            _ => None,
        }
    }
}

/// A validated backoff schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first delay, in milliseconds.
    pub base_ms: f64,
    /// No delay exceeds this, in milliseconds.
    pub cap_ms: f64,
    /// The jitter rule.
    pub jitter: Jitter,
}

impl Backoff {
    /// The delay before retry number `retry` (0 for the first retry), in whole milliseconds.
    /// `u` is a uniform sample in `[0, 1)`; values outside are clamped.
    pub fn delay_ms(&self, retry: u32, u: f64) -> u64 {
        let u = if u.is_finite() {
            u.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // 2^62 already exceeds any cap; clamping the exponent keeps the float finite.
        let exp = self.base_ms * 2f64.powi(retry.min(62) as i32);
        let capped = exp.min(self.cap_ms);
        let jittered = match self.jitter {
            Jitter::None => capped,
            Jitter::Additive => (capped * (1.0 + 0.25 * u)).min(self.cap_ms),
            Jitter::Full => capped * u,
        };
        to_ms(jittered)
    }
}

/// Rounds a non-negative duration up to whole milliseconds, saturating.
pub(crate) fn to_ms(ms: f64) -> u64 {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else if ms >= u64::MAX as f64 {
        u64::MAX
    } else {
        ms.ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(jitter: Jitter) -> Backoff {
        Backoff {
            base_ms: 1000.0,
            cap_ms: 30_000.0,
            jitter,
        }
    }

    #[test]
    fn exponential_without_jitter_is_exact_and_capped() {
        let got: Vec<u64> = (0..7).map(|n| b(Jitter::None).delay_ms(n, 0.9)).collect();
        assert_eq!(got, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        assert_eq!(b(Jitter::None).delay_ms(u32::MAX, 0.5), 30000);
    }

    #[test]
    fn additive_jitter_adds_up_to_a_quarter() {
        assert_eq!(b(Jitter::Additive).delay_ms(0, 0.0), 1000);
        assert_eq!(b(Jitter::Additive).delay_ms(0, 0.5), 1125);
        assert_eq!(b(Jitter::Additive).delay_ms(2, 0.999_999), 5000);
        // Never above the cap, even with jitter.
        assert_eq!(b(Jitter::Additive).delay_ms(5, 0.99), 30000);
    }

    #[test]
    fn full_jitter_spans_zero_to_the_exponential() {
        assert_eq!(b(Jitter::Full).delay_ms(1, 0.0), 0);
        assert_eq!(b(Jitter::Full).delay_ms(1, 0.5), 1000);
        assert_eq!(b(Jitter::Full).delay_ms(9, 0.5), 15000);
    }

    #[test]
    fn bad_samples_do_not_escape_the_range() {
        assert_eq!(b(Jitter::Additive).delay_ms(0, f64::NAN), 1000);
        assert_eq!(b(Jitter::Additive).delay_ms(0, 7.0), 1250);
        assert_eq!(b(Jitter::Full).delay_ms(0, -1.0), 0);
    }
}
