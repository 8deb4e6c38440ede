//! The run-time part of typed signatures (ABI v1.1): what a symbol generated for a
//! function such as `fn crc32(data: &[u8], seed: u32) -> Result<u32>` calls.
//!
//! The generated symbol takes the C parameters of the signature (`data_ptr, data_len,
//! seed, out_value, out_status`), wraps each buffer input in an [`InputArg`] and the
//! output in one of the [`Out`] types of [`crate::op`] ([`NoOut`], [`ScalarOut`],
//! [`BufOut`]), and hands a body to [`crate::op::call`], the same function the v1.0
//! operation shape runs on: the output's pointers are checked first, then the body
//! converts the inputs (null pointers, UTF-8 text, `bool` values), calls the author's
//! function and converts its result; every error and every panic becomes the status.
//!
//! `bool` inputs arrive as bytes and are refused unless 0 or 1
//! (`VIX_STATUS_INVALID_ARG`): C's `_Bool` holds nothing else, so another value is a
//! caller's bug (a stray integer passed where a flag was declared), better reported than
//! guessed. A Rust `bool` parameter of an `extern "C"` function could not even receive
//! it without undefined behaviour.

use std::marker::PhantomData;

use crate::op::{ranges_overlap, BufOut, Out};
use crate::out::Output;
use crate::status::{Error, Result};

use super::{check_ascii_promise, IntoBytes};

/// A bytes or text input `<name>_ptr, <name>_len` as the caller passed it, unchecked.
#[derive(Clone, Copy, Debug)]
pub struct InputArg<'a> {
    ptr: *const u8,
    len: usize,
    _borrow: PhantomData<&'a [u8]>,
}

impl<'a> InputArg<'a> {
    /// Keeps the pointer and length for [`InputArg::bytes`] and [`InputArg::text`].
    ///
    /// # Safety
    /// `ptr` is null or readable for `len` bytes for `'a`, and nobody modifies them
    /// during it.
    pub unsafe fn new(ptr: *const u8, len: usize) -> InputArg<'a> {
        InputArg {
            ptr,
            len,
            _borrow: PhantomData,
        }
    }

    /// The bytes; a null pointer with a non-zero length, or a length past
    /// `isize::MAX`, is `VIX_STATUS_INVALID_ARG` naming `<name>_ptr`/`<name>_len`.
    pub fn bytes(self, name: &str) -> Result<&'a [u8]> {
        // SAFETY: `new`'s contract.
        unsafe { crate::op::borrow_input(self.ptr, self.len, name) }
    }

    /// An optional input: a NULL pointer is `None` (with a length of 0; another length
    /// is `VIX_STATUS_INVALID_ARG`), anything else as [`InputArg::bytes`].
    pub fn optional_bytes(self, name: &str) -> Result<Option<&'a [u8]>> {
        match (self.ptr.is_null(), self.len) {
            (true, 0) => Ok(None),
            (true, len) => Err(Error::invalid_arg(crate::try_format!(
                "{name}_ptr is NULL (None) but {name}_len is {len}"
            ))),
            _ => self.bytes(name).map(Some),
        }
    }

    /// An optional text input: [`InputArg::optional_bytes`], then UTF-8.
    pub fn optional_text(self, name: &str) -> Result<Option<&'a str>> {
        match self.optional_bytes(name)? {
            None => Ok(None),
            Some(bytes) => super::utf8(bytes, &format_args!("`{name}`")).map(Some),
        }
    }

    /// The text: [`InputArg::bytes`], then UTF-8 or `VIX_STATUS_INVALID_ARG` naming the
    /// parameter, the offending byte and its offset.
    pub fn text(self, name: &str) -> Result<&'a str> {
        let bytes = self.bytes(name)?;
        super::utf8(bytes, &format_args!("`{name}`"))
    }
}

/// A `bool` input, received as the byte C passes: 0 is `false`, 1 is `true`, anything
/// else is `VIX_STATUS_INVALID_ARG`.
///
/// ```
/// # use vix_ffi::glue::bool_arg;
/// assert!(bool_arg(1, "loud").unwrap());
/// let err = bool_arg(2, "loud").unwrap_err();
/// assert_eq!(err.message(), "`loud` is 2, not a bool: a bool is 0 (false) or 1 (true)");
/// ```
pub fn bool_arg(value: u8, name: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::invalid_arg(crate::try_format!(
            "`{name}` is {other}, not a bool: a bool is 0 (false) or 1 (true)"
        ))),
    }
}

/// No output: only the status.
#[derive(Clone, Copy, Debug)]
pub struct NoOut;

impl Out for NoOut {
    type Value = ();

