//! `base64_ffi`: the bundled example of a Vix FFI library.
//!
//! Exports three symbols over ABI v1:
//!
//! - `vix_str base64_ffi_version(vix_status *)`;
//! - `int base64_encode(in_ptr, in_len, out_ptr, out_cap, out_len, out_status)`: standard
//!   alphabet, `=` padding, no line breaks; output size `4 * ceil(n / 3)`;
//! - `int base64_decode(...)`: strict decoding. A length that is not a multiple of 4, a
//!   byte outside the alphabet, misplaced padding, whitespace and non-zero trailing bits
//!   are `VIX_STATUS_INVALID_ARG`, with a message naming the offset.
//!
//! Both operations know their output size before doing any work, so a too-small buffer is
//! answered at once, and the output is written straight into the caller's buffer. The
//! codec is `base64-simd`, which picks AVX2/SSE4.1/NEON at run time.

use std::mem::MaybeUninit;
use std::os::raw::c_int;

use base64_simd::{Out, STANDARD};
use vix_ffi::{Error, RawCall, Result, VixStatus, VixStr};

/// The version string returned by `base64_ffi_version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `vix_str base64_ffi_version(vix_status *out_status)`.
///
/// # Safety
/// `out_status` must be null or valid for writing one `vix_status`.
#[no_mangle]
pub unsafe extern "C" fn base64_ffi_version(out_status: *mut VixStatus) -> VixStr {
    // SAFETY: forwarded from this function's contract.
    unsafe { vix_ffi::version(out_status, VERSION) }
}

/// Encodes `in_ptr[..in_len]` as padded standard base64 into `out_ptr`.
///
/// # Safety
/// The operation-shape contract: see [`RawCall::sized`].
#[no_mangle]
pub unsafe extern "C" fn base64_encode(
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
    out_status: *mut VixStatus,
) -> c_int {
    let call = RawCall {
        in_ptr,
        in_len,
        out_ptr,
        out_cap,
        out_len,
        out_status,
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { call.sized(|input| encoded_len(input.len()), encode_into) }
}

/// Decodes strict padded standard base64 from `in_ptr[..in_len]` into `out_ptr`.
///
/// # Safety
/// The operation-shape contract: see [`RawCall::sized`].
#[no_mangle]
pub unsafe extern "C" fn base64_decode(
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
    out_status: *mut VixStatus,
) -> c_int {
    let call = RawCall {
        in_ptr,
        in_len,
        out_ptr,
        out_cap,
        out_len,
        out_status,
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { call.sized(decoded_len, decode_into) }
}

/// `4 * ceil(n / 3)`, refusing inputs whose encoding would not fit in memory.
pub fn encoded_len(n: usize) -> Result<usize> {
    n.checked_add(2)
        .map(|m| m / 3)
        .and_then(|groups| groups.checked_mul(4))
        .filter(|&len| len <= isize::MAX as usize)
        .ok_or_else(|| {
            Error::invalid_arg(format!(
                "input of {n} bytes is too large: its base64 encoding would exceed the \
                 largest possible buffer"
            ))
        })
}

fn encode_into(input: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
    Ok(STANDARD.encode(input, Out::from_uninit_slice(out)).len())
}

/// The exact decoded size, from the length and the padding alone.
pub fn decoded_len(input: &[u8]) -> Result<usize> {
    let n = input.len();
    if n % 4 != 0 {
        return Err(Error::invalid_arg(format!(
            "invalid base64 length {n}: padded base64 is a multiple of 4 characters \
             (the last quantum starting at offset {} is incomplete)",
            n - n % 4
        )));
    }
    let padding = match input {
        [.., b'=', b'='] => 2,
        [.., b'='] => 1,
        _ => 0,
    };
    Ok(n / 4 * 3 - padding)
}

fn decode_into(input: &[u8], out: &mut [MaybeUninit<u8>]) -> Result<usize> {
    match STANDARD.decode(input, Out::from_uninit_slice(out)) {
        Ok(decoded) => Ok(decoded.len()),
        Err(_) => Err(Error::invalid_arg(describe_invalid(input))),
    }
}

/// Explains why `input` (whose length is a multiple of 4) is not strict base64, naming
/// the first offending offset. Only runs on the error path.
pub fn describe_invalid(input: &[u8]) -> String {
    let n = input.len();
    let mut padding_at = None;
    for (i, &c) in input.iter().enumerate() {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                if let Some(p) = padding_at {
                    return format!(
                        "invalid base64: character {:?} at offset {i} follows the padding \
                         at offset {p}",
                        c as char
                    );
                }
            }
            b'=' => {
                let last_two = i + 2 >= n;
                let followed_by_pad_or_end = i + 1 == n || input[i + 1] == b'=';
                if !last_two || !followed_by_pad_or_end {
                    return format!(
                        "invalid base64: misplaced padding '=' at offset {i} (padding may \
                         only end the input, as '=' or '==')"
                    );
                }
                padding_at.get_or_insert(i);
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                return format!(
                    "invalid base64: whitespace (byte 0x{c:02x}) at offset {i}; strict \
                     decoding accepts no whitespace or line breaks"
                );
            }
            0x21..=0x7e => {
                return format!(
                    "invalid base64: character {:?} at offset {i} is not in the standard \
                     alphabet (A-Z a-z 0-9 + /)",
                    c as char
                );
            }
            _ => {
                return format!(
                    "invalid base64: byte 0x{c:02x} at offset {i} is not in the standard \
                     alphabet (A-Z a-z 0-9 + /)"
                );
            }
        }
    }
    // Every byte is in place: the last character before the padding carries bits that
    // must be zero in canonical base64.
    let (last, mask) = match padding_at.map(|p| n - p) {
        Some(2) => (n - 3, 0x0f),
        Some(1) => (n - 2, 0x03),
        _ => return "invalid base64 input".to_owned(),
    };
    if sextet(input[last]) & mask != 0 {
        return format!(
            "invalid base64: character {:?} at offset {last} has non-zero trailing bits \
             (not canonical base64)",
            input[last] as char
        );
    }
    "invalid base64 input".to_owned()
}

fn sextet(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => 0,
    }
}
