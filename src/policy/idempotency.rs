//! Which `Idempotency-Key` a call sends, and how keys are made.
//!
//! The server stores (key, method, path) → response for an hour, replays an identical body
//! and answers 409 to a different one (api-contract §A5). So a key belongs to one logical
//! call: made once before the first attempt and resent, with the same body bytes, on every
//! retry.

use super::method::Method;
use super::text::quoted_char;
use uuid::Builder;

/// What a call does about the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPlan {
    /// Send the caller's key.
    Explicit(String),
    /// Make a fresh UUIDv7 for this call.
    Generate,
    /// Send none.
    None,
}

/// Decides the key for one call: the caller's key wins; otherwise one is generated for
/// POST, PUT and PATCH when `autoIdempotencyKeys` is on.
pub fn plan(method: Method, explicit: Option<&str>, auto: bool) -> KeyPlan {
    match explicit {
        Some(k) => KeyPlan::Explicit(k.to_owned()),
        None if auto && method.takes_idempotency_key() => KeyPlan::Generate,
        None => KeyPlan::None,
    }
}

/// The longest key accepted; the server documents 255.
pub const MAX_KEY_LEN: usize = 255;

/// Checks a caller's key: non-empty, at most 255 visible ASCII characters (it goes into a
/// header, so CR/LF and control characters would be header injection).
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("must be a non-empty string".into());
    }
    if key.len() > MAX_KEY_LEN {
        return Err(format!(
            "must be at most {MAX_KEY_LEN} characters, got {}",
            key.len()
        ));
    }
    if let Some(c) = key.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "may hold only visible ASCII characters, found {}",
            quoted_char(c)
        ));
    }
    Ok(())
}

/// A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds then 74 random bits, lower-case and
/// hyphenated. Time-ordered keys keep the server's index local; the random bits must come
/// from a cryptographic RNG.
pub fn uuid_v7(now_ms: f64, random: &[u8; 10]) -> String {
    let ms = if now_ms.is_finite() && now_ms > 0.0 {
        (now_ms as u64).min((1 << 48) - 1)
    } else {
        0
    };
    Builder::from_unix_timestamp_millis(ms, random)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_table() {
        for m in [Method::Post, Method::Put, Method::Patch] {
            assert_eq!(plan(m, None, true), KeyPlan::Generate);
            assert_eq!(plan(m, None, false), KeyPlan::None);
        }
        for m in [Method::Get, Method::Delete, Method::Head, Method::Options] {
            assert_eq!(plan(m, None, true), KeyPlan::None);
        }
        assert_eq!(
            plan(Method::Post, Some("k1"), false),
            KeyPlan::Explicit("k1".into())
        );
        // An explicit key on any method is the caller's choice.
        assert_eq!(
            plan(Method::Delete, Some("k2"), true),
            KeyPlan::Explicit("k2".into())
        );
    }

    #[test]
    fn key_validation() {
        assert!(validate_key("idem-abc-001").is_ok());
        assert!(validate_key(&"a".repeat(255)).is_ok());
        assert!(validate_key("").unwrap_err().contains("non-empty"));
        assert!(validate_key(&"a".repeat(256)).unwrap_err().contains("255"));
        assert!(validate_key("a\r\nX-Evil: 1")
            .unwrap_err()
            .contains("visible ASCII"));
        assert!(validate_key("with space").is_err());
        assert!(validate_key("ключ").is_err());
    }

    #[test]
    fn uuid_v7_layout() {
        let k = uuid_v7(1_700_000_000_123.0, &[0xff; 10]);
        assert_eq!(k.len(), 36);
        // 1_700_000_000_123 = 0x018bcfe5687b
        assert!(k.starts_with("018bcfe5-687b-7"), "{k}");
        let variant = k.as_bytes()[19];
        assert!(matches!(variant, b'8' | b'9' | b'a' | b'b'), "{k}");
        assert_eq!(k, k.to_lowercase());
        // Bad clocks do not panic.
        assert!(uuid_v7(f64::NAN, &[0; 10]).starts_with("00000000-0000-7"));
        assert!(uuid_v7(1e300, &[0; 10]).starts_with("ffffffff-ffff-7"));
    }

    // proptest is a native-only dev-dependency; the seed and case count: `fuzz::cases`.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(crate::policy::fuzz::cases(2000))]

            /// Time-ordered: a key made in a later millisecond sorts after an earlier one as
            /// text, whatever the random bits (the server's index stays local).
            #[test]
            fn keys_sort_by_their_millisecond(
                a in 0u64..(1 << 48), gap in 1u64..1_000_000,
                ra in any::<[u8; 10]>(), rb in any::<[u8; 10]>(),
            ) {
                let b = (a + gap).min((1 << 48) - 1);
                prop_assume!(b > a);
                let (ka, kb) = (uuid_v7(a as f64, &ra), uuid_v7(b as f64, &rb));
                prop_assert!(ka < kb, "{} !< {}", ka, kb);
                prop_assert_eq!(ka.get(14..15), Some("7"));
            }
        }
    }
}
