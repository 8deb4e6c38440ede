//! A C caller's view of an exported symbol, for the hidden lines of the guide's
//! examples: they call what a block exports the way the generated Python does.

use std::os::raw::c_int;
use std::ptr::null_mut;

use vix_ffi::{StatusCode, VixStatus};

/// A symbol of the operation shape (ABI v1.0), as `#[vix_ffi::export]` and
/// `RawCall` export it.
pub type Operation = unsafe extern "C" fn(
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
    out_status: *mut VixStatus,
) -> c_int;

/// Calls `op` on `input` as a binding does: a size query first (which must answer
/// `BUFFER_TOO_SMALL` with the size, or succeed with an empty output), then a call
/// with exactly that capacity. Returns the output, or the status code and message.
pub fn call(op: Operation, input: &[u8]) -> Result<Vec<u8>, (i32, String)> {
    let mut status = VixStatus::ok();
    let mut size = usize::MAX;
    // SAFETY: `input` is valid for its length, the output is a size query, and both
    // out-pointers are valid for writes.
    let rc = unsafe {
        op(
            input.as_ptr(),
            input.len(),
            null_mut(),
            0,
            &mut size,
            &mut status,
        )
    };
    if rc == 0 {
        assert_eq!(size, 0, "a size query that succeeds has an empty output");
        return Ok(Vec::new());
    }
    if status.code != StatusCode::BufferTooSmall as i32 {
        return Err(failure(&status));
    }
    let mut out = vec![0u8; size];
    let mut len = usize::MAX;
    // SAFETY: `out` holds `size` writable bytes; the rest as above.
    let rc = unsafe {
        op(
            input.as_ptr(),
            input.len(),
            out.as_mut_ptr(),
            out.len(),
            &mut len,
            &mut status,
        )
    };
    if rc != 0 {
        return Err(failure(&status));
    }
    assert_eq!(
        len, size,
        "the size query announced {size} bytes, the call wrote {len}"
    );
    Ok(out)
}

/// The code and the message of a failed call, read right after it.
pub fn failure(status: &VixStatus) -> (i32, String) {
    // SAFETY: a status message stays valid until the next call on this thread.
    let message = unsafe { status.message.as_bytes() };
    (status.code, String::from_utf8_lossy(message).into_owned())
}
