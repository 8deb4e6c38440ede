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

    /// The text: [`InputArg::bytes`], then UTF-8 or `VIX_STATUS_INVALID_ARG` naming the
    /// parameter, the offending byte and its offset.
    pub fn text(self, name: &str) -> Result<&'a str> {
        let bytes = self.bytes(name)?;
        super::utf8(bytes, &format!("`{name}`"))
    }
}

/// A `bool` input, received as the byte C passes: 0 is `false`, 1 is `true`, anything
/// else is `VIX_STATUS_INVALID_ARG`.
///
/// ```
/// # use vix_ffi::glue::bool_arg;
/// assert_eq!(bool_arg(1, "loud").unwrap(), true);
/// let err = bool_arg(2, "loud").unwrap_err();
/// assert_eq!(err.message(), "`loud` is 2, not a bool: a bool is 0 (false) or 1 (true)");
/// ```
pub fn bool_arg(value: u8, name: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::invalid_arg(format!(
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

    unsafe fn finish(&self, (): ()) {}
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

    unsafe fn finish(&self, value: T) {
        // SAFETY: `open` checked that it is non-null; writable by contract.
        unsafe { self.0.write(value) };
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

/// A writer into the caller's buffer, for a function with one buffer input whose exact
/// output size `need` is known before the work: `BUFFER_TOO_SMALL` first, then `write`
/// into exactly `need` bytes (refused when they overlap `input`).
pub fn put_sized<E, const CHECK_ASCII: bool>(
    out: &BufOut,
    input: &[u8],
    need: usize,
    write: impl FnOnce(&mut Output<'_>) -> std::result::Result<(), E>,
) -> Result<usize>
where
    E: Into<Error>,
{
    out.ensure_capacity(need)?;
    if need > 0 && ranges_overlap(input.as_ptr(), input.len(), out.ptr, need) {
        return Err(Error::invalid_arg(
            "input and output buffers overlap; pass separate buffers",
        ));
    }
    // SAFETY: `out` was opened by `op::call` and holds `need` bytes; no overlap with the
    // input (checked above).
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
