//! The Rust side of the Vix FFI v1 C ABI.
//!
//! Libraries that want to be called from Python through Vix FFI export a handful of C
//! functions whose types and rules are fixed by the headers under `include/vix/ffi/`.
//! This crate mirrors those headers type for type ([`VixStr`], [`VixBuf`],
//! [`VixMutBuf`], [`VixStatus`], [`VixAllocator`], [`StatusCode`]) and offers helpers
//! that make a correct ABI function short to write:
//!
//! - [`RawCall::sized`] and [`RawCall::with_vec`] implement the operation shape
//!   (`in_ptr, in_len, out_ptr, out_cap, out_len, out_status`) with every rule of the
//!   contract: argument checks, the `BUFFER_TOO_SMALL` sizing protocol, the status always
//!   written, nothing written past `out_cap`;
//! - [`guard`] turns every panic into `VIX_STATUS_ERROR` so that no unwind crosses the
//!   boundary;
//! - [`version`] implements `<pkg>_ffi_version`.
//!
//! Most libraries need none of that by hand: [`macro@export`] turns a safe function
//! (`&[u8]`/`&str` in, `Vec<u8>`/`String` out, or a sized writer into [`Output`]) into the
//! `extern "C"` symbol, built on the helpers above. Its options are `prefix = "..."`,
//! `size = <fn>` or `output_blocks = (in, out)` (an output of `out` bytes per started
//! block of `in` input bytes, which the manifest then declares), `kind = "..."` and the
//! flag `ascii`, which promises that a text operation's output is always ASCII (the
//! generated Python then builds the `str` without scanning it); debug builds of the
//! library check that promise on every call and answer a broken one with
//! `VIX_STATUS_ERROR`, release builds trust it. See [`macro@export`].
//!
//! The attribute also exports the typed signatures of ABI v1.1: any mix of `&[u8]`,
//! `&str` and scalar parameters (`i32`, `u32`, `i64`, `u64`, `usize`, `f64`, `bool`),
//! a scalar, bytes, text or no result, with Python defaults and passing rules
//! (`default(...)`, `keyword_only(...)`, `positional_only(...)`, `positional(...)`).
//! [`derive@LibraryError`] turns an enum of the library's own errors into status codes
//! from 1000 that Python raises as exception classes of their own; [`Error::library`]
//! makes such an error at run time. The generated symbols run on [`op::call`], the same
//! checks, guard and status as [`RawCall`].
//!
//! On an `impl` block, the attribute exports the type as a class (ABI v1.1 objects):
//! `<c_name>_new`, a symbol per method and `<c_name>_free`, on a handle that holds the
//! value in a mutex so that no two calls ever use one object at once, whoever the caller
//! is (see "Classes" in [`macro@export`]).
//!
//! Status messages built at run time are kept in thread-local storage, so the pointer
//! handed to the caller stays valid until the next call on the same thread. The crate
//! builds and stores them without aborting when memory runs out (a static text stands in
//! for one it cannot allocate); [`try_format!`] gives a library's own messages the same
//! property, where `format!` would abort the process.
#![deny(missing_docs)]

#[doc(hidden)]
pub mod glue;
mod guard;
mod memory;
mod message;
pub mod op;
mod out;
mod status;
#[cfg(test)]
mod test_support;
mod types;

pub use guard::guard;
pub use memory::{VixAllocFn, VixAllocator, VixFreeFn};
#[doc(hidden)]
pub use message::try_format as __try_format;
pub use op::RawCall;
pub use out::Output;
pub use status::{Error, Result, StatusCode, VixStatus, FIRST_LIBRARY_CODE};
pub use types::{VixBuf, VixMutBuf, VixStr};
pub use vix_ffi_macros::{export, LibraryError};

/// `format!` for status messages, without the abort: the text, or, when memory for it
/// cannot be allocated, the template itself (its `{}` unfilled), as a
/// `Cow<'static, str>` that [`Error`]'s constructors take.
///
/// Rust's `format!` aborts the process when its allocation fails; an error path built
/// with it turns memory pressure in the caller into a crash. Under `vix-ffi check`'s
/// `allocation-failure` rule, a message built with this macro gives an error status
/// instead.
///
/// ```
/// use vix_ffi::{try_format, Error};
///
/// let n = 5;
/// let err = Error::invalid_arg(try_format!("invalid length {n}: not a multiple of {}", 4));
/// assert_eq!(err.message(), "invalid length 5: not a multiple of 4");
/// ```
#[macro_export]
macro_rules! try_format {
    ($template:literal $(,)?) => {
        $crate::__try_format(::core::format_args!($template), $template)
    };
    ($template:literal, $($arg:tt)+) => {
        $crate::__try_format(::core::format_args!($template, $($arg)+), $template)
    };
}

/// `VIX_FFI_ABI_VERSION_MAJOR` of `vix_ffi_config.h`.
pub const ABI_VERSION_MAJOR: u32 = 1;
/// `VIX_FFI_ABI_VERSION_MINOR` of `vix_ffi_config.h`.
pub const ABI_VERSION_MINOR: u32 = 1;

/// Implements `vix_str <pkg>_ffi_version(vix_status *out_status)`.
///
/// Writes an OK status (when `out_status` is not null) and returns `version`, a static
/// string that the caller never frees.
///
/// # Safety
/// `out_status` must be null or valid for writing one [`VixStatus`].
pub unsafe fn version(out_status: *mut VixStatus, version: &'static str) -> VixStr {
    // SAFETY: forwarded from this function's contract.
    unsafe { status::write_ok(out_status) };
    VixStr::from_static(version)
}
