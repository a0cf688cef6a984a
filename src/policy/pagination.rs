//! Offset pagination: clamping what the caller asks for, reading the server's envelope
//! `{items, limit, offset, total}` (api-contract §A8), and deciding where the next page starts.
//!
//! The reference client advances by the echoed `offset + limit` and stops on
//! `offset + len(items) >= total`. This port advances from what it asked for and received,
//! `requested offset + len(items)`: a short page then never skips items, and a server
//! echoing `limit: 0` cannot loop forever. An empty page always stops.
//!
//! One call must never turn into an endless stream of requests, whatever the server (or a
//! proxy or cache that drops the query string) answers. So a [`Pager`] also fails when a page
//! starts elsewhere than asked (no progress), and when the listing passes a hard bound set
//! by the first page's `total`: [`Bound`].

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

/// The page after `info`, the one fetched for `asked`, the same size: it starts right after
/// the items received; `None` when this page is empty or reaches `total` (the reference's
/// `has_more` is false).
pub fn following(asked: PageRequest, info: &PageInfo) -> Option<PageRequest> {
    let end = asked.offset.saturating_add(info.count);
    (info.count > 0 && end < info.total).then_some(PageRequest {
        limit: asked.limit,
        offset: end,
    })
}

/// Short pages a listing may have on top of the pages its items fill (the last page, and a
/// few a server may send while items are deleted or its page size differs).
pub const SHORT_PAGE_SLACK: u64 = 4;

/// How far a listing may go, set by its first page: the items its `total` announced plus a
/// quarter and one page more (items created while it is read), and the pages those items
/// fill, plus [`SHORT_PAGE_SLACK`]. Past either, the server is not converging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The first page's `total`.
    pub first_total: u64,
    /// Items the listing may return.
    pub items: u64,
    /// Pages it may take.
    pub pages: u64,
}

impl Bound {
    /// The bound of a listing whose first page, asked as `asked`, was `info`. The page size
    /// is the one asked for, or the smaller one the server says it serves.
    pub fn new(asked: PageRequest, info: &PageInfo) -> Bound {
        let limit = u64::from(asked.limit).max(1);
        let size = if (1..limit).contains(&info.limit) {
            info.limit
        } else {
            limit
        };
        let total = info.total;
        let items = total.saturating_add(total / 4).saturating_add(limit);
        Bound {
            first_total: total,
            items,
            pages: items.div_ceil(size).saturating_add(SHORT_PAGE_SLACK),
        }
    }
}

/// How a server's page breaks the paging contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    /// The page starts at another offset than the one asked for: nothing advances.
    WrongOffset,
    /// The listing would need more pages than its [`Bound`] allows.
    TooManyPages,
    /// The listing has returned more items than its [`Bound`] allows.
    TooManyItems,
}

/// A page that breaks the paging contract, with the numbers that show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingError {
    /// What is wrong.
    pub breach: Breach,
    /// The page, counted from 1 in this listing.
    pub page: u64,
    /// What was asked for.
    pub requested: PageRequest,
    /// The page's numbers as the server sent them.
    pub info: PageInfo,
    /// Items received so far, this page included.
    pub received: u64,
    /// The listing's bound (none before its first page).
    pub bound: Option<Bound>,
}

impl PagingError {
    /// A message for `GET {path}`: which page, which offsets, which bound.
    pub fn message(&self, path: &str) -> String {
        let (page, asked, info) = (self.page, self.requested, self.info);
        let at = format!(
            "GET {path}: page {page} (requested offset {}, limit {})",
            asked.offset, asked.limit
        );
        let (first, items, pages) = self
            .bound
            .map_or((0, 0, 0), |b| (b.first_total, b.items, b.pages));
        match self.breach {
            Breach::WrongOffset => format!(
                "{at} starts at offset {} with total {}: the server, or a proxy or cache that \
                 dropped the query string, ignored the offset, so paging cannot make progress",
                info.offset, info.total
            ),
            Breach::TooManyItems => format!(
                "{at} brings the listing to {} items, more than the {items} its first total \
                 of {first} allows (total now {}): the server's pages do not converge",
                self.received, info.total
            ),
            Breach::TooManyPages => format!(
                "{at} would be followed by more than the {pages} pages a first total of \
                 {first} allows (total now {}): the server's pages do not converge",
                info.total
            ),
        }
    }
}

/// Where a listing is: the page to fetch next, and what it has received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    next: Option<PageRequest>,
    pages: u64,
    items: u64,
    bound: Option<Bound>,
}

impl Pager {
    /// A listing whose first page is `first`.
    pub fn new(first: PageRequest) -> Pager {
        Pager {
            next: Some(first),
            pages: 0,
            items: 0,
            bound: None,
        }
    }

