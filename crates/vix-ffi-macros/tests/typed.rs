//! The symbols `#[vix_ffi::export]` generates for typed signatures (ABI v1.1), called the
//! way a C caller would, over guarded buffers.

#![deny(unsafe_code)]

use std::cell::Cell;

use vix_ffi::{Error, Output, Result};

/// A library's own errors.
#[derive(Debug, vix_ffi::LibraryError)]
pub enum DemoError {
    /// `lo` is greater than `hi`.
    #[vix(code = 1000, base = "ValueError")]
    Range { lo: f64, hi: f64 },
    /// Too long.
    #[vix(code = 1001, name = "TooLong")]
    TooLong(usize),
    #[vix(code = 4242)]
    Unit,
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DemoError::Range { lo, hi } => write!(f, "lo {lo} is greater than hi {hi}"),
            DemoError::TooLong(n) => write!(f, "{n} is too long"),
            DemoError::Unit => f.write_str("unit"),
        }
    }
}

/// CRC-32 (IEEE) of `data`, continuing from `seed`.
#[vix_ffi::export(prefix = "ty_", default(seed = 0))]
pub fn crc32(data: &[u8], seed: u32) -> Result<u32> {
    let mut crc = !seed;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    Ok(!crc)
}

/// `text` repeated `times` times.
#[vix_ffi::export(prefix = "ty_")]
pub fn repeat(text: &str, times: u32) -> Result<String, DemoError> {
    let n = text.len().saturating_mul(times as usize);
    if n > 64 {
        return Err(DemoError::TooLong(n));
    }
    Ok(text.repeat(times as usize))
}

#[vix_ffi::export(prefix = "ty_")]
pub fn clamp(x: f64, lo: f64, hi: f64) -> Result<f64, DemoError> {
    if lo > hi {
        return Err(DemoError::Range { lo, hi });
    }
    Ok(x.clamp(lo, hi))
}

#[vix_ffi::export(prefix = "ty_")]
pub fn is_prime(n: u64) -> Result<bool> {
    Ok(n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
}

#[vix_ffi::export(prefix = "ty_")]
pub fn concat(a: &[u8], b: &[u8]) -> Result<Vec<u8>> {
    Ok([a, b].concat())
}

thread_local! {
    static RESETS: Cell<u32> = const { Cell::new(0) };
}

#[vix_ffi::export(prefix = "ty_")]
pub fn reset() -> Result<()> {
    RESETS.with(|r| r.set(r.get() + 1));
    Ok(())
}

#[vix_ffi::export(prefix = "ty_")]
pub fn fail_unit() -> Result<(), DemoError> {
    Err(DemoError::Unit)
}

#[vix_ffi::export(prefix = "ty_", default(loud = false), positional(loud))]
pub fn scalars(a: i32, b: u32, c: i64, d: u64, e: usize, x: f64, loud: bool) -> Result<f64> {
    let sum = f64::from(a) + f64::from(b) + c as f64 + d as f64 + e as f64 + x;
    Ok(if loud { sum * 10.0 } else { sum })
}

#[vix_ffi::export(prefix = "ty_")]
pub fn negate(flag: bool) -> Result<bool> {
    Ok(!flag)
}

#[vix_ffi::export(prefix = "ty_")]
pub fn minus(a: i32) -> Result<i32> {
    a.checked_neg()
        .ok_or_else(|| Error::invalid_arg("no negation"))
}

#[vix_ffi::export(prefix = "ty_")]
pub fn halve(n: usize) -> Result<usize> {
    Ok(n / 2)
}

#[vix_ffi::export(prefix = "ty_")]
pub fn wide(a: i64, b: u64) -> Result<i64> {
    Ok(a.wrapping_add(b as i64))
}

#[vix_ffi::export(prefix = "ty_")]
pub fn boom(n: u32) -> Result<u32> {
    if n == 7 {
        panic!("seven");
    }
    Ok(n)
}

/// Text, promised ASCII, built then copied.
#[vix_ffi::export(prefix = "ty_", ascii)]
pub fn shout(text: &str, times: u32) -> Result<String> {
    Ok(text.to_uppercase().repeat(times as usize))
}

/// Hex digits straight into the caller's buffer, sized by `output_blocks`.
#[vix_ffi::export(prefix = "ty_", output_blocks = (1, 2), ascii, default(upper = false))]
pub fn hexlify(data: &[u8], upper: bool, out: &mut Output<'_>) -> Result<()> {
    for b in data {
        if upper {
            out.push_str(&format!("{b:02X}"))?;
        } else {
            out.push_str(&format!("{b:02x}"))?;
        }
    }
    Ok(())
}

/// A writer whose size comes from `size`.
#[vix_ffi::export(prefix = "ty_", size = |t: &str| Ok(t.len() * 2))]
pub fn stutter(text: &str, sep: u32, out: &mut Output<'_>) -> Result<()> {
    let _ = sep;
    for b in text.bytes() {
        out.extend_from_slice(&[b, b])?;
    }
    Ok(())
}

/// A writer sized from parameters its `size` closure names: two inputs and a count.
#[vix_ffi::export(
    prefix = "ty_",
    size = |a, times, b| if times > 1000 {
        Err(Error::invalid_arg("`times` is over 1000"))
    } else {
        Ok((a.len() + b.len()) * times as usize)
    }
)]
pub fn interleave(a: &[u8], b: &[u8], times: u32, out: &mut Output<'_>) -> Result<()> {
    for _ in 0..times {
        out.extend_from_slice(a)?;
        out.extend_from_slice(b)?;
    }
    Ok(())
}

