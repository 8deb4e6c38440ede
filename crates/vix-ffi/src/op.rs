//! The operation shape of ABI v1, implemented once with every rule of the contract.
//!
//! ```c
//! int pkg_op(const uint8_t *in_ptr, size_t in_len,
//!            uint8_t *out_ptr, size_t out_cap, size_t *out_len,
//!            vix_status *out_status);
//! ```
//!
//! An exported function gathers its raw arguments in a [`RawCall`] and hands the work to
//! [`RawCall::sized`] (the output size is known from the input before the work: the
//! capacity is checked first and the body writes straight into the caller's buffer) or
//! [`RawCall::with_vec`] (the size is only known afterwards). Both:
//!
//! - give `VIX_STATUS_INVALID_ARG` when `out_len` is null, `in_ptr` is null with
//!   `in_len > 0`, `out_ptr` is null with `out_cap > 0`, or a length exceeds
//!   `isize::MAX`;
//! - answer a capacity below the needed size with `VIX_STATUS_BUFFER_TOO_SMALL` and the
//!   needed size in `*out_len` (so `out_ptr = NULL, out_cap = 0` is a size query);
//! - never write past `out_cap`;
//! - set `*out_len` on every call once it is non-null (0 on errors other than
//!   `BUFFER_TOO_SMALL`), and the status on every call when it is non-null;
//! - return 0 on success and the (non-zero) status code otherwise;
//! - turn every panic into `VIX_STATUS_ERROR` through [`crate::guard`].

use std::mem::MaybeUninit;
use std::os::raw::c_int;

use crate::guard::guard;
use crate::status::{Error, Result, StatusCode, VixStatus};

/// The raw arguments of one call of an operation-shaped function.
#[derive(Clone, Copy, Debug)]
pub struct RawCall {
    /// Input bytes; may be null only when `in_len` is 0.
    pub in_ptr: *const u8,
    /// Input length in bytes.
    pub in_len: usize,
    /// Output buffer; may be null only when `out_cap` is 0.
    pub out_ptr: *mut u8,
    /// Output capacity in bytes.
    pub out_cap: usize,
    /// Receives the output size (or the needed size on `BUFFER_TOO_SMALL`).
    pub out_len: *mut usize,
    /// Receives the status; may be null.
    pub out_status: *mut VixStatus,
}

impl RawCall {
    /// Runs an operation whose output size is known before the work.
    ///
    /// `size(input)` returns the exact output size for this input (it may reject the
    /// input early, for example for a wrong length). When `out_cap` is at least that size,
    /// `write(input, out)` receives the first `size` bytes of the caller's buffer,
    /// uninitialised as far as Rust knows, and returns how many it wrote, from the start.
    /// Returning more than `out.len()` is a bug reported as `VIX_STATUS_ERROR`. The input
    /// and the output must not overlap (`VIX_STATUS_INVALID_ARG` otherwise).
    ///
    /// # Safety
    /// Each pointer must be null or valid for its stated length: `in_ptr` readable for
    /// `in_len` bytes, `out_ptr` writable for `out_cap` bytes, `out_len` writable for one
    /// `size_t`, `out_status` writable for one [`VixStatus`], all for the whole call and
    /// not modified by anyone else during it.
    pub unsafe fn sized(
        self,
        size: impl FnOnce(&[u8]) -> Result<usize>,
        write: impl FnOnce(&[u8], &mut [MaybeUninit<u8>]) -> Result<usize>,
    ) -> c_int {
        let body = |out: &BufOut| {
            // SAFETY: forwarded from this function's contract.
            let input = unsafe { self.input() }?;
            let need = size(input)?;
            out.ensure_capacity(need)?;
            if need > 0 && ranges_overlap(self.in_ptr, self.in_len, self.out_ptr, need) {
                return Err(Error::invalid_arg(
                    "input and output buffers overlap; pass separate buffers",
                ));
            }
            // SAFETY: the caller's buffer is valid (this function's contract) and does
            // not overlap the input (checked above).
            unsafe { out.write_sized(need, |buf| write(input, buf)) }
        };
        // SAFETY: forwarded from this function's contract.
        unsafe { call(self.out_status, self.out(), body) }
    }