    /// The page to fetch next, or `None` when the listing is over.
    pub fn next_request(&self) -> Option<PageRequest> {
        self.next
    }

    /// The pager as numbers, for a caller that keeps it outside Rust between pages
    /// (src/js/listing.js): the next page (-1: none) and its offset, the pages and items
    /// received, and the bound (-1: none yet) with its items and pages. Whole numbers up to
    /// 2^53 round-trip exactly; past that a bound is only looser.
    pub fn to_numbers(&self) -> [f64; 7] {
        let (limit, offset) = self
            .next
            .map_or((-1.0, 0.0), |n| (f64::from(n.limit), n.offset as f64));
        let (first, items, pages) = self.bound.map_or((-1.0, 0.0, 0.0), |b| {
            (b.first_total as f64, b.items as f64, b.pages as f64)
        });
        [
            limit,
            offset,
            self.pages as f64,
            self.items as f64,
            first,
            items,
            pages,
        ]
    }

    /// The pager [`to_numbers`](Self::to_numbers) gave. Numbers it cannot have given (from
    /// a caller's bug) read as a listing that is over.
    pub fn from_numbers(n: &[f64]) -> Pager {
        let at = |i: usize| n.get(i).copied().filter(|v| v.is_finite() && *v >= 0.0);
        let whole = |i: usize| at(i).map_or(0, |v| v as u64);
        Pager {
            next: at(0).zip(at(1)).map(|(limit, offset)| PageRequest {
                limit: limit.min(f64::from(u32::MAX)) as u32,
                offset: offset as u64,
            }),
            pages: whole(2),
            items: whole(3),
            bound: at(4).map(|first| Bound {
                first_total: first as u64,
                items: whole(5),
                pages: whole(6),
            }),
        }
    }

    /// Ends the listing (the caller stopped, or a page failed).
    pub fn stop(&mut self) {
        self.next = None;
    }

