//! The panic guard: no unwind ever crosses the C boundary.

use std::any::Any;
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::status::{self, Error, StatusCode, VixStatus};

/// Used when the panic payload is neither `&str` nor `String`, or reading it panicked.
const UNKNOWN_PANIC: &str = "panic in native code (no message)";

/// Runs `body`, writes its outcome to `out_status`, and returns its value or `on_error`.
///
/// - `Ok(v)`: writes `VIX_STATUS_OK`, returns `v`;
/// - `Err(e)`: writes `e`'s code and message, returns `on_error`;
/// - a panic: writes `VIX_STATUS_ERROR` with the panic message (a generic message when
///   the payload is not a string), returns `on_error`. Building that message and dropping
///   the payload are guarded too, so a payload whose `Drop` panics cannot escape.
///
/// # Safety
/// `out_status` must be null or valid for writing one [`VixStatus`].
pub unsafe fn guard<R>(
    out_status: *mut VixStatus,
    on_error: R,
    body: impl FnOnce() -> Result<R, Error>,
) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => {
            // SAFETY: forwarded from this function's contract.
            unsafe { status::write_ok(out_status) };
            value
        }
        Ok(Err(err)) => {
            // SAFETY: forwarded from this function's contract.
            unsafe { status::write_error(out_status, err) };
            on_error
        }
        Err(payload) => {
            let message = panic_message(payload);
            // SAFETY: forwarded from this function's contract.
            unsafe { status::write_status(out_status, StatusCode::Error, message) };
            on_error
        }
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> Cow<'static, str> {
    let message = catch_unwind(AssertUnwindSafe(|| {
        let text = if let Some(s) = payload.downcast_ref::<&'static str>() {
            Some(crate::try_format!("panic: {s}"))
        } else {
            payload
                .downcast_ref::<String>()
                .map(|s| crate::try_format!("panic: {s}"))
        };
        (text, payload)
    }));
    match message {
        Ok((text, payload)) => {
            drop_quietly(payload);
            text.unwrap_or(Cow::Borrowed(UNKNOWN_PANIC))
        }
        Err(second) => {
            drop_quietly(second);
            Cow::Borrowed(UNKNOWN_PANIC)
        }
    }
}

/// Drops a panic payload; if its destructor panics, that payload is leaked instead.
fn drop_quietly(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<R>(on_error: R, body: impl FnOnce() -> Result<R, Error>) -> (R, i32, String) {
        let mut st = VixStatus {
            code: -7,
            message: crate::VixStr::EMPTY,
        };
        // SAFETY: `st` is a live local.
        let r = unsafe { guard(&mut st, on_error, body) };
        // SAFETY: the message is valid until the next call on this thread.
        let msg = String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap();
        (r, st.code, msg)
    }

    #[test]
    fn ok_writes_ok_status() {
        assert_eq!(run(0, || Ok(5)), (5, 0, String::new()));
    }

    #[test]
    fn errors_keep_code_and_message() {
        let (r, code, msg) = run(-1, || Err(Error::invalid_arg(format!("bad {}", 7))));
        assert_eq!((r, code, msg.as_str()), (-1, 2, "bad 7"));
    }

    #[test]
    fn string_panics_become_error_status_with_message() {
        let (r, code, msg) = run(-1, || -> Result<i32, Error> { panic!("boom {}", 42) });
        assert_eq!((r, code, msg.as_str()), (-1, 1, "panic: boom 42"));
        let (_, code, msg) = run(-1, || -> Result<i32, Error> { panic!("static boom") });
        assert_eq!((code, msg.as_str()), (1, "panic: static boom"));
    }

    #[test]
    fn other_payloads_get_a_generic_message() {
        let (_, code, msg) = run(0, || -> Result<i32, Error> { std::panic::panic_any(17u8) });
        assert_eq!((code, msg.as_str()), (1, UNKNOWN_PANIC));
    }

    #[test]
    fn a_payload_whose_drop_panics_does_not_escape() {
        struct Nasty;
        impl Drop for Nasty {
            fn drop(&mut self) {
                panic!("panic while dropping the payload");
            }
        }
        let (_, code, msg) = run(0, || -> Result<i32, Error> { std::panic::panic_any(Nasty) });
        assert_eq!((code, msg.as_str()), (1, UNKNOWN_PANIC));
    }

    #[test]
    fn null_status_is_allowed() {
        // SAFETY: null is allowed.
        let r = unsafe { guard(std::ptr::null_mut(), 9, || Err(Error::other("x"))) };
        assert_eq!(r, 9);
    }
}