mod c {
    //! A C caller's view.
    #![allow(unsafe_code)]

    use std::ptr::{null, null_mut};
    use vix_ffi::{VixStatus, VixStr};

    pub const SENTINEL: i32 = -12345;
    pub const GUARD: u8 = 0xA5;

    pub fn status() -> VixStatus {
        VixStatus {
            code: SENTINEL,
            message: VixStr::EMPTY,
        }
    }

    /// The status message, read right after the call.
    pub fn message(st: &VixStatus) -> String {
        // SAFETY: valid until the next call on this thread.
        String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap()
    }

    /// `(ptr, len)` of an input, NULL when empty.
    pub fn input(data: &[u8]) -> (*const u8, usize) {
        if data.is_empty() {
            (null(), 0)
        } else {
            (data.as_ptr(), data.len())
        }
    }

    /// A buffer of `cap` bytes followed by guard bytes.
    pub struct Buf {
        pub bytes: Vec<u8>,
        pub cap: usize,
        pub len: usize,
    }

    impl Buf {
        pub fn new(cap: usize) -> Buf {
            Buf {
                bytes: vec![GUARD; cap + 16],
                cap,
                len: usize::MAX,
            }
        }

        pub fn ptr(&mut self) -> *mut u8 {
            if self.cap == 0 {
                null_mut()
            } else {
                self.bytes.as_mut_ptr()
            }
        }

        /// The bytes written, after checking the guard.
        pub fn written(&self) -> &[u8] {
            assert!(
                self.bytes[self.cap..].iter().all(|&b| b == GUARD),
                "wrote past out_cap"
            );
            &self.bytes[..self.len.min(self.cap)]
        }
    }
}

use c::{message, status, SENTINEL};

#[allow(unsafe_code)]
mod calls {
    //! Each symbol called with valid pointers: `(rc, status code, message, value)`.
    use super::c::*;
    use super::*;
    use std::ptr::null_mut;

    pub fn crc(data: &[u8], seed: u32) -> (i32, i32, u32) {
        let (p, n) = input(data);
        let mut v = 0xDEAD_BEEF;
        let mut st = status();
        // SAFETY: valid pointers.
        let rc = unsafe { ty_crc32(p, n, seed, &mut v, &mut st) };
        (rc, st.code, v)
    }

    pub fn clamp3(x: f64, lo: f64, hi: f64) -> (i32, i32, String, f64) {
        let mut v = -1.5;
        let mut st = status();
        // SAFETY: valid pointers.
        let rc = unsafe { ty_clamp(x, lo, hi, &mut v, &mut st) };
        (rc, st.code, message(&st), v)
    }

    /// Calls a function with one text input, one `u32` and a buffer output.
    pub fn text_u32(
        f: unsafe extern "C" fn(
            *const u8,
            usize,
            u32,
            *mut u8,
            usize,
            *mut usize,
            *mut vix_ffi::VixStatus,
        ) -> i32,
        text: &[u8],
        n: u32,
        cap: usize,
    ) -> (i32, i32, String, Buf) {
        let (p, len) = input(text);
        let mut buf = Buf::new(cap);
        let mut st = status();
        let out = buf.ptr();
        // SAFETY: valid pointers.
        let rc = unsafe { f(p, len, n, out, cap, &mut buf.len, &mut st) };
        (rc, st.code, message(&st), buf)
    }