    /// Runs an operation whose output size is only known after the work: the output is
    /// built in a `Vec` and copied into the caller's buffer when it fits.
    ///
    /// A too-small buffer costs the whole work; prefer [`RawCall::sized`] when the size can
    /// be known first.
    ///
    /// # Safety
    /// As for [`RawCall::sized`]; the input and output may overlap here.
    pub unsafe fn with_vec(self, work: impl FnOnce(&[u8]) -> Result<Vec<u8>>) -> c_int {
        let body = |out: &BufOut| {
            // SAFETY: forwarded from this function's contract.
            let input = unsafe { self.input() }?;
            let output = work(input)?;
            // SAFETY: the caller's buffer is valid (this function's contract).
            unsafe { out.put(&output) }
        };
        // SAFETY: forwarded from this function's contract.
        unsafe { call(self.out_status, self.out(), body) }
    }

    fn out(&self) -> BufOut {
        BufOut {
            ptr: self.out_ptr,
            cap: self.out_cap,
            len: self.out_len,
        }
    }

    /// The input as a slice, after the argument checks.
    ///
    /// # Safety
    /// `in_ptr` readable for `in_len` bytes when non-null.
    unsafe fn input(&self) -> Result<&[u8]> {
        // SAFETY: forwarded.
        unsafe { borrow_input(self.in_ptr, self.in_len, "in") }
    }
}

/// A bytes input `<stem>_ptr, <stem>_len` as a slice, after the argument checks: a null
/// pointer with a non-zero length, or a length past `isize::MAX`, is
/// `VIX_STATUS_INVALID_ARG` naming the C parameters.
///
/// # Safety
/// `ptr` readable for `len` bytes when non-null, for `'a`, and not modified during it.
pub(crate) unsafe fn borrow_input<'a>(ptr: *const u8, len: usize, stem: &str) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::invalid_arg(crate::try_format!(
            "{stem}_ptr is NULL but {stem}_len is {len}"
        )));
    }
    if len > isize::MAX as usize {
        return Err(Error::invalid_arg(crate::try_format!(
            "{stem}_len {len} exceeds the largest possible buffer"
        )));
    }
    // SAFETY: non-null, readable for `len <= isize::MAX` bytes by contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The output of a call: what is checked before the work ([`Out::open`]) and written after
/// it, on success only ([`Out::finish`]). [`call`] runs both around the body.
pub trait Out {
    /// What the body hands over on success.
    type Value;

    /// The argument checks of the output, before any work.
    ///
    /// # Safety
    /// The output pointers are null or valid for the whole call.
    unsafe fn open(&self) -> Result<()>;

    /// Writes the value, after a successful body; an error (a new object that cannot be
    /// allocated) is the call's status.
    ///
    /// # Safety
    /// As for [`Out::open`], which returned `Ok`.
    unsafe fn finish(&self, value: Self::Value) -> Result<()>;
}

/// A bytes output `out_ptr, out_cap, out_len`, with the sizing rules of v1.0: `*out_len`
/// is 0 from the start, the size needed on `BUFFER_TOO_SMALL`, the size written on
/// success.
#[derive(Clone, Copy, Debug)]
pub struct BufOut {
    /// The caller's buffer; may be null only when `cap` is 0.
    pub ptr: *mut u8,
    /// Its capacity.
    pub cap: usize,
    /// Receives the output size.
    pub len: *mut usize,
}

impl Out for BufOut {
    /// The number of bytes written.
    type Value = usize;

    unsafe fn open(&self) -> Result<()> {
        if self.len.is_null() {
            return Err(Error::invalid_arg("out_len is NULL"));
        }
        // SAFETY: non-null, writable by contract.
        unsafe { self.len.write(0) };
        if self.ptr.is_null() && self.cap > 0 {
            return Err(Error::invalid_arg(crate::try_format!(
                "out_ptr is NULL but out_cap is {}",
                self.cap
            )));
        }
        if self.cap > isize::MAX as usize {
            return Err(Error::invalid_arg(crate::try_format!(
                "out_cap {} exceeds the largest possible buffer",
                self.cap
            )));
        }
        Ok(())
    }

