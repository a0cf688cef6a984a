//! The rate-limit state a caller sees on `response.rateLimit`: the most constrained policy of
//! a `RateLimit` field, read with the parser pacing uses.

use super::ratelimit::parse_ratelimit;

/// One policy's state: what is left and when it resets.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitState {
    /// Quota units left (`r`).
    pub remaining: u64,
    /// Seconds until units come back (`t`), when the server said.
    pub reset_secs: Option<f64>,
    /// The policy's name.
    pub policy: String,
}

/// The policy with the fewest units left (ties: the later reset, then the first listed);
/// `None` when no member carries a usable `r`.
pub fn most_constrained(value: &str) -> Option<RateLimitState> {
    let mut best: Option<RateLimitState> = None;
    for e in parse_ratelimit(value) {
        let Some(remaining) = e.remaining else {
            continue;
        };
        let later = |b: &RateLimitState| e.reset_secs.unwrap_or(0.0) > b.reset_secs.unwrap_or(0.0);
        if best
            .as_ref()
            .is_none_or(|b| remaining < b.remaining || (remaining == b.remaining && later(b)))
        {
            best = Some(RateLimitState {
                remaining,
                reset_secs: e.reset_secs,
                policy: e.policy,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_with_the_fewest_units_wins() {
        let s = most_constrained(r#""hourly";r=999;t=3000, "burst";r=4;t=2"#).unwrap();
        assert_eq!(
            s,
            RateLimitState {
                remaining: 4,
                reset_secs: Some(2.0),
                policy: "burst".into()
            }
        );
    }

    #[test]
    fn ties_take_the_later_reset_and_decimals_are_kept() {
        let s = most_constrained(r#""a";r=0;t=1, "b";r=0;t=2.5"#).unwrap();
        assert_eq!((s.policy.as_str(), s.reset_secs), ("b", Some(2.5)));
        let s = most_constrained(r#""a";r=0;t=1, "b";r=0;t=1"#).unwrap();
        assert_eq!(s.policy, "a");
    }

    #[test]
    fn no_usable_member_is_none() {
        assert_eq!(most_constrained(""), None);
        assert_eq!(most_constrained(r#""a";t=5"#), None);
        assert_eq!(most_constrained("garbage;;;"), None);
        let s = most_constrained(r#""a";r=3"#).unwrap();
        assert_eq!((s.remaining, s.reset_secs), (3, None));
    }
}