    pub fn concat2(a: &[u8], b: &[u8], cap: usize) -> (i32, i32, Buf) {
        let (ap, an) = input(a);
        let (bp, bn) = input(b);
        let mut buf = Buf::new(cap);
        let mut st = status();
        let out = buf.ptr();
        // SAFETY: valid pointers.
        let rc = unsafe { ty_concat(ap, an, bp, bn, out, cap, &mut buf.len, &mut st) };
        (rc, st.code, buf)
    }

    pub fn hex(data: &[u8], upper: u8, cap: usize) -> (i32, i32, String, Buf) {
        let (p, n) = input(data);
        let mut buf = Buf::new(cap);
        let mut st = status();
        let out = buf.ptr();
        // SAFETY: valid pointers.
        let rc = unsafe { ty_hexlify(p, n, upper, out, cap, &mut buf.len, &mut st) };
        (rc, st.code, message(&st), buf)
    }

    pub fn null_out_value() -> (i32, i32, String) {
        let mut st = status();
        // SAFETY: a NULL out_value is what is being tested; the rest is valid.
        let rc = unsafe { ty_is_prime(7, null_mut(), &mut st) };
        (rc, st.code, message(&st))
    }
}

#[test]
fn scalar_results_are_written_on_success_only() {
    let (rc, code, v) = calls::crc(b"123456789", 0);
    assert_eq!((rc, code, v), (0, 0, 0xCBF4_3926));
    // Continuing from a seed is the CRC of the concatenation.
    let (_, _, first) = calls::crc(b"12345", 0);
    assert_eq!(calls::crc(b"6789", first).2, 0xCBF4_3926);
    assert_eq!(calls::crc(b"", 0).2, 0);

    let (rc, code, msg, v) = calls::clamp3(5.0, 0.0, 2.5);
    assert_eq!((rc, code, msg.as_str(), v), (0, 0, "", 2.5));
    let (rc, code, msg, v) = calls::clamp3(5.0, 3.0, 2.0);
    assert_eq!((rc, code), (1000, 1000));
    assert_eq!(msg, "lo 3 is greater than hi 2");
    assert_eq!(v, -1.5, "out_value written on failure");
}

#[test]
#[allow(unsafe_code)]
fn every_scalar_type_crosses() {
    let mut st = status();
    let mut f = 0.0;
    // SAFETY: valid pointers.
    let rc = unsafe { ty_scalars(-1, 2, -3, 4, 5, 0.5, 0, &mut f, &mut st) };
    assert_eq!((rc, st.code, f), (0, 0, 7.5));
    // SAFETY: as above.
    let rc = unsafe { ty_scalars(-1, 2, -3, 4, 5, 0.5, 1, &mut f, &mut st) };
    assert_eq!((rc, f), (0, 75.0));

    let mut b = false;
    // SAFETY: valid pointers.
    let rc = unsafe { ty_negate(0, &mut b, &mut st) };
    assert_eq!((rc, b), (0, true));
    let mut i = 0i32;
    // SAFETY: valid pointers.
    assert_eq!(unsafe { ty_minus(i32::MAX, &mut i, &mut st) }, 0);
    assert_eq!(i, -i32::MAX);
    // SAFETY: valid pointers.
    assert_eq!(unsafe { ty_minus(i32::MIN, &mut i, &mut st) }, 2);
    assert_eq!(i, -i32::MAX, "untouched on failure");
    let mut n = 0usize;
    // SAFETY: valid pointers.
    unsafe { ty_halve(usize::MAX, &mut n, &mut st) };
    assert_eq!(n, usize::MAX / 2);
    let mut w = 0i64;
    // SAFETY: valid pointers.
    unsafe { ty_wide(i64::MIN, u64::MAX, &mut w, &mut st) };
    assert_eq!(w, i64::MAX);
    let mut p = false;
    // SAFETY: valid pointers.
    unsafe { ty_is_prime(1_000_000_007, &mut p, &mut st) };
    assert!(p);
    // SAFETY: valid pointers.
    unsafe { ty_is_prime(1_000_000_008, &mut p, &mut st) };
    assert!(!p);
}

#[test]
#[allow(unsafe_code)]
fn a_bool_that_is_not_0_or_1_is_refused() {
    let mut b = false;
    let mut st = status();
    // SAFETY: valid pointers; 2 is what C's `_Bool` never holds.
    let rc = unsafe { ty_negate(2, &mut b, &mut st) };
    assert_eq!((rc, st.code), (2, 2));
    assert_eq!(
        message(&st),
        "`flag` is 2, not a bool: a bool is 0 (false) or 1 (true)"
    );
    assert!(!b);
}