    unsafe fn finish(&self, written: usize) -> Result<()> {
        // SAFETY: `open` checked that it is non-null; writable by contract.
        unsafe { self.len.write(written) };
        Ok(())
    }
}

impl BufOut {
    /// Reports `BUFFER_TOO_SMALL` with `need` in `*out_len` when `out_cap < need`.
    pub fn ensure_capacity(&self, need: usize) -> Result<()> {
        if self.cap >= need {
            return Ok(());
        }
        // SAFETY: only called after `open`, which checked that `len` is non-null;
        // writable by contract.
        unsafe { self.len.write(need) };
        Err(Error::new(
            StatusCode::BufferTooSmall,
            crate::try_format!(
                "output buffer too small: {need} bytes needed, out_cap is {}",
                self.cap
            ),
        ))
    }

    /// Copies a finished output into the caller's buffer when it fits; the number of
    /// bytes written.
    ///
    /// # Safety
    /// After a successful [`Out::open`]; `ptr` writable for `cap` bytes. `output` may
    /// overlap an input that is no longer used.
    pub unsafe fn put(&self, output: &[u8]) -> Result<usize> {
        self.ensure_capacity(output.len())?;
        if !output.is_empty() {
            // SAFETY: `output.len() <= cap`; `ptr::copy` tolerates overlap with an input
            // that is no longer used.
            unsafe { std::ptr::copy(output.as_ptr(), self.ptr, output.len()) };
        }
        Ok(output.len())
    }

    /// Hands the first `need` bytes of the caller's buffer to `write`, which returns how
    /// many it wrote from the start; more than `need` is a bug, reported as
    /// `VIX_STATUS_ERROR`.
    ///
    /// # Safety
    /// After a successful [`Out::open`] and `ensure_capacity(need)`; `ptr` writable for
    /// `cap` bytes, not overlapping any input `write` reads.
    pub unsafe fn write_sized(
        &self,
        need: usize,
        write: impl FnOnce(&mut [MaybeUninit<u8>]) -> Result<usize>,
    ) -> Result<usize> {
        debug_assert!(need <= self.cap);
        // SAFETY: `need <= cap` and `ptr` is writable for `cap` bytes, by contract.
        let out = unsafe { uninit_slice(self.ptr, need) };
        let written = write(out)?;
        if written > need {
            return Err(Error::other(crate::try_format!(
                "internal error: operation reported {written} bytes written into a \
                 buffer of {need}"
            )));
        }
        Ok(written)
    }
}

/// Runs one call: the output's checks, the body, the output written on success, all under
/// the panic guard; then the status (when `out_status` is non-null) and the return value,
/// 0 exactly when the status is OK.
///
/// # Safety
/// `out_status` null or valid for writing one [`VixStatus`]; the output's pointers as
/// [`Out::open`] requires, for the whole call.
pub unsafe fn call<O: Out>(
    out_status: *mut VixStatus,
    out: O,
    body: impl FnOnce(&O) -> Result<O::Value>,
) -> c_int {
    // The status goes to a local first so that the return value ("0 iff OK, else the
    // code") is known even when the caller passed no status.
    let mut status = VixStatus::ok();
    let checked = || {
        // SAFETY: forwarded from this function's contract.
        unsafe { out.open() }?;
        let value = body(&out)?;
        // SAFETY: `open` succeeded; forwarded from this function's contract.
        unsafe { out.finish(value) }
    };
    // SAFETY: `status` is a live local.
    unsafe { guard(&mut status, (), checked) };
    if !out_status.is_null() {
        // SAFETY: non-null, writable by contract. The message points at static or
        // per-thread storage, not at `status`, so copying it is sound.
        unsafe {
            if status.code == 0 {
                // Success (always the empty message) is written as constants: copying
                // the local, whose fields were just stored one by one, stalls the
                // store-to-load forwarding of a 16-byte load (about 5 ns a call).
                out_status.write(VixStatus::ok());
            } else {
                out_status.write(status);
            }
        }
    }
    status.code
}

