//! The crate's error path never aborts when memory runs out: with every allocation of
//! the calling thread failing (this test binary's global allocator does that on demand),
//! an operation still answers its size query, its argument checks and its refusals with
//! the right status and a message (the static fallback text where the formatted one
//! could not be allocated), as `vix-ffi check`'s `allocation-failure` rule demands.
//! With `format!`, the first of these calls would abort the process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::mem::MaybeUninit;

use vix_ffi::{try_format, Error, RawCall, StatusCode, VixStatus, VixStr};

/// The system allocator, failing every allocation of a thread while [`FAILING`] is set
/// there.
struct Failing;

thread_local! {
    static FAILING: Cell<bool> = const { Cell::new(false) };
    static REFUSED: Cell<usize> = const { Cell::new(0) };
}

fn failing_now() -> bool {
    // `try_with`: during thread teardown the flag is gone, and allocations succeed.
    FAILING.try_with(Cell::get).unwrap_or(false)
}

// SAFETY: forwards to `System`, or returns NULL (which `GlobalAlloc` allows) while the
// thread asks for failures.
unsafe impl GlobalAlloc for Failing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if failing_now() {
            let _ = REFUSED.try_with(|n| n.set(n.get() + 1));
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if failing_now() {
            let _ = REFUSED.try_with(|n| n.set(n.get() + 1));
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Failing = Failing;

/// Runs `body` with every allocation of this thread failing; how many were refused.
fn without_memory<T>(body: impl FnOnce() -> T) -> (T, usize) {
    REFUSED.with(|n| n.set(0));
    FAILING.with(|f| f.set(true));
    let out = body();
    FAILING.with(|f| f.set(false));
    (out, REFUSED.with(Cell::get))
}

/// One call of a sized operation (output twice the input) on `input` with `cap` bytes
/// of output: the return value, the status code, the message and `*out_len`.
fn call(input: &[u8], cap: usize) -> (i32, i32, String, usize) {
    let mut out = vec![0u8; cap];
    let mut out_len = usize::MAX;
    let mut status = VixStatus::ok();
    let (rc, status, out_len) = without_memory(|| {
        let raw = RawCall {
            in_ptr: input.as_ptr(),
            in_len: input.len(),
            out_ptr: if cap == 0 {
                std::ptr::null_mut()
            } else {
                out.as_mut_ptr()
            },
            out_cap: cap,
            out_len: &mut out_len,
            out_status: &mut status,
        };
        let size = |input: &[u8]| {
            if input.first() == Some(&b'!') {
                return Err(Error::invalid_arg(try_format!(
                    "refused: the input starts with '!' ({} bytes)",
                    input.len()
                )));
            }
            Ok(input.len() * 2)
        };
        let write = |input: &[u8], buf: &mut [MaybeUninit<u8>]| {
            for (i, b) in input.iter().enumerate() {
                buf[2 * i].write(*b);
                buf[2 * i + 1].write(*b);
            }
            Ok(input.len() * 2)
        };
        // SAFETY: every pointer is live for the call, with its stated length.
        let rc = unsafe { raw.sized(size, write) };
        (rc, status, out_len)
    })
    .0;
    // SAFETY: the status's message is static text or this thread's storage, unchanged
    // since the call.
    let message = String::from_utf8_lossy(unsafe { message_bytes(status.message) }).into_owned();
    (rc, status.code, message, out_len)
}

unsafe fn message_bytes<'a>(s: VixStr) -> &'a [u8] {
    if s.ptr.is_null() || s.len == 0 {
        return &[];
    }
    // SAFETY: forwarded from the caller.
    unsafe { std::slice::from_raw_parts(s.ptr.cast(), s.len) }
}

#[test]
fn a_size_query_without_memory_gives_buffer_too_small_and_the_size() {
    let (rc, code, message, out_len) = call(b"abc", 0);
    assert_ne!(rc, 0);
    assert_eq!(code, StatusCode::BufferTooSmall as i32);
    assert_eq!(out_len, 6);
    // The formatted message could not be allocated: its template stands in.
    assert!(message.starts_with("output buffer too small"), "{message}");
}

#[test]
fn argument_checks_and_refusals_without_memory_give_their_status() {
    let (rc, code, message, _) = call(b"!x", 0);
    assert_ne!(rc, 0);
    assert_eq!(code, StatusCode::InvalidArg as i32);
    assert!(
        message.starts_with("refused: the input starts with '!'"),
        "{message}"
    );
    let (rc, code, _, out_len) = call(b"ab", 4);
    assert_eq!((rc, code, out_len), (0, StatusCode::Ok as i32, 4));
}

#[test]
fn with_memory_the_message_is_formatted() {
    // A value known only at run time (a literal argument is folded into the text).
    let n = std::hint::black_box(6);
    let text = try_format!("output of {} bytes", n);
    assert_eq!(text, "output of 6 bytes");
    let (fallback, refused) = without_memory(|| try_format!("output of {} bytes", n));
    assert_eq!(fallback, "output of {} bytes");
    assert!(refused > 0, "the allocator was asked");
}

#[test]
fn a_new_object_without_memory_is_an_error_status_not_an_abort() {
    use vix_ffi::glue::{boxed, call, free, Handle, HandleOut};

    struct Thing(#[allow(dead_code)] [u64; 4]);
    let mut handle: *mut Handle<Thing> = std::ptr::null_mut();
    let mut status = VixStatus::ok();
    let (rc, refused) = without_memory(|| {
        // SAFETY: `status` and `handle` are live locals.
        unsafe {
            call(&mut status, HandleOut(&mut handle), |_| {
                boxed(|| Ok::<_, Error>(Thing([7; 4])))
            })
        }
    });
    assert!(refused > 0, "the handle was asked for");
    assert_ne!(rc, 0);
    assert_eq!(status.code, StatusCode::Error as i32);
    assert!(handle.is_null(), "no handle on an error");
    // SAFETY: a static message.
    let message = unsafe { message_bytes(status.message) };
    assert!(message.starts_with(b"out of memory"), "{message:?}");
    // With memory, the handle is made, and free releases it.
    // SAFETY: as above.
    let rc = unsafe {
        call(&mut status, HandleOut(&mut handle), |_| {
            boxed(|| Ok::<_, Error>(Thing([7; 4])))
        })
    };
    assert_eq!((rc, status.code), (0, 0));
    assert!(!handle.is_null());
    // SAFETY: the live handle just made, released once.
    unsafe { free(handle) };
}
