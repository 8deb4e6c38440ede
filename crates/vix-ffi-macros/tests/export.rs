//! The symbols `#[vix_ffi::export]` generates, called the way a C caller would.

#![deny(unsafe_code)]

use vix_ffi::{Error, Output, Result, StatusCode};

/// Reverses bytes.
#[vix_ffi::export(prefix = "t_")]
pub fn reverse(data: &[u8]) -> Result<Vec<u8>> {
    Ok(data.iter().rev().copied().collect())
}

/// Greets; refuses an empty name.
#[vix_ffi::export(prefix = "t_")]
fn greet(name: &str) -> Result<String, NameError> {
    if name.is_empty() {
        return Err(NameError);
    }
    Ok(format!("Hello, {name}!"))
}

/// A library's own error type, converted into a status.
struct NameError;

impl From<NameError> for Error {
    fn from(_: NameError) -> Error {
        Error::invalid_arg("the name is empty")
    }
}

/// Doubles every byte, straight into the caller's buffer.
#[vix_ffi::export(prefix = "t_", size = |data| Ok(data.len() * 2))]
pub fn double(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    for &b in data {
        out.extend_from_slice(&[b, b])?;
    }
    Ok(())
}

/// Upper-cases text; the size is exact, so it is checked first.
#[vix_ffi::export(prefix = "t_", size = |text| Ok(text.len()), kind = "str_to_str")]
pub fn upper(text: &str, out: &mut Output<'_>) -> Result<()> {
    out.push_str(&text.to_ascii_uppercase())
}

/// Announces one byte too few.
#[vix_ffi::export(prefix = "t_", size = |data| Ok(data.len().saturating_sub(1)))]
pub fn liar(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.extend_from_slice(data)
}

fn checked_size(data: &[u8]) -> Result<usize> {
    match data {
        [] => Err(Error::not_supported("empty input")),
        [b'!', ..] => panic!("size exploded"),
        _ => Ok(data.len()),
    }
}

/// Sizes with a named function that can refuse the input or panic.
#[vix_ffi::export(prefix = "t_", size = checked_size)]
pub fn copy(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    if data == b"?" {
        panic!("copy exploded");
    }
    out.extend_from_slice(data)
}

/// Hexadecimal digits, promised ASCII.
#[vix_ffi::export(prefix = "t_", size = |data| Ok(data.len() * 2), kind = "bytes_to_str", ascii)]
pub fn hex(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    for b in data {
        out.push_str(&format!("{b:02x}"))?;
    }
    Ok(())
}

/// Promises ASCII but echoes its text, which may not be: sized.
#[vix_ffi::export(prefix = "t_", size = |text| Ok(text.len()), kind = "str_to_str", ascii)]
pub fn false_promise_sized(text: &str, out: &mut Output<'_>) -> Result<()> {
    out.push_str(text)
}

/// Promises ASCII but echoes its text, which may not be: built, then copied.
#[vix_ffi::export(prefix = "t_", ascii)]
pub fn false_promise(text: &str) -> Result<String> {
    Ok(text.to_owned())
}

/// The test library's version.
#[vix_ffi::export(prefix = "t_")]
pub const VERSION: &str = "1.2.3";

mod c {
    //! A C caller's view.
    #![allow(unsafe_code)]

    use std::ptr::null_mut;
    use vix_ffi::{VixStatus, VixStr};

    pub type Op =
        unsafe extern "C" fn(*const u8, usize, *mut u8, usize, *mut usize, *mut VixStatus) -> i32;

    #[derive(Debug)]
    pub struct Seen {
        pub rc: i32,
        pub code: i32,
        pub out_len: usize,
        pub out: Vec<u8>,
        pub message: String,
    }

    pub fn call(op: Op, input: &[u8], cap: usize) -> Seen {
        let mut out = vec![0xEEu8; cap + 8];
        let mut out_len = usize::MAX;
        let mut st = VixStatus {
            code: -1,
            message: VixStr::EMPTY,
        };
        let out_ptr = if cap == 0 {
            null_mut()
        } else {
            out.as_mut_ptr()
        };
        // SAFETY: valid buffers of the stated sizes.
        let rc = unsafe {
            op(
                input.as_ptr(),
                input.len(),
                out_ptr,
                cap,
                &mut out_len,
                &mut st,
            )
        };
        assert!(out[cap..].iter().all(|&b| b == 0xEE), "wrote past out_cap");
        // SAFETY: valid until the next call on this thread.
        let message = String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap();
        out.truncate(cap);
        Seen {
            rc,
            code: st.code,
            out_len,
            out,
            message,
        }
    }

    /// Size query, then a call with exactly the size reported.
    pub fn run(op: Op, input: &[u8]) -> Result<Vec<u8>, (i32, String)> {
        let q = call(op, input, 0);
        match q.code {
            0 => return Ok(Vec::new()),
            3 => {}
            _ => return Err((q.code, q.message)),
        }
        let c = call(op, input, q.out_len);
        if c.code != 0 {
            return Err((c.code, c.message));
        }
        assert_eq!(c.rc, 0);
        assert_eq!(c.out_len, q.out_len, "the size query and the call disagree");
        Ok(c.out)
    }

    pub fn version() -> (i32, String) {
        let mut st = VixStatus {
            code: -1,
            message: VixStr::EMPTY,
        };
        // SAFETY: a valid status pointer.
        let v = unsafe { super::t_ffi_version(&mut st) };
        // SAFETY: a static string.
        let text = String::from_utf8(unsafe { v.as_bytes() }.to_vec()).unwrap();
        (st.code, text)
    }

