//! Offset pagination's decisions for src/js/listing.js, which runs `getPage`, `listAll` and
//! the `Paginator` iterator: each page is one driven call (drive.js), and between pages
//! listing.js asks here, through the raw export `vclient_page` (steps.rs), what the caller's
//! paging numbers mean and what a page's envelope means for the listing. The rules are
//! `policy::pagination`'s (a `Pager`, kept as numbers by listing.js between pages); nothing
//! here awaits.

use super::answer::{ENVELOPE_ERROR, PAGING_ERROR, STATE};
use super::call::{invalid, Invalid};
use super::packed::Writer;
use super::session::Out;
use crate::policy::pagination::{
    envelope_numbers, page_request, Member, PageRequest, Pager, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/listing.js")]
extern "C" {
    /// The async iterator `paginate()` returns (listing.js).
    #[wasm_bindgen(reexport)]
    #[derive(Debug)]
    pub type Paginator;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_PAGINATOR: &'static str = r#"
/**
 * An async iterator over every item of a paginated list, fetching pages as needed:
 * `for await (const company of client.paginate("/api/v1/companies"))`.
 */
export declare class Paginator {
    private constructor();
    /** Stops the iteration (as `return()`). */
    [Symbol.dispose](): void;
    /** Stops the iteration (as `return()`). */
    [Symbol.asyncDispose](): Promise<void>;
    /** `for await (const item of paginator)`. */
    [Symbol.asyncIterator](): Paginator;
    /** The next item: `{ value, done }`, as the async iterator protocol requires. */
    next(): Promise<IteratorResult<any, undefined>>;
    /** Stops the iteration (called by `break` in `for await`). */
    return(): Promise<IteratorResult<any, undefined>>;
}
"#;

// `vclient_page`'s operations (listing.js sends the same values).
const FIRST_PAGE: u32 = 0;
const ITERATE: u32 = 1;
const RECEIVE: u32 = 2;

/// One decision: `op` and its numbers (see listing.js), `text` the listing's path (RECEIVE).
pub(super) fn step(op: u32, nums: &[f64], text: &str) -> Out {
    let num = |i: usize| nums.get(i).copied().unwrap_or(f64::NAN);
    match op {
        FIRST_PAGE | ITERATE => {
            // The caller's numbers as listing.js's `readPaging` read them: `query.limit`,
            // `query.offset`, `pageSize`, `maxLimit`, 1 when the page size came as
            // `query.limit`; NaN for what was not given.
            let given = |i: usize| (!num(i).is_nan()).then(|| num(i));
            let max = given(3).map_or(MAX_PAGE_LIMIT, |m| m as u32);
            let first = if op == FIRST_PAGE {
                page_request(given(0), given(1), DEFAULT_PAGE_LIMIT, max)
                    .map_err(|(f, m)| invalid(&format!("query.{f}"), m))
            } else {
                let size_key = if num(4) == 1.0 {
                    "query.limit"
                } else {
                    "pageSize"
                };
                iteration_page(given(2), max, size_key)
            };
            match first {
                Ok(first) => state(&Pager::new(first)),
                Err(e) => Out::invalid(e),
            }
        }
        RECEIVE => receive(nums, text),
        _ => Out::invalid(invalid("paging", "is not a listing step (a vclient bug)")),
    }
}

/// The first page of `listAll` and `paginate`: `pageSize` or `query.limit` (default the
/// largest page) from offset 0.
fn iteration_page(size: Option<f64>, max: u32, size_key: &str) -> Result<PageRequest, Invalid> {
    let mut req = page_request(size.or(Some(f64::from(max))), None, DEFAULT_PAGE_LIMIT, max)
        .map_err(|(f, m)| invalid(if f == "limit" { size_key } else { f }, m))?;
    if req.limit == 0 {
        req.limit = max;
    }
    Ok(req)
}

fn state(pager: &Pager) -> Out {
    let mut out = Out::kind(STATE);
    out.nums[1..8].copy_from_slice(&pager.to_numbers());
    out
}

/// A page arrived: `nums` hold the pager (7 numbers) and then listing.js's `pageView` of the
/// body (the item count or -1, and kind and value of `limit`, `offset` and `total`).
fn receive(nums: &[f64], path: &str) -> Out {
    let mut pager = Pager::from_numbers(nums);
    let Some(asked) = pager.next_request() else {
        return state(&pager);
    };
    let view = |i: usize| nums.get(7 + i).copied().unwrap_or(f64::NAN);
    let member = |i: usize| match view(i) as u8 {
        0 => Member::Absent,
        1 => Member::Number(view(i + 1)),
        _ => Member::Other,
    };
    let count = (view(0) >= 0.0).then_some(view(0) as usize);
    let info = match envelope_numbers(asked, count, [member(1), member(3), member(5)]) {
        Ok(info) => info,
        Err(e) => {
            let mut out = Out::kind(ENVELOPE_ERROR);
            out.text = Writer::default()
                .field(&format!(
                    "The page from GET {path} is not a page envelope: {} {}",
                    e.path, e.message
                ))
                .finish();
            return out;
        }
    };
    match pager.receive(info) {
        Ok(()) => state(&pager),
        Err(e) => {
            let mut out = Out::kind(PAGING_ERROR);
            out.nums[1] = e.page as f64;
            out.nums[2] = e.requested.offset as f64;
            out.nums[3] = e.info.offset as f64;
            out.nums[4] = f64::from(e.requested.limit);
            out.nums[5] = e.info.total as f64;
            out.text = Writer::default().field(&e.message(path)).finish();
            out
        }
    }
}
