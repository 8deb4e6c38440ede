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

/// Base64-like blocks: four bytes out for every three in (or fewer, at the end), sized by
/// the macro from `output_blocks`.
#[vix_ffi::export(prefix = "t_", output_blocks = (3, 4), kind = "bytes_to_str", ascii)]
pub fn quads(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    for block in data.chunks(3) {
        let sum = block.iter().map(|&b| u32::from(b)).sum::<u32>();
        out.push_str(&format!("{:04}", sum % 10_000))?;
    }
    Ok(())
}

/// Text input, blocks of one byte to one byte.
#[vix_ffi::export(prefix = "t_", output_blocks = (1, 1), kind = "str_to_str")]
pub fn swap_case(text: &str, out: &mut Output<'_>) -> Result<()> {
    for b in text.bytes() {
        out.push(if b.is_ascii_alphabetic() { b ^ 0x20 } else { b })?;
    }
    Ok(())
}

/// Blocks larger than any input: one block of output for any non-empty input.
#[vix_ffi::export(prefix = "t_", output_blocks = (4294967295, 2))]
pub fn tag(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    out.extend_from_slice(b"ok")
}

/// Blocks of one byte to `u32::MAX` bytes: a size past `isize::MAX` from 2 GiB of input.
#[vix_ffi::export(prefix = "t_", output_blocks = (1, 4294967295))]
pub fn widen(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    let _ = (data, out);
    Err(Error::not_supported(
        "never called with room for the output",
    ))
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
fn output_blocks_size_the_output_before_the_work() {
    for (n, size) in [(1, 4), (2, 4), (3, 4), (4, 8), (6, 8), (7, 12)] {
        let input = vec![7u8; n];
        let q = call(t_quads, &input, 0);
        assert_eq!(
            (q.rc, q.code, q.out_len),
            (TOO_SMALL, TOO_SMALL, size),
            "{n}"
        );
        let short = call(t_quads, &input, size - 1);
        assert_eq!((short.code, short.out_len), (TOO_SMALL, size), "{n}");
        assert!(short.out.iter().all(|&b| b == 0xEE), "the work ran");
        let full = call(t_quads, &input, size);
        assert_eq!((full.rc, full.code, full.out_len), (0, 0, size), "{n}");
        assert!(full.out.iter().all(u8::is_ascii_digit), "{:?}", full.out);
    }
    assert_eq!(run(t_quads, b"\x01\x02\x03\x04").unwrap(), b"00060004");
    // An empty input has an empty output: the size query is the whole call.
    let empty = call(t_quads, b"", 0);
    assert_eq!((empty.rc, empty.code, empty.out_len), (0, 0, 0));
    assert_eq!(
        run(t_swap_case, "aBc-\u{e9}".as_bytes()).unwrap(),
        "AbC-\u{e9}".as_bytes()
    );
    let q = call(t_swap_case, "\u{e9}t\u{e9}".as_bytes(), 0);
    assert_eq!((q.code, q.out_len), (TOO_SMALL, 5));
    let (code, _) = run(t_swap_case, b"\xff").unwrap_err();
    assert_eq!(code, INVALID_ARG);
    let q = call(t_tag, &[0; 1000], 0);
    assert_eq!((q.code, q.out_len), (TOO_SMALL, 2));
    assert_eq!(run(t_tag, b"x").unwrap(), b"ok");
}

/// An output past `isize::MAX` is refused with `INVALID_ARG`. Blocks of one byte to
/// `u32::MAX` bytes reach it from an input of 2 GiB, which is allocated zeroed and never
/// touched (the input is not read before its output size fits), so it costs no memory.
#[cfg(target_pointer_width = "64")]
#[test]
fn an_output_too_large_for_memory_is_an_invalid_argument() {
    let fits = 1usize << 31;
    let mut input = vec![0u8; fits + 1];
    let large = call(t_widen, &input, 0);
    assert_eq!(
        (large.rc, large.code, large.out_len),
        (INVALID_ARG, INVALID_ARG, 0)
    );
    assert_eq!(
        large.message,
        format!(
            "the input of {} bytes is too large for its output: at {} bytes for every 1 input \
             bytes, the output would exceed the largest possible buffer (isize::MAX bytes)",
            fits + 1,
            u32::MAX
        )
    );
    // One byte less, and the size fits: it is the answer to the size query.
    input.pop();
    let q = call(t_widen, &input, 0);
    assert_eq!((q.code, q.out_len), (TOO_SMALL, fits * u32::MAX as usize));
    assert!(q.out_len <= isize::MAX as usize);
}

#[test]
fn the_version_symbol_returns_the_const() {
    assert_eq!(c::version(), (0, "1.2.3".to_owned()));
    assert_eq!(VERSION, "1.2.3");
}
