//! `vix_ffi_status.h`: status codes, the status record, and the Rust error type that
//! becomes one.

use std::borrow::Cow;
use std::fmt;

use crate::message;
use crate::types::VixStr;

/// `enum vix_status_code`. The values are part of ABI v1 and never change.
///
/// ```c
/// enum vix_status_code {
///   VIX_STATUS_OK = 0, VIX_STATUS_ERROR = 1, VIX_STATUS_INVALID_ARG = 2,
///   VIX_STATUS_BUFFER_TOO_SMALL = 3, VIX_STATUS_NOT_SUPPORTED = 4
/// };
/// ```
#[repr(i32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusCode {
    /// `VIX_STATUS_OK`: success.
    Ok = 0,
    /// `VIX_STATUS_ERROR`: any failure without a more precise code, panics included.
    Error = 1,
    /// `VIX_STATUS_INVALID_ARG`: a bad argument or a malformed input.
    InvalidArg = 2,
    /// `VIX_STATUS_BUFFER_TOO_SMALL`: `out_cap` is below the size stored in `*out_len`.
    BufferTooSmall = 3,
    /// `VIX_STATUS_NOT_SUPPORTED`: the operation is not available in this build.
    NotSupported = 4,
}

impl StatusCode {
    /// The C name of the code, as in the header.
    pub const fn c_name(self) -> &'static str {
        match self {
            StatusCode::Ok => "VIX_STATUS_OK",
            StatusCode::Error => "VIX_STATUS_ERROR",
            StatusCode::InvalidArg => "VIX_STATUS_INVALID_ARG",
            StatusCode::BufferTooSmall => "VIX_STATUS_BUFFER_TOO_SMALL",
            StatusCode::NotSupported => "VIX_STATUS_NOT_SUPPORTED",
        }
    }
}

impl TryFrom<i32> for StatusCode {
    type Error = i32;

    /// Maps a raw code back to the enum; unknown codes are returned as the error.
    fn try_from(code: i32) -> std::result::Result<Self, i32> {
        Ok(match code {
            0 => StatusCode::Ok,
            1 => StatusCode::Error,
            2 => StatusCode::InvalidArg,
            3 => StatusCode::BufferTooSmall,
            4 => StatusCode::NotSupported,
            other => return Err(other),
        })
    }
}

impl From<StatusCode> for i32 {
    fn from(code: StatusCode) -> i32 {
        code as i32
    }
}

/// `vix_status`: the outcome of a call.
///
/// ```c
/// typedef struct vix_status { int32_t code; vix_str message; } vix_status;
/// /* 24 bytes, align 8 on LP64: code at 0, message at 8 */
/// ```
/// The message may point at static storage or at this crate's per-thread storage; the
/// caller never frees it, and it stays valid at least until the next call on the same
/// thread.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct VixStatus {
    /// A [`StatusCode`] value (other values may come from newer minor versions).
    pub code: i32,
    /// Human-readable detail; empty on success.
    pub message: VixStr,
}

impl VixStatus {
    /// `vix_status_ok()`: code 0, null empty message.
    pub const fn ok() -> VixStatus {
        VixStatus {
            code: 0,
            message: VixStr::EMPTY,
        }
    }
}

/// The error an ABI function body returns: a status code and a message.
///
/// Messages are `'static` where possible (no allocation, no storage) and owned
/// otherwise; owned ones are copied into per-thread storage when the status is written.
///
/// Besides the five codes of [`StatusCode`], an error may carry one of the library's own
/// codes (1000 and above, ABI v1.1), made with [`Error::library`] or, more naturally,
/// converted from an enum that derives [`LibraryError`](macro@crate::LibraryError).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Never 0: a [`StatusCode`] other than `Ok`, or a library code from 1000.
    code: i32,
    message: Cow<'static, str>,
}

/// The first status code a library may give a meaning of its own (ABI v1.1): codes below
/// it are the ABI's.
pub const FIRST_LIBRARY_CODE: i32 = 1000;

