//! Offset pagination for JS: `getPage`, `listAll` and the `Paginator` async iterator.
//! The offsets, the envelope rules and when a listing must stop are in
//! `policy::pagination` (a `Pager`); every page is one `request()` with its own retries.

use super::call::request_error;
use super::errors::{at_call_site, make_error, response_error, Fields};
use super::response::with_data;
use super::steps::Held;
use super::transport::json_member;
use crate::policy::pagination::{
    envelope_numbers, page_request, Member, PageInfo, PageRequest, Pager, PagingError,
    DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_REFERENCE_PAGE_LIMIT,
};
use js_sys::{Array, Object, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(module = "/src/js/page.js")]
extern "C" {
    /// A listing's options as page.js read them: opaque here, handed back for each page.
    #[derive(Debug, Clone)]
    type Listing;

    /// Reads a listing's options (see page.js); throws a `RequestValidationError`.
    #[wasm_bindgen(catch, js_name = readPaging)]
    fn read_paging(
        path: &JsValue,
        options: &JsValue,
        iterate: bool,
        nums: &mut [f64],
        max: u32,
        reference: u32,
    ) -> Result<Listing, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn n(this: &Listing) -> Array;
    #[wasm_bindgen(method, getter)]
    fn h(this: &Listing) -> JsValue;

    /// A page body's `items` (when an array) and its envelope's numbers (see page.js).
    #[wasm_bindgen(js_name = pageView)]
    fn page_view(body: &JsValue, nums: &mut [f64]) -> JsValue;

    /// Adds `hasMore` and `nextOffset` (-1: none) to a `getPage` result.
    #[wasm_bindgen(js_name = annotatePage)]
    fn annotate_page(body: &JsValue, has_more: bool, next_offset: f64);

}

#[wasm_bindgen(module = "/src/js/drive.js")]
extern "C" {
    /// One page's request, read as `request()` reads its arguments and run by the driver:
    /// the promise of its record (see drive.js).
    #[wasm_bindgen(js_name = sendPage)]
    fn send_page(client: &JsValue, listing: &Listing, limit: u32, offset: f64) -> Promise;
}

#[wasm_bindgen(module = "/src/js/response.js")]
extern "C" {
    /// The record's `X-Request-Id`, if any.
    #[wasm_bindgen(js_name = requestId)]
    fn request_id(record: &JsValue) -> Option<String>;
}

/// A page's call as the driver resolved it: its record, whose `data` is the page.
#[derive(Debug)]
struct Sent {
    record: JsValue,
}

impl Sent {
    fn data(&self) -> JsValue {
        json_member(&self.record, "data")
    }
}

/// A paginated GET: the options as page.js read them, and the limits.
#[derive(Debug, Clone)]
pub struct PagedCall {
    /// The path, for messages.
    path: String,
    listing: Listing,
    max_limit: u32,
    /// The key the caller gave the page size as (`query.limit` or `pageSize`), for its errors.
    size_key: &'static str,
    /// The JS service layer's response hook (its schema check), run on each page's items
    /// (`hook.rs`).
    hook: Option<js_sys::Function>,
}

/// The paging numbers a caller gave (checked and clamped later).
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// `query.limit` (getPage).
    pub limit: Option<f64>,
    /// `query.offset` (getPage).
    pub offset: Option<f64>,
    /// `query.limit`, or its camelCase knob alias `pageSize` (listAll, paginate).
    pub page_size: Option<f64>,
}

/// Which call the options are for: each takes its own paging keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `getPage`: `query.limit` and `query.offset`.
    Page,
    /// `listAll` and `paginate`: `query.limit` (or the knob `pageSize`), from offset 0.
    Iterate,
}

impl PagedCall {
    /// Reads `options` in one crossing (page.js): the paging numbers are API data and so live
    /// in `query`, as in `request()`; a top-level `limit`/`offset`, or a key meant for the
    /// other kind of call, is refused rather than silently ignored.
    pub fn new(
        path: JsValue,
        options: &JsValue,
        mode: Mode,
    ) -> Result<(PagedCall, Paging), JsValue> {
        let mut nums = [0f64; 6];
        let listing = read_paging(
            &path,
            options,
            mode == Mode::Iterate,
            &mut nums,
            MAX_PAGE_LIMIT,
            MAX_REFERENCE_PAGE_LIMIT,
        )?;
        super::call::numbers(&mut nums, || listing.n());
        let given = |n: f64| (!n.is_nan()).then_some(n);
        let call = PagedCall {
            path: path.as_string().unwrap_or_default(),
            max_limit: given(nums[3]).map_or(MAX_PAGE_LIMIT, |m| m as u32),
            size_key: if nums[4] == 1.0 {
                "query.limit"
            } else {
                "pageSize"
            },
            hook: listing.h().dyn_into().ok(),
            listing,
        };
        let paging = Paging {
            limit: given(nums[0]),
            offset: given(nums[1]),
            page_size: given(nums[2]),
        };
        Ok((call, paging))
    }

