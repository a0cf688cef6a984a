//! Offset pagination: clamping what the caller asks for, reading the server's envelope
//! `{items, limit, offset, total}` (api-contract §A8), and deciding where the next page starts.
//!
//! The reference client advances by the echoed `offset + limit` and stops on
//! `offset + len(items) >= total`. This port advances by `offset + len(items)` instead: a
//! short page then never skips items, and a server echoing `limit: 0` cannot loop forever.
//! An empty page always stops.

use super::problem::JsonView;

/// The default page size of `getPage`.
pub const DEFAULT_PAGE_LIMIT: u32 = 10;
/// The server's largest page for most lists.
pub const MAX_PAGE_LIMIT: u32 = 100;
/// The largest page for reference catalogues (blueprints, dictionary).
pub const MAX_REFERENCE_PAGE_LIMIT: u32 = 1000;

/// A page to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// `limit`, within `0..=max`.
    pub limit: u32,
    /// `offset`, at least 0.
    pub offset: u64,
}

/// Clamps a caller's `limit` and `offset` as the reference does (`limit` into `0..=max`,
/// `offset` at least 0). Non-numbers and fractions are refused rather than guessed.
pub fn page_request(
    limit: Option<f64>,
    offset: Option<f64>,
    default_limit: u32,
    max_limit: u32,
) -> Result<PageRequest, (&'static str, String)> {
    let whole = |name: &'static str, v: f64| {
        if v.is_finite() && v.fract() == 0.0 {
            Ok(v)
        } else {
            Err((
                name,
                format!("must be a whole number, got {}", super::text::num(v)),
            ))
        }
    };
    let limit = match limit {
        None => default_limit.min(max_limit),
        // max/min, not clamp: clamp's assertion would format floats (+20 KB of wasm).
        Some(l) => whole("limit", l)?.max(0.0).min(f64::from(max_limit)) as u32,
    };
    let offset = match offset {
        None => 0,
        Some(o) => whole("offset", o)?.clamp(0.0, 9_007_199_254_740_991.0) as u64,
    };
    Ok(PageRequest { limit, offset })
}

/// The numbers of a page envelope (its `items` stay with the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Items on this page.
    pub count: u64,
    /// The echoed `limit`.
    pub limit: u64,
    /// The echoed `offset`.
    pub offset: u64,
    /// `total` items across all pages.
    pub total: u64,
}

impl PageInfo {
    /// Whether more items follow this page (the reference's `has_more`).
    pub fn has_more(&self) -> bool {
        self.count > 0 && self.offset.saturating_add(self.count) < self.total
    }

    /// Where the next page starts, or `None` when this was the last one.
    pub fn next_offset(&self) -> Option<u64> {
        self.has_more().then(|| self.offset + self.count)
    }

    /// The request for the following page, the same size as `asked`.
    pub fn next_request(&self, asked: PageRequest) -> Option<PageRequest> {
        self.next_offset().map(|offset| PageRequest {
            limit: asked.limit,
            offset,
        })
    }
}

/// Why a body is not a page envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeError {
    /// The JSON path of the problem, e.g. `$.items`.
    pub path: &'static str,
    /// What is wrong.
    pub message: &'static str,
}

/// Reads an envelope. `items` must be an array; a missing `limit`, `offset` or `total`
/// counts as the reference's defaults (`requested.limit`, `requested.offset`, 0), but one
/// of the wrong type is an error. Returns the page's numbers and its item count limit.
pub fn read_envelope<J: JsonView>(
    body: &J,
    requested: PageRequest,
    items_len: Option<usize>,
) -> Result<PageInfo, EnvelopeError> {
    let count = items_len.ok_or(EnvelopeError {
        path: "$.items",
        message: "must be an array",
    })? as u64;
    let number = |key: &str, path: &'static str, default: u64| match body.member(key) {
        None => Ok(default),
        Some(v) => v
            .as_number()
            .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as u64)
            .ok_or(EnvelopeError {
                path,
                message: "must be a non-negative integer",
            }),
    };
    Ok(PageInfo {
        count,
        limit: number("limit", "$.limit", u64::from(requested.limit))?,
        offset: number("offset", "$.offset", requested.offset)?,
        total: number("total", "$.total", 0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn clamping_follows_the_reference() {
        let r = |l, o| page_request(l, o, 10, 100);
        assert_eq!(
            r(None, None),
            Ok(PageRequest {
                limit: 10,
                offset: 0
            })
        );
        assert_eq!(
            r(Some(1000.0), Some(-5.0)),
            Ok(PageRequest {
                limit: 100,
                offset: 0
            })
        );
        assert_eq!(
            r(Some(-1.0), Some(20.0)),
            Ok(PageRequest {
                limit: 0,
                offset: 20
            })
        );
        assert_eq!(
            page_request(Some(1000.0), None, 10, 1000).unwrap().limit,
            1000
        );
        assert_eq!(r(Some(2.5), None).unwrap_err().0, "limit");
        assert_eq!(r(None, Some(f64::NAN)).unwrap_err().0, "offset");
    }

    fn info(count: u64, limit: u64, offset: u64, total: u64) -> PageInfo {
        PageInfo {
            count,
            limit,
            offset,
            total,
        }
    }

    #[test]
    fn next_offset_never_skips_and_always_ends() {
        // A full page with more to come.
        assert_eq!(info(10, 10, 0, 25).next_offset(), Some(10));
        // The last, short page.
        assert_eq!(info(5, 10, 20, 25).next_offset(), None);
        // A short page before the end (the server filtered some): continue right after it.
        assert_eq!(info(7, 10, 0, 25).next_offset(), Some(7));
        // An echoed limit of 0 cannot loop: the items decide.
        assert_eq!(info(3, 0, 0, 9).next_offset(), Some(3));
        // An empty page ends even if total says otherwise.
        assert_eq!(info(0, 10, 10, 25).next_offset(), None);
        assert!(!info(0, 0, 0, 0).has_more());
    }

    #[test]
    fn envelopes() {
        let req = PageRequest {
            limit: 2,
            offset: 1,
        };
        let body = json!({"items":[{}, {}],"limit":2,"offset":1,"total":8});
        assert_eq!(read_envelope(&body, req, Some(2)), Ok(info(2, 2, 1, 8)));
        // Missing numbers take the reference's defaults.
        assert_eq!(
            read_envelope(&json!({"items":[]}), req, Some(0)),
            Ok(info(0, 2, 1, 0))
        );
        let e = read_envelope(&json!({"total":"8"}), req, Some(0)).unwrap_err();
        assert_eq!(e.path, "$.total");
        let e = read_envelope(&json!({"items":{}}), req, None).unwrap_err();
        assert_eq!(e.path, "$.items");
    }
}
