//! How drive.js steps a call: three raw wasm exports that take and return plain numbers, and
//! two buffers in wasm memory they share with JS, the number slots and the UTF-8 text. A step
//! is one crossing: JS writes its input into the buffers and calls `vclient_begin` or
//! `vclient_step`; Rust reads the input, runs the step (session.rs) and writes what the
//! driver does next into the same buffers. No wasm-bindgen glue runs (no string conversion,
//! no future, no closure), and nothing here is visible to users: the exports are the .wasm's
//! own, which drive.js reaches through `wasm_bindgen::exports()`.
//!
//! The slots: input at 0.., output at 0..9 (session.rs's `Out`); slot 22 is the text
//! buffer's size and slot 23 the length of the output text, both set on every return.
//! `vclient_page` runs a listing's decisions the same way, with no session (listing.rs).

// `#[no_mangle]` counts as unsafe code (two crates could export one symbol); the names carry
// the crate's prefix. There is no unsafe block here.
#![allow(unsafe_code)]

use super::session::{Out, Session};
use std::cell::RefCell;
use std::rc::Rc;

/// The number slots.
const SLOTS: usize = 24;
const CAPACITY_SLOT: usize = 22;
const LENGTH_SLOT: usize = 23;

thread_local! {
    // Boxed: the address JS keeps must never move.
    static NUMS: RefCell<Box<[f64; SLOTS]>> = RefCell::new(Box::new([0.0; SLOTS]));
    // Its length is its capacity: JS writes anywhere in it.
    static TEXT: RefCell<Vec<u8>> = RefCell::new(vec![0; 1024]);
    // The sessions the driver may step, by id. A session leaves when nothing holds it any
    // more: no client, no paginator and no call in flight (see `Held`).
    static SESSIONS: RefCell<Vec<Option<Rc<Session>>>> = const { RefCell::new(Vec::new()) };
}

/// The address of the number slots, for drive.js's view of them.
#[no_mangle]
pub extern "C" fn vclient_slots() -> u32 {
    NUMS.with(|n| n.borrow().as_ptr() as u32)
}

/// Grows the text buffer to at least `bytes` and returns its address (it may have moved).
#[no_mangle]
pub extern "C" fn vclient_text(bytes: u32) -> u32 {
    let ptr = TEXT.with(|t| {
        let mut t = t.borrow_mut();
        let want = bytes as usize;
        if t.len() < want {
            t.resize(want.checked_next_power_of_two().unwrap_or(want), 0);
        }
        t.as_ptr() as u32
    });
    set_sizes(0);
    ptr
}

/// Starts a call of session `id`: input slots 0-7 are call.js's numbers `n`, slot 8 the time;
/// `len` bytes of text are its strings `t`. Returns the text buffer's address, or 0 for a
/// session that is gone.
#[no_mangle]
pub extern "C" fn vclient_begin(id: u32, len: u32) -> u32 {
    run(id, len, |s, nums, text| s.begin(&nums[..8], text, nums[8]))
}

/// Feeds a call what its driver did (slots 0-5, see `Session::step`); `len` bytes of text
/// describe an attempt's outcome.
#[no_mangle]
pub extern "C" fn vclient_step(id: u32, len: u32) -> u32 {
    run(id, len, |s, nums, text| s.step(nums, text))
}

/// Takes a listing's next decision (listing.rs): `op` says which, slots and `len` bytes of
/// text hold its input.
#[no_mangle]
pub extern "C" fn vclient_page(op: u32, len: u32) -> u32 {
    exchange(len, |nums, text| super::listing::step(op, nums, text))
}

/// Runs one step of session `id` (0: the session is gone).
fn run(id: u32, len: u32, f: impl FnOnce(&Session, &[f64; SLOTS], &str) -> Out) -> u32 {
    let Some(session) = SESSIONS.with(|s| s.borrow().get(id as usize).cloned().flatten()) else {
        return 0;
    };
    exchange(len, |nums, text| {
        let out = f(&session, nums, text);
        release_if_unheld(id, session);
        out
    })
}

/// Runs `f` on the input, copied out of the buffers first (a logger called during a step may
/// start another call, which reuses them), and writes its answer into them.
fn exchange(len: u32, f: impl FnOnce(&[f64; SLOTS], &str) -> Out) -> u32 {
    let nums = NUMS.with(|n| **n.borrow());
    let text = TEXT.with(|t| {
        let t = t.borrow();
        // TextEncoder writes valid UTF-8; anything else is a driver bug, read lossily.
        let bytes = &t[..(len as usize).min(t.len())];
        match core::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        }
    });
    let out = f(&nums, &text);
    NUMS.with(|n| n.borrow_mut()[..out.nums.len()].copy_from_slice(&out.nums));
    let ptr = TEXT.with(|t| {
        let mut t = t.borrow_mut();
        let bytes = out.text.as_bytes();
        if t.len() < bytes.len() {
            let n = bytes.len();
            t.resize(n.checked_next_power_of_two().unwrap_or(n), 0);
        }
        t[..bytes.len()].copy_from_slice(bytes);
        t.as_ptr() as u32
    });
    set_sizes(out.text.len());
    ptr
}

fn set_sizes(len: usize) {
    let capacity = TEXT.with(|t| t.borrow().len());
    NUMS.with(|n| {
        let mut n = n.borrow_mut();
        n[CAPACITY_SLOT] = capacity as f64;
        n[LENGTH_SLOT] = len as f64;
    });
}

/// Drops the registry's hold on session `id` once nothing but `session` (the caller's
/// reference, dropped here) holds it and no call is in flight.
fn release_if_unheld(id: u32, session: Rc<Session>) {
    // The registry's reference and `session`.
    if Rc::strong_count(&session) == 2 && session.idle() {
        drop(session);
        forget(id);
    }
}

fn forget(id: u32) {
    SESSIONS.with(|s| {
        if let Some(slot) = s.borrow_mut().get_mut(id as usize) {
            *slot = None;
        }
    });
}

/// A client's or a paginator's hold on a session: while one exists, the driver can step the
/// session's calls. Dropping the last one (a client collected by the garbage collector)
/// lets the session go once its calls in flight end, never before.
#[derive(Debug)]
pub(crate) struct Held {
    id: u32,
    session: Rc<Session>,
}

impl Held {
    /// Registers `session`; `make` builds it knowing its id. It runs while the registry is
    /// borrowed, so it must not call back into wasm (client.rs's only makes plain objects).
    pub(crate) fn new(make: impl FnOnce(u32) -> Session) -> Held {
        SESSIONS.with(|s| {
            let mut sessions = s.borrow_mut();
            let id = sessions
                .iter()
                .position(Option::is_none)
                .unwrap_or(sessions.len());
            let session = Rc::new(make(id as u32));
            if id == sessions.len() {
                sessions.push(Some(session.clone()));
            } else {
                sessions[id] = Some(session.clone());
            }
            Held {
                id: id as u32,
                session,
            }
        })
    }
}

impl Clone for Held {
    fn clone(&self) -> Held {
        Held {
            id: self.id,
            session: self.session.clone(),
        }
    }
}

impl std::ops::Deref for Held {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // The registry's reference and this one. During a step the step's own reference
        // counts too, and the step releases the session when it ends.
        if Rc::strong_count(&self.session) == 2 && self.session.idle() {
            forget(self.id);
        }
    }
}