    unsafe fn open(&self) -> Result<()> {
        Ok(())
    }

    unsafe fn finish(&self, (): ()) -> Result<()> {
        Ok(())
    }
}

/// The scalar types of ABI v1.1, as Rust has them.
pub trait ScalarValue: Copy {}

impl ScalarValue for i32 {}
impl ScalarValue for u32 {}
impl ScalarValue for i64 {}
impl ScalarValue for u64 {}
impl ScalarValue for usize {}
impl ScalarValue for f64 {}
impl ScalarValue for bool {}

/// A scalar output `T *out_value`: NULL is `VIX_STATUS_INVALID_ARG` before any work, and
/// the value is written on success only.
#[derive(Clone, Copy, Debug)]
pub struct ScalarOut<T: ScalarValue>(pub *mut T);

impl<T: ScalarValue> Out for ScalarOut<T> {
    type Value = T;

    unsafe fn open(&self) -> Result<()> {
        if self.0.is_null() {
            return Err(Error::invalid_arg("out_value is NULL"));
        }
        Ok(())
    }

    unsafe fn finish(&self, value: T) -> Result<()> {
        // SAFETY: `open` checked that it is non-null; writable by contract.
        unsafe { self.0.write(value) };
        Ok(())
    }
}

/// The author's result with its error converted into [`Error`].
#[inline]
pub fn result<T, E: Into<Error>>(result: std::result::Result<T, E>) -> Result<T> {
    result.map_err(Into::into)
}

/// A `Vec<u8>` or `String` result copied into the caller's buffer, with the sizing rules
/// of v1.0; with `CHECK_ASCII`, output that is not ASCII is an error (see the module
/// docs of [`crate::glue`]).
pub fn put<O, E, const CHECK_ASCII: bool>(
    out: &BufOut,
    result: std::result::Result<O, E>,
) -> Result<usize>
where
    O: IntoBytes,
    E: Into<Error>,
{
    let output = result.map_err(Into::into)?.into_bytes();
    if CHECK_ASCII {
        check_ascii_promise(&output)?;
    }
    // SAFETY: `out` was opened by `op::call`, whose caller vouched for its pointers.
    unsafe { out.put(&output) }
}