#[test]
fn a_null_out_value_is_invalid() {
    let (rc, code, msg) = calls::null_out_value();
    assert_eq!((rc, code, msg.as_str()), (2, 2, "out_value is NULL"));
}

#[test]
#[allow(unsafe_code)]
fn null_inputs_with_a_length_and_null_outputs_are_invalid() {
    let mut v = 0;
    let mut st = status();
    // SAFETY: the NULL pointer with a length is what is tested; it is never read.
    let rc = unsafe { ty_crc32(std::ptr::null(), 3, 0, &mut v, &mut st) };
    assert_eq!((rc, st.code), (2, 2));
    assert_eq!(message(&st), "data_ptr is NULL but data_len is 3");

    let mut len = 99usize;
    let mut st = status();
    // SAFETY: as above, for the second input.
    let rc = unsafe {
        ty_concat(
            b"a".as_ptr(),
            1,
            std::ptr::null(),
            1,
            std::ptr::null_mut(),
            0,
            &mut len,
            &mut st,
        )
    };
    assert_eq!((rc, st.code, len), (2, 2, 0));
    assert_eq!(message(&st), "b_ptr is NULL but b_len is 1");

    let mut st = status();
    // SAFETY: a NULL out_len is what is tested.
    let rc = unsafe {
        ty_concat(
            b"a".as_ptr(),
            1,
            b"b".as_ptr(),
            1,
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            &mut st,
        )
    };
    assert_eq!((rc, st.code), (2, 2));
    assert_eq!(message(&st), "out_len is NULL");
}

#[test]
fn buffer_outputs_follow_the_v1_sizing_rules() {
    // Size query, too small by one, exact.
    let (rc, code, buf) = calls::concat2(b"abc", b"de", 0);
    assert_eq!((rc, code, buf.len), (3, 3, 5));
    let (_, code, buf) = calls::concat2(b"abc", b"de", 4);
    assert_eq!((code, buf.len), (3, 5));
    assert!(buf.written().iter().all(|&b| b == c::GUARD));
    let (rc, code, buf) = calls::concat2(b"abc", b"de", 5);
    assert_eq!((rc, code, buf.written()), (0, 0, &b"abcde"[..]));
    let (rc, _, buf) = calls::concat2(b"", b"", 0);
    assert_eq!((rc, buf.len), (0, 0));
}

#[test]
fn text_inputs_are_checked_and_library_errors_keep_their_code() {
    let (rc, code, _, buf) = calls::text_u32(ty_repeat, b"ab", 3, 6);
    assert_eq!((rc, code, buf.written()), (0, 0, &b"ababab"[..]));
    let (rc, code, msg, buf) = calls::text_u32(ty_repeat, b"a\xffb", 3, 16);
    assert_eq!((rc, code, buf.len), (2, 2, 0));
    assert_eq!(
        msg,
        "`text` is not valid UTF-8: byte 0xff at offset 1 does not continue a valid sequence"
    );
    let (rc, code, msg, _) = calls::text_u32(ty_repeat, b"abcdefgh", 9, 100);
    assert_eq!((rc, code, msg.as_str()), (1001, 1001, "72 is too long"));
}

#[test]
fn the_ascii_promise_is_checked_in_debug_builds() {
    let (rc, _, _, buf) = calls::text_u32(ty_shout, b"hi", 2, 4);
    assert_eq!((rc, buf.written()), (0, &b"HIHI"[..]));
    let (rc, code, msg, buf) = calls::text_u32(ty_shout, "\u{e9}".as_bytes(), 1, 8);
    if cfg!(debug_assertions) {
        assert_eq!((rc, code, buf.len), (1, 1, 0));
        assert!(msg.contains("promised ASCII output"), "{msg}");
    } else {
        assert_eq!(rc, 0);
    }
}

#[test]
fn writers_are_sized_before_the_work() {
    let (rc, code, _, buf) = calls::hex(b"\x01\xab", 0, 0);
    assert_eq!((rc, code, buf.len), (3, 3, 4));
    let (rc, _, _, buf) = calls::hex(b"\x01\xab", 0, 4);
    assert_eq!((rc, buf.written()), (0, &b"01ab"[..]));
    let (rc, _, _, buf) = calls::hex(b"\x01\xab", 1, 4);
    assert_eq!((rc, buf.written()), (0, &b"01AB"[..]));
    let (rc, code, msg, _) = calls::hex(b"\x01", 7, 4);
    assert_eq!((rc, code), (2, 2));
    assert!(msg.starts_with("`upper` is 7"), "{msg}");
    let (rc, _, _, buf) = calls::text_u32(ty_stutter, b"ab", 0, 4);
    assert_eq!((rc, buf.written()), (0, &b"aabb"[..]));
    let (rc, code, _, buf) = calls::text_u32(ty_stutter, b"ab", 0, 3);
    assert_eq!((rc, code, buf.len), (3, 3, 4));
}