    /// Takes the page fetched for [`next_request`](Self::next_request) and decides what
    /// follows. A page that breaks the contract ends the listing with an error.
    pub fn receive(&mut self, info: PageInfo) -> Result<(), PagingError> {
        let Some(asked) = self.next.take() else {
            return Ok(());
        };
        self.pages = self.pages.saturating_add(1);
        self.items = self.items.saturating_add(info.count);
        let bound = *self.bound.get_or_insert_with(|| Bound::new(asked, &info));
        let fail = |breach| PagingError {
            breach,
            page: self.pages,
            requested: asked,
            info,
            received: self.items,
            bound: Some(bound),
        };
        // Read by its request: a page from elsewhere (an ignored query) would repeat itself.
        if info.offset != asked.offset {
            return Err(fail(Breach::WrongOffset));
        }
        let Some(next) = following(asked, &info) else {
            return Ok(());
        };
        if self.items > bound.items {
            return Err(fail(Breach::TooManyItems));
        }
        if self.pages >= bound.pages {
            return Err(fail(Breach::TooManyPages));
        }
        self.next = Some(next);
        Ok(())
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

/// One number of an envelope as the body has it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Member {
    /// Not there.
    Absent,
    /// A number.
    Number(f64),
    /// Anything else, `null` included.
    Other,
}

/// Reads an envelope. `items` must be an array; a missing `limit`, `offset` or `total`
/// counts as the reference's defaults (`requested.limit`, `requested.offset`, 0), but one
/// of the wrong type is an error. Returns the page's numbers and its item count limit.
pub fn read_envelope<J: JsonView>(
    body: &J,
    requested: PageRequest,
    items_len: Option<usize>,
) -> Result<PageInfo, EnvelopeError> {
    let member = |key: &str| match body.member(key) {
        None => Member::Absent,
        Some(v) => v.as_number().map_or(Member::Other, Member::Number),
    };
    envelope_numbers(
        requested,
        items_len,
        [member("limit"), member("offset"), member("total")],
    )
}

/// [`read_envelope`] over what the body holds: the item count (`None`: `items` is not an
/// array) and its `limit`, `offset` and `total`.
pub fn envelope_numbers(
    requested: PageRequest,
    items_len: Option<usize>,
    [limit, offset, total]: [Member; 3],
) -> Result<PageInfo, EnvelopeError> {
    let count = items_len.ok_or(EnvelopeError {
        path: "$.items",
        message: "must be an array",
    })? as u64;
    let number = |m: Member, path: &'static str, default: u64| match m {
        Member::Absent => Ok(default),
        Member::Number(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(n as u64),
        _ => Err(EnvelopeError {
            path,
            message: "must be a non-negative integer",
        }),
    };
    Ok(PageInfo {
        count,
        limit: number(limit, "$.limit", u64::from(requested.limit))?,
        offset: number(offset, "$.offset", requested.offset)?,
        total: number(total, "$.total", 0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pager_survives_its_numbers() {
        let first = PageRequest {
            limit: 100,
            offset: 0,
        };
        let mut p = Pager::new(first);
        assert_eq!(Pager::from_numbers(&p.to_numbers()), p);
        let info = PageInfo {
            count: 100,
            limit: 100,
            offset: 0,
            total: 250,
        };
        p.receive(info).expect("a good first page");
        assert_eq!(Pager::from_numbers(&p.to_numbers()), p);
        p.stop();
        assert_eq!(Pager::from_numbers(&p.to_numbers()), p);
        // Garbage reads as a listing that is over, never as a page to fetch.
        assert_eq!(Pager::from_numbers(&[f64::NAN; 7]).next_request(), None);
        assert_eq!(Pager::from_numbers(&[]).next_request(), None);
    }

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

    fn ask(limit: u32, offset: u64) -> PageRequest {
        PageRequest { limit, offset }
    }

    #[test]
    fn the_next_page_never_skips_and_always_ends() {
        let next = |asked: PageRequest, i: PageInfo| following(asked, &i).map(|r| r.offset);
        // A full page with more to come.
        assert_eq!(next(ask(10, 0), info(10, 10, 0, 25)), Some(10));
        // The last, short page.
        assert_eq!(next(ask(10, 20), info(5, 10, 20, 25)), None);
        // A short page before the end (the server filtered some): continue right after it.
        assert_eq!(next(ask(10, 0), info(7, 10, 0, 25)), Some(7));
        // An echoed limit of 0 cannot loop: the items decide.
        assert_eq!(next(ask(10, 0), info(3, 0, 0, 9)), Some(3));
        // An empty page ends even if total says otherwise.
        assert_eq!(next(ask(10, 10), info(0, 10, 10, 25)), None);
        assert_eq!(next(ask(0, 0), info(0, 0, 0, 0)), None);
        // What was asked decides, not the echo.
        assert_eq!(next(ask(100, 1), info(1, 100, 0, 5)), Some(2));
    }

    /// Fetches with `server` answering each request until the pager ends: the requests sent
    /// and the outcome.
    fn run(
        first: PageRequest,
        mut server: impl FnMut(PageRequest) -> PageInfo,
    ) -> (Vec<u64>, Result<u64, PagingError>) {
        let mut pager = Pager::new(first);
        let mut sent = Vec::new();
        let mut items = 0;
        while let Some(asked) = pager.next_request() {
            assert!(sent.len() < 1_000_000, "the pager does not end");
            sent.push(asked.offset);
            let page = server(asked);
            items += page.count;
            if let Err(e) = pager.receive(page) {
                assert_eq!(pager.next_request(), None, "an error ends the listing");
                return (sent, Err(e));
            }
        }
        (sent, Ok(items))
    }

    /// Bug 1: a server (or a proxy dropping the query) that always answers the first page
    /// made `listAll` request `offset=1` forever.
    #[test]
    fn a_page_that_ignores_the_offset_fails_at_once() {
        let (sent, out) = run(ask(100, 0), |_| info(1, 100, 0, 5));
        assert_eq!(sent, [0, 1]);
        let e = out.unwrap_err();
        assert_eq!(e.breach, Breach::WrongOffset);
        assert_eq!((e.page, e.requested.offset, e.info.offset), (2, 1, 0));
        let m = e.message("/a");
        assert!(
            m.starts_with(
                "GET /a: page 2 (requested offset 1, limit 100) starts at offset 0 with total 5"
            ),
            "{m}"
        );
    }

    #[test]
    fn a_listing_that_keeps_growing_is_stopped_by_the_first_total() {
        // Every page honest about its offset, but `total` always one page ahead.
        let (sent, out) = run(ask(10, 0), |a| info(10, 10, a.offset, a.offset + 20));
        let e = out.unwrap_err();
        assert_eq!(e.breach, Breach::TooManyItems);
        // First total 20: 20 + 5 + 10 = 35 items at most, so the 4th page of 10 is too many.
        assert_eq!(e.bound.map(|b| (b.first_total, b.items)), Some((20, 35)));
        assert_eq!(sent, [0, 10, 20, 30]);
        assert!(e
            .message("/a")
            .contains("brings the listing to 40 items, more than the 35"));

        // One item per page, as a server that serves less than it is asked.
        let (sent, out) = run(ask(10, 0), |a| info(1, 10, a.offset, a.offset + 2));
        let e = out.unwrap_err();
        assert_eq!(e.breach, Breach::TooManyPages);
        // 2 + 0 + 10 = 12 items in pages of 10: 2 pages plus the slack of 4.
        assert_eq!(e.bound.map(|b| b.pages), Some(6));
        assert_eq!(sent.len(), 6);
        assert!(e
            .message("/a")
            .contains("more than the 6 pages a first total of 2 allows"));

        // Huge totals saturate instead of overflowing.
        let b = Bound::new(ask(100, 0), &info(1, 100, 0, u64::MAX));
        assert_eq!((b.items, b.pages), (u64::MAX, u64::MAX.div_ceil(100) + 4));
    }

    #[test]
    fn honest_listings_are_read_whole() {
        for (total, limit) in [
            (0u64, 10u32),
            (1, 10),
            (10, 10),
            (25, 10),
            (250, 100),
            (7, 1),
        ] {
            let (sent, out) = run(ask(limit, 0), |a| {
                let count = u64::from(a.limit).min(total.saturating_sub(a.offset));
                info(count, a.limit.into(), a.offset, total)
            });
            assert_eq!(out, Ok(total));
            assert_eq!(sent.len() as u64, total.div_ceil(limit.into()).max(1));
        }
        // A server that serves 10 where 100 were asked, and says so.
        let (sent, out) = run(ask(100, 0), |a| {
            info(10.min(95 - a.offset), 10, a.offset, 95)
        });
        assert_eq!((sent.len(), out), (10, Ok(95)));
        // Items created while the list is read (a quarter more) are read too.
        let (_, out) = run(ask(10, 0), |a| {
            let total = 40 + a.offset / 4;
            info(10.min(total - a.offset), 10, a.offset, total)
        });
        assert_eq!(out, Ok(50));
    }

    // proptest is a native-only dev-dependency; the seed and case count: `fuzz::cases`.
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        /// A page as a hostile server might send it: any counts, sizes and totals, the right
        /// offset usually.
        fn any_page() -> impl Strategy<Value = (u64, u64, Option<u64>, u64)> {
            (
                0u64..250,
                0u64..300,
                prop_oneof![4 => Just(None), 1 => (0u64..1000).prop_map(Some)],
                // Totals stay small enough to walk: the bound grows with them (see the
                // unit tests for huge ones).
                prop_oneof![0u64..1000, 0u64..5000],
            )
        }

        proptest! {
            #![proptest_config(crate::policy::fuzz::cases(2000))]

            /// Whatever the server answers, a listing sends a number of requests bounded
            /// by its first total and its page size alone.
            #[test]
            fn requests_are_bounded_by_the_first_total(
                limit in 1u32..=100,
                pages in proptest::collection::vec(any_page(), 1..64),
                grow in 0u64..3,
            ) {
                let mut first_total = None;
                let mut n = 0usize;
                let (sent, _) = run(ask(limit, 0), |a| {
                    let (count, echoed_limit, offset, total) = pages[n % pages.len()];
                    n += 1;
                    // Sometimes the total runs ahead of every page, so the list never ends.
                    let total = if grow == 0 { total } else { total.max(a.offset + grow * 100) };
                    first_total.get_or_insert(total);
                    info(count, echoed_limit, offset.unwrap_or(a.offset), total)
                });
                let t = first_total.unwrap_or(0);
                let l = u64::from(limit);
                // Every page that continues brings an item: items bound + 1 requests at most.
                let most = t.saturating_add(t / 4).saturating_add(l);
                let worst = most.saturating_add(SHORT_PAGE_SLACK + 1);
                prop_assert!((sent.len() as u64) <= worst, "{} > {worst}", sent.len());
                // A server that serves the page size asked for: about total / size requests.
                if pages.iter().all(|p| p.1 == l) {
                    let bound = most.div_ceil(l) + SHORT_PAGE_SLACK;
                    prop_assert!((sent.len() as u64) <= bound, "{} > {bound}", sent.len());
                }
                // The offsets asked for only ever increase.
                prop_assert!(sent.windows(2).all(|w| w[0] < w[1]));
            }

            /// A server that follows the contract is read whole, in total / size requests.
            #[test]
            fn honest_servers_are_read_whole(total in 0u64..5000, limit in 1u32..=1000) {
                let (sent, out) = run(ask(limit, 0), |a| {
                    let count = u64::from(a.limit).min(total.saturating_sub(a.offset));
                    info(count, a.limit.into(), a.offset, total)
                });
                prop_assert_eq!(out, Ok(total));
                prop_assert_eq!(sent.len() as u64, total.div_ceil(limit.into()).max(1));
            }
        }
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