    /// Fetches one page: the server's envelope, its numbers and the call's record.
    async fn fetch(
        &self,
        inner: &Held,
        page: PageRequest,
    ) -> Result<(JsValue, JsValue, PageInfo, Sent), JsValue> {
        let promise = send_page(&inner.js, &self.listing, page.limit, page.offset as f64);
        let sent = Sent {
            record: JsFuture::from(promise).await?,
        };
        let body = sent.data();
        let mut nums = [0f64; 7];
        let items = page_view(&body, &mut nums);
        if let Some(hook) = &self.hook {
            if !items.is_undefined() {
                let id = request_id(&sent.record);
                super::hook::run(Some(hook), items.clone(), id.as_deref())?;
            }
        }
        let member = |i: usize| match nums[i] as u8 {
            0 => Member::Absent,
            1 => Member::Number(nums[i + 1]),
            _ => Member::Other,
        };
        let count = (nums[0] >= 0.0).then_some(nums[0] as usize);
        let info =
            envelope_numbers(page, count, [member(1), member(3), member(5)]).map_err(|e| {
                response_error(
                    &format!(
                        "The page from GET {} is not a page envelope: {} {}",
                        self.path, e.path, e.message
                    ),
                    None,
                    &JsValue::UNDEFINED,
                )
            })?;
        Ok((body, items, info, sent))
    }

    /// Fetches the pager's next page and hands it to the pager; a page that breaks the
    /// paging contract ends the listing with a `ResponseValidationError`.
    async fn next_page(
        &self,
        inner: &Held,
        pager: &mut Pager,
    ) -> Result<(JsValue, JsValue, Option<Sent>), JsValue> {
        let Some(page) = pager.next_request() else {
            return Ok((JsValue::UNDEFINED, JsValue::UNDEFINED, None));
        };
        let fetched = self.fetch(inner, page).await;
        let (body, items, info, sent) = fetched.inspect_err(|_| pager.stop())?;
        pager
            .receive(info)
            .map_err(|e| self.paging_error(&e, request_id(&sent.record).as_deref()))?;
        Ok((body, items, Some(sent)))
    }

    /// The error for a page that breaks the paging contract: the message names the page
    /// and the offsets, and the numbers are fields too.
    fn paging_error(&self, e: &PagingError, request_id: Option<&str>) -> JsValue {
        let f = Fields::new();
        f.set("method", "GET")
            .set("page", e.page as f64)
            .set("requestedOffset", e.requested.offset as f64)
            .set("offset", e.info.offset as f64)
            .set("limit", e.requested.limit)
            .set("total", e.info.total as f64)
            .opt("requestId", request_id);
        make_error(
            "ResponseValidationError",
            &e.message(&self.path),
            &f.into_value(),
            &JsValue::UNDEFINED,
        )
    }

    /// One page (`getPage`): the server's envelope plus `hasMore` and `nextOffset`, and the
    /// page's record, whose `data` is that page (for `.withResponse()`).
    pub async fn one_page_sent(
        &self,
        inner: &Held,
        page: PageRequest,
    ) -> Result<(JsValue, JsValue), JsValue> {
        let mut pager = Pager::new(page);
        let (body, _, sent) = self.next_page(inner, &mut pager).await?;
        let next = pager.next_request();
        annotate_page(
            &body,
            next.is_some(),
            next.map_or(-1.0, |p| p.offset as f64),
        );
        // The page is the record's `data` itself (the same object), now annotated.
        let record = sent.map_or_else(|| with_data(&Object::new(), &body), |s| s.record);
        Ok((body, record))
    }

    /// Every item from `first` on, page by page (`listAll`), and the last page's record,
    /// whose `data` becomes the list.
    pub async fn collect_sent(
        &self,
        inner: &Held,
        first: PageRequest,
    ) -> Result<(JsValue, JsValue), JsValue> {
        let mut all = Array::new();
        let mut pager = Pager::new(first);
        let mut last = None;
        while pager.next_request().is_some() {
            let (_, items, sent) = self.next_page(inner, &mut pager).await?;
            if !items.is_undefined() {
                // One crossing per page, not two per item.
                all = all.concat(items.unchecked_ref::<Array>());
            }
            last = sent.or(last);
        }
        let record = last.map_or_else(|| Object::new().into(), |s| s.record);
        let all: JsValue = all.into();
        Ok((all.clone(), with_data(&record, &all)))
    }