/// The result type of ABI function bodies.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with the given code. `StatusCode::Ok` is turned into `Error`, since an
    /// error that claims success would break the "return 0 iff OK" rule.
    pub fn new(code: StatusCode, message: impl Into<Cow<'static, str>>) -> Error {
        let code = if code == StatusCode::Ok {
            StatusCode::Error
        } else {
            code
        };
        Error {
            code: code as i32,
            message: message.into(),
        }
    }

    /// An error with one of the library's own status codes (ABI v1.1), which the
    /// manifest's `errors` may name as a Python exception class.
    ///
    /// Codes below [`FIRST_LIBRARY_CODE`] belong to the ABI and are refused: such a call
    /// is a bug of the library, so it gives `VIX_STATUS_ERROR` with a message that says
    /// so and keeps the original message, rather than a code that would mean something
    /// else to the caller (the way [`Error::new`] refuses `StatusCode::Ok`).
    ///
    /// ```
    /// use vix_ffi::{Error, StatusCode};
    ///
    /// let err = Error::library(1000, "lo is greater than hi");
    /// assert_eq!(err.library_code(), Some(1000));
    /// assert_eq!(err.raw_code(), 1000);
    ///
    /// let bug = Error::library(7, "no such thing");
    /// assert_eq!(bug.code(), StatusCode::Error);
    /// assert!(bug.message().contains("library status code 7"));
    /// ```
    pub fn library(code: i32, message: impl Into<Cow<'static, str>>) -> Error {
        if code >= FIRST_LIBRARY_CODE {
            return Error {
                code,
                message: message.into(),
            };
        }
        Error::other(crate::try_format!(
            "internal error: library status code {code} is reserved for the ABI (a \
             library's own codes start at {FIRST_LIBRARY_CODE}); the error was: {}",
            message.into()
        ))
    }

    /// `VIX_STATUS_ERROR` with a message: a failure without a more precise code.
    pub fn other(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(StatusCode::Error, message)
    }

    /// `VIX_STATUS_INVALID_ARG` with a message.
    pub fn invalid_arg(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(StatusCode::InvalidArg, message)
    }

    /// `VIX_STATUS_NOT_SUPPORTED` with a message.
    pub fn not_supported(message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(StatusCode::NotSupported, message)
    }

    /// The status code of the ABI: for an error with a library code
    /// ([`library_code`](Error::library_code)), `StatusCode::Error`, the code a v1.0
    /// caller would treat it as.
    pub fn code(&self) -> StatusCode {
        StatusCode::try_from(self.code).unwrap_or(StatusCode::Error)
    }

    /// The code written into the status: a [`StatusCode`] value or a library code.
    pub fn raw_code(&self) -> i32 {
        self.code
    }

    /// The library's own code (1000 and above), if the error has one.
    pub fn library_code(&self) -> Option<i32> {
        (self.code >= FIRST_LIBRARY_CODE).then_some(self.code)
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.library_code() {
            Some(code) => write!(f, "library error {code}: {}", self.message),
            None => write!(f, "{}: {}", self.code().c_name(), self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Writes an OK status.
///
/// # Safety
/// `out` must be null or valid for writing one [`VixStatus`].
pub(crate) unsafe fn write_ok(out: *mut VixStatus) {
    if !out.is_null() {
        // SAFETY: non-null and writable by this function's contract.
        unsafe { out.write(VixStatus::ok()) };
    }
}

/// Writes `code` with `message`. Owned messages go to per-thread storage first.
///
/// # Safety
/// `out` must be null or valid for writing one [`VixStatus`].
pub(crate) unsafe fn write_status(
    out: *mut VixStatus,
    code: StatusCode,
    message: Cow<'static, str>,
) {
    // SAFETY: forwarded.
    unsafe { write_raw(out, code as i32, message) }
}

/// Writes the raw `code` with `message`.
///
/// # Safety
/// `out` must be null or valid for writing one [`VixStatus`].
unsafe fn write_raw(out: *mut VixStatus, code: i32, message: Cow<'static, str>) {
    if out.is_null() {
        return;
    }
    let message = match message {
        Cow::Borrowed(s) => VixStr::from_static(s),
        Cow::Owned(s) => message::store(&s),
    };
    // SAFETY: non-null and writable by this function's contract.
    unsafe { out.write(VixStatus { code, message }) };
}

/// Writes the status for `err`.
///
/// # Safety
/// `out` must be null or valid for writing one [`VixStatus`].
pub(crate) unsafe fn write_error(out: *mut VixStatus, err: Error) {
    // SAFETY: forwarded.
    unsafe { write_raw(out, err.code, err.message) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for code in [
            StatusCode::Ok,
            StatusCode::Error,
            StatusCode::InvalidArg,
            StatusCode::BufferTooSmall,
            StatusCode::NotSupported,
        ] {
            assert_eq!(StatusCode::try_from(code as i32), Ok(code));
        }
        assert_eq!(StatusCode::try_from(5), Err(5));
        assert_eq!(StatusCode::try_from(-1), Err(-1));
    }

    #[test]
    fn an_error_never_claims_success() {
        assert_eq!(Error::new(StatusCode::Ok, "x").code(), StatusCode::Error);
    }

    #[test]
    fn library_codes_start_at_1000() {
        let err = Error::library(1000, "first");
        assert_eq!((err.raw_code(), err.library_code()), (1000, Some(1000)));
        assert_eq!(err.code(), StatusCode::Error);
        assert_eq!(err.message(), "first");
        assert_eq!(err.to_string(), "library error 1000: first");
        let err = Error::library(i32::MAX, "last");
        assert_eq!(err.library_code(), Some(i32::MAX));
        for reserved in [-1, 0, 1, 4, 5, 999] {
            let err = Error::library(reserved, "why");
            assert_eq!(err.raw_code(), 1, "{reserved}");
            assert_eq!(err.library_code(), None);
            assert!(
                err.message()
                    .starts_with(&format!("internal error: library status code {reserved} ")),
                "{}",
                err.message()
            );
            assert!(err.message().ends_with("the error was: why"));
        }
        assert_eq!(Error::invalid_arg("x").library_code(), None);
    }

    #[test]
    fn a_library_code_reaches_the_status() {
        let mut st = VixStatus::ok();
        // SAFETY: `st` is a live local.
        unsafe { write_error(&mut st, Error::library(1234, format!("n = {}", 5))) };
        assert_eq!(st.code, 1234);
        // SAFETY: valid until the next call on this thread.
        assert_eq!(unsafe { st.message.as_bytes() }, b"n = 5");
    }

    #[test]
    fn values_match_the_header() {
        assert_eq!(StatusCode::Ok as i32, 0);
        assert_eq!(StatusCode::Error as i32, 1);
        assert_eq!(StatusCode::InvalidArg as i32, 2);
        assert_eq!(StatusCode::BufferTooSmall as i32, 3);
        assert_eq!(StatusCode::NotSupported as i32, 4);
    }
}