    pub fn null_out_len(op: Op) -> (i32, i32) {
        let mut st = VixStatus::ok();
        // SAFETY: null `out_len` is checked by the contract.
        let rc = unsafe { op(b"ab".as_ptr(), 2, null_mut(), 0, null_mut(), &mut st) };
        (rc, st.code)
    }
}

use c::{call, run};

const INVALID_ARG: i32 = StatusCode::InvalidArg as i32;
const TOO_SMALL: i32 = StatusCode::BufferTooSmall as i32;

#[test]
fn vec_operations_follow_the_contract() {
    assert_eq!(run(t_reverse, b"abc").unwrap(), b"cba");
    assert_eq!(run(t_reverse, b"").unwrap(), b"");
    let short = call(t_reverse, b"abc", 2);
    assert_eq!(
        (short.rc, short.code, short.out_len),
        (TOO_SMALL, TOO_SMALL, 3)
    );
    assert!(
        short.out.iter().all(|&b| b == 0xEE),
        "wrote into a small buffer"
    );
    assert_eq!(c::null_out_len(t_reverse), (INVALID_ARG, INVALID_ARG));
}

#[test]
fn text_in_and_out_and_the_library_error_type() {
    assert_eq!(
        run(t_greet, "wörld".as_bytes()).unwrap(),
        "Hello, wörld!".as_bytes()
    );
    let (code, message) = run(t_greet, b"").unwrap_err();
    assert_eq!((code, message.as_str()), (INVALID_ARG, "the name is empty"));
    let (code, message) = run(t_greet, b"ab\xffcd").unwrap_err();
    assert_eq!(code, INVALID_ARG);
    assert_eq!(
        message,
        "the input is not valid UTF-8: byte 0xff at offset 2 does not continue a valid sequence"
    );
    // The safe function is still an ordinary Rust function.
    assert_eq!(greet("x").ok().as_deref(), Some("Hello, x!"));
}

#[test]
fn sized_operations_answer_before_the_work_and_write_in_place() {
    assert_eq!(run(t_double, b"ab").unwrap(), b"aabb");
    let q = call(t_double, b"abc", 0);
    assert_eq!((q.code, q.out_len), (TOO_SMALL, 6));
    let short = call(t_double, b"abc", 5);
    assert_eq!((short.code, short.out_len), (TOO_SMALL, 6));
    assert!(short.out.iter().all(|&b| b == 0xEE), "the work ran");
    let exact = call(t_double, b"abc", 6);
    assert_eq!((exact.rc, exact.code, exact.out_len), (0, 0, 6));
    assert_eq!(exact.out, b"aabbcc");
    assert_eq!(
        run(t_upper, "straße".as_bytes()).unwrap(),
        "STRAßE".as_bytes()
    );
    let (code, _) = run(t_upper, b"\xc3").unwrap_err();
    assert_eq!(code, INVALID_ARG);
}

#[test]
fn a_wrong_size_is_an_error_not_an_overflow() {
    let (code, message) = run(t_liar, b"abcd").unwrap_err();
    assert_eq!(code, StatusCode::Error as i32);
    assert!(message.contains("more than the 3 bytes"), "{message}");
}

#[test]
fn size_errors_and_panics_become_statuses() {
    assert_eq!(run(t_copy, b"xyz").unwrap(), b"xyz");
    let refused = call(t_copy, b"", 0);
    assert_eq!((refused.code, refused.message.as_str()), (4, "empty input"));
    let (code, message) = run(t_copy, b"!").unwrap_err();
    assert_eq!((code, message.as_str()), (1, "panic: size exploded"));
    let (code, message) = run(t_copy, b"?").unwrap_err();
    assert_eq!((code, message.as_str()), (1, "panic: copy exploded"));
}

#[test]
fn a_kept_ascii_promise_changes_nothing() {
    assert_eq!(run(t_hex, b"\x00\xff").unwrap(), b"00ff");
    assert_eq!(run(t_false_promise, b"plain").unwrap(), b"plain");
    assert_eq!(run(t_false_promise_sized, b"plain").unwrap(), b"plain");
    let q = call(t_hex, b"abc", 0);
    assert_eq!((q.code, q.out_len), (TOO_SMALL, 6));
}

/// Debug builds of the library check the promise; release builds trust it (run with
/// `cargo test --release` to see that side).
#[test]
fn a_broken_ascii_promise_is_an_error_in_debug_builds() {
    let text = "ab\u{e9}c".as_bytes();
    for op in [t_false_promise_sized as c::Op, t_false_promise] {
        let seen = call(op, text, 16);
        if cfg!(debug_assertions) {
            assert_eq!(
                (seen.rc, seen.code, seen.out_len),
                (StatusCode::Error as i32, StatusCode::Error as i32, 0)
            );
            assert!(
                seen.message.starts_with("internal error: ")
                    && seen.message.contains("promised ASCII output")
                    && seen.message.contains("byte 0xc3 at offset 2"),
                "{}",
                seen.message
            );
        } else {
            assert_eq!((seen.rc, seen.code, seen.out_len), (0, 0, text.len()));
            assert_eq!(&seen.out[..text.len()], text);
        }
    }
}

#[test]
fn the_version_symbol_returns_the_const() {
    assert_eq!(c::version(), (0, "1.2.3".to_owned()));
    assert_eq!(VERSION, "1.2.3");
}