/// # Safety
/// `ptr` writable for `len` bytes, not aliased for the returned lifetime.
unsafe fn uninit_slice<'a>(ptr: *mut u8, len: usize) -> &'a mut [MaybeUninit<u8>] {
    if len == 0 {
        return &mut [];
    }
    // SAFETY: by contract.
    unsafe { std::slice::from_raw_parts_mut(ptr.cast(), len) }
}

pub(crate) fn ranges_overlap(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> bool {
    if a_len == 0 || b_len == 0 {
        return false;
    }
    let (a, b) = (a as usize, b as usize);
    a < b.saturating_add(b_len) && b < a.saturating_add(a_len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{call_with, status_sentinel, GUARD};
    use std::ptr::{null, null_mut};

    /// Doubles every byte; the size is known up front.
    fn doubler(call: RawCall) -> c_int {
        // SAFETY: the tests pass valid or deliberately null pointers.
        unsafe {
            call.sized(
                |input| Ok(input.len() * 2),
                |input, out| {
                    for (i, b) in input.iter().enumerate() {
                        out[2 * i].write(*b);
                        out[2 * i + 1].write(*b);
                    }
                    Ok(input.len() * 2)
                },
            )
        }
    }

    #[test]
    fn size_query_reports_the_needed_size() {
        let s = call_with(b"abc", 0, doubler);
        assert_eq!((s.code, s.out_len), (3, 6));
        assert_eq!(s.rc, 3);
        assert!(s.message.contains("6 bytes needed"), "{}", s.message);
    }

    #[test]
    fn one_short_is_too_small_and_nothing_is_written() {
        let s = call_with(b"abc", 5, doubler);
        assert_eq!((s.code, s.out_len), (3, 6));
        assert!(
            s.out.iter().all(|&b| b == GUARD),
            "the work ran: {:?}",
            s.out
        );
    }

    #[test]
    fn exact_capacity_succeeds() {
        let s = call_with(b"abc", 6, doubler);
        assert_eq!((s.rc, s.code, s.out_len), (0, 0, 6));
        assert_eq!(&s.out, b"aabbcc");
        assert_eq!(s.message, "");
    }

    #[test]
    fn empty_input_with_null_pointers_succeeds() {
        let s = call_with(b"", 0, doubler);
        assert_eq!((s.rc, s.code, s.out_len), (0, 0, 0));
    }

    #[test]
    fn null_out_len_is_invalid() {
        let mut st = status_sentinel();
        let rc = doubler(RawCall {
            in_ptr: b"a".as_ptr(),
            in_len: 1,
            out_ptr: null_mut(),
            out_cap: 0,
            out_len: null_mut(),
            out_status: &mut st,
        });
        assert_eq!((rc, st.code), (2, 2));
    }

    #[test]
    fn null_input_with_length_is_invalid() {
        let mut out_len = 99;
        let mut st = status_sentinel();
        let rc = doubler(RawCall {
            in_ptr: null(),
            in_len: 4,
            out_ptr: null_mut(),
            out_cap: 0,
            out_len: &mut out_len,
            out_status: &mut st,
        });
        assert_eq!((rc, st.code, out_len), (2, 2, 0));
    }

    #[test]
    fn null_output_with_capacity_is_invalid() {
        let mut out_len = 99;
        let mut st = status_sentinel();
        let rc = doubler(RawCall {
            in_ptr: b"a".as_ptr(),
            in_len: 1,
            out_ptr: null_mut(),
            out_cap: 8,
            out_len: &mut out_len,
            out_status: &mut st,
        });
        assert_eq!((rc, st.code, out_len), (2, 2, 0));
        // SAFETY: valid until the next call on this thread.
        let msg = unsafe { st.message.as_bytes() };
        assert_eq!(msg, b"out_ptr is NULL but out_cap is 8");
    }

    #[test]
    fn overlapping_buffers_are_refused() {
        let mut buf = *b"abcdefgh";
        let mut out_len = 0;
        let mut st = status_sentinel();
        let p = buf.as_mut_ptr();
        let rc = doubler(RawCall {
            in_ptr: p,
            in_len: 2,
            out_ptr: p,
            out_cap: 8,
            out_len: &mut out_len,
            out_status: &mut st,
        });
        assert_eq!((rc, st.code), (2, 2));
    }

    #[test]
    fn null_status_still_returns_the_code() {
        let mut out_len = 0;
        let rc = doubler(RawCall {
            in_ptr: b"abc".as_ptr(),
            in_len: 3,
            out_ptr: null_mut(),
            out_cap: 0,
            out_len: &mut out_len,
            out_status: null_mut(),
        });
        assert_eq!((rc, out_len), (3, 6));
    }

    fn panicker(call: RawCall) -> c_int {
        // SAFETY: valid pointers from the tests.
        unsafe {
            call.sized(
                |input| Ok(input.len()),
                |_, _| -> Result<usize> { panic!("operation exploded") },
            )
        }
    }

    #[test]
    fn a_panic_becomes_an_error_status() {
        let s = call_with(b"abc", 3, panicker);
        assert_eq!((s.rc, s.code, s.out_len), (1, 1, 0));
        assert_eq!(s.message, "panic: operation exploded");
    }

    fn liar(call: RawCall) -> c_int {
        // SAFETY: valid pointers from the tests.
        unsafe { call.sized(|_| Ok(2), |_, _| Ok(3)) }
    }

    #[test]
    fn reporting_more_than_the_buffer_is_an_error() {
        let s = call_with(b"x", 2, liar);
        assert_eq!((s.code, s.out_len), (1, 0));
    }

    fn reverser(call: RawCall) -> c_int {
        // SAFETY: valid pointers from the tests.
        unsafe { call.with_vec(|input| Ok(input.iter().rev().copied().collect())) }
    }

    #[test]
    fn vec_operations_follow_the_same_contract() {
        let q = call_with(b"abcd", 0, reverser);
        assert_eq!((q.code, q.out_len), (3, 4));
        let short = call_with(b"abcd", 3, reverser);
        assert_eq!((short.code, short.out_len), (3, 4));
        assert!(short.out.iter().all(|&b| b == GUARD));
        let ok = call_with(b"abcd", 10, reverser);
        assert_eq!((ok.code, ok.out_len), (0, 4));
        assert_eq!(&ok.out[..4], b"dcba");
    }

    fn failing(call: RawCall) -> c_int {
        // SAFETY: valid pointers from the tests.
        unsafe {
            call.sized(
                |_| Ok(1),
                |_, _| Err(Error::invalid_arg(format!("bad byte at offset {}", 3))),
            )
        }
    }

    #[test]
    fn messages_live_until_the_next_call_on_the_thread() {
        let mut out = [0u8; 4];
        let mut out_len = 0;
        let mut st = status_sentinel();
        let rc = failing(RawCall {
            in_ptr: b"abcd".as_ptr(),
            in_len: 4,
            out_ptr: out.as_mut_ptr(),
            out_cap: 4,
            out_len: &mut out_len,
            out_status: &mut st,
        });
        assert_eq!(rc, 2);
        // Other work on the thread that makes no ABI call leaves the message intact.
        let noise: Vec<String> = (0..100).map(|i| format!("noise {i}")).collect();
        drop(noise);
        // SAFETY: valid until the next call on this thread.
        assert_eq!(unsafe { st.message.as_bytes() }, b"bad byte at offset 3");
    }

    #[test]
    fn huge_lengths_are_refused_without_reading() {
        let mut out_len = 0;
        let mut st = status_sentinel();
        let rc = doubler(RawCall {
            in_ptr: b"a".as_ptr(),
            in_len: usize::MAX,
            out_ptr: null_mut(),
            out_cap: 0,
            out_len: &mut out_len,
            out_status: &mut st,
        });
        assert_eq!((rc, st.code), (2, 2));
    }
}