    /// The request for `getPage`.
    pub fn first_page(
        &self,
        limit: Option<f64>,
        offset: Option<f64>,
    ) -> Result<PageRequest, JsValue> {
        page_request(limit, offset, DEFAULT_PAGE_LIMIT, self.max_limit)
            .map_err(|(f, m)| request_error(&format!("query.{f}"), &m))
    }

    /// The request for iteration: `pageSize` or `limit` (default the largest page) from
    /// offset 0.
    pub fn iteration_page(&self, page_size: Option<f64>) -> Result<PageRequest, JsValue> {
        let mut req = page_request(
            page_size.or(Some(f64::from(self.max_limit))),
            None,
            DEFAULT_PAGE_LIMIT,
            self.max_limit,
        )
        .map_err(|(f, m)| request_error(if f == "limit" { self.size_key } else { f }, &m))?;
        if req.limit == 0 {
            req.limit = self.max_limit;
        }
        Ok(req)
    }
}

/// Iteration state shared by a `Paginator` and the iterator it returns.
#[derive(Debug)]
struct PagerState {
    inner: Held,
    call: PagedCall,
    /// The current page's items, still in JS, and the next one to hand out: one crossing per
    /// item instead of copying every item's handle into wasm.
    items: Array,
    len: u32,
    at: u32,
    pager: Pager,
    /// The previous `next()` promise: calls run one after another, never fetching a page twice.
    last: Option<Promise>,
}

/// An async iterator over every item of a paginated list, fetching pages as needed.
///
/// ```js
/// for await (const company of client.paginate("/api/v1/companies")) console.log(company.name);
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Paginator {
    state: Rc<RefCell<PagerState>>,
}

impl Paginator {
    pub(crate) fn new(inner: Held, call: PagedCall, first: PageRequest) -> Paginator {
        Paginator {
            state: Rc::new(RefCell::new(PagerState {
                inner,
                call,
                items: Array::new(),
                len: 0,
                at: 0,
                pager: Pager::new(first),
                last: None,
            })),
        }
    }
}

fn iter_result(value: JsValue, done: bool) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"value".into(), &value);
    let _ = Reflect::set(&o, &"done".into(), &done.into());
    o.into()
}

async fn step(
    state: Rc<RefCell<PagerState>>,
    previous: Option<Promise>,
) -> Result<JsValue, JsValue> {
    if let Some(p) = previous {
        let _ = JsFuture::from(p).await;
    }
    loop {
        // Never hold the borrow across an await.
        let (item, mut pager) = {
            let mut s = state.borrow_mut();
            let item = (s.at < s.len).then(|| s.items.get(s.at));
            s.at = s.at.saturating_add(1).min(s.len);
            (item, s.pager.clone())
        };
        if let Some(item) = item {
            return Ok(iter_result(item, false));
        }
        if pager.next_request().is_none() {
            return Ok(iter_result(JsValue::UNDEFINED, true));
        }
        let (inner, call) = {
            let s = state.borrow();
            (s.inner.clone(), s.call.clone())
        };
        // A failed page ends the iteration (the pager stops); the caller may start anew.
        let page = call
            .next_page(&inner, &mut pager)
            .await
            .map(|(_, items, _)| items);
        let mut s = state.borrow_mut();
        // `return()` during the fetch has ended the iteration: keep it ended.
        if s.pager.next_request().is_none() {
            return Ok(iter_result(JsValue::UNDEFINED, true));
        }
        s.pager = pager;
        let items = page?;
        if !items.is_undefined() {
            s.items = items.unchecked_into();
            s.len = s.items.length();
            s.at = 0;
        }
    }
}

#[wasm_bindgen]
impl Paginator {
    /// The next item: `{ value, done }`, as the async iterator protocol requires.
    #[wasm_bindgen(unchecked_return_type = "Promise<IteratorResult<any, undefined>>")]
    pub fn next(&self) -> Promise {
        let previous = self.state.borrow_mut().last.take();
        let promise = future_to_promise(step(self.state.clone(), previous));
        self.state.borrow_mut().last = Some(promise.clone());
        at_call_site(&promise)
    }

    /// Stops the iteration (called by `break` in `for await`).
    #[wasm_bindgen(
        js_name = "return",
        unchecked_return_type = "Promise<IteratorResult<any, undefined>>"
    )]
    pub fn return_(&self) -> Promise {
        let mut s = self.state.borrow_mut();
        s.pager.stop();
        s.items = Array::new();
        s.len = 0;
        s.at = 0;
        Promise::resolve(&iter_result(JsValue::UNDEFINED, true))
    }

    /// `for await (const item of paginator)`.
    #[wasm_bindgen(js_name = "[Symbol.asyncIterator]")]
    pub fn async_iterator(&self) -> Paginator {
        Paginator {
            state: self.state.clone(),
        }
    }
}
