//! The codec behind the `base64_ffi` example: standard alphabet, `=` padding, strict
//! decoding.
//!
//! Kept apart from the example so that the library a Vix FFI author writes (the
//! `base64_ffi` crate) stays free of unsafe code: all of it lives here, in the AVX2
//! kernels of the `avx2` module and in the two places below that hand their output back as
//! initialised bytes. The bulk of a long input goes through those kernels when the CPU
//! has AVX2; `base64-simd` (which dispatches to AVX2/SSE4.1/NEON itself) does the rest,
//! including the last quantum with its padding and strict checks, and everything on CPUs
//! without AVX2.

use std::mem::MaybeUninit;

use base64_simd::{Out, STANDARD};

mod avx2;

/// Encodes `data` into the start of `buf`, which must hold at least `4 * ceil(n / 3)`
/// bytes; returns the encoded part of `buf`.
///
/// # Panics
/// When `buf` is shorter than the encoding.
pub fn encode_into<'b>(data: &[u8], buf: &'b mut [MaybeUninit<u8>]) -> &'b mut [u8] {
    let (read, written) = avx2::encode_prefix(data, buf);
    let tail = STANDARD
        .encode(&data[read..], Out::from_uninit_slice(&mut buf[written..]))
        .len();
    // SAFETY: the kernel initialised buf[..written], base64-simd the `tail` bytes that
    // follow (it writes from the start of the slice it is given).
    unsafe { avx2::assume_init(buf, written + tail) }
}

/// Strictly decodes `text` into the start of `buf`, which must hold at least the decoded
/// size; returns the decoded part of `buf`, or `None` when `text` is not strict padded
/// standard base64.
///
/// # Panics
/// When `buf` is shorter than the decoded size.
pub fn decode_into<'b>(text: &[u8], buf: &'b mut [MaybeUninit<u8>]) -> Option<&'b mut [u8]> {
    let (read, written) = avx2::decode_prefix(text, buf).ok()?;
    let tail = STANDARD
        .decode(&text[read..], Out::from_uninit_slice(&mut buf[written..]))
        .ok()?
        .len();
    // SAFETY: as in `encode_into`.
    unsafe { Some(avx2::assume_init(buf, written + tail)) }
}