#[test]
#[allow(unsafe_code)]
fn a_size_closure_receives_the_parameters_it_names() {
    use c::Buf;
    let call = |a: &[u8], b: &[u8], times: u32, buf: &mut Buf| {
        let mut st = status();
        // SAFETY: valid pointers; `buf` holds `cap` bytes.
        let rc = unsafe {
            ty_interleave(
                a.as_ptr(),
                a.len(),
                b.as_ptr(),
                b.len(),
                times,
                buf.ptr(),
                buf.cap,
                &mut buf.len,
                &mut st,
            )
        };
        (rc, message(&st))
    };
    // Asked before the work: BUFFER_TOO_SMALL with the size from (a, times, b).
    let mut small = Buf::new(5);
    assert_eq!(call(b"ab", b"c", 2, &mut small).0, 3);
    assert_eq!(small.len, 6);
    assert!(
        small.bytes.iter().all(|&b| b == c::GUARD),
        "nothing written"
    );
    let mut room = Buf::new(6);
    assert_eq!(call(b"ab", b"c", 2, &mut room).0, 0);
    assert_eq!(room.written(), b"abcabc");
    // The closure's error is the call's.
    let mut none = Buf::new(0);
    let (rc, msg) = call(b"ab", b"", 1001, &mut none);
    assert_eq!((rc, msg.as_str()), (2, "`times` is over 1000"));
    // Output over either input is refused, the second one included.
    let mut buf = vec![0u8; 8];
    let mut len = 0;
    let mut st = status();
    // SAFETY: `b` and the output are the same valid buffer; refused before any write.
    let rc = unsafe {
        ty_interleave(
            b"x".as_ptr(),
            1,
            buf.as_ptr(),
            2,
            1,
            buf.as_mut_ptr(),
            3,
            &mut len,
            &mut st,
        )
    };
    assert_eq!(rc, 2);
    assert!(message(&st).contains("overlap"), "{}", message(&st));
}

#[test]
#[allow(unsafe_code)]
fn no_output_and_no_status_still_work() {
    let before = RESETS.with(Cell::get);
    let mut st = status();
    // SAFETY: valid pointer.
    assert_eq!(unsafe { ty_reset(&mut st) }, 0);
    assert_eq!(st.code, 0);
    // SAFETY: a NULL status is allowed.
    assert_eq!(unsafe { ty_reset(std::ptr::null_mut()) }, 0);
    assert_eq!(RESETS.with(Cell::get), before + 2);
    // SAFETY: a NULL status is allowed.
    assert_eq!(unsafe { ty_fail_unit(std::ptr::null_mut()) }, 4242);
    let mut st = status();
    // SAFETY: valid pointer.
    unsafe { ty_fail_unit(&mut st) };
    assert_eq!((st.code, message(&st).as_str()), (4242, "unit"));
}

#[test]
#[allow(unsafe_code)]
fn a_panic_becomes_an_error_and_the_status_is_always_written() {
    let mut v = 5u32;
    let mut st = status();
    // SAFETY: valid pointers.
    let rc = unsafe { ty_boom(7, &mut v, &mut st) };
    assert_eq!((rc, st.code, v), (1, 1, 5));
    assert_eq!(message(&st), "panic: seven");
    let mut st = status();
    // SAFETY: valid pointers.
    unsafe { ty_boom(1, &mut v, &mut st) };
    assert_ne!(st.code, SENTINEL);
    assert_eq!(v, 1);
}

#[test]
fn library_errors_convert_with_their_codes() {
    let err: Error = DemoError::Range { lo: 2.0, hi: 1.0 }.into();
    assert_eq!(err.library_code(), Some(1000));
    assert_eq!(err.message(), "lo 2 is greater than hi 1");
    let err: Error = DemoError::TooLong(3).into();
    assert_eq!(err.raw_code(), 1001);
    let err: Error = DemoError::Unit.into();
    assert_eq!(err.raw_code(), 4242);
}
