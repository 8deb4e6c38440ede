//! Test helpers shared by the unit tests of this crate: calling an operation through a
//! [`RawCall`] over real buffers and reading back everything it left.

use std::os::raw::c_int;
use std::ptr::{null, null_mut};

use crate::op::RawCall;
use crate::{VixStatus, VixStr};

/// The status code a call starts from: any other value was written by the call.
pub const SENTINEL: i32 = -12345;
/// The value of the guard bytes after the buffer.
pub const GUARD: u8 = 0xA5;

/// What a call left behind.
#[derive(Debug)]
pub struct Seen {
    pub rc: c_int,
    pub code: i32,
    pub message: String,
    pub out_len: usize,
    pub out: Vec<u8>,
}

/// A status holding [`SENTINEL`] and an empty message.
pub fn status_sentinel() -> VixStatus {
    VixStatus {
        code: SENTINEL,
        message: VixStr::EMPTY,
    }
}

/// Calls `op` on `input` with a buffer of `cap` bytes followed by guard bytes (a write
/// past `cap` fails the test), and a status holding [`SENTINEL`].
pub fn call_with(input: &[u8], cap: usize, op: fn(RawCall) -> c_int) -> Seen {
    // Guard bytes after `cap` show any write past the capacity.
    let mut buf = vec![GUARD; cap + 16];
    let mut out_len = usize::MAX;
    let mut st = status_sentinel();
    let rc = op(RawCall {
        in_ptr: if input.is_empty() {
            null()
        } else {
            input.as_ptr()
        },
        in_len: input.len(),
        out_ptr: if cap == 0 {
            null_mut()
        } else {
            buf.as_mut_ptr()
        },
        out_cap: cap,
        out_len: &mut out_len,
        out_status: &mut st,
    });
    assert!(
        buf[cap..].iter().all(|&b| b == GUARD),
        "wrote past out_cap: {:?}",
        &buf[cap..]
    );
    // SAFETY: valid until the next call on this thread.
    let message = String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap();
    buf.truncate(cap);
    Seen {
        rc,
        code: st.code,
        message,
        out_len,
        out: buf,
    }
}