/// A writer into the caller's buffer, for a function or method whose exact output size
/// `need` is known before the work: `BUFFER_TOO_SMALL` first, then `write` into exactly
/// `need` bytes (refused when they overlap any of the buffer `inputs`).
pub fn put_sized<E, const CHECK_ASCII: bool>(
    out: &BufOut,
    inputs: &[&[u8]],
    need: usize,
    write: impl FnOnce(&mut Output<'_>) -> std::result::Result<(), E>,
) -> Result<usize>
where
    E: Into<Error>,
{
    out.ensure_capacity(need)?;
    if need > 0
        && inputs
            .iter()
            .any(|input| ranges_overlap(input.as_ptr(), input.len(), out.ptr, need))
    {
        return Err(Error::invalid_arg(
            "input and output buffers overlap; pass separate buffers",
        ));
    }
    // SAFETY: `out` was opened by `op::call` and holds `need` bytes; no overlap with the
    // inputs (checked above).
    unsafe {
        out.write_sized(need, |buf| {
            let mut writer = Output::new(buf);
            write(&mut writer).map_err(Into::into)?;
            if CHECK_ASCII {
                check_ascii_promise(writer.as_bytes())?;
            }
            Ok(writer.len())
        })
    }
}

/// The bytes of a buffer argument as the author's function receives it (`&[u8]`,
/// `&str`, or `Option` of either: `None` has none), for the overlap check of
/// [`put_sized`].
pub trait InputBytes {
    /// The bytes.
    fn input_bytes(&self) -> &[u8];
}

impl InputBytes for &[u8] {
    fn input_bytes(&self) -> &[u8] {
        self
    }
}

impl InputBytes for &str {
    fn input_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl InputBytes for Option<&[u8]> {
    fn input_bytes(&self) -> &[u8] {
        self.unwrap_or_default()
    }
}

impl InputBytes for Option<&str> {
    fn input_bytes(&self) -> &[u8] {
        self.map_or(&[], str::as_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::call;
    use crate::status::StatusCode;
    use crate::test_support::{status_sentinel, GUARD};
    use std::ptr::{null, null_mut};

    fn message(st: &crate::VixStatus) -> String {
        // SAFETY: valid until the next call on this thread.
        String::from_utf8(unsafe { st.message.as_bytes() }.to_vec()).unwrap()
    }

    #[test]
    fn inputs_are_checked_and_named() {
        // SAFETY: a NULL pointer is what is tested; it is never read.
        let arg = unsafe { InputArg::new(null(), 2) };
        let err = arg.bytes("data").unwrap_err();
        assert_eq!(err.message(), "data_ptr is NULL but data_len is 2");
        // SAFETY: as above, with a length of 0.
        let empty = unsafe { InputArg::new(null(), 0) };
        assert_eq!(empty.text("t").unwrap(), "");
        let bytes = b"ok\xc3(";
        // SAFETY: valid for its length.
        let arg = unsafe { InputArg::new(bytes.as_ptr(), bytes.len()) };
        assert_eq!(arg.bytes("x").unwrap(), bytes);
        let err = arg.text("name").unwrap_err();
        assert_eq!(err.code(), StatusCode::InvalidArg);
        assert!(
            err.message()
                .starts_with("`name` is not valid UTF-8: byte 0xc3 at offset 2"),
            "{}",
            err.message()
        );
        // SAFETY: the length is refused before any read.
        let huge = unsafe { InputArg::new(bytes.as_ptr(), usize::MAX) };
        assert!(huge
            .bytes("big")
            .unwrap_err()
            .message()
            .starts_with("big_len "));
    }

    #[test]
    fn bools_are_0_or_1() {
        assert!(!bool_arg(0, "b").unwrap());
        assert!(bool_arg(1, "b").unwrap());
        for v in [2, 0x80, 0xff] {
            assert_eq!(bool_arg(v, "b").unwrap_err().code(), StatusCode::InvalidArg);
        }
    }

    #[test]
    fn a_scalar_is_written_on_success_only_and_needs_a_pointer() {
        let mut value = 7u64;
        let mut st = status_sentinel();
        // SAFETY: valid pointers.
        let rc = unsafe { call(&mut st, ScalarOut(&mut value), |_| Ok(9)) };
        assert_eq!((rc, st.code, value), (0, 0, 9));
        // SAFETY: valid pointers.
        let rc = unsafe {
            call(&mut st, ScalarOut(&mut value), |_| {
                Err(Error::library(1500, "no"))
            })
        };
        assert_eq!((rc, st.code, value), (1500, 1500, 9));
        let mut ran = false;
        // SAFETY: a NULL out_value is what is tested.
        let rc = unsafe {
            call(&mut st, ScalarOut::<u64>(null_mut()), |_| {
                ran = true;
                Ok(1)
            })
        };
        assert_eq!(
            (rc, message(&st).as_str(), ran),
            (2, "out_value is NULL", false)
        );
    }

    #[test]
    fn buffers_follow_the_sizing_rules_and_the_ascii_promise() {
        let mut buf = [GUARD; 8];
        let mut len = usize::MAX;
        let mut st = status_sentinel();
        let out = BufOut {
            ptr: buf.as_mut_ptr(),
            cap: 3,
            len: &mut len,
        };
        // SAFETY: `buf` holds 8 bytes, `cap` is 3.
        let rc = unsafe {
            call(&mut st, out, |o| {
                put::<_, Error, false>(o, Ok(String::from("abcd")))
            })
        };
        assert_eq!((rc, len), (3, 4));
        assert!(buf.iter().all(|&b| b == GUARD));
        // SAFETY: as above.
        let rc = unsafe {
            call(&mut st, out, |o| {
                put::<_, Error, true>(o, Ok(String::from("\u{e9}")))
            })
        };
        assert_eq!((rc, len), (1, 0));
        assert!(message(&st).contains("promised ASCII output"));
        // SAFETY: as above.
        let rc = unsafe {
            call(&mut st, out, |o| {
                put::<_, Error, true>(o, Ok(b"abc".to_vec()))
            })
        };
        assert_eq!((rc, len, &buf[..4]), (0, 3, &b"abc\xa5"[..]));
    }

    #[test]
    fn a_sized_writer_is_refused_over_its_input() {
        let mut buf = *b"abcdefgh";
        let mut len = 0;
        let mut st = status_sentinel();
        let out = BufOut {
            ptr: buf.as_mut_ptr(),
            cap: 8,
            len: &mut len,
        };
        let input_ptr = buf.as_ptr();
        // SAFETY: the buffers are valid; overlapping them is what is tested, and the
        // check comes before any write.
        let rc = unsafe {
            call(&mut st, out, |o| {
                let input = std::slice::from_raw_parts(input_ptr, 2);
                put_sized::<Error, false>(o, &[input], 2, |w| w.extend_from_slice(b"zz"))
            })
        };
        assert_eq!(rc, 2);
        assert_eq!(&buf, b"abcdefgh");
    }
}
