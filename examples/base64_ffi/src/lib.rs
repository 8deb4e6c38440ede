//! `base64_ffi`: the bundled example of a Vix FFI library, written as safe Rust.
//!
//! Three items carry `#[vix_ffi::export]`, which generates the C symbols of ABI v1 around
//! them; `vix-ffi from-rust` reads the same items to write `bindings.json` and
//! `include/base64/base64_ffi.h`, doc comments included:
//!
//! - [`VERSION`] becomes `vix_str base64_ffi_version(vix_status *)`;
//! - [`encode`] becomes `int base64_encode(in_ptr, in_len, out_ptr, out_cap, out_len,
//!   out_status)`: standard alphabet, `=` padding, no line breaks;
//! - [`decode`] becomes `int base64_decode(...)`: strict decoding, whose refusals name the
//!   offending offset.
//!
//! Both operations know their exact output size before doing any work, so a too-small
//! buffer is answered at once and the output is written straight into the caller's
//! buffer. `decode` computes its size with `size = decoded_len`; `encode` declares it as
//! `output_blocks = (3, 4)` (four characters for every three bytes, the last group
//! padded), from which the macro computes the size and `vix-ffi from-rust` writes
//! `"output_blocks"` into the manifest, so the generated Python allocates the result
//! without a size query. `encode` also promises ASCII output (`ascii`: base64 text is
//! ASCII), so the generated Python builds its `str` without scanning it; debug builds
//! check the promise.
//! The codec lives in the `base64_ffi_codec` crate beside this one (`codec/`): AVX-512
//! VBMI and AVX2 kernels for the bulk of long inputs, `base64-simd` for the rest. Its
//! unsafe code stays there; this crate has none.

#![forbid(unsafe_code)]

use base64_ffi_codec::{decode_into, encode_into};
use std::borrow::Cow;

use vix_ffi::{try_format, Error, Output, Result};

/// The library's version string.
///
/// It is the version of the `base64_ffi` crate.
#[vix_ffi::export(prefix = "base64_")]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Encode bytes as standard base64 with padding and no line breaks.
///
/// The alphabet is the standard one (`A-Z a-z 0-9 + /`) and `=` pads the text to a
/// multiple of four characters. The result is exactly `4 * ceil(in_len / 3)` bytes of
/// ASCII; an empty input gives an empty result. An input whose encoding would not fit in
/// memory is `VIX_STATUS_INVALID_ARG`.
#[vix_ffi::export(
    prefix = "base64_",
    output_blocks = (3, 4),
    kind = "bytes_to_str",
    ascii
)]
pub fn encode(data: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.fill_with(|buf| encode_into(data, buf))
}

/// Decode strict standard base64: padded, no whitespace, canonical final bits.
///
/// The text must be padded standard base64: its length a multiple of 4, only characters
/// of the alphabet, `=` only as the last one or two characters, no whitespace or line
/// breaks, and the unused low bits of the last character before the padding set to zero.
/// Anything else is `VIX_STATUS_INVALID_ARG` with a message naming the offending offset.
///
/// The result is `3 * (in_len / 4)` bytes minus one per `=` of padding. That size comes
/// from the length and the final `=` alone, so a buffer below it gives
/// `VIX_STATUS_BUFFER_TOO_SMALL` before the characters are checked; only a wrong length
/// is refused first. After `VIX_STATUS_INVALID_ARG` the contents of
/// `out_ptr[0 .. out_cap)` are unspecified.
#[vix_ffi::export(prefix = "base64_", size = decoded_len, kind = "str_to_bytes")]
pub fn decode(text: &[u8], out: &mut Output<'_>) -> Result<()> {
    out.try_fill_with(|buf| {
        decode_into(text, buf).ok_or_else(|| Error::invalid_arg(describe_invalid(text)))
    })
}

/// The exact decoded size, from the length and the padding alone.
pub fn decoded_len(input: &[u8]) -> Result<usize> {
    let n = input.len();
    if !n.is_multiple_of(4) {
        return Err(Error::invalid_arg(try_format!(
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

/// Explains why `input` (whose length is a multiple of 4) is not strict base64, naming
/// the first offending offset. Only runs on the error path, which must not abort when
/// memory runs out: `try_format!` gives the message without the offset rather than
/// aborting as `format!` would.
pub fn describe_invalid(input: &[u8]) -> Cow<'static, str> {
    let n = input.len();
    let mut padding_at = None;
    for (i, &c) in input.iter().enumerate() {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                if let Some(p) = padding_at {
                    return try_format!(
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
                    return try_format!(
                        "invalid base64: misplaced padding '=' at offset {i} (padding may \
                         only end the input, as '=' or '==')"
                    );
                }
                padding_at.get_or_insert(i);
            }
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => {
                return try_format!(
                    "invalid base64: whitespace (byte 0x{c:02x}) at offset {i}; strict \
                     decoding accepts no whitespace or line breaks"
                );
            }
            0x21..=0x7e => {
                return try_format!(
                    "invalid base64: character {:?} at offset {i} is not in the standard \
                     alphabet (A-Z a-z 0-9 + /)",
                    c as char
                );
            }
            _ => {
                return try_format!(
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
        _ => return Cow::Borrowed("invalid base64 input"),
    };
    if sextet(input[last]) & mask != 0 {
        return try_format!(
            "invalid base64: character {:?} at offset {last} has non-zero trailing bits \
             (not canonical base64)",
            input[last] as char
        );
    }
    Cow::Borrowed("invalid base64 input")
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
